/**
 * Sliding-window rate limits, as Codegen states them ("10 creates a minute"):
 * at most `limit` calls in any `windowMs`. Pure functions over the times of
 * recent calls, so the caller can check and record inside one synchronous
 * storage transaction and never overshoot under concurrency.
 */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** When the next call may be made: now, or when the oldest call in the window leaves it. */
export function nextAllowedAt(recentCalls: readonly number[], limit: RateLimit, now: number): number {
  if (limit.limit <= 0) throw new RangeError("a rate limit needs at least one call per window");
  const inWindow = recentCalls.filter((t) => t > now - limit.windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit.limit) return now;
  // The call that must leave the window before another fits.
  return inWindow[inWindow.length - limit.limit]! + limit.windowMs;
}

/** Codegen's published limits, per API token. `scale` shrinks the windows for scaled-time runs (benchmarks, demo). */
export function codegenLimits(scale = 1) {
  return {
    create: { limit: 10, windowMs: 60_000 / scale },
    read: { limit: 60, windowMs: 30_000 / scale },
    logs: { limit: 60, windowMs: 60_000 / scale },
  } satisfies Record<string, RateLimit>;
}
export type CodegenCallKind = keyof ReturnType<typeof codegenLimits>;
