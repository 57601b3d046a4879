/**
 * A real `cyrus connect` process, as a developer runs it, driving the stand-in
 * Claude Code: for the end-to-end test and the demo. Its output is kept line by
 * line so a caller can wait for a line ("accepted this agent", "■ ENG-1 succeeded").
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { agentEnv, standInPath } from "./agent-fixtures";

const CYRUS_BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "bin/cyrus.js");

export interface AgentProcessOptions {
  edgeUrl: string;
  token: string;
  /** Repository name on the edge → the local checkout it serves. */
  repos: Record<string, string>;
  /** CYRUS_HOME (config, outbox, worktrees) and the stand-in's state. */
  home: string;
  /** The stand-in's scenario for every turn (test/fixtures/claude-standin). */
  scenario?: object;
  maxConcurrent?: number;
  /** Called with each complete line the agent prints, stdout and stderr alike. */
  onLine?: (line: string) => void;
}

export interface AgentProcess {
  child: ChildProcess;
  /** Every line printed so far. */
  output: string[];
  /** Resolves with the first line (printed before or after the call) that matches; rejects after `timeoutMs` or if the agent exits first. */
  until(test: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGINT (the agent's own clean shutdown), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function startAgentProcess(options: AgentProcessOptions): AgentProcess {
  const args = ["connect", "--url", options.edgeUrl, "--token", options.token, "--claude-path", standInPath()];
  for (const [name, path] of Object.entries(options.repos)) args.push("--repo", `${name}=${path}`);
  if (options.maxConcurrent !== undefined) args.push("--max-concurrent", String(options.maxConcurrent));
  const child = spawn(process.execPath, [CYRUS_BIN, ...args], {
    env: agentEnv(options.home, options.scenario ? { CLAUDE_STANDIN_SCENARIO: JSON.stringify(options.scenario) } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });

  const output: string[] = [];
  const waiters = new Set<{ test: RegExp; resolve: (line: string) => void }>();
  const exited = new Set<(code: number | null) => void>();
  const lineReader = () => {
    let partial = "";
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        options.onLine?.(line);
        for (const waiter of [...waiters]) {
          if (!waiter.test.test(line)) continue;
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    };
  };
  child.stdout!.on("data", lineReader());
  child.stderr!.on("data", lineReader());
  child.once("exit", (code) => {
    for (const notify of [...exited]) notify(code);
  });

  const until = (test: RegExp, timeoutMs = 60_000) => {
    const seen = output.find((line) => test.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolvePromise, reject) => {
      const tail = () => output.slice(-10).join("\n");
      const done = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
        exited.delete(onExit);
      };
      const waiter = {
        test,
        resolve: (line: string) => {
          done();
          resolvePromise(line);
        },
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`the cyrus agent exited (code ${code}) before printing ${test}; its last lines:\n${tail()}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the cyrus agent did not print ${test} within ${timeoutMs / 1000} s; its last lines:\n${tail()}`));
      }, timeoutMs);
      waiters.add(waiter);
      exited.add(onExit);
      if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode);
    });
  };

  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  };

  return { child, output, until, stop };
}
