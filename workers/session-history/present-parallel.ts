/**
 * A hybrid-parallel run as `GET /api/sessions/:id` answers it (`parallel`) and
 * the panel draws it: the parent's plan from the D1 mirror (each sub-task's
 * status, attempts, reason, times and pull requests), the validation step and
 * the figures, with each sub-task joined to its child's own agent session
 * when the mirror has it (so the panel links only to pages that exist).
 */
import type { Db } from "../../src/db/client";
import { findParallelRun, listChildSessions, type ChildSessionRow, type ParallelRunRecord } from "../../src/db/queries/parallel-runs";
import type { ParallelFiguresRecord, ParallelRunItem, ParallelValidation } from "../../src/db/schema";

const iso = (ms: number | null | undefined): string | null => (typeof ms === "number" ? new Date(ms).toISOString() : null);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The child session a sub-task ran as: the one it names, else the newest delegated for its issue. */
function childOf(item: ParallelRunItem, children: readonly ChildSessionRow[]): ChildSessionRow | null {
  if (item.agentSessionId) return children.find((child) => child.id === item.agentSessionId) ?? null;
  if (!item.issueId) return null;
  return children.findLast((child) => child.issueId === item.issueId) ?? null;
}

export function presentParallelItem(item: ParallelRunItem, children: readonly ChildSessionRow[], criticalPath: ReadonlySet<string>) {
  const child = childOf(item, children);
  const startedAt = typeof item.startedAt === "number" ? item.startedAt : null;
  const endedAt = typeof item.endedAt === "number" ? item.endedAt : null;
  return {
    key: item.key,
    title: item.title,
    issueId: item.issueId ?? null,
    identifier: item.identifier ?? null,
    dependsOn: strings(item.dependsOn),
    status: item.status,
    attempts: item.attempts ?? 0,
    reason: item.reason ?? null,
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    /** From the child's first start to its end; null until it ended. */
    durationMs: startedAt !== null && endedAt !== null ? Math.max(0, endedAt - startedAt) : null,
    agentSessionId: item.agentSessionId ?? child?.id ?? null,
    /** The child's own session as the mirror has it (null until it is there). */
    session: child ? { id: child.id, status: child.status, executor: child.executor } : null,
    pullRequests: strings(item.pullRequests),
    onCriticalPath: criticalPath.has(item.key),
  };
}
export type PresentedParallelItem = ReturnType<typeof presentParallelItem>;

export interface PresentedParallelRun {
  status: string;
  source: string;
  items: PresentedParallelItem[];
  validation: ParallelValidation | null;
  figures: ParallelFiguresRecord | null;
  createdAt: string | null;
  updatedAt: string | null;
  endedAt: string | null;
}

export function presentParallelRun(run: ParallelRunRecord, children: readonly ChildSessionRow[]): PresentedParallelRun {
  const criticalPath = new Set(strings(run.figures?.criticalPath));
  return {
    status: run.status,
    source: run.source,
    items: (Array.isArray(run.items) ? run.items : []).map((item) => presentParallelItem(item, children, criticalPath)),
    validation: run.validation ?? null,
    figures: run.figures ?? null,
    createdAt: iso(run.createdAt),
    updatedAt: iso(run.updatedAt),
    endedAt: iso(run.endedAt),
  };
}

/** A child's parent, as the child's page names and links it. */
export function presentParent(parent: { id: string; issueIdentifier: string | null; issueTitle: string | null; status: string }) {
  return { id: parent.id, issueIdentifier: parent.issueIdentifier, issueTitle: parent.issueTitle, status: parent.status };
}
export type PresentedParent = ReturnType<typeof presentParent>;

/** A parent's run as the API shows it, for a view that needs only the plan (the panel's live plan); null for any other session. */
export async function loadParallelRun(db: Db, workspaceId: string, sessionId: string): Promise<PresentedParallelRun | null> {
  const [run, children] = await Promise.all([findParallelRun(db, workspaceId, sessionId), listChildSessions(db, workspaceId, sessionId)]);
  return run ? presentParallelRun(run, children) : null;
}
