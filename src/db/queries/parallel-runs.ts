/**
 * The D1 mirror of hybrid-parallel runs: each parent's plan, its children's
 * states and figures, written by the parent's IssueSession with its other
 * mirrored state (upserted by session id, so a replayed sync writes the same row),
 * and what the API and the panel read of it.
 */
import { and, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import { averageParentFigures, type ParallelStats } from "../../domain/parallel/figures";
import type { Db } from "../client";
import { agentSessions, parallelRuns } from "../schema";

export type ParallelRunRow = typeof parallelRuns.$inferInsert;

export function upsertParallelRunStatement(db: Db, row: ParallelRunRow) {
  return db
    .insert(parallelRuns)
    .values(row)
    .onConflictDoUpdate({
      target: parallelRuns.sessionId,
      set: {
        status: sql`excluded.status`,
        source: sql`excluded.source`,
        items: sql`excluded.items`,
        validation: sql`excluded.validation`,
        figures: sql`excluded.figures`,
        updatedAt: sql`excluded.updated_at`,
        endedAt: sql`excluded.ended_at`,
      },
    });
}

// ---------------------------------------------------------------------------
// Reads, for GET /api/sessions/:id, GET /api/stats and the panel. Every read is
// scoped to a workspace: another workspace's run is as good as absent.

export type ParallelRunRecord = typeof parallelRuns.$inferSelect;
export type ChildSessionRow = typeof agentSessions.$inferSelect;

/** The hybrid-parallel run a parent session leads; undefined for every other session. */
export async function findParallelRun(db: Db, workspaceId: string, sessionId: string): Promise<ParallelRunRecord | undefined> {
  return db
    .select()
    .from(parallelRuns)
    .where(and(eq(parallelRuns.workspaceId, workspaceId), eq(parallelRuns.sessionId, sessionId)))
    .get();
}

/**
 * When the run's mirror last changed, and nothing else: what a live view polls
 * each tick before reading (and drawing) the whole run again.
 */
export async function parallelRunVersion(db: Db, workspaceId: string, sessionId: string): Promise<{ updatedAt: number; status: string; endedAt: number | null } | undefined> {
  return db
    .select({ updatedAt: parallelRuns.updatedAt, status: parallelRuns.status, endedAt: parallelRuns.endedAt })
    .from(parallelRuns)
    .where(and(eq(parallelRuns.workspaceId, workspaceId), eq(parallelRuns.sessionId, sessionId)))
    .get();
}

/** The agent sessions a parent delegated, as far as the mirror has them, oldest first. */
export async function listChildSessions(db: Db, workspaceId: string, parentSessionId: string): Promise<ChildSessionRow[]> {
  return db
    .select()
    .from(agentSessions)
    .where(and(eq(agentSessions.workspaceId, workspaceId), eq(agentSessions.parentSessionId, parentSessionId)))
    .orderBy(agentSessions.createdAt, agentSessions.id)
    .all();
}

/**
 * Averages over the parents whose run completed in [fromMs, toMs) (by when it
 * ended): a stopped or failed run's wall time says nothing about what running
 * in parallel bought, so only completed runs with figures count.
 */
export async function parallelAverages(db: Db, query: { workspaceId: string; fromMs: number; toMs: number }): Promise<ParallelStats> {
  const rows = await db
    .select({ figures: parallelRuns.figures })
    .from(parallelRuns)
    .where(
      and(
        eq(parallelRuns.workspaceId, query.workspaceId),
        gte(parallelRuns.endedAt, query.fromMs),
        lt(parallelRuns.endedAt, query.toMs),
        eq(parallelRuns.status, "complete"),
        isNotNull(parallelRuns.figures),
      ),
    )
    .all();
  return averageParentFigures(rows.flatMap((row) => (row.figures ? [row.figures] : [])));
}
