/**
 * The sessions the edge has handled, from the D1 mirror of the IssueSessions:
 * `GET /api/sessions` (filters, newest first, keyset cursor),
 * `GET /api/sessions/:id` (the row, its runs, its timeline and what the
 * timeline says about routing, fallbacks, the result and the cost) and
 * `GET /api/sessions/:id/logs` (the timeline as JSON, or live as Server-Sent
 * Events). Everything is scoped to the request's workspace: another
 * workspace's session is a 404, as if it did not exist.
 *
 * The mirror trails the IssueSession by a few seconds (its D1 sync coalesces
 * bursts), so a live log is a poll of D1 every second, not a push.
 */
import { z } from "zod";
import {
  findEventPosition,
  findSession,
  listSessionEvents,
  listSessionExecutions,
  listSessionPage,
  pollSession,
  sessionTotals,
  type AgentSessionRow,
  type EventPosition,
  type ExecutionMetricsRow,
  type SessionCursor,
  type TimelineEvent,
} from "../../../src/db/queries/session-history";
import { DAY_MS, EXECUTORS, roundUsd } from "../../../src/db/queries/reports";
import { describeError, type Logger } from "../../../src/log";
import type { Db } from "../../../src/db/client";
import { factory } from "../../factory";
import { validate } from "../../validation";

/** What an IssueSession mirrors as a session's status. */
export const SESSION_STATUSES = ["pending", "active", "awaiting_input", "ready", "complete", "error", "stopped"] as const;
const ENDED_STATUSES = new Set(["complete", "error", "stopped"]);
const MAX_PAGE = 100;

/** Live log timing. */
export const LOG_STREAM = {
  pollMs: 1_000,
  heartbeatMs: 15_000,
  maxMs: 10 * 60_000,
  /** An ended session's stream closes once nothing new has happened for this long (the mirror trails by ~3 s). */
  endedQuietMs: 10_000,
  batch: 100,
};

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date (`YYYY-MM-DD`, a whole UTC day) or an ISO date-time, as [first ms, first ms after]. */
const TimeBoundSchema = z.string().transform((value, ctx) => {
  if (DATE_ONLY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value) return { start: ms, end: ms + DAY_MS };
  } else if (z.iso.datetime({ offset: true }).safeParse(value).success) {
    const ms = Date.parse(value);
    return { start: ms, end: ms + 1 };
  }
  ctx.addIssue({ code: "custom", message: `${value} is neither YYYY-MM-DD nor an ISO date-time` });
  return z.NEVER;
});

const CursorSchema = z.string().transform((value, ctx): SessionCursor => {
  try {
    const decoded: unknown = JSON.parse(atob(value.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(decoded) && decoded.length === 2 && Number.isSafeInteger(decoded[0]) && typeof decoded[1] === "string") {
      return { createdAt: decoded[0] as number, id: decoded[1] };
    }
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: "not a cursor from this API: pass nextCursor as it was given" });
  return z.NEVER;
});

