/**
 * How often the edge asks Codegen about running work. One list call reports
 * many runs, so the CodegenGate for a credential refreshes the list for all of
 * them. Each refresh is paid from an allowance of calls per run-hour
 * (poll-allowance.ts); this file decides when the next refresh buys the most:
 * often while some run is expected to end (run-end-window.ts), rarely while
 * none is, so that a finished run is heard of within about `fastMs` of its end
 * and the calls saved while nothing could end pay for it.
 */
import { msPerEarnedCall, msUntilOneCall, type Allowance, type AllowanceRate } from "./poll-allowance";
import type { EndWindow } from "./run-end-window";

export interface PollingKnobs extends AllowanceRate {
  /** The interval while a run is expected to end (`CODEGEN_POLL_INITIAL_MS`): the delay we aim for. */
  fastMs: number;
  /** The longest interval while no run is expected to end (`CODEGEN_POLL_MAX_MS`), stretched when the allowance is thin. */
  maxMs: number;
}

/** A watched run as the decision sees it. */
export interface RunOutlook {
  /** When the run started (Codegen's created_at, else when the gate began watching). */
  startedAt: number;
  /** When similar runs ended, as durations; null when nothing is known. */
  window: EndWindow | null;
}

export type RefreshReason =
  /** Some run is inside (or past) its expected end: refreshes paced to spread the allowance until the last expected end. */
  | "expected-end"
  /** No run is expected to end yet: a slow look, or the start of the earliest window, whichever comes first. */
  | "quiet"
  /** The allowance is spent: the next refresh waits until one call is earned. */
  | "earning";

export interface RefreshDecision {
  at: number;
  reason: RefreshReason;
}

/**
 * Where a run's expected end lies in absolute time. A run with no history may
 * end at any time: its span starts now and, as a run that has lasted a while
 * probably lasts a while more, reaches as far again as its age. A run past the
 * end of its span is late, not over: the span is pushed out the same way.
 */
export function expectedEndSpan(run: RunOutlook, now: number, knobs: Pick<PollingKnobs, "maxMs">): { from: number; to: number } {
  const age = Math.max(0, now - run.startedAt);
  const openEnded = now + Math.max(age, knobs.maxMs);
  if (!run.window) return { from: run.startedAt, to: openEnded };
  const from = run.startedAt + run.window.fromMs;
  const to = run.startedAt + run.window.toMs;
  return { from, to: to > now ? to : openEnded };
}

/**
 * When to refresh the list next, given the runs watched, the allowance
 * brought up to `now`, and the knobs. Null when there is nothing to watch.
 *
 * - While some run is expected to end, the calls on hand plus half of those
 *   still to be earned until the last of those runs' expected ends are spread
 *   evenly over that time, never faster than `fastMs` (half: runs end, and earn
 *   less, as time goes; and the runs not yet expected to end keep some for
 *   their own windows). With no history at all, every run may end at any time
 *   and none keeps anything back: all that is earned is spent.
 * - While none is, one look per `maxMs` (or per two earned calls, when runs are
 *   few: a quiet look may spend at most half of what runs earn), or at the start
 *   of the earliest window if that comes first, so its first end is not missed.
 * - Never a refresh the allowance cannot pay for: then when one call is earned.
 */
export function nextListRefresh(input: { now: number; runs: readonly RunOutlook[]; allowance: Allowance }, knobs: PollingKnobs): RefreshDecision | null {
  const { now, runs, allowance } = input;
  if (runs.length === 0) return null;
  const perCall = msPerEarnedCall(runs.length, knobs);
  const spans = runs.map((run) => expectedEndSpan(run, now, knobs));
  // A look just before a window opens catches a run that ends right at its start.
  const ending = spans.filter((span) => span.from - knobs.fastMs <= now);
  let decision: RefreshDecision;
  if (ending.length > 0) {
    const horizon = Math.max(now + knobs.fastMs, ...ending.map((span) => span.to));
    // Half is kept back for runs whose windows open later; when no run has a window (no history yet), there is nothing to keep it for.
    const share = runs.some((run) => run.window) ? 2 : 1;
    const affordable = allowance.calls + (horizon - now) / perCall / share;
    const interval = affordable > 0 ? (horizon - now) / affordable : Number.POSITIVE_INFINITY;
    decision = { at: now + Math.max(knobs.fastMs, Math.round(interval)), reason: "expected-end" };
  } else {
    const earliestWindow = Math.min(...spans.map((span) => span.from - knobs.fastMs));
    decision = { at: Math.min(earliestWindow, now + Math.max(knobs.maxMs, Math.round(2 * perCall))), reason: "quiet" };
  }
  const earnedAt = now + msUntilOneCall(allowance, runs.length, knobs);
  return earnedAt > decision.at ? { at: earnedAt, reason: "earning" } : decision;
}

/**
 * A run's own interval, for runs the list cannot report (older than its first
 * page): quick while young, doubling every twelve intervals, never beyond `maxMs`.
 */
export function runPollInterval(ageMs: number, knobs: { initialMs: number; maxMs: number }): number {
  const doublings = Math.floor(Math.max(0, ageMs) / (knobs.initialMs * 12));
  return Math.min(knobs.maxMs, knobs.initialMs * 2 ** Math.min(doublings, 20));
}
