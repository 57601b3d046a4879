/**
 * Reads of the D1 mirror for the sessions API: agent sessions newest first
 * (keyset pagination on (created_at, id)), one session's executions, and its
 * timeline in order. Every read is scoped to a workspace.
 *
 * Timeline order: `session_events.id` is `<object name>:<seq>`, and one agent
 * session's events all come from one IssueSession, in seq order. Events of one
 * millisecond are common (a decision appends several at once) and the id sorts
 * "…:10" before "…:9" as text, so the order is (created_at, numeric seq, id).
 */
import { and, desc, eq, gte, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { agentSessions, executionMetrics, sessionEvents } from "../schema";

export type AgentSessionRow = typeof agentSessions.$inferSelect;
export type ExecutionMetricsRow = typeof executionMetrics.$inferSelect;

export interface SessionListRow extends AgentSessionRow {
  /** The session's executor, or that of its latest run when the mirror has none. */
  ranOn: string | null;
  costUsd: number;
  runs: number;
}

export interface SessionCursor {
  createdAt: number;
  id: string;
}

export interface SessionFilter {
  workspaceId: string;
  status?: string;
  executor?: string;
  repository?: string;
  /** created_at >= fromMs */
  fromMs?: number;
  /** created_at < toMs */
  toMs?: number;
  after?: SessionCursor;
  limit: number;
}

/** Newest first; one more row than asked is read, so the caller knows whether a next page exists. */
export async function listSessionPage(db: Db, filter: SessionFilter): Promise<{ rows: SessionListRow[]; next: SessionCursor | null }> {
  const conditions: (SQL | undefined)[] = [eq(agentSessions.workspaceId, filter.workspaceId)];
  if (filter.status) conditions.push(eq(agentSessions.status, filter.status));
  if (filter.repository) conditions.push(eq(agentSessions.repositoryName, filter.repository));
  if (filter.fromMs !== undefined) conditions.push(gte(agentSessions.createdAt, filter.fromMs));
  if (filter.toMs !== undefined) conditions.push(lt(agentSessions.createdAt, filter.toMs));
  if (filter.executor) {
    // The mirror may not carry the executor yet: then a session "ran on" an executor if one of its runs did.
    conditions.push(
      or(
        eq(agentSessions.executor, filter.executor),
        and(
          isNull(agentSessions.executor),
          sql`EXISTS (SELECT 1 FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id AND m.executor = ${filter.executor})`,
        ),
      ),
    );
  }
  if (filter.after) {
    const { createdAt, id } = filter.after;
    conditions.push(or(lt(agentSessions.createdAt, createdAt), and(eq(agentSessions.createdAt, createdAt), lt(agentSessions.id, id))));
  }
  // The correlated subqueries name the outer table in full: drizzle writes a one-table select's
  // columns unqualified, and a bare "id" inside them would be the metrics row's own.
  const rows = await db
    .select({
      session: agentSessions,
      ranOn: sql<string | null>`coalesce(${agentSessions.executor}, (SELECT m.executor FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id ORDER BY m.started_at DESC LIMIT 1))`,
      costUsd: sql<number>`(SELECT total(m.cost_usd) FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id)`,
      runs: sql<number>`(SELECT count(*) FROM execution_metrics m WHERE m.session_id = agent_sessions.id AND m.workspace_id = agent_sessions.workspace_id)`,
    })
    .from(agentSessions)
    .where(and(...conditions))
    .orderBy(desc(agentSessions.createdAt), desc(agentSessions.id))
    .limit(filter.limit + 1)
    .all();
  const page = rows.slice(0, filter.limit).map((row) => ({ ...row.session, ranOn: row.ranOn, costUsd: Number(row.costUsd), runs: Number(row.runs) }));
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > filter.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function findSession(db: Db, workspaceId: string, id: string): Promise<AgentSessionRow | undefined> {
  return db.select().from(agentSessions).where(and(eq(agentSessions.workspaceId, workspaceId), eq(agentSessions.id, id))).get();
}

/** A session's run attempts, in the order they started. */
export async function listSessionExecutions(db: Db, workspaceId: string, sessionId: string): Promise<ExecutionMetricsRow[]> {
  return db
    .select()
    .from(executionMetrics)
    .where(and(eq(executionMetrics.sessionId, sessionId), eq(executionMetrics.workspaceId, workspaceId)))
    .orderBy(executionMetrics.startedAt, executionMetrics.id)
    .all();
}

export interface TimelineEvent {
  id: string;
  kind: string;
  summary: string;
  data: Record<string, unknown> | null;
  createdAt: number;
  seq: number;
}

/** Where an event sits in its session's timeline: events after it are those greater in this order. */
export interface EventPosition {
  createdAt: number;
  seq: number;
  id: string;
}

/** The numeric suffix of `<object name>:<seq>`; 0 for an id without one. */
const SEQ = sql`CAST(substr(e.id, length(rtrim(e.id, '0123456789')) + 1) AS INTEGER)`;

interface RawEvent {
  id: string;
  kind: string;
  summary: string;
  data: string | null;
  createdAt: number;
  seq: number;
}

const eventColumns = sql`e.id AS id, e.kind AS kind, e.summary AS summary, e.data AS data, e.created_at AS createdAt, ${SEQ} AS seq`;
const after = (position: EventPosition | null) => (position ? sql`AND (e.created_at, ${SEQ}, e.id) > (${position.createdAt}, ${position.seq}, ${position.id})` : sql``);

function toEvent(raw: RawEvent): TimelineEvent {
  let data: Record<string, unknown> | null = null;
  if (raw.data !== null) {
    try {
      const parsed: unknown = JSON.parse(raw.data);
      data = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      data = { raw: raw.data };
    }
  }
  return { id: raw.id, kind: raw.kind, summary: raw.summary, data, createdAt: Number(raw.createdAt), seq: Number(raw.seq) };
}

/** The session's timeline in order, after `position` when given, at most `limit` events. */
export async function listSessionEvents(db: Db, workspaceId: string, sessionId: string, options: { after?: EventPosition | null; limit?: number } = {}): Promise<TimelineEvent[]> {
  const rows = await db.all<RawEvent>(sql`SELECT ${eventColumns} FROM session_events e
    WHERE e.session_id = ${sessionId} AND e.workspace_id = ${workspaceId} ${after(options.after ?? null)}
    ORDER BY e.created_at, seq, e.id
    ${options.limit ? sql`LIMIT ${options.limit}` : sql``}`);
  return rows.map(toEvent);
}

/** The position of one event of the session, or null if it is not one of its events. */
export async function findEventPosition(db: Db, workspaceId: string, sessionId: string, eventId: string): Promise<EventPosition | null> {
  const row = await db.get<{ createdAt: number; seq: number; id: string } | undefined>(
    sql`SELECT e.created_at AS createdAt, ${SEQ} AS seq, e.id AS id FROM session_events e WHERE e.id = ${eventId} AND e.session_id = ${sessionId} AND e.workspace_id = ${workspaceId}`,
  );
  return row ? { createdAt: Number(row.createdAt), seq: Number(row.seq), id: row.id } : null;
}

export interface SessionPoll {
  /** Null when the session is not (or no longer) in this workspace. */
  session: { status: string; endedAt: number | null; updatedAt: number } | null;
  events: TimelineEvent[];
}

/**
 * One statement per tick of a live log: the session's status and the events
 * after `position`. A stream polls every second for up to ten minutes, and a
 * Worker invocation has a budget of D1 queries, so this is never two.
 */
export async function pollSession(db: Db, workspaceId: string, sessionId: string, position: EventPosition | null, limit: number): Promise<SessionPoll> {
  const rows = await db.all<{ status: string; endedAt: number | null; updatedAt: number } & { [K in keyof RawEvent]: RawEvent[K] | null }>(sql`
    SELECT s.status AS status, s.ended_at AS endedAt, s.updated_at AS updatedAt, ${eventColumns}
    FROM agent_sessions s
    LEFT JOIN session_events e ON e.session_id = s.id AND e.workspace_id = s.workspace_id ${after(position)}
    WHERE s.id = ${sessionId} AND s.workspace_id = ${workspaceId}
    ORDER BY e.created_at, seq, e.id
    LIMIT ${limit}`);
  const first = rows[0];
  if (!first) return { session: null, events: [] };
  return {
    session: { status: first.status, endedAt: first.endedAt === null ? null : Number(first.endedAt), updatedAt: Number(first.updatedAt) },
    events: rows.filter((row): row is typeof row & RawEvent => row.id !== null).map(toEvent),
  };
}

/** A session's cost and time over all its runs (money unrounded). */
export function sessionTotals(executions: ExecutionMetricsRow[]): { costUsd: number; estimatedCostUsd: number; estimated: boolean; runs: number; durationMs: number } {
  let costUsd = 0;
  let estimatedCostUsd = 0;
  let durationMs = 0;
  for (const run of executions) {
    costUsd += run.costUsd;
    if (run.costEstimated) estimatedCostUsd += run.costUsd;
    durationMs += run.durationMs ?? 0;
  }
  return { costUsd, estimatedCostUsd, estimated: executions.some((run) => run.costEstimated), runs: executions.length, durationMs };
}
