import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../client";
import { executionMetrics } from "../schema";

export interface HistoryRow {
  repository: string | null;
  agentType: string | null;
  complexity: string | null;
  executor: string;
  costUsd: number;
  durationMs: number;
}

/** The workspace's most recent finished runs: what cost estimates are made from. */
export async function recentRunHistory(db: Db, workspaceId: string, limit = 500): Promise<HistoryRow[]> {
  const rows = await db
    .select({
      repository: executionMetrics.repositoryName,
      agentType: executionMetrics.agentType,
      complexity: executionMetrics.complexity,
      executor: executionMetrics.executor,
      costUsd: executionMetrics.costUsd,
      durationMs: executionMetrics.durationMs,
    })
    .from(executionMetrics)
    .where(and(eq(executionMetrics.workspaceId, workspaceId), isNotNull(executionMetrics.endedAt)))
    .orderBy(desc(executionMetrics.startedAt))
    .limit(limit)
    .all();
  return rows.map((r) => ({ ...r, durationMs: r.durationMs ?? 0 }));
}
