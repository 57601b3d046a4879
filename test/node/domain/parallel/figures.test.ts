import { describe, expect, it } from "vitest";
import { averageParentFigures, childRuns, parentFigures, type ChildRun, type ParentFigures } from "../../../../src/domain/parallel/figures";
import { child, item } from "./plans";

const S = 1000;
const run = (key: string, startS: number, endS: number): ChildRun => ({ key, startedAt: startS * S, endedAt: endS * S });

describe("parentFigures: what the parallel run bought", () => {
  it("the design's example, independent: 30 + 30 + 20 s side by side", () => {
    const items = [item("a"), item("b"), item("c")];
    const figures = parentFigures(items, [run("a", 0, 30), run("b", 0, 30), run("c", 0, 20)], { startedAt: -1 * S, endedAt: 31 * S });
    expect(figures).toEqual({
      children: 3,
      wallMs: 32 * S,
      childMsSum: 80 * S,
      criticalPathMs: 30 * S,
      criticalPath: ["a"],
      peakConcurrency: 3,
      speedup: 2.5,
    });
  });

  it("the design's example, the third blocked by the first two", () => {
    const items = [item("a"), item("b"), item("c", ["a", "b"])];
    const figures = parentFigures(items, [run("a", 0, 30), run("b", 0, 31), run("c", 32, 52)]);
    expect(figures).toMatchObject({ wallMs: 52 * S, childMsSum: 81 * S, criticalPathMs: 51 * S, criticalPath: ["b", "c"], peakConcurrency: 2 });
    expect(figures.speedup).toBeCloseTo(81 / 52);
  });

  it.each([
    ["a chain follows every link", [item("a"), item("b", ["a"]), item("c", ["b"])], [run("a", 0, 5), run("b", 5, 15), run("c", 15, 18)], 18, ["a", "b", "c"]],
    [
      "a diamond takes the heavier branch",
      [item("a"), item("b", ["a"]), item("c", ["a"]), item("d", ["b", "c"])],
      [run("a", 0, 2), run("b", 2, 4), run("c", 2, 9), run("d", 9, 10)],
      10,
      ["a", "c", "d"],
    ],
    ["an independent long child beats a short chain", [item("a"), item("b", ["a"]), item("x")], [run("a", 0, 2), run("b", 2, 4), run("x", 0, 9)], 9, ["x"]],
    ["a child that never ran weighs nothing", [item("a"), item("b", ["a"]), item("c", ["b"])], [run("a", 0, 4)], 4, ["a"]],
    ["a cycle (never validated) does not hang", [item("a", ["b"]), item("b", ["a"])], [run("a", 0, 1), run("b", 1, 3)], 3, ["b", "a"]],
  ])("critical path: %s", (_name, items, runs, seconds, path) => {
    const figures = parentFigures(items, runs);
    expect(figures.criticalPathMs).toBe(seconds * S);
    expect(figures.criticalPath).toEqual(path);
  });

  it.each([
    ["back to back is one at a time", [run("a", 0, 10), run("b", 10, 20)], 1],
    ["overlapping by a second is two", [run("a", 0, 10), run("b", 9, 20)], 2],
    ["nested runs", [run("a", 0, 30), run("b", 1, 5), run("c", 2, 4), run("d", 6, 7)], 3],
    ["no runs", [], 0],
  ])("peak concurrency: %s", (_name, runs, peak) => {
    expect(parentFigures([], runs).peakConcurrency).toBe(peak);
  });

  it("has no speedup and zero figures with nothing measured", () => {
    expect(parentFigures([item("a")], [])).toEqual({ children: 0, wallMs: 0, childMsSum: 0, criticalPathMs: 0, criticalPath: [], peakConcurrency: 0, speedup: null });
  });

  it("counts a run whose clock went backwards as zero long, and a window ending before it began as zero", () => {
    const figures = parentFigures([item("a")], [run("a", 10, 5)], { startedAt: 9 * S, endedAt: 1 * S });
    expect(figures).toMatchObject({ childMsSum: 0, wallMs: 0, speedup: null, peakConcurrency: 1 });
  });

  it("reads the measured runs from child states: only those with a start and an end", () => {
    expect(
      childRuns([child("a", "succeeded", 1, { startedAt: 1, endedAt: 9 }), child("b", "succeeded", 1, { endedAt: 9 }), child("c", "running", 1, { startedAt: 3 })]),
    ).toEqual([{ key: "a", startedAt: 1, endedAt: 9 }]);
  });
});

describe("averageParentFigures: /api/stats over parents", () => {
  const one = (wallMs: number, childMsSum: number, criticalPathMs: number, peakConcurrency: number, speedup: number | null): ParentFigures => ({
    children: 3,
    wallMs,
    childMsSum,
    criticalPathMs,
    criticalPath: [],
    peakConcurrency,
    speedup,
  });

  it("averages each figure, rounding milliseconds and hundredths", () => {
    expect(averageParentFigures([one(1000, 2500, 900, 3, 2.5), one(2001, 4000, 1900, 2, 1.999)])).toEqual({
      parents: 2,
      avgWallMs: 1501,
      avgChildMsSum: 3250,
      avgCriticalPathMs: 1400,
      avgPeakConcurrency: 2.5,
      avgSpeedup: 2.25,
    });
  });

  it("averages the speedup only over parents that have one", () => {
    expect(averageParentFigures([one(0, 0, 0, 0, null), one(1000, 3000, 1000, 3, 3)]).avgSpeedup).toBe(3);
  });

  it("has nulls with no parent", () => {
    expect(averageParentFigures([])).toEqual({
      parents: 0,
      avgWallMs: null,
      avgChildMsSum: null,
      avgCriticalPathMs: null,
      avgPeakConcurrency: null,
      avgSpeedup: null,
    });
  });
});
