import { describe, expect, it } from "vitest";
import { canPassFollowUp, step, toolBatchAction } from "../../../../src/domain/session";
import type { TaskResult } from "../../../../src/protocol/messages";
import { activities, context, dueAt, jobKinds, jobs, localExecution, NOW, session, timelineKinds } from "./fixtures";

const local = (s: Parameters<typeof session>[0] = {}, e: Parameters<typeof localExecution>[0] = {}) => ({ session: session({ executor: "local", ...s }), execution: localExecution(e) });
const queuedExec = { state: "creating" as const, taskId: null, agentId: null, hostname: null, startedAt: null };

function taskResult(overrides: Partial<TaskResult> = {}): TaskResult {
  return { status: "succeeded", text: "Done", error: null, claudeSessionId: "claude-1", totalCostUsd: 1.25, costUsd: null, inputTokens: 10, outputTokens: 20, durationMs: 1000, prUrls: [], promptIds: [], ...overrides };
}

describe("step: a local task queued and taken", () => {
  it.each([
    ["a first run: said where it waits", { freshSession: false, resumeFrom: null, agentsOnline: 1 }, ["activity:thought"], null],
    ["a resumed run on the same machine: quietly, keeping the Claude session", { freshSession: false, resumeFrom: "as-1:1", agentsOnline: 1 }, [], "claude-1"],
    ["a resumed run whose machine is gone: a fresh session, said", { freshSession: true, resumeFrom: "as-1:1", agentsOnline: 1 }, ["activity:thought"], null],
    ["no agent online: said, and the offline alert raised", { freshSession: false, resumeFrom: null, agentsOnline: 0 }, ["activity:thought", "alert.agents-offline"], null],
  ])("%s", (_, queued, kinds, claudeSessionId) => {
    const { state: next, effects } = step(local({ status: "ready" }, queuedExec), { type: "local.queued", resumedClaudeSessionId: "claude-1", ...queued }, context());
    expect(next.execution).toMatchObject({ taskId: "as-1:1", startedAt: NOW, claudeSessionId });
    expect(next.session.status).toBe("active");
    expect(jobKinds(effects)).toEqual(kinds);
    expect(timelineKinds(effects)).toEqual(["local.queued"]);
  });

  it("a replayed queue answer changes nothing", () => {
    const before = local();
    expect(step(before, { type: "local.queued", agentsOnline: 1, freshSession: false, resumeFrom: null, resumedClaudeSessionId: null }, context()).state).toBe(before);
  });

  it("an agent took it: running on that machine, said once", () => {
    const { state: next, effects } = step(local({}, { ...queuedExec, taskId: "as-1:1" }), { type: "local.accepted", agentId: "agent-2", hostname: "desk" }, context());
    expect(next.execution).toMatchObject({ state: "running", agentId: "agent-2", hostname: "desk" });
    expect(activities(effects)).toHaveLength(1);
    expect(step(next, { type: "local.accepted", agentId: "agent-2", hostname: "desk" }, context()).effects).toEqual([]);
  });

  it("lease loss puts it back in the queue, said once per task and agent in a while", () => {
    const first = step(local(), { type: "local.requeued", taskId: "as-1:1", agentId: "agent-1", reason: "lease expired", lastNotice: null }, context());
    expect(first.state.execution).toMatchObject({ state: "creating", agentId: null });
    expect(jobKinds(first.effects)).toEqual(["activity:thought"]);
    const again = step(local(), { type: "local.requeued", taskId: "as-1:1", agentId: "agent-1", reason: "lease expired", lastNotice: { taskId: "as-1:1", agentId: "agent-1", at: NOW - 1000 } }, context());
    expect(jobKinds(again.effects)).toEqual([]);
    expect(timelineKinds(again.effects)).toEqual(["local.requeued"]);
  });

  it("a rejection is recorded", () => {
    expect(timelineKinds(step(local(), { type: "local.rejected", reason: "busy" }, context()).effects)).toEqual(["local.rejected"]);
  });

  it.each([
    ["a cloud fallback: queued with the reason", "cloud", "active", ["session.fallback"]],
    ["no fallback: an error that says no agent took it", null, "error", ["activity:error"]],
  ])("a queue time-out with %s", (_, fallback, status, kinds) => {
    const { state: next, effects } = step(local({ fallback }, queuedExec), { type: "local.queue-timeout", waitedMs: 30 * 60_000 }, context());
    expect(next.execution).toMatchObject({ state: "ended", outcome: "failed" });
    expect(next.session.status).toBe(status);
    expect(jobKinds(effects)).toEqual(kinds);
  });
});

