import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";
import type { TaskSpec } from "../../../src/protocol/messages";

export const STANDIN = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/claude-standin/claude-standin");

/** A fresh directory, removed when the test ends. */
export function tempDir(prefix = "cyrus-agent-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment Claude Code (the stand-in) gets: this Node first on PATH, its state in `stateDir`. */
export function standinEnv(stateDir: string): Record<string, string | undefined> {
  return {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    CLAUDE_STANDIN_STATE_DIR: stateDir,
  };
}

export type StandinStep =
  | { text: string }
  | { tool: string; input?: unknown; result?: string }
  | { sleep: number }
  | { cost: number }
  | { crash: string }
  | { error: string }
  | { hang: true; ignoreInterrupt?: boolean }
  | { waitForPrompt: true };

/** A prompt that tells the stand-in what to do in this turn. */
export function scenario(steps: StandinStep[], extra: { result?: string; tokens?: { input: number; output: number }; structuredOutput?: unknown } = {}): string {
  return `Work on the issue.\nSTANDIN_SCENARIO: ${JSON.stringify({ steps, ...extra })}`;
}

export interface StandinLaunch {
  argv: string[];
  cwd: string;
  pid: number;
  resumed: string | null;
  prompts: string[];
  initialize?: Record<string, unknown>;
}

export function readLaunch(stateDir: string, sessionId: string): StandinLaunch {
  return JSON.parse(readFileSync(join(stateDir, `${sessionId}.launch.json`), "utf8")) as StandinLaunch;
}

let counter = 0;
export function taskSpec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  counter++;
  return {
    taskId: `task-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    leaseId: `lease-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    organizationId: "org-1",
    agentSessionId: `session-${counter}`,
    issue: { id: `issue-${counter}`, identifier: `ENG-${100 + counter}`, title: "Fix the thing", description: null, url: null },
    repository: { name: "web", baseBranch: "main" },
    branchName: `cyrus/eng-${100 + counter}`,
    prompt: "Fix the thing.",
    systemPromptAppend: "",
    maxBudgetUsd: null,
    resumeClaudeSessionId: null,
    previousTotalCostUsd: null,
    ...overrides,
  };
}

export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
}

/** A repository with one commit on `main`. */
export function initRepo(dir: string): string {
  gitIn(dir, "init", "--quiet", "--initial-branch=main");
  gitIn(dir, "config", "user.email", "test@example.com");
  gitIn(dir, "config", "user.name", "Test");
  writeFileSync(join(dir, "README.md"), "# web\n");
  gitIn(dir, "add", ".");
  gitIn(dir, "commit", "--quiet", "-m", "initial");
  return dir;
}

/** A promise with its resolver, for waiting on a signal instead of sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
