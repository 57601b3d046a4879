/** A closed-loop load generator and latency statistics, for benchmarks on loopback only. */

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<number, number>;
  /** Requests re-sent after the connection dropped under them (a keep-alive race): reported, not hidden. */
  transportRetries: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Sends `count` requests with `concurrency` in flight at once; `makeRequest(i)`
 * builds request i just before it is sent (so signatures and timestamps are fresh).
 */
export async function runLoad(count: number, concurrency: number, makeRequest: (i: number) => Promise<Request> | Request): Promise<LoadResult> {
  const latencies: number[] = new Array(count);
  const statuses: Record<number, number> = {};
  let transportRetries = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      for (let attempt = 1; ; attempt++) {
        const request = await makeRequest(i);
        const t0 = performance.now();
        try {
          const response = await fetch(request);
          await response.arrayBuffer();
          latencies[i] = performance.now() - t0;
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          break;
        } catch (error) {
          // A socket closed by the server as we reused it; like Linear, send again (at most twice).
          if (attempt >= 3) throw error;
          transportRetries++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: count,
    seconds: round(seconds),
    requestsPerSecond: round(count / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    statuses,
    transportRetries,
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
