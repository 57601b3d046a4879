/**
 * How often the edge asks Codegen about running work. One list call reports
 * many runs, so the poller for a credential refreshes the list on a cadence set
 * by how many runs are active: often enough that a finished run is noticed
 * quickly, rarely enough that each run costs fewer than `targetCallsPerRunHour`.
 */
export interface PollingKnobs {
  initialMs: number;
  maxMs: number;
  /** An hour as the emulated Codegen sees it (3,600,000 unless time is scaled). */
  hourMs: number;
  /** The list calls one run may cost per hour of its life, on average. */
  targetCallsPerRunHour: number;
}

export function listRefreshInterval(activeRuns: number, knobs: PollingKnobs): number {
  if (activeRuns <= 0) return knobs.maxMs;
  const spread = knobs.hourMs / (knobs.targetCallsPerRunHour * activeRuns);
  return Math.round(Math.min(knobs.maxMs, Math.max(knobs.initialMs, spread)));
}

/**
 * A run's own interval, for runs the list cannot report (older than its first
 * page): quick while young, doubling every twelve intervals, never beyond `maxMs`.
 */
export function runPollInterval(ageMs: number, knobs: Pick<PollingKnobs, "initialMs" | "maxMs">): number {
  const doublings = Math.floor(Math.max(0, ageMs) / (knobs.initialMs * 12));
  return Math.min(knobs.maxMs, knobs.initialMs * 2 ** Math.min(doublings, 20));
}
