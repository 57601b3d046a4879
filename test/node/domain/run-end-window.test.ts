import { describe, expect, it } from "vitest";
import { endWindow, isEndWindow } from "../../../src/domain/run-end-window";

const S = 1_000;

describe("endWindow", () => {
  it.each([
    ["no history", [], null],
    ["only bad values", [Number.NaN, -5, 0, Number.POSITIVE_INFINITY], null],
    ["one run of 40 s: from half as long to twice as long", [40 * S], { fromMs: 20 * S, toMs: 80 * S }],
    ["four runs: the extremes, widened", [60 * S, 40 * S, 90 * S, 50 * S], { fromMs: 20 * S, toMs: 180 * S }],
    // sorted 10..100 s: 10th percentile 19 s, 90th 91 s
    ["ten runs: the 10th and 90th percentiles, widened", [100, 90, 80, 70, 60, 50, 40, 30, 20, 10].map((s) => s * S), { fromMs: 9_500, toMs: 113_750 }],
    ["five equal runs: around that length", [600, 600, 600, 600, 600].map((s) => s * S), { fromMs: 300 * S, toMs: 750 * S }],
  ])("%s", (_label, durations, expected) => {
    expect(endWindow(durations)).toEqual(expected);
  });

  it("opens early enough for a run two thirds as long as the ones seen (a dependent child after its siblings)", () => {
    const window = endWindow([30, 30].map((m) => m * 60 * S))!;
    expect(window.fromMs).toBeLessThan(20 * 60 * S);
  });

  it("ignores bad values among good ones", () => {
    expect(endWindow([40 * S, Number.NaN, -1])).toEqual({ fromMs: 20 * S, toMs: 80 * S });
  });
});

describe("isEndWindow", () => {
  it.each([
    [{ fromMs: 0, toMs: 1 }, true],
    [{ fromMs: 30_000, toMs: 90_000 }, true],
    [{ fromMs: 90_000, toMs: 30_000 }, false],
    [{ fromMs: 5, toMs: 5 }, false],
    [{ fromMs: -1, toMs: 5 }, false],
    [{ fromMs: Number.NaN, toMs: 5 }, false],
    [{ fromMs: "1", toMs: 5 }, false],
    [{ toMs: 5 }, false],
    [null, false],
    [undefined, false],
    [42, false],
  ])("%j is usable: %s", (value, usable) => {
    expect(isEndWindow(value)).toBe(usable);
  });
});
