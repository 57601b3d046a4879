/**
 * Codegen's rate limits, enforced per API token: a sliding window per family
 * (create, read, logs) over the emulator clock. A request is refused when the
 * window ending now already holds `limit` accepted requests; refused requests
 * do not fill the window.
 */
import type { RateBucket, RateLimits } from "./types";

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class RateLimiter {
  /** Accepted request times, per token hash and family, oldest first. */
  #windows = new Map<string, number[]>();

  constructor(readonly limits: RateLimits) {}

  check(tokenHash: string, bucket: RateBucket, nowMs: number): LimitDecision {
    const { limit, windowMs } = this.limits[bucket];
    const key = `${tokenHash}:${bucket}`;
    let times = this.#windows.get(key);
    if (!times) {
      times = [];
      this.#windows.set(key, times);
    }
    // (now - window, now]: a request exactly one window old has left it.
    let expired = 0;
    while (expired < times.length && times[expired]! <= nowMs - windowMs) expired += 1;
    if (expired > 0) times.splice(0, expired);
    if (times.length >= limit) return { allowed: false, retryAfterMs: times[0]! + windowMs - nowMs };
    times.push(nowMs);
    return { allowed: true };
  }

  clear(): void {
    this.#windows.clear();
  }
}
