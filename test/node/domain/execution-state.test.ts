import { describe, expect, it } from "vitest";
import { EXECUTION_STATES, isExecutionLive, type ExecutionState } from "../../../src/domain/execution-state";

describe("isExecutionLive: is there work a stop must end, that a retry must wait for", () => {
  it.each([
    ["creating", true],
    ["running", true],
    ["timed_out", true],
    ["ended", false],
    ["stopped", false],
  ] as const)("%s → %s", (state, live) => {
    expect(isExecutionLive({ state })).toBe(live);
  });

  it("covers every state", () => {
    expect([...EXECUTION_STATES].sort()).toEqual(["creating", "ended", "running", "stopped", "timed_out"]);
  });

  it.each([
    ["no execution", null],
    ["undefined", undefined],
  ] as const)("%s is not live", (_name, execution) => {
    expect(isExecutionLive<{ state: ExecutionState }>(execution)).toBe(false);
  });
});
