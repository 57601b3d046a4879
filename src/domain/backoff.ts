/**
 * Exponential backoff with full jitter: the delay before retry `attempt` (1-based)
 * is uniform in [base * 2^(attempt-1) / 2, base * 2^(attempt-1)], capped. Half the
 * range is kept so that many objects retrying after one outage spread out without
 * any of them retrying almost at once.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  if (!(options.baseMs >= 0) || !(options.maxMs >= options.baseMs)) {
    throw new RangeError(`backoff needs 0 <= baseMs <= maxMs, got ${options.baseMs} and ${options.maxMs}`);
  }
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
