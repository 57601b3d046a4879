/**
 * Every API call, for tests to assert on, tagged with its organization so
 * tests running in parallel read only their own. Tokens are kept as hashes.
 * Bounded for long benchmark runs; the aggregate stats (stats.ts) are not.
 */
import type { CallKind, CallRecord } from "./types";

const MAX_CALLS = 50_000;

export class Recorder {
  readonly calls: CallRecord[] = [];

  record(call: CallRecord): void {
    this.calls.push(call);
    if (this.calls.length > MAX_CALLS) this.calls.splice(0, this.calls.length - MAX_CALLS);
  }

  filter(filter: { orgId?: number | null; kind?: CallKind | null }): CallRecord[] {
    return this.calls.filter((c) => (filter.orgId == null || c.orgId === filter.orgId) && (!filter.kind || c.kind === filter.kind));
  }

  clear(): void {
    this.calls.length = 0;
  }
}
