/**
 * A session as the API answers it and the panel shows it: the D1 mirror's
 * rows turned into plain JSON (ISO times, rounded money), and `summarize`,
 * what the timeline says about routing, the executor decision, fallbacks, the
 * result and the cost. `GET /api/sessions/:id` and the panel's session page
 * both read a session through `loadSessionDetail`, so they never disagree.
 */
import {
  findSession,
  listSessionEvents,
  listSessionExecutions,
  sessionTotals,
  type AgentSessionRow,
  type ExecutionMetricsRow,
  type TimelineEvent,
} from "../../src/db/queries/session-history";
import { roundUsd } from "../../src/db/queries/reports";
import { findParallelRun, listChildSessions } from "../../src/db/queries/parallel-runs";
import { presentParallelRun, presentParent, type PresentedParallelRun, type PresentedParent } from "./present-parallel";
import type { Db } from "../../src/db/client";
import { isEndedStatus } from "../../src/domain/session-status";

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function presentSession(row: AgentSessionRow, derived: { executor: string | null; costUsd: number; runs: number }) {
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
    /** A hybrid-parallel child's parent session; null for every other session. */
    parentSessionId: row.parentSessionId ?? null,
  };
}
export type PresentedSession = ReturnType<typeof presentSession>;

export function presentExecution(row: ExecutionMetricsRow) {
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
export type PresentedExecution = ReturnType<typeof presentExecution>;

export function presentEvent(event: TimelineEvent) {
  return { id: event.id, at: iso(event.createdAt), kind: event.kind, summary: event.summary, data: event.data };
}
export type PresentedEvent = ReturnType<typeof presentEvent>;

/** The executor decisions an IssueSession records: `session.decision` (the orchestrator), and the kinds it wrote before it. */
const DECISION_KINDS = new Set(["session.decision", "session.executor", "session.no_executor"]);
/** Events that end a session's work: a run's end, a refused budget, no executor. */
const ENDING = (e: TimelineEvent) =>
  /\.(succeeded|failed|stopped|timed_out)$/.test(e.kind) || e.kind === "budget.refused" || e.kind === "session.no_executor" || (e.kind === "session.decision" && e.data?.executor === null);

const sumReported = (values: (number | null)[]): number | null => (values.some((v) => v !== null) ? values.reduce<number>((sum, v) => sum + (v ?? 0), 0) : null);
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" ? value : null);

/**
 * What the timeline says about the session, as far as it records it: where it
 * was routed, which executor was chosen and why (with the analysis and the
 * estimate the orchestrator recorded), every fallback (a `session.fallback`
 * event, or in older timelines a later decision for another executor), what
 * happened how often, how it ended, and what its runs cost and used.
 */
export function summarize(session: AgentSessionRow, executions: ExecutionMetricsRow[], events: TimelineEvent[]) {
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
      ended: isEndedStatus(session.status),
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
    /** Over the runs that reported them; null when none did (Codegen reports no tokens). */
    tokens: {
      input: sumReported(executions.map((run) => run.inputTokens)),
      output: sumReported(executions.map((run) => run.outputTokens)),
    },
  };
}
export type SessionSummary = ReturnType<typeof summarize>;

export interface SessionDetail {
  session: PresentedSession;
  summary: SessionSummary;
  executions: PresentedExecution[];
  timeline: PresentedEvent[];
  /** A hybrid-parallel parent's plan, validation and figures; null for every other session. */
  parallel: PresentedParallelRun | null;
  /** A hybrid-parallel child's parent, when the mirror has it. */
  parent: PresentedParent | null;
}

/** One session of the workspace with its runs, its timeline and its summary; null when the workspace has no such session. */
export async function loadSessionDetail(db: Db, workspaceId: string, id: string): Promise<SessionDetail | null> {
  const session = await findSession(db, workspaceId, id);
  if (!session) return null;
  // The children are read with the run, not after it: one round trip for every session, a wasted indexed lookup for most.
  const [executions, events, run, children, parent] = await Promise.all([
    listSessionExecutions(db, workspaceId, id),
    listSessionEvents(db, workspaceId, id),
    findParallelRun(db, workspaceId, id),
    listChildSessions(db, workspaceId, id),
    session.parentSessionId ? findSession(db, workspaceId, session.parentSessionId) : undefined,
  ]);
  const totals = sessionTotals(executions);
  return {
    session: presentSession(session, { executor: session.executor ?? executions[executions.length - 1]?.executor ?? null, costUsd: totals.costUsd, runs: totals.runs }),
    summary: summarize(session, executions, events),
    executions: executions.map(presentExecution),
    timeline: events.map(presentEvent),
    parallel: run ? presentParallelRun(run, children) : null,
    parent: parent ? presentParent(parent) : null,
  };
}
