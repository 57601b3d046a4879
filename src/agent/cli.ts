/**
 * The `cyrus` command line. Run from a checkout with `npx cyrus …` (bin/cyrus.js loads this file
 * through tsx; there is no build step).
 *
 * Exit codes: 0 done, 1 a failure while running (the edge refused the agent for good, a
 * repository is unusable), 2 an incomplete or wrong invocation (a missing URL, token or
 * repository is named in the message; nothing ever prompts on a TTY).
 */
import { Command, CommanderError, Option } from "commander";
import { addAdminCommands, ApiFailure } from "./admin-commands";
import { Agent, AGENT_VERSION } from "./agent";
import { ConfigError, configFile, cyrusHome, loadAgentConfig, setConfigValue, SETTABLE_KEYS, type ConfigFlags } from "./config";
import { consoleLog } from "./output";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command("cyrus")
    .description("The Cyrus Edge local agent: runs Linear issues through Claude Code on this machine.")
    .version(AGENT_VERSION)
    .showSuggestionAfterError()
    .exitOverride();

  program
    .command("connect")
    .description("connect to the edge and run the tasks it assigns, until stopped (Ctrl-C)")
    .addOption(new Option("--url <url>", "the edge's origin, e.g. https://cyrus.example.workers.dev").env("CYRUS_URL"))
    .addOption(new Option("--token <token>", "an agent token (POST /api/agent-tokens)").env("CYRUS_TOKEN"))
    .option("--repo <name=path>", "a repository this agent works on (repeatable)", collect)
    .addOption(new Option("--max-concurrent <n>", "tasks run at once").env("CYRUS_MAX_CONCURRENT"))
    .addOption(new Option("--claude-path <path>", "the Claude Code executable (default: the one bundled with the SDK)").env("CYRUS_CLAUDE_PATH"))
    .addOption(new Option("--workspaces-dir <dir>", "where the worktrees go (default: $CYRUS_HOME/workspaces)").env("CYRUS_WORKSPACES_DIR"))
    .addHelpText(
      "after",
      `\nEvery value can also come from the environment (shown above, plus CYRUS_REPOS=name=path,name=path)\nor from ${configFile("$CYRUS_HOME")} (see \`cyrus config set\`); flags win, then the environment, then the file.`,
    )
    .action(async (flags: ConfigFlags) => {
      // Environment values reach the config through its own precedence rules, not commander's.
      const config = loadAgentConfig({ flags: onlyFromCommandLine(flags, program.commands.find((c) => c.name() === "connect")!) });
      const log = consoleLog();
      const agent = new Agent({ config, log });
      let stopping = false;
      const onSignal = () => {
        if (stopping) {
          log.warn("stopping now; the tasks still running will be reported as failed on the next start");
          process.exit(130);
        }
        stopping = true;
        log.info("Stopping: interrupting running tasks (Ctrl-C again to quit at once)…");
        void agent.shutdown();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      await agent.start();
      const fatal = await agent.done;
      if (fatal) {
        log.error(fatal.message);
        await agent.shutdown({ graceMs: 10_000, flushMs: 0 });
        process.exitCode = 1;
      }
    });

  const config = program.command("config").description("read and write the agent's configuration file");
  config
    .command("set")
    .description(`set a value in $CYRUS_HOME/config.json (keys: ${SETTABLE_KEYS.join(", ")}, repo.<name>; an empty value removes it)`)
    .argument("<key>")
    .argument("<value>")
    .action((key: string, value: string) => {
      console.log(setConfigValue(cyrusHome(), key, value));
    });

  addAdminCommands(program);
  return program;
}

/** Commander fills options from `.env()` for the help text; precedence is handled by loadAgentConfig. */
function onlyFromCommandLine(flags: ConfigFlags, command: Command): ConfigFlags {
  const out: ConfigFlags = {};
  for (const [key, value] of Object.entries(flags) as [keyof ConfigFlags, never][]) {
    if (command.getOptionValueSource(key) === "cli") out[key] = value;
  }
  return out;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ApiFailure) {
      process.stderr.write(`cyrus: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`cyrus: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`cyrus: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
