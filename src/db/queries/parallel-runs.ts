/**
 * The D1 mirror of hybrid-parallel runs: each parent's plan, its children's
 * states and figures, written by the parent's IssueSession with its other
 * mirrored state (upserted by session id, so a replayed sync writes the same row).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { parallelRuns } from "../schema";

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
