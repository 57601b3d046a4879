/**
 * The plan when the delegated issue already has sub-issues in Linear: each
 * sub-issue is a sub-task, and Linear's `blocks` relations between them are
 * the dependencies. An `IssueRelation` reads "`issue` blocks `relatedIssue`";
 * a child sees the same relation in its own `relations` (it blocks) and in the
 * other's `inverseRelations` (it is blocked), so both lists are read and
 * deduplicated. Relations that reach outside the plan, and sub-issues already
 * canceled in Linear, are left out with a note rather than failing the plan.
 */
import { z } from "zod";
import type { PlanDecision, PlanItem } from "./plan";
import { decidePlan } from "./plan-decision";

const RelatedIssueSchema = z.object({ id: z.string(), identifier: z.string().nullish() });

/** One `IssueRelation` as read from Linear's GraphQL. */
export const IssueRelationSchema = z.object({
  id: z.string(),
  /** `blocks`, `duplicate`, `related` or `similar`; only `blocks` orders work. */
  type: z.string(),
  issue: RelatedIssueSchema,
  relatedIssue: RelatedIssueSchema,
});
export type IssueRelation = z.infer<typeof IssueRelationSchema>;

const RelationsSchema = z.object({ nodes: z.array(IssueRelationSchema) });

/** One of the parent's `children`, read with its state and both relation lists. */
export const SubIssueSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  subIssueSortOrder: z.number().nullish(),
  state: z.object({ type: z.string() }).nullish(),
  relations: RelationsSchema.nullish(),
  inverseRelations: RelationsSchema.nullish(),
});
export type SubIssue = z.infer<typeof SubIssueSchema>;

/** Workflow state types of a sub-issue that will never be worked on. */
const LEFT_OUT_STATES = new Set(["canceled", "duplicate"]);

export function planFromSubIssues(children: readonly SubIssue[]): PlanDecision {
  const notes: string[] = [];
  const names = new Map<string, string>();
  for (const child of children) names.set(child.id, child.identifier);
  for (const relation of allRelations(children)) {
    for (const end of [relation.issue, relation.relatedIssue]) {
      if (end.identifier && !names.has(end.id)) names.set(end.id, end.identifier);
    }
  }
  const nameOf = (id: string) => names.get(id) ?? id;

  const ordered = children
    .map((child, index) => ({ child, index }))
    .sort((a, b) => sortKey(a.child) - sortKey(b.child) || a.index - b.index)
    .map(({ child }) => child);

  const leftOut = new Set<string>();
  const items = new Map<string, PlanItem>();
  for (const child of ordered) {
    const stateType = child.state?.type ?? null;
    if (stateType !== null && LEFT_OUT_STATES.has(stateType)) {
      leftOut.add(child.id);
      notes.push(`${child.identifier} is ${stateType} in Linear and is left out of the plan`);
      continue;
    }
    items.set(child.id, {
      key: child.id,
      title: child.title,
      description: child.description ?? "",
      acceptanceCriteria: [],
      dependsOn: [],
      issueId: child.id,
      identifier: child.identifier,
      completedInLinear: stateType === "completed",
    });
  }

  const seen = new Set<string>();
  for (const relation of allRelations(children)) {
    if (relation.type !== "blocks") continue;
    const blocker = relation.issue.id;
    const blocked = relation.relatedIssue.id;
    const pair = `${blocker}\u0000${blocked}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    const outside = [blocker, blocked].find((id) => !items.has(id));
    if (outside !== undefined) {
      const why = leftOut.has(outside) ? "is left out of the plan" : "is not a sub-issue of this issue";
      notes.push(`ignored "${nameOf(blocker)} blocks ${nameOf(blocked)}": ${nameOf(outside)} ${why}`);
      continue;
    }
    items.get(blocked)?.dependsOn.push(blocker);
  }

  return decidePlan("sub-issues", [...items.values()], notes);
}

function allRelations(children: readonly SubIssue[]): IssueRelation[] {
  return children.flatMap((child) => [...(child.relations?.nodes ?? []), ...(child.inverseRelations?.nodes ?? [])]);
}

/** Linear's manual order of sub-issues; those without one come last, in the order read. */
function sortKey(child: SubIssue): number {
  return child.subIssueSortOrder ?? Number.POSITIVE_INFINITY;
}
