import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, needsAck, parseAgentMessage, parseEdgeMessage, type TaskSpec } from "../../../src/protocol/messages";

const spec: TaskSpec = {
  taskId: "t1",
  leaseId: "l1",
  organizationId: "org",
  agentSessionId: "s1",
  issue: { id: "i1", identifier: "ENG-1", title: "Fix it", description: null, url: null },
  repository: { name: "web", baseBranch: "main" },
  branchName: "cyrus/eng-1",
  prompt: "Do it",
  systemPromptAppend: "",
  maxBudgetUsd: 5,
  resumeClaudeSessionId: null,
  previousTotalCostUsd: null,
};

describe("the agent protocol", () => {
  it("parses every agent message it defines", () => {
    const frames = [
      { type: "hello", protocol: PROTOCOL_VERSION, agentId: "a", agentVersion: "1", hostname: "h", repositories: ["web"], maxConcurrent: 2, runningTaskIds: [] },
      { type: "heartbeat", freeSlots: 1, runningTaskIds: ["t1"] },
      { type: "ack", ids: ["m1"] },
      { type: "task.accepted", id: "m2", taskId: "t1", leaseId: "l1" },
      { type: "task.rejected", id: "m3", taskId: "t1", leaseId: "l1", reason: "busy" },
      { type: "task.event", id: "m4", taskId: "t1", leaseId: "l1", seq: 0, event: { kind: "tool", tool: "Read", input: "{}", result: null } },
      {
        type: "task.result",
        id: "m5",
        taskId: "t1",
        leaseId: "l1",
        seq: 1,
        result: { status: "succeeded", text: "ok", error: null, claudeSessionId: "c", totalCostUsd: 0.2, costUsd: 0.2, inputTokens: 1, outputTokens: 1, durationMs: 5, prUrls: [], promptIds: ["p1"] },
      },
    ];
    for (const frame of frames) expect(parseAgentMessage(JSON.stringify(frame))).toMatchObject({ ok: true, message: { type: frame.type } });
  });

  it("parses every edge message it defines", () => {
    const frames = [
      { type: "welcome", protocol: 1, agentId: "a", workspace: "org" },
      { type: "error", code: "unsupported_version", message: "upgrade" },
      { type: "ack", ids: [] },
      { type: "task.assign", id: "e1", task: spec },
      { type: "task.prompt", id: "e2", taskId: "t1", text: "more" },
      { type: "task.stop", id: "e3", taskId: "t1", graceMs: 1000 },
      { type: "task.cancelled", id: "e4", taskId: "t1", leaseId: "l1", reason: "lease expired" },
    ];
    for (const frame of frames) expect(parseEdgeMessage(JSON.stringify(frame))).toMatchObject({ ok: true, message: { type: frame.type } });
  });

  it("keeps protocol 1 with the welcome's heartbeat: read when present, absent from an older edge", () => {
    expect(PROTOCOL_VERSION).toBe(1);
    const withHeartbeat = parseEdgeMessage(JSON.stringify({ type: "welcome", protocol: 1, agentId: "a", workspace: "org", heartbeatMs: 1_666 }));
    expect(withHeartbeat).toEqual({ ok: true, message: { type: "welcome", protocol: 1, agentId: "a", workspace: "org", heartbeatMs: 1_666 } });
    const olderEdge = parseEdgeMessage(JSON.stringify({ type: "welcome", protocol: 1, agentId: "a", workspace: "org" }));
    expect(olderEdge.ok && olderEdge.message.type === "welcome" && olderEdge.message.heartbeatMs).toBeUndefined();
    expect(parseEdgeMessage(JSON.stringify({ type: "welcome", protocol: 1, agentId: "a", workspace: "org", heartbeatMs: 0 })).ok).toBe(false);
  });

  it.each([
    ["not JSON", "{nope", "not JSON"],
    ["an unknown type", JSON.stringify({ type: "task.explode" }), "type"],
    ["a negative seq", JSON.stringify({ type: "task.event", id: "m", taskId: "t", leaseId: "l", seq: -1, event: { kind: "text", text: "x" } }), "seq"],
    ["an event of an unknown kind", JSON.stringify({ type: "task.event", id: "m", taskId: "t", leaseId: "l", seq: 1, event: { kind: "dance" } }), "kind"],
  ])("refuses %s with a message", (_label, raw, mentions) => {
    const parsed = parseAgentMessage(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(mentions);
  });

  it("refuses binary frames", () => {
    expect(parseEdgeMessage(new ArrayBuffer(4))).toEqual({ ok: false, error: "binary frames are not part of the protocol" });
  });

  it("asks an acknowledgement for exactly the messages that carry an id", () => {
    expect(needsAck({ type: "task.prompt", id: "e2", taskId: "t1", text: "x" })).toBe(true);
    expect(needsAck({ type: "ack", ids: ["x"] })).toBe(false);
    expect(needsAck({ type: "heartbeat", freeSlots: 0, runningTaskIds: [] })).toBe(false);
  });

  describe("hybrid-parallel fields, optional so protocol 1 stays", () => {
    const planSchema = { type: "object", required: ["subtasks"], properties: { subtasks: { type: "array" } } };
    const assign = (task: object) => parseEdgeMessage(JSON.stringify({ type: "task.assign", id: "e1", task }));
    const taskOf = (parsed: ReturnType<typeof parseEdgeMessage>) => (parsed.ok && parsed.message.type === "task.assign" ? parsed.message.task : null);
    const result = { status: "succeeded", text: "ok", error: null, claudeSessionId: "c", totalCostUsd: 0.2, costUsd: 0.2, inputTokens: 1, outputTokens: 1, durationMs: 5, prUrls: [], promptIds: [] };
    const resultFrame = (extra: object) => parseAgentMessage(JSON.stringify({ type: "task.result", id: "m5", taskId: "t1", leaseId: "l1", seq: 1, result: { ...result, ...extra } }));
    const resultOf = (parsed: ReturnType<typeof parseAgentMessage>) => (parsed.ok && parsed.message.type === "task.result" ? parsed.message.result : null);

    it("reads an older edge's task as an ordinary one: no output schema, nothing to merge", () => {
      expect(taskOf(assign(spec))).toMatchObject({ outputSchema: null, mergeBranches: [] });
      expect(taskOf(assign({ ...spec, outputSchema: null }))).toMatchObject({ outputSchema: null, mergeBranches: [] });
    });

    it("carries a planning task's schema and a dependent task's branches, in order", () => {
      const task = taskOf(assign({ ...spec, outputSchema: planSchema, mergeBranches: ["cyrus/eng-2", "cyrus/eng-1"] }));
      expect(task).toMatchObject({ outputSchema: planSchema, mergeBranches: ["cyrus/eng-2", "cyrus/eng-1"] });
    });

    it.each([
      ["a schema that is not an object", { outputSchema: ["subtasks"] }, "outputSchema"],
      ["a schema that is a string", { outputSchema: "{}" }, "outputSchema"],
      ["branches that are not a list", { mergeBranches: "cyrus/eng-1" }, "mergeBranches"],
      ["an empty branch name", { mergeBranches: ["cyrus/eng-1", ""] }, "mergeBranches"],
    ])("refuses %s", (_label, extra, mentions) => {
      const parsed = assign({ ...spec, ...extra });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(mentions);
    });

    it("reads an older agent's result with no structured output as null, and carries one when present", () => {
      expect(resultOf(resultFrame({}))).toMatchObject({ structuredOutput: null });
      const plan = { subtasks: [{ key: "api", title: "API", dependsOn: [] }] };
      expect(resultOf(resultFrame({ structuredOutput: plan }))).toMatchObject({ structuredOutput: plan });
      expect(resultOf(resultFrame({ structuredOutput: null }))?.structuredOutput).toBeNull();
    });
  });
});
