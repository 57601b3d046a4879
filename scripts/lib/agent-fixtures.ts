/** A throwaway git repository and the stand-in Claude Code, for benchmarks and the end-to-end test. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function standInPath(): string {
  return join(ROOT, "test/fixtures/claude-standin/claude-standin");
}

/** A repository with one commit on `main`, in a temporary directory. */
export function createBenchRepository(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "cyrus-repo-")));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.email", "bench@example.com");
  git("config", "user.name", "Bench");
  writeFileSync(join(dir, "README.md"), "# web\n");
  git("add", ".");
  git("commit", "--quiet", "-m", "initial");
  return dir;
}

/** The environment for a `cyrus` process using the stand-in: this Node first on PATH. */
export function agentEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, CYRUS_HOME: home, CLAUDE_STANDIN_STATE_DIR: join(home, "standin"), ...extra };
}
