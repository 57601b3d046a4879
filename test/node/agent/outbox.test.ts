import { readFileSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AgentMessageSchema } from "../../../src/protocol/messages";
import { Outbox } from "../../../src/agent/outbox";
import { SessionCosts, TaskStore, loadAgentId } from "../../../src/agent/state";
import { taskSpec, tempDir } from "./helpers";

const DAY = 24 * 60 * 60_000;

function event(taskId: string, text: string) {
  return { type: "task.event" as const, taskId, leaseId: `lease-of-${taskId}`, event: { kind: "text" as const, text } };
}

describe("Outbox", () => {
  it("persists a message before it is handed back, with an id and the next seq of its task", () => {
    const home = tempDir();
    const outbox = new Outbox(home);
    const accepted = outbox.add({ type: "task.accepted", taskId: "t1", leaseId: "l1" });
    const first = outbox.add(event("t1", "a"));
    const second = outbox.add(event("t1", "b"));
    const other = outbox.add(event("t2", "x"));

    expect(accepted.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set([accepted.id, first.id, second.id, other.id]).size).toBe(4);
    expect([first, second, other].map((m) => ("seq" in m ? m.seq : null))).toEqual([0, 1, 0]);
    // Every message is a valid protocol message, already on disk.
    const onDisk = JSON.parse(readFileSync(outbox.file, "utf8"));
    expect(onDisk.pending.map((m: { id: string }) => m.id)).toEqual([accepted.id, first.id, second.id, other.id]);
    for (const message of onDisk.pending) expect(AgentMessageSchema.safeParse(message).success).toBe(true);
    expect(statSync(outbox.file).mode & 0o777).toBe(0o600);
  });

  it("re-sends everything unacknowledged, in order, after a restart (a new instance on the same dir)", () => {
    const home = tempDir();
    const before = new Outbox(home);
    const sent = [before.add({ type: "task.accepted", taskId: "t1", leaseId: "l1" }), before.add(event("t1", "a")), before.add(event("t1", "b"))];

    const after = new Outbox(home);
    expect(after.pending()).toEqual(sent);
    // Sequence numbers carry on: no number is handed out twice.
    const next = after.add(event("t1", "c"));
    expect("seq" in next && next.seq).toBe(2);
  });

  it("removes only what an ack names, and keeps that across a restart", () => {
    const home = tempDir();
    const outbox = new Outbox(home);
    const a = outbox.add(event("t1", "a"));
    const b = outbox.add(event("t1", "b"));
    const c = outbox.add(event("t1", "c"));
    expect(outbox.ack([a.id, c.id, "unknown-id"])).toBe(2);
    expect(outbox.pending()).toEqual([b]);
    expect(outbox.ack([a.id])).toBe(0);
    expect(new Outbox(home).pending()).toEqual([b]);
  });

  it("drops the pending messages of a cancelled lease and nothing else", () => {
    const home = tempDir();
    const outbox = new Outbox(home);
    outbox.add(event("t1", "a"));
    const kept = outbox.add(event("t2", "b"));
    expect(outbox.dropLease("lease-of-t1")).toBe(1);
    expect(outbox.pending()).toEqual([kept]);
  });

  it("recognises a duplicate edge message, also after a restart, and forgets ids after the TTL", () => {
    const home = tempDir();
    let now = 1_000_000;
    const outbox = new Outbox(home, { now: () => now });
    expect(outbox.markSeen("edge-1")).toBe(true);
    expect(outbox.markSeen("edge-1")).toBe(false);
    expect(new Outbox(home, { now: () => now }).hasSeen("edge-1")).toBe(true);

    now += DAY; // still remembered a day later
    expect(new Outbox(home, { now: () => now }).hasSeen("edge-1")).toBe(true);
    now += 2 * DAY;
    expect(new Outbox(home, { now: () => now }).hasSeen("edge-1")).toBe(false);
  });

  it("refuses a corrupt file with a message naming it instead of starting empty", () => {
    const home = tempDir();
    const outbox = new Outbox(home);
    outbox.add(event("t1", "a"));
    writeFileSync(outbox.file, "{ not json");
    expect(() => new Outbox(home)).toThrow(/outbox\.json is not valid JSON/);
  });
});

describe("TaskStore, SessionCosts and the agent id", () => {
  it("keeps unfinished tasks and finished leases across a restart", () => {
    const home = tempDir();
    const spec = taskSpec();
    const store = new TaskStore(home);
    store.start(spec);
    store.update(spec.taskId, { claudeSessionId: "s-1", worktreePath: "/w" });
    const reopened = new TaskStore(home);
    // A spec stored without the later optional fields (as an older agent wrote it) reads back with their defaults.
    expect(reopened.unfinished()).toEqual([expect.objectContaining({ spec: { ...spec, outputSchema: null, mergeBranches: [] }, claudeSessionId: "s-1", worktreePath: "/w" })]);

    reopened.finish(spec.taskId, "another-lease");
    expect(reopened.unfinished()).toHaveLength(1);
    reopened.finish(spec.taskId, spec.leaseId);
    expect(new TaskStore(home).unfinished()).toEqual([]);
    expect(new TaskStore(home).isFinished(spec.leaseId)).toBe(true);
  });

  it("remembers the last total per Claude session", () => {
    const home = tempDir();
    new SessionCosts(home).record("s-1", 0.3);
    new SessionCosts(home).record("s-1", 0.45);
    expect(new SessionCosts(home).lastTotal("s-1")).toBe(0.45);
    expect(new SessionCosts(home).lastTotal("s-2")).toBeUndefined();
  });

  it("makes the agent id once and keeps it", () => {
    const home = tempDir();
    const id = loadAgentId(home);
    expect(id).toMatch(/^agent-[0-9a-f-]{36}$/);
    expect(loadAgentId(home)).toBe(id);
  });
});
