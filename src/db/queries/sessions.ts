import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { agentSessions, sessionEvents } from "../schema";
import { upsertParallelRunStatement, type ParallelRunRow } from "./parallel-runs";

export type AgentSessionRow = typeof agentSessions.$inferSelect;
export type SessionEventRow = typeof sessionEvents.$inferSelect;

/**
 * Mirrors an IssueSession's state into D1 for reports and the dashboard.
 * Idempotent: the session row is upserted and events are keyed by id, so an
 * alarm that runs twice writes nothing twice. One batch, so it is all or nothing.
 */
export async function syncSessions(db: Db, sessions: (typeof agentSessions.$inferInsert)[], events: SessionEventRow[], parallel: ParallelRunRow[] = []): Promise<void> {
  const statements = [
    ...sessions.map((s) =>
      db
        .insert(agentSessions)
        .values(s)
        .onConflictDoUpdate({
          target: agentSessions.id,
          set: {
            issueId: sql`excluded.issue_id`,
            issueIdentifier: sql`excluded.issue_identifier`,
            issueTitle: sql`excluded.issue_title`,
            repositoryId: sql`excluded.repository_id`,
            repositoryName: sql`excluded.repository_name`,
            status: sql`excluded.status`,
            executor: sql`excluded.executor`,
            agentType: sql`excluded.agent_type`,
            complexity: sql`excluded.complexity`,
            outcome: sql`excluded.outcome`,
            error: sql`excluded.error`,
            updatedAt: sql`excluded.updated_at`,
            endedAt: sql`excluded.ended_at`,
            parentSessionId: sql`excluded.parent_session_id`,
          },
        }),
    ),
    ...events.map((e) => db.insert(sessionEvents).values(e).onConflictDoNothing()),
    ...parallel.map((row) => upsertParallelRunStatement(db, row)),
  ];
  if (statements.length === 0) return;
  const [first, ...rest] = statements;
  await db.batch([first!, ...rest]);
}
