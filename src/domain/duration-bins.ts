/**
 * The task duration histogram's bins: a handful a person reads at a glance
 * ("5–15 min"), not the rollup's hundreds of two-significant-digit buckets.
 *
 * Every edge has at most two significant digits in milliseconds (60 000,
 * 300 000, 1 800 000, …), so it is also an edge of the rollup's buckets
 * (`execution_durations_daily`, migration 0007): a bucket lies wholly inside
 * one bin and the counts are exact, not interpolated.
 */

export interface DurationBinSpec {
  label: string;
  /** The bin holds durations below this (ms); null for the last, open-ended bin. */
  belowMs: number | null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export const DURATION_BINS: readonly DurationBinSpec[] = [
  { label: "under 1 min", belowMs: MIN },
  { label: "1–5 min", belowMs: 5 * MIN },
  { label: "5–15 min", belowMs: 15 * MIN },
  { label: "15–30 min", belowMs: 30 * MIN },
  { label: "30–60 min", belowMs: HOUR },
  { label: "1–2 h", belowMs: 2 * HOUR },
  { label: "2 h or more", belowMs: null },
];

/** Runs whose durations lie in [loMs, hiMs): one bucket of the rollup, as the query read it. */
export interface DurationBucket {
  loMs: number;
  hiMs: number;
  runs: number;
}

export interface DurationBin {
  label: string;
  /** [fromMs, toMs): fromMs null for the first bin (it takes anything shorter, even 0), toMs null for the last. */
  fromMs: number | null;
  toMs: number | null;
  runs: number;
}

/**
 * Adds the buckets up into the bins, every bin present (zeros included) so
 * periods compare side by side. A bucket counts in the bin of its lower bound;
 * with the edges above a bucket never straddles two bins.
 */
export function binDurations(buckets: readonly DurationBucket[], bins: readonly DurationBinSpec[] = DURATION_BINS): DurationBin[] {
  for (let i = 0; i < bins.length; i++) {
    const below = bins[i]!.belowMs;
    const last = i === bins.length - 1;
    if (last !== (below === null)) throw new Error("only the last duration bin is open-ended");
    if (i > 0 && below !== null && below <= bins[i - 1]!.belowMs!) throw new Error("duration bin edges must increase");
  }
  const result = bins.map((bin, i) => ({ label: bin.label, fromMs: i === 0 ? null : bins[i - 1]!.belowMs, toMs: bin.belowMs, runs: 0 }));
  for (const bucket of buckets) {
    if (!(bucket.runs > 0)) continue;
    const index = bins.findIndex((bin) => bin.belowMs === null || bucket.loMs < bin.belowMs);
    result[index]!.runs += bucket.runs;
  }
  return result;
}
