/**
 * How long runs took over whole UTC days, in the readable bins of
 * src/domain/duration-bins.ts: the analytics page's histogram.
 *
 * Read from the `execution_durations_daily` rollup (migration 0007), never
 * from the runs: its primary key (workspace_id, day, bucket) makes the
 * WHERE a range seek over the period's days of one workspace, a few hundred
 * rows for 90 days however many runs there were. The buckets' bounds come
 * from `bucketBounds`, the one decoding of the triggers' bucket numbers.
 */
import { sql, type SQL } from "drizzle-orm";
import { binDurations, type DurationBin, type DurationBucket } from "../../domain/duration-bins";
import type { Db } from "../client";
import { bucketBounds } from "./reports";

export interface DurationHistogramQuery {
  workspaceId: string;
  /** First and last UTC day (days since the epoch), both inclusive. */
  fromDay: number;
  toDay: number;
}

/** The statement, apart, so a test can ask SQLite for its plan. */
export function durationBucketsSql(query: DurationHistogramQuery): SQL {
  return sql`SELECT bucket, total(runs) AS runs FROM execution_durations_daily
    WHERE workspace_id = ${query.workspaceId} AND day >= ${query.fromDay} AND day <= ${query.toDay}
    GROUP BY bucket`;
}

/** The rollup's buckets over the days, summed: runs per two-significant-digit bucket. */
export async function durationBuckets(db: Db, query: DurationHistogramQuery): Promise<DurationBucket[]> {
  const rows = await db.all<{ bucket: number; runs: number }>(durationBucketsSql(query));
  return rows.map((row) => {
    const [loMs, hiMs] = bucketBounds(Number(row.bucket));
    return { loMs, hiMs, runs: Number(row.runs) };
  });
}

/** Every bin, in order, with the runs whose duration falls in it (runs with no duration recorded are not counted). */
export async function durationHistogram(db: Db, query: DurationHistogramQuery): Promise<DurationBin[]> {
  return binDurations(await durationBuckets(db, query));
}
