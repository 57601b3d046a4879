import { describe, expect, it } from "vitest";
import { expectedEndSpan, nextListRefresh, runPollInterval, type RunOutlook } from "../../../src/domain/cloud-polling";

/** The production settings: 5 s while a run is expected to end, a slow look each minute, 50 calls per run-hour. */
const knobs = { fastMs: 5_000, maxMs: 60_000, hourMs: 3_600_000, callsPerRunHour: 50 };
const NOW = 100_000;
const unknown = (age: number): RunOutlook => ({ startedAt: NOW - age, window: null });
const expecting = (age: number, fromMs: number, toMs: number): RunOutlook => ({ startedAt: NOW - age, window: { fromMs, toMs } });
const times = <T>(n: number, run: T): T[] => Array.from({ length: n }, () => run);

describe("expectedEndSpan", () => {
  it.each([
    ["no history, just started: from its start to a minute on", unknown(0), { from: NOW, to: NOW + 60_000 }],
    ["no history, two minutes old: as far again as its age", unknown(120_000), { from: NOW - 120_000, to: NOW + 120_000 }],
    ["a window ahead", expecting(10_000, 30_000, 90_000), { from: NOW + 20_000, to: NOW + 80_000 }],
    ["inside its window", expecting(50_000, 30_000, 90_000), { from: NOW - 20_000, to: NOW + 40_000 }],
    ["past its window: late, pushed out by its age", expecting(200_000, 30_000, 90_000), { from: NOW - 170_000, to: NOW + 200_000 }],
  ])("%s", (_label, run, span) => {
    expect(expectedEndSpan(run, NOW, knobs)).toEqual(span);
  });
});

describe("nextListRefresh", () => {
  it("has nothing to decide with nothing watched", () => {
    expect(nextListRefresh({ now: NOW, runs: [], allowance: { calls: 10, at: NOW } }, knobs)).toBeNull();
  });

  it.each([
    // label, runs, calls on hand, next refresh (ms from now), reason
    // One new run, nothing known, nothing saved: 60 s ahead, 0.83 calls affordable (all of 60/72: no window to keep any for) -> every 72 s.
    ["one new run, no history, nothing saved", [unknown(0)], 0, 72_000, "expected-end"],
    // The same with 5 saved: 60 s / 5.83 calls.
    ["one new run, no history, 5 calls saved", [unknown(0)], 5, 10_286, "expected-end"],
    // Twenty runs earn a call every 3.6 s: 10 + 8.3 affordable over 60 s would be 3.3 s; never faster than 5 s.
    ["twenty new runs, no history, 10 saved", times(20, unknown(0)), 10, 5_000, "expected-end"],
    ["twenty new runs, no history, nothing saved: one earned call apart, never faster than 5 s", times(20, unknown(0)), 0, 5_000, "expected-end"],
    // Inside its window until 40 s from now: 2 + 40/72/2 = 2.28 calls -> every 17.5 s.
    ["one run inside its window, 2 saved", [expecting(50_000, 30_000, 90_000)], 2, 17_561, "expected-end"],
    // Late: pushed out 200 s (its age); 2 + 200/72/2 = 3.39 calls -> every 59 s.
    ["one run past its window, 2 saved", [expecting(200_000, 30_000, 90_000)], 2, 59_016, "expected-end"],
    // Window opens 20 s from now: looked at 5 s before it opens.
    ["one run whose window opens in 20 s", [expecting(10_000, 30_000, 90_000)], 3, 15_000, "quiet"],
    // Window opens in ten minutes; twenty runs: one look a minute meanwhile.
    ["twenty runs whose windows open in ten minutes", times(20, expecting(0, 600_000, 900_000)), 100, 60_000, "quiet"],
    // One run earns a call in 72 s: a quiet look spends at most half of that, so every 144 s.
    ["one run whose window opens in an hour", [expecting(0, 3_600_000, 4_000_000)], 5, 144_000, "quiet"],
    // Its window opens 6 s from now, but with 0 saved the next call is earned in 72 s.
    ["a window about to open, nothing saved", [expecting(4_000, 10_000, 90_000)], 0, 72_000, "earning"],
    // Only the run expected to end sets the pace: 1 + 60/36/2 calls over its 60 s -> 32.7 s; the other's window is ten minutes away.
    ["one run expected to end, another not for ten minutes", [unknown(0), expecting(0, 600_000, 900_000)], 1, 32_727, "expected-end"],
  ])("%s", (_label, runs, calls, inMs, reason) => {
    expect(nextListRefresh({ now: NOW, runs, allowance: { calls, at: NOW } }, knobs)).toEqual({ at: NOW + inMs, reason });
  });

  it("spends what it saved faster as more is saved, never faster than fastMs", () => {
    const runs = times(5, expecting(60_000, 30_000, 120_000));
    const gaps = [0, 1, 4, 16, 64].map((calls) => nextListRefresh({ now: NOW, runs, allowance: { calls, at: NOW } }, knobs)!.at - NOW);
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a));
    expect(new Set(gaps).size).toBe(gaps.length - 1); // the last two are both at the floor
    expect(gaps.at(-1)).toBe(knobs.fastMs);
  });

  it("never refreshes sooner than it can pay for, whatever the runs", () => {
    for (const calls of [0, 0.3, 0.9]) {
      for (const runs of [[unknown(0)], times(3, expecting(1_000, 2_000, 9_000)), times(50, unknown(500_000))]) {
        const decision = nextListRefresh({ now: NOW, runs, allowance: { calls, at: NOW } }, knobs)!;
        const earnMs = knobs.hourMs / (knobs.callsPerRunHour * runs.length);
        expect(decision.at - NOW).toBeGreaterThanOrEqual(Math.ceil((1 - calls) * earnMs));
      }
    }
  });
});

describe("runPollInterval", () => {
  it.each([
    [0, 5_000],
    [59_999, 5_000],
    [60_000, 10_000],
    [120_000, 20_000],
    [180_000, 40_000],
    [240_000, 60_000],
    [10 * 3_600_000, 60_000],
  ])("a run %i ms old not in the list is read every %i ms", (age, interval) => {
    expect(runPollInterval(age, { initialMs: 5_000, maxMs: 60_000 })).toBe(interval);
  });
});
