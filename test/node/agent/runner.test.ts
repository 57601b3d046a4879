/**
 * The runner against the real Claude Agent SDK, with the stand-in executable in place of Claude Code.
 */
import { describe, expect, it } from "vitest";
import type { TaskEvent, TaskResult, TaskSpec } from "../../../src/protocol/messages";
import { memoryLog } from "../../../src/agent/output";
import { TaskRun, runCost, type RunOutcome } from "../../../src/agent/runner";
import { STANDIN, deferred, readLaunch, scenario, standinEnv, taskSpec, tempDir } from "./helpers";

interface Harness {
  run: TaskRun;
  events: TaskEvent[];
  outcome: () => Promise<RunOutcome>;
  result: () => Promise<TaskResult>;
}

function harness(
  spec: TaskSpec,
  stateDir: string,
  options: { ledger?: Map<string, number>; onEvent?: (event: TaskEvent, run: TaskRun) => void; cwd?: string } = {},
): Harness {
  const events: TaskEvent[] = [];
  const ledger = options.ledger ?? new Map<string, number>();
  const run: TaskRun = new TaskRun({
    spec,
    cwd: options.cwd ?? stateDir,
    claudePath: STANDIN,
    permissionMode: "acceptEdits",
    allowedTools: ["Read", "Edit", "Bash"],
    env: standinEnv(stateDir),
    lastTotalFor: (id) => ledger.get(id),
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event, run);
    },
    log: memoryLog(),
  });
  const outcome = () => run.start();
  const result = async () => {
    const done = await run.start();
    if (done.kind !== "finished") throw new Error(`expected a finished run, got ${done.kind}`);
    if (done.result.claudeSessionId && done.result.totalCostUsd !== null) ledger.set(done.result.claudeSessionId, done.result.totalCostUsd);
    return done.result;
  };
  return { run, events, outcome, result };
}

describe("runCost", () => {
  it("is the difference from the baseline, or the whole total when the session's count restarted", () => {
    expect(runCost(0.45, 0.3)).toBeCloseTo(0.15, 9);
    expect(runCost(0.3, 0)).toBe(0.3);
    expect(runCost(0.05, 0.3)).toBe(0.05);
  });
});

