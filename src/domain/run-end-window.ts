/**
 * When a cloud run will probably end, from how long similar runs took: the
 * span of durations in which the CodegenGate should look often. A wide
 * margin on both sides, because a handful of past runs says little about the
 * next one, and a run that ends outside the span is still seen, only later.
 */

/** Durations (ms from the run's start) between which the run will probably end. */
export interface EndWindow {
  fromMs: number;
  toMs: number;
}

/** Below this many durations, the span is widened from the extremes rather than read from quantiles. */
export const MIN_DURATIONS_FOR_QUANTILES = 5;

/**
 * The span from past durations (any order; bad values ignored), or null when
 * there are none. With five or more: from half the 10th percentile to a
 * quarter past the 90th. With fewer: from half the shortest to twice the
 * longest. Half, because the runs a gate saw end are not always like the next
 * one (a dependent child of 20 minutes after siblings of 30), and a run that
 * ends before its span opens is only seen at the quiet pace.
 */
export function endWindow(durationsMs: readonly number[]): EndWindow | null {
  const sorted = durationsMs.filter((d) => Number.isFinite(d) && d > 0).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  if (sorted.length < MIN_DURATIONS_FOR_QUANTILES) {
    return { fromMs: Math.round(sorted[0]! * 0.5), toMs: Math.round(sorted.at(-1)! * 2) };
  }
  return { fromMs: Math.round(quantile(sorted, 0.1) * 0.5), toMs: Math.round(quantile(sorted, 0.9) * 1.25) };
}

/** Linear interpolation between the nearest ranks of a sorted, non-empty list. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** Whether a window given from outside (an IssueSession's estimate) can be used. */
export function isEndWindow(value: unknown): value is EndWindow {
  if (typeof value !== "object" || value === null) return false;
  const { fromMs, toMs } = value as Record<string, unknown>;
  return typeof fromMs === "number" && typeof toMs === "number" && Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs >= 0 && toMs > fromMs;
}