const encodeCursor = (cursor: SessionCursor): string => btoa(JSON.stringify([cursor.createdAt, cursor.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

const ListQuerySchema = z.object({
  status: z.enum(SESSION_STATUSES).optional(),
  executor: z.enum(EXECUTORS).optional(),
  repository: z.string().trim().min(1).max(100).optional(),
  from: TimeBoundSchema.optional(),
  to: TimeBoundSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: CursorSchema.optional(),
});

const IdParamSchema = z.object({ id: z.string().min(1).max(200) });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function presentSession(row: AgentSessionRow, derived: { executor: string | null; costUsd: number; runs: number }) {
  return {
    id: row.id,
    issueId: row.issueId,
    issueIdentifier: row.issueIdentifier,
    issueTitle: row.issueTitle,
    repositoryId: row.repositoryId,
    repository: row.repositoryName,
    status: row.status,
    executor: derived.executor,
    agentType: row.agentType,
    complexity: row.complexity,
    outcome: row.outcome,
    error: row.error,
    costUsd: roundUsd(derived.costUsd),
    runs: derived.runs,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    endedAt: iso(row.endedAt),
  };
}

function presentExecution(row: ExecutionMetricsRow) {
  return {
    id: row.id,
    executor: row.executor,
    repository: row.repositoryName,
    agentType: row.agentType,
    complexity: row.complexity,
    codegenRunId: row.codegenRunId,
    localTaskId: row.localTaskId,
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
    durationMs: row.durationMs,
    outcome: row.outcome,
    costUsd: roundUsd(row.costUsd),
    costEstimated: row.costEstimated,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    prUrls: row.prUrls,
  };
}

function presentEvent(event: TimelineEvent) {
  return { id: event.id, at: iso(event.createdAt), kind: event.kind, summary: event.summary, data: event.data };
}

/** The executor decisions an IssueSession records: `session.decision` (the orchestrator), and the kinds it wrote before it. */
const DECISION_KINDS = new Set(["session.decision", "session.executor", "session.no_executor"]);
/** Events that end a session's work: a run's end, a refused budget, no executor. */
const ENDING = (e: TimelineEvent) =>
  /\.(succeeded|failed|stopped|timed_out)$/.test(e.kind) || e.kind === "budget.refused" || e.kind === "session.no_executor" || (e.kind === "session.decision" && e.data?.executor === null);

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" ? value : null);

/**
 * What the timeline says about the session, as far as it records it: where it
 * was routed, which executor was chosen and why (with the analysis and the
 * estimate the orchestrator recorded), every fallback (a `session.fallback`
 * event, or in older timelines a later decision for another executor), what
 * happened how often, how it ended, and what its runs cost.
 */
function summarize(session: AgentSessionRow, executions: ExecutionMetricsRow[], events: TimelineEvent[]) {
  const routed = events.findLast((e) => e.kind === "session.routed" || e.kind === "session.unrouted");
  const decisions = events.filter((e) => DECISION_KINDS.has(e.kind));
  const first = decisions[0];
  const fallbacks: { at: string | null; kind: string; summary: string; from: string | null; to: string | null; eventId: string }[] = [];
  let executor: string | null = null;
  let fallbackSinceDecision = false;
  for (const event of events) {
    if (event.kind.includes("fallback")) {
      fallbacks.push({ at: iso(event.createdAt), kind: event.kind, summary: event.summary, from: str(event.data?.from), to: str(event.data?.to), eventId: event.id });
      executor = str(event.data?.to) ?? executor;
      fallbackSinceDecision = true;
    } else if (DECISION_KINDS.has(event.kind)) {
      const chosen = str(event.data?.executor);
      if (executor !== null && chosen !== null && chosen !== executor && !fallbackSinceDecision) {
        fallbacks.push({ at: iso(event.createdAt), kind: event.kind, summary: event.summary, from: executor, to: chosen, eventId: event.id });
      }
      executor = chosen ?? executor;
      fallbackSinceDecision = false;
    }
  }
  const byKind: Record<string, number> = {};
  for (const event of events) byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
  const ending = events.findLast(ENDING);
  const totals = sessionTotals(executions);
  return {
    routing: routed
      ? {
          routed: routed.kind === "session.routed",
          repository: routed.kind === "session.routed" ? session.repositoryName : null,
          rule: str(routed.data?.rule),
          summary: routed.summary,
          at: iso(routed.createdAt),
        }
      : null,
    decision: first
      ? {
          executor: str(first.data?.executor),
          reason: first.summary,
          at: iso(first.createdAt),
          agentType: str(first.data?.agentType) ?? session.agentType,
          complexity: str(first.data?.complexity) ?? session.complexity,
          plannedFallback: str(first.data?.fallback),
          worstCaseUsd: num(first.data?.worstCaseUsd),
          estimate: first.data?.estimate ?? null,
        }
      : null,
    fallbacks,
    activities: { total: events.length, byKind, first: iso(events[0]?.createdAt ?? null), last: iso(events[events.length - 1]?.createdAt ?? null) },
    result: {
      status: session.status,
      ended: ENDED_STATUSES.has(session.status),
      outcome: session.outcome ?? executions[executions.length - 1]?.outcome ?? null,
      error: session.error,
      summary: ending?.summary ?? null,
      kind: ending?.kind ?? null,
      at: iso(ending?.createdAt ?? session.endedAt),
      prUrls: [...new Set(executions.flatMap((run) => run.prUrls))],
    },
    cost: {
      costUsd: roundUsd(totals.costUsd),
      estimatedCostUsd: roundUsd(totals.estimatedCostUsd),
      estimated: totals.estimated,
      runs: totals.runs,
      durationMs: totals.durationMs,
    },
  };
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function eventFrame(event: TimelineEvent): string {
  // JSON.stringify never emits a raw newline, so `data:` stays one line.
  return `event: session-event\nid: ${event.id}\ndata: ${JSON.stringify(presentEvent(event))}\n\n`;
}

/**
 * The timeline as Server-Sent Events: what exists, then whatever D1 shows
 * each second. Pull-driven, so a slow reader is not flooded and a cancelled
 * one stops the polling. Ends with `event: end` when the session has ended and
 * has been quiet for a while, or after ten minutes; a `: heartbeat` comment
 * goes out every 15 s so proxies keep the connection open.
 */
function logStream(db: Db, workspaceId: string, sessionId: string, start: EventPosition | null, log: Logger): ReadableStream<Uint8Array> {
  const openedAt = Date.now();
  let position = start;
  let lastEventAt: number | null = null;
  let lastHeartbeatAt = openedAt;
  let pollNow = true;
  let done = false;
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, frame: string) => {
    done = true;
    controller.enqueue(encoder.encode(frame));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (!done) {
          if (!pollNow) await sleep(LOG_STREAM.pollMs);
          pollNow = false;
          if (done) return;
          const now = Date.now();
          if (now - openedAt >= LOG_STREAM.maxMs) return finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "time limit" })}\n\n`);
          const poll = await pollSession(db, workspaceId, sessionId, position, LOG_STREAM.batch);
          if (done) return;
          if (!poll.session) return finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "session not found" })}\n\n`);
          let frames = "";
          if (poll.events.length > 0) {
            for (const event of poll.events) frames += eventFrame(event);
            const last = poll.events[poll.events.length - 1]!;
            position = { createdAt: last.createdAt, seq: last.seq, id: last.id };
            lastEventAt = last.createdAt;
            // A full batch means more may be waiting: the next read polls at once.
            pollNow = poll.events.length === LOG_STREAM.batch;
          } else if (ENDED_STATUSES.has(poll.session.status)) {
            const lastActivity = Math.max(lastEventAt ?? 0, poll.session.endedAt ?? poll.session.updatedAt);
            if (now - lastActivity >= LOG_STREAM.endedQuietMs) {
              return finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "session ended", status: poll.session.status })}\n\n`);
            }
          }
          if (now - lastHeartbeatAt >= LOG_STREAM.heartbeatMs) {
            frames += ": heartbeat\n\n";
            lastHeartbeatAt = now;
          }
          if (frames) return controller.enqueue(encoder.encode(frames));
        }
      } catch (error) {
        // The client reconnects with Last-Event-ID and loses nothing.
        log.error("session log stream failed", { sessionId, error: describeError(error) });
        if (!done) finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "error" })}\n\n`);
      }
    },
    cancel() {
      done = true;
    },
  });
}