describe("TaskRun with the real SDK and the stand-in", () => {
  it("streams started, text and tool events in order, then a succeeded result with cost, tokens and PR URLs", async () => {
    const dir = tempDir();
    const spec = taskSpec({
      prompt: scenario(
        [
          { text: "Looking at the code." },
          { tool: "Bash", input: { command: "gh pr create" }, result: "https://github.com/acme/web/pull/42" },
          { text: "Opened the PR." },
          { cost: 0.3 },
        ],
        { result: "Done: https://github.com/acme/web/pull/42", tokens: { input: 120, output: 30 } },
      ),
      systemPromptAppend: "You work for ACME.",
      maxBudgetUsd: 2,
    });
    const h = harness(spec, dir);
    const result = await h.result();

    expect(h.events.map((e) => e.kind)).toEqual(["started", "text", "tool", "text"]);
    const [started, text, tool] = h.events;
    expect(started).toEqual({ kind: "started", worktreePath: dir, claudeSessionId: result.claudeSessionId });
    expect(text).toEqual({ kind: "text", text: "Looking at the code." });
    expect(tool).toEqual({ kind: "tool", tool: "Bash", input: '{"command":"gh pr create"}', result: "https://github.com/acme/web/pull/42" });
    expect(result).toMatchObject({
      status: "succeeded",
      text: "Done: https://github.com/acme/web/pull/42",
      error: null,
      totalCostUsd: 0.3,
      costUsd: 0.3,
      inputTokens: 120,
      outputTokens: 30,
      prUrls: ["https://github.com/acme/web/pull/42"],
    });

    // The options reached Claude Code, in the worktree.
    const launch = readLaunch(dir, result.claudeSessionId!);
    expect(launch.cwd).toBe(dir);
    const argv = launch.argv.join(" ");
    expect(argv).toMatch(/--permission-mode[= ]acceptEdits/);
    expect(argv).toMatch(/--max-budget-usd[= ]2\b/);
    expect(argv).toMatch(/--allowedTools[= ]Read,Edit,Bash/);
    expect(launch.resumed).toBeNull();
    expect(launch.initialize).toMatchObject({ subtype: "initialize", appendSystemPrompt: "You work for ACME." });
  });

  it("counts a resumed session's running total once: 0.30, then 0.45 after the resume, costs 0.30 then 0.15", async () => {
    const dir = tempDir();
    const ledger = new Map<string, number>();
    const first = await harness(taskSpec({ prompt: scenario([{ text: "one" }, { cost: 0.3 }]) }), dir, { ledger }).result();
    expect(first.totalCostUsd).toBe(0.3);
    expect(first.costUsd).toBe(0.3);

    const sessionId = first.claudeSessionId!;
    const second = await harness(taskSpec({ prompt: scenario([{ text: "two" }, { cost: 0.15 }]), resumeClaudeSessionId: sessionId }), dir, { ledger }).result();
    expect(second.claudeSessionId).toBe(sessionId);
    expect(second.totalCostUsd).toBeCloseTo(0.45, 9);
    expect(second.costUsd).toBeCloseTo(0.15, 9);
    expect(readLaunch(dir, sessionId).resumed).toBe(sessionId);

    // An agent that never saw the session (another home) uses the edge's figure instead.
    const third = await harness(
      taskSpec({ prompt: scenario([{ cost: 0.05 }]), resumeClaudeSessionId: sessionId, previousTotalCostUsd: 0.45 }),
      dir,
      { ledger: new Map() },
    ).result();
    expect(third.totalCostUsd).toBeCloseTo(0.5, 9);
    expect(third.costUsd).toBeCloseTo(0.05, 9);

    // With both, the larger baseline wins (the edge may lag behind the agent's own record).
    ledger.set(sessionId, 0.5);
    const fourth = await harness(
      taskSpec({ prompt: scenario([{ cost: 0.1 }]), resumeClaudeSessionId: sessionId, previousTotalCostUsd: 0.45 }),
      dir,
      { ledger },
    ).result();
    expect(fourth.costUsd).toBeCloseTo(0.1, 9);
  });

  it("passes a follow-up into the running session: same process, same session, one result for both turns", async () => {
    const dir = tempDir();
    let pushed: boolean | null = null;
    const spec = taskSpec({ prompt: scenario([{ text: "first turn" }, { waitForPrompt: true }, { cost: 0.1 }]) });
    const h = harness(spec, dir, {
      onEvent: (event, run) => {
        if (event.kind === "text" && event.text === "first turn") {
          pushed = run.prompt(scenario([{ text: "second turn" }, { cost: 0.05 }], { result: "both done" }));
        }
      },
    });
    const result = await h.result();
    expect(pushed).toBe(true);
    expect(h.events.filter((e) => e.kind === "text").map((e) => (e as { text: string }).text)).toEqual(["first turn", "second turn"]);
    expect(h.events.filter((e) => e.kind === "started")).toHaveLength(1);
    expect(result.status).toBe("succeeded");
    expect(result.text).toBe("both done");
    expect(result.costUsd).toBeCloseTo(0.15, 9);
    const launch = readLaunch(dir, result.claudeSessionId!);
    expect(launch.prompts).toHaveLength(2);
    // Once the run is over, a follow-up is refused: the edge starts it as a new task.
    expect(h.run.prompt("too late")).toBe(false);
  });

  it("stops by interrupt: the result still comes, with its cost, and the status is stopped", async () => {
    const dir = tempDir();
    const spec = taskSpec({ prompt: scenario([{ text: "working" }, { cost: 0.2 }, { hang: true }]) });
    // A grace period longer than the test's timeout: only the interrupt can end this run in time.
    const h = harness(spec, dir, { onEvent: (event, run) => event.kind === "text" && run.stop(120_000) });
    const result = await h.result();
    expect(result).toMatchObject({ status: "stopped", error: null, totalCostUsd: 0.2, costUsd: 0.2 });
    expect(result.claudeSessionId).toEqual(expect.any(String));
  });

  it("aborts after the grace period when Claude Code ignores the interrupt: stopped, with what is known", async () => {
    const dir = tempDir();
    const spec = taskSpec({ prompt: scenario([{ text: "working" }, { cost: 0.2 }, { hang: true, ignoreInterrupt: true }]) });
    const h = harness(spec, dir, { onEvent: (event, run) => event.kind === "text" && run.stop(300) });
    const result = await h.result();
    expect(result.status).toBe("stopped");
    expect(result.error).toMatch(/aborted/);
    expect(result.costUsd).toBeNull();
    expect(result.text).toBe("working");
    expect(result.claudeSessionId).toEqual(expect.any(String));
  });

  it("reports a crashing executable as a failed result with its message", async () => {
    const dir = tempDir();
    const h = harness(taskSpec({ prompt: scenario([{ text: "hm" }, { crash: "boom: the stand-in fell over" }]) }), dir);
    const result = await h.result();
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/boom: the stand-in fell over/);
    expect(result.costUsd).toBeNull();
  });

  it("reports an error result as failed, with its cost", async () => {
    const dir = tempDir();
    const h = harness(taskSpec({ prompt: scenario([{ cost: 0.1 }, { error: "tests do not pass" }]) }), dir);
    const result = await h.result();
    expect(result).toMatchObject({ status: "failed", error: "tests do not pass", costUsd: 0.1, totalCostUsd: 0.1 });
  });

  it("fails with the SDK's message when the executable does not exist", async () => {
    const dir = tempDir();
    const run = new TaskRun({
      spec: taskSpec(),
      cwd: dir,
      claudePath: `${dir}/no-such-claude`,
      permissionMode: "acceptEdits",
      allowedTools: [],
      env: standinEnv(dir),
      lastTotalFor: () => undefined,
      onEvent: () => undefined,
    });
    const outcome = await run.start();
    expect(outcome.kind).toBe("finished");
    if (outcome.kind === "finished") {
      expect(outcome.result.status).toBe("failed");
      expect(outcome.result.error).toMatch(/no-such-claude|not found|ENOENT/i);
    }
  });

  it("runs the Claude Code bundled with the SDK too: with no credentials, a failed result with its message", async () => {
    const dir = tempDir();
    // Only PATH and a fresh HOME: no API key or OAuth token can leak in, and nothing is read from ~/.claude.
    const run = new TaskRun({
      spec: taskSpec({ prompt: "Say hi." }),
      cwd: dir,
      claudePath: null,
      permissionMode: "acceptEdits",
      allowedTools: ["Read"],
      env: { PATH: process.env.PATH, HOME: dir },
      lastTotalFor: () => undefined,
      onEvent: () => undefined,
    });
    const outcome = await run.start();
    expect(outcome.kind === "finished" && outcome.result).toMatchObject({ status: "failed", error: expect.stringMatching(/Not logged in/), costUsd: 0 });
  });

  it("cancel kills the run and reports nothing", async () => {
    const dir = tempDir();
    const started = deferred();
    const h = harness(taskSpec({ prompt: scenario([{ text: "working" }, { cost: 0.2 }, { hang: true, ignoreInterrupt: true }]) }), dir, {
      onEvent: (event) => event.kind === "text" && started.resolve(),
    });
    const outcome = h.outcome();
    await started.promise;
    h.run.cancel();
    expect((await outcome).kind).toBe("cancelled");
  });

  describe("a planning task (outputSchema)", () => {
    const PLAN_SCHEMA = {
      type: "object",
      required: ["subtasks"],
      additionalProperties: false,
      properties: {
        subtasks: {
          type: "array",
          items: { type: "object", required: ["key", "title", "dependsOn"], properties: { key: { type: "string", minLength: 1 }, title: { type: "string" }, dependsOn: { type: "array", items: { type: "string" } } } },
        },
      },
    };
    const PLAN = { subtasks: [{ key: "api", title: "API", dependsOn: [] }, { key: "ui", title: "UI", dependsOn: ["api"] }] };

    it("asks Claude Code for JSON fitting the schema, with the file-editing tools withheld, and returns its structured output", async () => {
      const dir = tempDir();
      const spec = taskSpec({ outputSchema: PLAN_SCHEMA, prompt: scenario([{ text: "Reading the code." }, { cost: 0.05 }], { result: "Planned.", structuredOutput: PLAN }) });
      const h = harness(spec, dir);
      const result = await h.result();

      expect(result).toMatchObject({ status: "succeeded", error: null, text: "Planned.", structuredOutput: PLAN, costUsd: 0.05 });
      const launch = readLaunch(dir, result.claudeSessionId ?? "");
      const schemaFlag = launch.argv.find((a, i) => a.startsWith("--json-schema=") || launch.argv[i - 1] === "--json-schema");
      expect(JSON.parse(schemaFlag?.replace(/^--json-schema=/, "") ?? "null")).toEqual(PLAN_SCHEMA);
      expect(launch.argv.join(" ")).toMatch(/--disallowedTools[= ]Edit,Write,NotebookEdit/);
      expect(h.events.some((e) => e.kind === "tool" && e.tool === "StructuredOutput")).toBe(true);
    });

    it("fails, saying so, when Claude Code cannot produce output that fits the schema", async () => {
      const dir = tempDir();
      const spec = taskSpec({ outputSchema: PLAN_SCHEMA, prompt: scenario([{ cost: 0.02 }], { structuredOutput: { subtasks: [{ key: "", title: "no key" }] } }) });
      const result = await harness(spec, dir).result();
      expect(result).toMatchObject({ status: "failed", structuredOutput: null, costUsd: 0.02 });
      expect(result.error).toMatch(/^Claude Code could not produce output that fits the task's schema/);
    });

    it("leaves an ordinary task as it was: no schema flag, no withheld tools, structuredOutput null", async () => {
      const dir = tempDir();
      const result = await harness(taskSpec({ prompt: scenario([{ text: "done" }]) }), dir).result();
      expect(result).toMatchObject({ status: "succeeded", structuredOutput: null });
      const argv = readLaunch(dir, result.claudeSessionId ?? "").argv.join(" ");
      expect(argv).not.toContain("--json-schema");
      expect(argv).not.toContain("--disallowedTools");
    });
  });
});
