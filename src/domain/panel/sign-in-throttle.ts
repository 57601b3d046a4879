/**
 * Failed sign-ins slow a client down: the first few cost nothing, then each
 * one blocks the client for twice as long as the last, up to a cap. A success
 * clears the record; a record idle for a day starts over.
 *
 * An attempt is counted before its key is compared (`claimAttempt`), and the
 * count is written with a compare-and-swap, so a burst of parallel attempts
 * cannot all slip through before the first failure is recorded.
 */

export const SIGN_IN_THROTTLE = {
  /** Failures allowed before the first block. */
  freeFailures: 3,
  firstBlockMs: 2_000,
  maxBlockMs: 15 * 60_000,
  /** A client that has not failed for this long starts over. */
  forgetAfterMs: 24 * 60 * 60_000,
};

export interface FailureRecord {
  failures: number;
  lastFailedAt: number;
  blockedUntil: number;
}

export type SignInGate = { allowed: true } | { allowed: false; retryAfterMs: number };

/** May this client try to sign in now? */
export function signInGate(record: FailureRecord | null, now: number): SignInGate {
  if (!record || record.blockedUntil <= now) return { allowed: true };
  return { allowed: false, retryAfterMs: record.blockedUntil - now };
}

/** The record after one more failure at `now`. */
export function recordFailure(record: FailureRecord | null, now: number): FailureRecord {
  const previous = record && now - record.lastFailedAt < SIGN_IN_THROTTLE.forgetAfterMs ? record.failures : 0;
  const failures = previous + 1;
  const over = failures - SIGN_IN_THROTTLE.freeFailures;
  const blockMs = over <= 0 ? 0 : Math.min(SIGN_IN_THROTTLE.firstBlockMs * 2 ** (over - 1), SIGN_IN_THROTTLE.maxBlockMs);
  return { failures, lastFailedAt: now, blockedUntil: now + blockMs };
}

export type AttemptClaim = { allowed: true; record: FailureRecord } | { allowed: false; retryAfterMs: number };

/**
 * One more sign-in attempt at `now`: refused while the client is blocked (and
 * then nothing changes), else allowed and counted as a failure until a success
 * clears it.
 */
export function claimAttempt(record: FailureRecord | null, now: number): AttemptClaim {
  const gate = signInGate(record, now);
  if (!gate.allowed) return gate;
  return { allowed: true, record: recordFailure(record, now) };
}
