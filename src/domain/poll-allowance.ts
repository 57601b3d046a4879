/**
 * The calls the CodegenGate may spend watching runs, as an account: every
 * watched run earns `callsPerRunHour` calls per hour of its life, every list or
 * direct read spends one, and the balance never goes below zero. Calls not
 * spent while nothing is expected to end stay in the account for when runs are
 * expected to end, so the average stays under the target however the calls
 * are bunched. Pure: the gate stores the account and asks these functions.
 */
export interface Allowance {
  /** Calls earned and not yet spent (fractional: earning is continuous). */
  calls: number;
  /** When `calls` was last brought up to date. */
  at: number;
}

export interface AllowanceRate {
  callsPerRunHour: number;
  /** An hour as the emulated Codegen sees it (3,600,000 unless time is scaled). */
  hourMs: number;
}

export const EMPTY_ALLOWANCE: Allowance = { calls: 0, at: 0 };

/** How long `activeRuns` runs take to earn one call. */
export function msPerEarnedCall(activeRuns: number, rate: AllowanceRate): number {
  if (activeRuns <= 0) return Number.POSITIVE_INFINITY;
  return rate.hourMs / (rate.callsPerRunHour * activeRuns);
}

/**
 * The account brought up to `now`, `activeRuns` having been watched since it
 * was last updated. Earning stops at one run-hour's calls per active run (a
 * long quiet spell cannot bank an unbounded burst), but a balance earned
 * before runs ended is kept while others still run: those calls were earned
 * for this stretch of work. With nothing watched the account empties, so the
 * next runs start from what they earn themselves.
 */
export function accrue(allowance: Allowance, activeRuns: number, now: number, rate: AllowanceRate): Allowance {
  if (activeRuns <= 0) return { calls: 0, at: Math.max(now, allowance.at) };
  const elapsed = Math.max(0, now - allowance.at);
  const cap = rate.callsPerRunHour * Math.max(0, activeRuns);
  const earned = elapsed / msPerEarnedCall(activeRuns, rate);
  const calls = allowance.calls >= cap ? allowance.calls : Math.min(cap, allowance.calls + earned);
  return { calls, at: Math.max(now, allowance.at) };
}

/** Whether one call can be paid for now. */
export function canSpend(allowance: Allowance): boolean {
  return allowance.calls >= 1;
}

/** The account after `calls` calls; a call made without cover (a safety read) leaves it at zero, never below. */
export function spend(allowance: Allowance, calls = 1): Allowance {
  return { calls: Math.max(0, allowance.calls - calls), at: allowance.at };
}

/** How long until the account holds one call, at the pace `activeRuns` runs earn. */
export function msUntilOneCall(allowance: Allowance, activeRuns: number, rate: AllowanceRate): number {
  if (allowance.calls >= 1) return 0;
  return Math.ceil((1 - allowance.calls) * msPerEarnedCall(activeRuns, rate));
}
