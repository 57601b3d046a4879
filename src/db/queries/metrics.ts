import { and, eq, gte, isNotNull, sql } from "drizzle-orm";
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

/** Runs started since `since` (epoch ms) and how many succeeded: the success rate the alerts watch. */
export async function outcomesSince(db: Db, workspaceId: string, since: number): Promise<{ tasks: number; succeeded: number }> {
  const row = await db
    .select({
      tasks: sql<number>`count(*)`,
      succeeded: sql<number>`coalesce(sum(case when ${executionMetrics.outcome} = 'succeeded' then 1 else 0 end), 0)`,
    })
    .from(executionMetrics)
    .where(and(eq(executionMetrics.workspaceId, workspaceId), gte(executionMetrics.startedAt, since), isNotNull(executionMetrics.endedAt)))
    .get();
  return { tasks: Number(row?.tasks ?? 0), succeeded: Number(row?.succeeded ?? 0) };
}
