import { describe, expect, it } from "vitest";
import { accrue, canSpend, EMPTY_ALLOWANCE, msPerEarnedCall, msUntilOneCall, spend } from "../../../src/domain/poll-allowance";

const HOUR = 3_600_000;
const rate = { callsPerRunHour: 50, hourMs: HOUR };

describe("msPerEarnedCall", () => {
  it.each([
    [1, 72_000],
    [10, 7_200],
    [20, 3_600],
    [0, Number.POSITIVE_INFINITY],
  ])("%i runs earn a call every %d ms at 50 calls per run-hour", (runs, ms) => {
    expect(msPerEarnedCall(runs, rate)).toBe(ms);
  });

  it("follows the hour of a scaled clock", () => {
    expect(msPerEarnedCall(1, { callsPerRunHour: 50, hourMs: HOUR / 60 })).toBe(1_200);
  });
});

describe("accrue", () => {
  it.each([
    // from, runs, elapsed ms, calls after
    ["nothing, one run for a minute", 0, 1, 72_000, 1],
    ["nothing, ten runs for 36 s", 0, 10, 36_000, 5],
    ["a balance, no time", 3, 10, 0, 3],
    ["a balance, two runs for 36 s", 3, 2, 36_000, 4],
    ["near the cap (one run-hour per run)", 49.5, 1, 72_000, 50],
    ["past the cap: kept, not grown", 80, 1, 72_000, 80],
    ["a balance, nothing watched", 12, 0, 10_000, 0],
  ])("%s", (_label, calls, runs, elapsed, expected) => {
    const after = accrue({ calls, at: 1_000 }, runs, 1_000 + elapsed, rate);
    expect(after.calls).toBeCloseTo(expected, 9);
    expect(after.at).toBe(1_000 + elapsed);
  });

  it("never goes back in time: a clock read earlier than the last update earns nothing", () => {
    expect(accrue({ calls: 2, at: 10_000 }, 5, 9_000, rate)).toEqual({ calls: 2, at: 10_000 });
  });

  it("earns the same in one step as in many (the gate brings it up to date at every change)", () => {
    let stepped = { calls: 0, at: 0 };
    for (let t = 7_200; t <= 72_000; t += 7_200) stepped = accrue(stepped, 4, t, rate);
    expect(stepped.calls).toBeCloseTo(accrue({ calls: 0, at: 0 }, 4, 72_000, rate).calls, 9);
  });
});

describe("spend and canSpend", () => {
  it.each([
    [0, false, 0],
    [0.99, false, 0],
    [1, true, 0],
    [3.5, true, 2.5],
  ])("with %d calls: can spend %s, leaves %d", (calls, can, left) => {
    expect(canSpend({ calls, at: 5 })).toBe(can);
    expect(spend({ calls, at: 5 })).toEqual({ calls: left, at: 5 });
  });
});

describe("msUntilOneCall", () => {
  it.each([
    [1, 1, 0],
    [0, 1, 72_000],
    [0.5, 1, 36_000],
    [0.5, 10, 3_600],
    [0, 0, Number.POSITIVE_INFINITY],
  ])("with %d calls and %i runs: %d ms", (calls, runs, ms) => {
    expect(msUntilOneCall({ calls, at: 0 }, runs, rate)).toBe(ms);
  });

  it("starts from an empty account", () => {
    expect(EMPTY_ALLOWANCE.calls).toBe(0);
  });
});
