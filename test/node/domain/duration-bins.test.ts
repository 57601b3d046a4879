import { describe, expect, it } from "vitest";
import { bucketBounds } from "../../../src/db/queries/reports";
import { binDurations, DURATION_BINS, type DurationBucket } from "../../../src/domain/duration-bins";

const MIN = 60_000;
const HOUR = 60 * MIN;
const bucket = (loMs: number, hiMs: number, runs: number): DurationBucket => ({ loMs, hiMs, runs });
/** The bin counts alone, in order. */
const counts = (buckets: DurationBucket[]) => binDurations(buckets).map((bin) => bin.runs);

describe("binDurations", () => {
  it.each<[string, DurationBucket[], number[]]>([
    ["nothing", [], [0, 0, 0, 0, 0, 0, 0]],
    ["a run of 0 ms (bucket 0 reaches down to any negative duration)", [bucket(Number.MIN_SAFE_INTEGER, 1, 2)], [2, 0, 0, 0, 0, 0, 0]],
    ["just under a minute", [bucket(59_000, 60_000, 1)], [1, 0, 0, 0, 0, 0, 0]],
    ["exactly a minute opens the second bin", [bucket(60_000, 61_000, 3)], [0, 3, 0, 0, 0, 0, 0]],
    ["4 min 59 s and 5 min", [bucket(290_000, 300_000, 1), bucket(300_000, 310_000, 1)], [0, 1, 1, 0, 0, 0, 0]],
    ["29.9 min and 30 min", [bucket(1_700_000, 1_800_000, 4), bucket(1_800_000, 1_900_000, 5)], [0, 0, 0, 4, 5, 0, 0]],
    ["59 min and 1 h", [bucket(3_500_000, 3_600_000, 1), bucket(3_600_000, 3_700_000, 2)], [0, 0, 0, 0, 1, 2, 0]],
    ["2 h and 30 h go in the open last bin", [bucket(7_200_000, 7_300_000, 1), bucket(100_000_000, 110_000_000, 6)], [0, 0, 0, 0, 0, 0, 7]],
    ["several buckets of one bin add up", [bucket(70_000, 71_000, 2), bucket(120_000, 130_000, 3), bucket(250_000, 260_000, 4)], [0, 9, 0, 0, 0, 0, 0]],
    ["empty buckets count nothing", [bucket(70_000, 71_000, 0)], [0, 0, 0, 0, 0, 0, 0]],
  ])("%s", (_name, buckets, expected) => {
    expect(counts(buckets)).toEqual(expected);
  });

  it("names each bin and its bounds, every bin present", () => {
    expect(binDurations([bucket(600_000, 610_000, 1)])).toEqual([
      { label: "under 1 min", fromMs: null, toMs: MIN, runs: 0 },
      { label: "1–5 min", fromMs: MIN, toMs: 5 * MIN, runs: 0 },
      { label: "5–15 min", fromMs: 5 * MIN, toMs: 15 * MIN, runs: 1 },
      { label: "15–30 min", fromMs: 15 * MIN, toMs: 30 * MIN, runs: 0 },
      { label: "30–60 min", fromMs: 30 * MIN, toMs: HOUR, runs: 0 },
      { label: "1–2 h", fromMs: HOUR, toMs: 2 * HOUR, runs: 0 },
      { label: "2 h or more", fromMs: 2 * HOUR, toMs: null, runs: 0 },
    ]);
  });

  it("puts every edge on a bucket edge of the rollup, so no bucket straddles two bins", () => {
    // Every bucket number from 0 to 8 digits of milliseconds (about 28 h).
    for (let b = 0; b < 100 + 6 * 90; b++) {
      const [lo, hi] = bucketBounds(b);
      for (const { belowMs } of DURATION_BINS) {
        if (belowMs !== null) expect(lo < belowMs && belowMs < hi, `bucket ${b} [${lo}, ${hi}) straddles ${belowMs}`).toBe(false);
      }
    }
  });

  it.each([
    ["an open-ended bin before the last", [{ label: "a", belowMs: null }, { label: "b", belowMs: null }]],
    ["a closed last bin", [{ label: "a", belowMs: 10 }]],
    ["edges that do not increase", [{ label: "a", belowMs: 10 }, { label: "b", belowMs: 10 }, { label: "c", belowMs: null }]],
  ])("refuses bins with %s", (_name, bins) => {
    expect(() => binDurations([], bins)).toThrow();
  });
});