describe("step: a local task's events", () => {
  it.each([
    ["text becomes a thought", { kind: "text" as const, text: "Looking at the login form" }, ["activity:thought"]],
    ["blank text says nothing", { kind: "text" as const, text: "  " }, []],
    ["a status becomes a thought", { kind: "status" as const, message: "running tests" }, ["activity:thought"]],
    ["a tool call waits for the next batch", { kind: "tool" as const, tool: "Bash", input: "npm test", result: null }, ["local.flush-tools"]],
  ])("%s", (_, event, kinds) => {
    expect(jobKinds(step(local(), { type: "local.event", event, flushQueued: false }, context()).effects)).toEqual(kinds);
  });

  it("tool calls join a batch already due, and the batch is sent five seconds after the first", () => {
    const first = step(local(), { type: "local.event", event: { kind: "tool", tool: "Read", input: "a.ts", result: null }, flushQueued: false }, context());
    expect(dueAt(first.effects, "local.flush-tools")).toBe(NOW + 5000);
    const second = step(first.state, { type: "local.event", event: { kind: "tool", tool: "Edit", input: "a.ts", result: null }, flushQueued: true }, context());
    expect(second.effects).toEqual([]);
    expect(second.state.execution?.pendingTools.map((t) => t.tool)).toEqual(["Read", "Edit"]);
    expect(toolBatchAction(second.state.execution!.pendingTools)).toEqual({ action: "2 tool calls (Read, Edit)", parameter: "a.ts" });
    const flushed = step(second.state, { type: "local.tools-flushed", count: 1 }, context());
    expect(flushed.state.execution?.pendingTools.map((t) => t.tool)).toEqual(["Edit"]);
  });

  it("Claude's session id is kept when the run starts", () => {
    const { state: next } = step(local(), { type: "local.event", event: { kind: "started", worktreePath: "/w", claudeSessionId: "claude-9" }, flushQueued: false }, context());
    expect(next.execution?.claudeSessionId).toBe("claude-9");
  });
});

describe("step: a local task's result", () => {
  it.each([
    ["succeeded", "complete", "response"],
    ["failed", "error", "error"],
    ["stopped", "stopped", "response"],
  ] as const)("%s: the session ends %s with one %s", (status, sessionStatus, activity) => {
    const { state: next, effects } = step(local(), { type: "local.result", agentId: "agent-1", result: taskResult({ status, error: status === "failed" ? "tests fail" : null }), baselineTotalUsd: null }, context());
    expect(next.session.status).toBe(sessionStatus);
    expect(next.execution?.state).toBe(status === "stopped" ? "stopped" : "ended");
    expect(activities(effects).map((a) => a.type)).toEqual([activity]);
    expect(jobKinds(effects)).toContain("metrics.record");
  });

  it("costs the difference from the Claude session's last recorded total, and attaches each PR", () => {
    const { state: next, effects } = step(local(), { type: "local.result", agentId: "agent-1", result: taskResult({ totalCostUsd: 3, prUrls: ["https://github.com/acme/web/pull/9"] }), baselineTotalUsd: 1.25 }, context());
    expect(next.execution).toMatchObject({ costUsd: 1.75, totalCostUsd: 3, pullRequests: [{ url: "https://github.com/acme/web/pull/9", title: null }] });
    expect(jobs(effects).filter((j) => j.kind === "linear.attachment")).toHaveLength(1);
  });

  it("runs again, resumed, the follow-ups that reached the agent as it ended", () => {
    const exec = { sentPrompts: [{ id: "m1", text: "also the signup" }, { id: "m2", text: "and tests" }] };
    const { effects } = step(local({}, exec), { type: "local.result", agentId: "agent-1", result: taskResult({ promptIds: ["m1"] }), baselineTotalUsd: null }, context());
    const followUp = jobs(effects).find((j) => j.kind === "execution.followup");
    expect(followUp?.payload).toMatchObject({ executor: "local", attemptKey: "as-1:1", prompt: "and tests" });
  });

  it("applies a result once", () => {
    const before = local({}, { state: "ended" });
    expect(step(before, { type: "local.result", agentId: "agent-1", result: taskResult(), baselineTotalUsd: null }, context()).state).toBe(before);
  });
});

describe("step: follow-ups and stops of a local task", () => {
  it.each([
    ["queued", { state: "creating" as const }, true],
    ["running", {}, true],
    ["ended", { state: "ended" as const }, false],
    ["stopped", { state: "stopped" as const }, false],
    ["not yet queued", { state: "creating" as const, taskId: null }, false],
  ])("a follow-up while %s goes to the task: %s", (_, exec, passes) => {
    expect(canPassFollowUp(local({}, exec))).toBe(passes);
  });

  it("a follow-up the running task took is remembered until its result says it went in", () => {
    const { state: next, effects } = step(local(), { type: "local.prompt-delivered", sent: { messageId: "m1", text: "also X" } }, context());
    expect(next.execution?.sentPrompts).toEqual([{ id: "m1", text: "also X" }]);
    expect(jobKinds(effects)).toEqual(["activity:thought"]);
  });

  it("a follow-up after the task ended starts the next attempt, resuming it", () => {
    const { effects } = step(local({ status: "complete" }, { state: "ended" }), { type: "local.prompt-not-running" }, context());
    const start = jobs(effects).find((j) => j.kind === "execution.start");
    expect(start?.payload).toMatchObject({ executor: "local", attemptKey: "as-1:2", resumeFrom: "as-1:1" });
  });

  it("a stop before any agent took it ends it and says so", () => {
    const { state: next, effects } = step(local({}, queuedExec), { type: "local.stopped-before-start" }, context());
    expect(next.execution).toMatchObject({ state: "stopped", outcome: "stopped" });
    expect(activities(effects)).toHaveLength(1);
  });
});
