import { describe, expect, it } from "vitest";
import { leaseLapsesAt, pickAgent, type AgentCapacity } from "../../../src/domain/task-assignment";

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
  it("counts the grace from the disconnect for a gone agent", () => {
    expect(leaseLapsesAt({ connected: false, lastHeardAt: 100, disconnectedAt: 500 }, 1_000)).toBe(1_500);
  });
  it("counts the grace from the last word for a silent connected agent", () => {
    expect(leaseLapsesAt({ connected: true, lastHeardAt: 700, disconnectedAt: null }, 1_000)).toBe(1_700);
  });
  it("falls back to the last word when the disconnect time is unknown", () => {
    expect(leaseLapsesAt({ connected: false, lastHeardAt: 300, disconnectedAt: null }, 1_000)).toBe(1_300);
  });
});
