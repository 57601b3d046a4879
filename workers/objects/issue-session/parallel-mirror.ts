/**
 * A parallel parent's run as the D1 mirror keeps it (`parallel_runs`): the
 * plan with each child's state and links, the validation, and the figures
 * (src/domain/parallel/figures.ts) — what the API and the panel read.
 */
import type { ParallelFacts } from "../../../src/domain/session";
import { childRuns, parentFigures } from "../../../src/domain/parallel/figures";
import type { ParallelRunRow } from "../../../src/db/queries/parallel-runs";

export function parallelRunRow(agentSessionId: string, workspaceId: string, run: ParallelFacts, now: number): ParallelRunRow {
  const items = run.plan?.items ?? [];
  const children = new Map(run.children.map((child) => [child.key, child]));
  const ended = run.endedAt !== null;
  return {
    sessionId: agentSessionId,
    workspaceId,
    status: run.status,
    source: run.plan?.source ?? "proposal",
    items: items.map((item) => {
      const child = children.get(item.key);
      const link = run.links[item.key];
      return {
        key: item.key,
        title: item.title,
        issueId: item.issueId,
        identifier: item.identifier,
        dependsOn: item.dependsOn,
        status: child?.status ?? "pending",
        attempts: child?.attempts ?? 0,
        reason: child?.reason ?? null,
        startedAt: child?.startedAt ?? null,
        endedAt: child?.endedAt ?? null,
        agentSessionId: link?.agentSessionId ?? null,
        pullRequests: link?.pullRequests ?? [],
      };
    }),
    validation: run.validation ? { status: run.validation.status, verdict: run.validation.verdict } : null,
    figures: items.length ? parentFigures(items, childRuns(run.children), { startedAt: run.startedAt, endedAt: ended ? run.endedAt! : now }) : null,
    createdAt: run.startedAt,
    updatedAt: now,
    endedAt: run.endedAt,
  };
}
