/**
 * What hybrid-parallel means for a delegated issue, decided when it is
 * prepared: nothing (another strategy, or a sub-issue, which never splits
 * again), the plan its existing sub-issues make, or a planning task first.
 */
import type { IssueAncestry } from "./caps";
import { depthRole, MAX_SUBTASKS } from "./caps";
import type { PlanDecision } from "./plan";
import { planFromSubIssues, type SubIssue } from "./plan-from-sub-issues";

export type ParallelIntent = { kind: "plan"; decision: PlanDecision } | { kind: "needs-planner" };

export interface ParallelIntentInput {
  strategy: string;
  issue: IssueAncestry;
  subIssues: SubIssue[];
  /** Linear has more sub-issues than the read returned. */
  moreSubIssues: boolean;
}

export function parallelIntent(input: ParallelIntentInput): ParallelIntent | null {
  if (input.strategy !== "hybrid-parallel" || depthRole(input.issue) !== "root") return null;
  if (input.moreSubIssues) {
    return { kind: "plan", decision: { kind: "invalid", problems: [`the issue has more than ${MAX_SUBTASKS} sub-issues; a parallel run takes at most ${MAX_SUBTASKS}`], notes: [] } };
  }
  if (input.subIssues.length > 0) return { kind: "plan", decision: planFromSubIssues(input.subIssues) };
  return { kind: "needs-planner" };
}

/** Linear's sub-issues as read by the edge (ids of `blocks` edges already flattened) in the plan builder's shape. */
export function subIssuesFromRefs(
  refs: readonly { id: string; identifier: string; title: string; description: string | null; stateType: string | null; blocks: string[]; blockedBy: string[] }[],
): SubIssue[] {
  return refs.map((ref, index) => ({
    id: ref.id,
    identifier: ref.identifier,
    title: ref.title,
    description: ref.description,
    subIssueSortOrder: index,
    state: ref.stateType ? { type: ref.stateType } : null,
    relations: { nodes: ref.blocks.map((to) => ({ id: `${ref.id}>${to}`, type: "blocks", issue: { id: ref.id, identifier: ref.identifier }, relatedIssue: { id: to } })) },
    inverseRelations: { nodes: ref.blockedBy.map((from) => ({ id: `${from}>${ref.id}`, type: "blocks", issue: { id: from }, relatedIssue: { id: ref.id, identifier: ref.identifier } })) },
  }));
}
