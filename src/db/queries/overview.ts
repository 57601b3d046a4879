/**
 * Reads for the control panel's overview: the sessions at work now, the
 * latest to end, the average run time of a period, and the counts of its last
 * 7 days. Each is one read served by an index (named beside each), so the page
 * costs about the same with a hundred sessions or a hundred thousand.
 */
import { and, desc, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { agentSessions, executionMetrics } from "../schema";
import { roundUsd, type PeriodFigures } from "./reports";
import type { AgentSessionRow } from "./session-history";
import { WORKING_SESSION_STATUSES } from "../../domain/session-status";


export interface OverviewSessionRow extends AgentSessionRow {
  ranOn: string | null;
  costUsd: number;
  durationMs: number | null;
  lastEventAt: number | null;
  lastEvent: string | null;
}

// Per-session figures, each a lookup on execution_metrics_session or session_events_session_created.
const perSession = {
  ranOn: sql<string | null>`coalesce(${agentSessions.executor}, (SELECT m.executor FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id ORDER BY m.started_at DESC LIMIT 1))`,
  costUsd: sql<number>`(SELECT total(m.cost_usd) FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id)`,
  durationMs: sql<number | null>`(SELECT sum(m.duration_ms) FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id)`,
  lastEventAt: sql<number | null>`(SELECT e.created_at FROM session_events e WHERE e.session_id = agent_sessions.id ORDER BY e.created_at DESC LIMIT 1)`,
  lastEvent: sql<string | null>`(SELECT e.summary FROM session_events e WHERE e.session_id = agent_sessions.id ORDER BY e.created_at DESC LIMIT 1)`,
};

function withFigures(rows: { session: AgentSessionRow; ranOn: string | null; costUsd: number; durationMs: number | null; lastEventAt: number | null; lastEvent: string | null }[]): OverviewSessionRow[] {
  return rows.map(({ session, ...figures }) => ({
    ...session,
    ranOn: figures.ranOn,
    costUsd: Number(figures.costUsd ?? 0),
    durationMs: figures.durationMs === null ? null : Number(figures.durationMs),
    lastEventAt: figures.lastEventAt === null ? null : Number(figures.lastEventAt),
    lastEvent: figures.lastEvent,
  }));
}

/** Sessions still at work, most recently changed first (index agent_sessions_workspace_status_updated). */
export async function listWorkingSessions(db: Db, workspaceId: string, limit = 25): Promise<OverviewSessionRow[]> {
  const rows = await db
    .select({ session: agentSessions, ...perSession })
    .from(agentSessions)
    .where(and(eq(agentSessions.workspaceId, workspaceId), inArray(agentSessions.status, WORKING_SESSION_STATUSES)))
    .orderBy(desc(agentSessions.updatedAt))
    .limit(limit)
    .all();
  return withFigures(rows);
}

/** The latest sessions to end (index agent_sessions_workspace_ended). */
export async function listRecentlyEnded(db: Db, workspaceId: string, limit = 10): Promise<OverviewSessionRow[]> {
  const rows = await db
    .select({ session: agentSessions, ...perSession })
    .from(agentSessions)
    .where(and(eq(agentSessions.workspaceId, workspaceId), isNotNull(agentSessions.endedAt)))
    .orderBy(desc(agentSessions.endedAt))
    .limit(limit)
    .all();
  return withFigures(rows);
}

/** What the overview's "Last 7 days" shows: the stats' counts of a period, and its mean run duration. */
export type PeriodCounts = Pick<PeriodFigures, "tasks" | "succeeded" | "failed" | "successRate" | "executors" | "costUsd" | "costPerTaskUsd"> & {
  averageDurationMs: number | null;
};

/**
 * The runs that started in [fromMs, toMs), counted as `stats` counts them, in one
 * statement over the covering index execution_metrics_report (a week is some
 * 10,000 runs at 100,000 sessions a quarter: under a millisecond of SQLite).
 * `stats(period: "week")` answers the same counts in 20 statements and two round
 * trips, for the previous week, percentiles and peaks the overview does not show;
 * on the panel benchmark that was a third of the overview's time to first byte.
 */
export async function periodCounts(db: Db, workspaceId: string, fromMs: number, toMs: number): Promise<PeriodCounts> {
  const row = await db
    .select({
      tasks: sql<number>`count(*)`,
      succeeded: sql<number>`total(${executionMetrics.outcome} IS 'succeeded')`,
      ended: sql<number>`total(${executionMetrics.outcome} IS NOT NULL)`,
      failed: sql<number>`total(${executionMetrics.outcome} IS 'failed')`,
      local: sql<number>`total(${executionMetrics.executor} = 'local')`,
      cloud: sql<number>`total(${executionMetrics.executor} = 'cloud')`,
      cost: sql<number>`total(${executionMetrics.costUsd})`,
      averageDurationMs: sql<number | null>`avg(${executionMetrics.durationMs})`,
    })
    .from(executionMetrics)
    .where(and(eq(executionMetrics.workspaceId, workspaceId), gte(executionMetrics.startedAt, fromMs), lt(executionMetrics.startedAt, toMs)))
    .get();
  const tasks = Number(row?.tasks ?? 0);
  const cost = Number(row?.cost ?? 0);
  // The stats' rounding: ratios and money to 4 decimals.
  const share = (n: number) => (tasks === 0 ? null : Math.round((n / tasks) * 10_000) / 10_000);
  const local = Number(row?.local ?? 0);
  const cloud = Number(row?.cloud ?? 0);
  return {
    tasks,
    succeeded: Number(row?.succeeded ?? 0),
    failed: Number(row?.failed ?? 0),
    // Of the runs that have ended: a run still going is neither a success nor a failure yet.
    successRate: Number(row?.ended ?? 0) === 0 ? null : Math.round((Number(row?.succeeded ?? 0) / Number(row!.ended)) * 10_000) / 10_000,
    executors: { local: { tasks: local, share: share(local) }, cloud: { tasks: cloud, share: share(cloud) } },
    costUsd: roundUsd(cost),
    costPerTaskUsd: tasks === 0 ? null : roundUsd(cost / tasks),
    averageDurationMs: row?.averageDurationMs === null || row?.averageDurationMs === undefined ? null : Math.round(Number(row.averageDurationMs)),
  };
}
