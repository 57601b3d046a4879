import { describe, expect, it } from "vitest";
import {
  agentPingInterval,
  heartbeatIntervalFor,
  leaseLapsesAt,
  pickAgent,
  REQUEUE_NOTICE_WINDOW_MS,
  shouldPostRequeueNotice,
  type AgentCapacity,
  type LeaseHolder,
  type RequeueNotice,
} from "../../../src/domain/task-assignment";

const agent = (agentId: string, repositories: string[], maxConcurrent: number, active: number): AgentCapacity => ({ agentId, repositories, maxConcurrent, active });

describe("pickAgent", () => {
  it.each([
    ["no agent serves the repository", { repository: "api", requiredAgentId: null }, [agent("a", ["web"], 2, 0)], null],
    ["the only agent is full", { repository: "web", requiredAgentId: null }, [agent("a", ["web"], 1, 1)], null],
    ["the one with most free slots wins", { repository: "web", requiredAgentId: null }, [agent("a", ["web"], 2, 1), agent("b", ["web"], 4, 1)], "b"],
    ["a required agent is the only choice", { repository: "web", requiredAgentId: "a" }, [agent("a", ["web"], 2, 1), agent("b", ["web"], 4, 0)], "a"],
    ["a required agent that is full means wait", { repository: "web", requiredAgentId: "a" }, [agent("a", ["web"], 1, 1), agent("b", ["web"], 4, 0)], null],
  ] as const)("%s", (_label, task, agents, expected) => {
    expect(pickAgent(task, agents)).toBe(expected);
  });
});

describe("leaseLapsesAt", () => {
  const connected = (lastHeardAt: number): LeaseHolder => ({ connected: true, lastHeardAt, disconnectedAt: null });
  const gone = (lastHeardAt: number, disconnectedAt: number | null): LeaseHolder => ({ connected: false, lastHeardAt, disconnectedAt });
  it.each([
    // label, holder, grantedAt, grace, lapses at
    ["a gone agent: the grace counts from the disconnect", gone(100, 500), 0, 1_000, 1_500],
    ["a silent connected agent: the grace counts from its last word", connected(700), 0, 1_000, 1_700],
    ["a gone agent with no disconnect time: from its last word", gone(300, null), 0, 1_000, 1_300],
    ["granted to an agent idle far longer than the grace: the grace counts from the grant", connected(0), 60_000, 5_000, 65_000],
    ["granted to an agent idle 15 s of its 20 s ping, 5 s grace: not lapsed on arrival", connected(85_000), 100_000, 5_000, 105_000],
    ["granted to a gone agent: never sooner than the grace after the grant", gone(0, 10), 50_000, 5_000, 55_000],
    ["heard after the grant: from the last word", connected(103_000), 100_000, 5_000, 108_000],
    ["disconnected after the grant: from the disconnect", gone(101_000, 104_000), 100_000, 5_000, 109_000],
  ] as const)("%s", (_label, holder, grantedAt, grace, expected) => {
    expect(leaseLapsesAt(holder, grantedAt, grace)).toBe(expected);
  });

  it("never lapses sooner than the grace after it was granted, whatever the agent's record says", () => {
    for (const holder of [connected(0), connected(-1e9), gone(0, 0), gone(0, null), connected(Number.MIN_SAFE_INTEGER)]) {
      for (const grantedAt of [0, 1_000, 1e12]) {
        for (const grace of [1, 5_000, 60_000]) expect(leaseLapsesAt(holder, grantedAt, grace)).toBeGreaterThanOrEqual(grantedAt + grace);
      }
    }
  });
});

describe("heartbeatIntervalFor", () => {
  it.each([
    ["the default grace keeps the 20 s ping", 60_000, 20_000],
    ["a longer grace never slows it below 20 s", 600_000, 20_000],
    ["a 5 s grace: a third of it", 5_000, 1_666],
    ["a 15 s grace: a third of it", 15_000, 5_000],
    ["a tiny grace: never under 1 s", 900, 1_000],
  ] as const)("%s", (_label, grace, expected) => {
    expect(heartbeatIntervalFor(grace)).toBe(expected);
  });

  it("lets an idle healthy agent be heard at least twice within any grace of 3 s or more", () => {
    for (const grace of [3_000, 5_000, 10_000, 19_999, 60_000, 3_600_000]) expect(2 * heartbeatIntervalFor(grace)).toBeLessThan(grace);
  });
});

describe("agentPingInterval", () => {
  it.each([
    ["an edge that names no heartbeat: the agent's own 20 s", 20_000, undefined, 20_000],
    ["the edge asks for 1.7 s", 20_000, 1_666, 1_666],
    ["the edge asks for less than the minimum", 20_000, 10, 1_000],
    ["the edge asks for more than the agent's own: the agent keeps its own", 20_000, 30_000, 20_000],
    ["a test's fast ping stays fast", 50, 1_666, 50],
  ] as const)("%s", (_label, own, edge, expected) => {
    expect(agentPingInterval(own, edge)).toBe(expected);
  });
});

describe("shouldPostRequeueNotice", () => {
  const notice = (taskId: string, agentId: string | null, at: number): RequeueNotice => ({ taskId, agentId, at });
  it.each([
    ["the first re-queue of a session", null, notice("t1", "a", 0), true],
    ["the same task and agent a moment later", notice("t1", "a", 0), notice("t1", "a", 1_000), false],
    ["the same task and agent just inside the window", notice("t1", "a", 0), notice("t1", "a", REQUEUE_NOTICE_WINDOW_MS - 1), false],
    ["the same task and agent after the window", notice("t1", "a", 0), notice("t1", "a", REQUEUE_NOTICE_WINDOW_MS), true],
    ["the same task, another agent", notice("t1", "a", 0), notice("t1", "b", 1_000), true],
    ["another task (a later attempt), same agent", notice("t1", "a", 0), notice("t2", "a", 1_000), true],
    ["the same task, its agent unknown both times", notice("t1", null, 0), notice("t1", null, 1_000), false],
  ] as const)("%s", (_label, previous, current, expected) => {
    expect(shouldPostRequeueNotice(previous, current)).toBe(expected);
  });

  it("posts at most one thought per window for a loop of re-queues, however fast", () => {
    let last: RequeueNotice | null = null;
    let posted = 0;
    for (let at = 0; at < 60_000; at += 50) {
      const current = notice("t1", "a", at);
      if (shouldPostRequeueNotice(last, current)) {
        posted++;
        last = current;
      }
    }
    expect(posted).toBe(1);
  });
});
