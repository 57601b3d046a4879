/**
 * Aggregate counts for the control API, kept as calls happen so they stay
 * exact however long a benchmark runs: totals by kind and status, and the
 * "peak rate" — the most requests one token made of a kind (or a rate-limit
 * family) within any window of that family's length. Peaks count every
 * request that reached the rate limiter, refused ones included, so a product
 * that respects the limits shows peaks at or under them and no violations.
 */
import { BUCKET_OF, type BucketStats, type CallKind, type CallRecord, type EmulatorStats, ENDPOINT_KINDS, type EndpointKind, type KindStats, type RateBucket, type RateLimits } from "./types";

const ALL = "all";
/** Ban, unban and remove-from-pr have no documented limit; their peak is measured over a minute. */
const UNLIMITED_WINDOW_MS = 60_000;

/** Request times within the last window, to measure the peak incrementally (times never go back). */
class WindowCounter {
  #times: number[] = [];
  #head = 0;

  add(atMs: number, windowMs: number): number {
    this.#times.push(atMs);
    while (this.#times[this.#head]! <= atMs - windowMs) this.#head += 1;
    if (this.#head > 1_024) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
    return this.#times.length - this.#head;
  }
}

interface ScopeStats {
  total: number;
  byKind: Map<CallKind, number>;
  byStatus: Map<string, number>;
  peaks: Map<string, number>;
  bucketCalls: Map<RateBucket, number>;
  violations: Map<RateBucket, number>;
  faults: number;
}

function newScope(): ScopeStats {
  return { total: 0, byKind: new Map(), byStatus: new Map(), peaks: new Map(), bucketCalls: new Map(), violations: new Map(), faults: 0 };
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export class StatsTracker {
  #scopes = new Map<string, ScopeStats>();
  #counters = new Map<string, WindowCounter>();

  constructor(readonly limits: RateLimits) {}

  windowOf(kind: CallKind): number {
    const bucket = kind === "other" ? null : BUCKET_OF[kind];
    return bucket ? this.limits[bucket].windowMs : UNLIMITED_WINDOW_MS;
  }

  #scopesFor(orgId: number | null): ScopeStats[] {
    const keys = orgId === null ? [ALL] : [ALL, `org:${orgId}`];
    return keys.map((key) => {
      let scope = this.#scopes.get(key);
      if (!scope) {
        scope = newScope();
        this.#scopes.set(key, scope);
      }
      return scope;
    });
  }

  #peak(scopeKey: string, scope: ScopeStats, tokenHash: string, key: string, atMs: number, windowMs: number): void {
    const counterKey = `${scopeKey}|${tokenHash}|${key}`;
    let counter = this.#counters.get(counterKey);
    if (!counter) {
      counter = new WindowCounter();
      this.#counters.set(counterKey, counter);
    }
    const inWindow = counter.add(atMs, windowMs);
    if (inWindow > (scope.peaks.get(key) ?? 0)) scope.peaks.set(key, inWindow);
  }

  /** A request that reached the rate limiter (accepted or refused). */
  observeAttempt(orgId: number | null, tokenHash: string, kind: EndpointKind, atMs: number, refused: boolean): void {
    const bucket = BUCKET_OF[kind];
    const scopeKeys = orgId === null ? [ALL] : [ALL, `org:${orgId}`];
    this.#scopesFor(orgId).forEach((scope, i) => {
      const scopeKey = scopeKeys[i]!;
      this.#peak(scopeKey, scope, tokenHash, `kind:${kind}`, atMs, this.windowOf(kind));
      if (!bucket) return;
      this.#peak(scopeKey, scope, tokenHash, `bucket:${bucket}`, atMs, this.limits[bucket].windowMs);
      bump(scope.bucketCalls, bucket);
      if (refused) bump(scope.violations, bucket);
    });
  }

  /** Every recorded call, whatever happened to it. */
  observeCall(call: CallRecord): void {
    for (const scope of this.#scopesFor(call.orgId)) {
      scope.total += 1;
      bump(scope.byKind, call.kind);
      bump(scope.byStatus, String(call.status));
      if (call.fault && !(call.fault === "slow" || call.fault === "lowercaseStatus")) scope.faults += 1;
    }
  }

  snapshot(orgId: number | null): EmulatorStats {
    const scope = this.#scopes.get(orgId === null ? ALL : `org:${orgId}`) ?? newScope();
    const kinds = [...ENDPOINT_KINDS, "other"] as const;
    const byKind = Object.fromEntries(
      kinds.map((kind): [CallKind, KindStats] => [kind, { calls: scope.byKind.get(kind) ?? 0, peak: scope.peaks.get(`kind:${kind}`) ?? 0, windowMs: this.windowOf(kind) }]),
    ) as Record<CallKind, KindStats>;
    const buckets = Object.fromEntries(
      (Object.keys(this.limits) as RateBucket[]).map((bucket): [RateBucket, BucketStats] => [
        bucket,
        {
          limit: this.limits[bucket].limit,
          windowMs: this.limits[bucket].windowMs,
          calls: scope.bucketCalls.get(bucket) ?? 0,
          peak: scope.peaks.get(`bucket:${bucket}`) ?? 0,
          violations: scope.violations.get(bucket) ?? 0,
        },
      ]),
    ) as Record<RateBucket, BucketStats>;
    return {
      orgId,
      total: scope.total,
      byKind,
      byStatus: Object.fromEntries(scope.byStatus),
      buckets,
      violations: [...scope.violations.values()].reduce((a, b) => a + b, 0),
      faults: scope.faults,
    };
  }

  clear(): void {
    this.#scopes.clear();
    this.#counters.clear();
  }
}