export const sessionRoutes = factory
  .createApp()
  .get("/", validate("query", ListQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const { rows, next } = await listSessionPage(c.var.db, {
      workspaceId: c.var.workspaceId,
      status: query.status,
      executor: query.executor,
      repository: query.repository,
      fromMs: query.from?.start,
      toMs: query.to?.end,
      after: query.cursor,
      limit: query.limit,
    });
    return c.json({
      sessions: rows.map((row) => presentSession(row, { executor: row.ranOn, costUsd: row.costUsd, runs: row.runs })),
      nextCursor: next ? encodeCursor(next) : null,
    });
  })
  .get("/:id", validate("param", IdParamSchema), async (c) => {
    const { db, workspaceId } = c.var;
    const { id } = c.req.valid("param");
    const session = await findSession(db, workspaceId, id);
    if (!session) return c.json({ error: "no such session" }, 404);
    const [executions, events] = await Promise.all([listSessionExecutions(db, workspaceId, id), listSessionEvents(db, workspaceId, id)]);
    const totals = sessionTotals(executions);
    return c.json({
      session: presentSession(session, { executor: session.executor ?? executions[executions.length - 1]?.executor ?? null, costUsd: totals.costUsd, runs: totals.runs }),
      summary: summarize(session, executions, events),
      executions: executions.map(presentExecution),
      timeline: events.map(presentEvent),
    });
  })
  .get("/:id/logs", validate("param", IdParamSchema), async (c) => {
    const { db, workspaceId, log } = c.var;
    const { id } = c.req.valid("param");
    const session = await findSession(db, workspaceId, id);
    if (!session) return c.json({ error: "no such session" }, 404);
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      return c.json({ events: (await listSessionEvents(db, workspaceId, id)).map(presentEvent) });
    }
    // A reconnecting EventSource sends the id of the last event it saw; an id that is not this session's starts over.
    const lastEventId = c.req.header("last-event-id")?.trim();
    const start = lastEventId ? await findEventPosition(db, workspaceId, id, lastEventId) : null;
    if (start && ENDED_STATUSES.has(session.status) && Date.now() - (session.endedAt ?? session.updatedAt) >= LOG_STREAM.endedQuietMs) {
      // An ended session with nothing after the client's last event: 204 tells an EventSource not to reconnect again.
      const rest = await listSessionEvents(db, workspaceId, id, { after: start, limit: 1 });
      if (rest.length === 0) return c.body(null, 204);
    }
    return c.body(logStream(db, workspaceId, id, start, log), 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
  });
