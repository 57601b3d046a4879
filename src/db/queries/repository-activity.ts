/**
 * What a repository's page shows of its work: its sessions still running and
 * the pull requests of its recent runs. Both reads are bounded by a window of
 * recent days and a row limit, so they walk one index over that window only
 * and never the workspace's whole history.
 */
import { and, desc, eq, gte, inArray, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { agentSessions, executionMetrics } from "../schema";
import { WORKING_SESSION_STATUSES } from "../../domain/session-status";

export type OpenSessionRow = Pick<
  typeof agentSessions.$inferSelect,
  "id" | "issueIdentifier" | "issueTitle" | "status" | "executor" | "agentType" | "createdAt" | "updatedAt"
>;

/**
 * The repository's sessions that have not ended, newest first, among those
 * created since `sinceMs`. Served by agent_sessions_workspace_created
 * (workspace_id, created_at): a range walk of the window, filtered by
 * repository and status. A session is matched by its repository's id, or by
 * name for rows mirrored before the id was kept.
 */
export async function openSessionsOfRepository(db: Db, query: OpenSessionsQuery): Promise<OpenSessionRow[]> {
  return openSessionsSelect(db, query).all();
}

export interface OpenSessionsQuery {
  workspaceId: string;
  repositoryId: string;
  repositoryName: string;
  sinceMs: number;
  limit: number;
}

/** The query itself, unrun: its plan is checked by a test. */
export function openSessionsSelect(db: Db, query: OpenSessionsQuery) {
  return db
    .select({
      id: agentSessions.id,
      issueIdentifier: agentSessions.issueIdentifier,
      issueTitle: agentSessions.issueTitle,
      status: agentSessions.status,
      executor: agentSessions.executor,
      agentType: agentSessions.agentType,
      createdAt: agentSessions.createdAt,
      updatedAt: agentSessions.updatedAt,
    })
    .from(agentSessions)
    .where(
      and(
        eq(agentSessions.workspaceId, query.workspaceId),
        gte(agentSessions.createdAt, query.sinceMs),
        or(eq(agentSessions.repositoryId, query.repositoryId), eq(agentSessions.repositoryName, query.repositoryName)),
        inArray(agentSessions.status, WORKING_SESSION_STATUSES),
      ),
    )
    .orderBy(desc(agentSessions.createdAt))
    .limit(query.limit);
}

export interface RecentPullRequest {
  url: string;
  sessionId: string;
  executor: string;
  startedAt: number;
}

/**
 * Pull requests of the repository's runs started since `sinceMs`, newest
 * first, at most `limit` runs' worth (a run may open several; each URL once).
 * Served by execution_metrics_report (workspace_id, started_at, …,
 * repository_name, …): a range walk of the window that filters on the
 * repository inside the index, reading the row (for pr_urls) only for this
 * repository's runs.
 */
export async function recentPullRequestsOfRepository(db: Db, query: RecentRunsQuery): Promise<RecentPullRequest[]> {
  const runs = await runsWithPullRequestsSelect(db, query).all();
  const seen = new Set<string>();
  const pulls: RecentPullRequest[] = [];
  for (const run of runs) {
    for (const url of run.prUrls) {
      if (seen.has(url)) continue;
      seen.add(url);
      pulls.push({ url, sessionId: run.sessionId, executor: run.executor, startedAt: run.startedAt });
    }
  }
  return pulls;
}

export interface RecentRunsQuery {
  workspaceId: string;
  repositoryName: string;
  sinceMs: number;
  limit: number;
}

/** The query itself, unrun: its plan is checked by a test. */
export function runsWithPullRequestsSelect(db: Db, query: RecentRunsQuery) {
  return db
    .select({ sessionId: executionMetrics.sessionId, executor: executionMetrics.executor, startedAt: executionMetrics.startedAt, prUrls: executionMetrics.prUrls })
    .from(executionMetrics)
    .where(
      and(
        eq(executionMetrics.workspaceId, query.workspaceId),
        gte(executionMetrics.startedAt, query.sinceMs),
        eq(executionMetrics.repositoryName, query.repositoryName),
        sql`${executionMetrics.prUrls} <> '[]'`,
      ),
    )
    .orderBy(desc(executionMetrics.startedAt))
    .limit(query.limit);
}
