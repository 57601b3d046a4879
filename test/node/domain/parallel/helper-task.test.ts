import { describe, expect, it } from "vitest";
import { chooseHelperExecutor } from "../../../../src/domain/parallel/helper-task";

describe("chooseHelperExecutor", () => {
  it.each([
    ["a free local slot wins", { agentsOnline: 2, freeSlots: 1 }, { configured: true, healthy: true }, "local"],
    ["no free slot: the cloud", { agentsOnline: 2, freeSlots: 0 }, { configured: true, healthy: true }, "cloud"],
    ["no free slot, no healthy cloud: queue locally", { agentsOnline: 1, freeSlots: 0 }, { configured: true, healthy: false }, "local"],
    ["no agent, no cloud: nowhere", { agentsOnline: 0, freeSlots: 0 }, { configured: false, healthy: false }, null],
    ["no agent, the cloud unhealthy: nowhere", { agentsOnline: 0, freeSlots: 0 }, { configured: true, healthy: false }, null],
  ])("%s", (_, local, cloud, executor) => {
    const choice = chooseHelperExecutor("validation", { local, cloud });
    expect(choice.executor).toBe(executor);
    expect(choice.reason).toMatch(/validation task/);
  });

  it("says why nothing can run", () => {
    expect(chooseHelperExecutor("planning", { local: { agentsOnline: 0, freeSlots: 0 }, cloud: { configured: false, healthy: false } }).reason).toContain("no Codegen credentials");
  });
});
