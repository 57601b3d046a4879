import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { executionMetrics } from "../schema";

export type ExecutionMetricsRow = typeof executionMetrics.$inferSelect;

/** One row per run attempt, keyed so a replayed write (alarms fire at least once) updates the same row. */
export async function recordExecutionMetrics(db: Db, row: ExecutionMetricsRow): Promise<void> {
  await db
    .insert(executionMetrics)
    .values(row)
    .onConflictDoUpdate({
      target: executionMetrics.id,
      set: {
        endedAt: sql`excluded.ended_at`,
        durationMs: sql`excluded.duration_ms`,
        outcome: sql`excluded.outcome`,
        costUsd: sql`excluded.cost_usd`,
        costEstimated: sql`excluded.cost_estimated`,
        prUrls: sql`excluded.pr_urls`,
        inputTokens: sql`excluded.input_tokens`,
        outputTokens: sql`excluded.output_tokens`,
      },
    });
}
