/**
 * The one rule that turns a list of sub-tasks into a decision, shared by both
 * ways of making a plan: a plan that cannot run is `invalid` (every problem
 * named); a declined split, no sub-task or a single one runs the issue as
 * hybrid-smart would (`single`, with the sentence the parent posts); anything
 * else runs in parallel.
 */
import type { PlanDecision, PlanItem, PlanSource } from "./plan";
import { planGraphProblems } from "./plan-graph";

export const SINGLE_TASK_SUFFIX = "so the issue runs as one task, as hybrid-smart would";

export function decidePlan(
  source: PlanSource,
  items: PlanItem[],
  notes: string[] = [],
  declinedBecause: string | null = null,
): PlanDecision {
  if (declinedBecause !== null) {
    const why = declinedBecause.trim();
    return { kind: "single", reason: `The planner declined to split this issue${why ? ` (${why})` : ""}, ${SINGLE_TASK_SUFFIX}.`, notes };
  }
  const problems = planGraphProblems(items);
  if (problems.length > 0) return { kind: "invalid", problems, notes };
  if (items.length === 0) {
    const what = source === "proposal" ? "The planner proposed no sub-tasks" : "The issue has no sub-issues to run";
    return { kind: "single", reason: `${what}, ${SINGLE_TASK_SUFFIX}.`, notes };
  }
  if (items.length === 1) {
    return { kind: "single", reason: `The plan has a single sub-task, ${SINGLE_TASK_SUFFIX}.`, notes };
  }
  return { kind: "parallel", plan: { source, items }, notes };
}
