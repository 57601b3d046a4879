/**
 * The issue as the edge reads it from Linear (`LinearApi.issueDetails`), and
 * as an IssueSession stores it in `meta.issue` (src/domain/issue-snapshot.ts).
 * Fields added after snapshots were first stored are optional, so an older
 * snapshot still parses.
 */
import { z } from "zod";

export const WorkflowStateSchema = z.object({ id: z.string(), name: z.string(), type: z.string(), position: z.number() });
export type WorkflowState = z.infer<typeof WorkflowStateSchema>;

const IssueStateSchema = WorkflowStateSchema.pick({ id: true, name: true, type: true });

/** A relation from the issue: it `blocks` (duplicates, relates to) `relatedIssue`. `type` is a free string in Linear's schema. */
const RelationSchema = z.object({ type: z.string(), relatedIssue: z.object({ id: z.string() }) });
/** A relation to the issue: `issue` blocks (duplicates, relates to) it. */
const InverseRelationSchema = z.object({ type: z.string(), issue: z.object({ id: z.string() }) });

export const ChildIssueSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  title: z.string().optional(),
  description: z.string().nullish(),
  state: IssueStateSchema.nullish(),
  delegate: z.object({ id: z.string() }).nullish(),
  relations: z.object({ nodes: z.array(RelationSchema) }).optional(),
  inverseRelations: z.object({ nodes: z.array(InverseRelationSchema) }).optional(),
});
export type ChildIssue = z.infer<typeof ChildIssueSchema>;

export const IssueDetailsSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  url: z.string().nullish(),
  priority: z.number().nullish(),
  estimate: z.number().nullish(),
  team: z.object({
    id: z.string(),
    key: z.string(),
    name: z.string().nullish(),
    states: z.object({ nodes: z.array(WorkflowStateSchema) }),
  }),
  state: IssueStateSchema.nullish(),
  labels: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string() })) }),
  project: z.object({ id: z.string(), name: z.string(), slugId: z.string().nullish() }).nullish(),
  delegate: z.object({ id: z.string() }).nullish(),
  /** The parent's own parent tells how deep the issue sits (hybrid-parallel runs one level deep). */
  parent: z.object({ id: z.string(), identifier: z.string(), parent: z.object({ id: z.string() }).nullish() }).nullish(),
  children: z.object({
    nodes: z.array(ChildIssueSchema),
    /** `hasNextPage`: the issue has more sub-issues than the read asked for. */
    pageInfo: z.object({ hasNextPage: z.boolean() }).optional(),
  }),
});
export type IssueDetails = z.infer<typeof IssueDetailsSchema>;

/** A sub-issue with its `blocks` relations flattened to ids: what a plan is built from. */
export interface SubIssueRef {
  id: string;
  identifier: string;
  title: string;
  description: string | null;
  stateType: string | null;
  delegateId: string | null;
  /** Issues this one blocks. */
  blocks: string[];
  /** Issues that block this one (siblings or not). */
  blockedBy: string[];
}

/**
 * The issue's sub-issues as plan material: `blocks` relations only, read from
 * both ends and deduplicated (a relation between two siblings appears in the
 * blocker's `relations` and in the blocked one's `inverseRelations`).
 */
export function subIssueRefs(issue: Pick<IssueDetails, "children">): SubIssueRef[] {
  const edges = new Set<string>();
  for (const child of issue.children.nodes) {
    for (const r of child.relations?.nodes ?? []) if (r.type === "blocks") edges.add(`${child.id} ${r.relatedIssue.id}`);
    for (const r of child.inverseRelations?.nodes ?? []) if (r.type === "blocks") edges.add(`${r.issue.id} ${child.id}`);
  }
  const pairs = [...edges].map((e) => e.split(" ") as [string, string]);
  return issue.children.nodes.map((child) => ({
    id: child.id,
    identifier: child.identifier,
    title: child.title ?? child.identifier,
    description: child.description ?? null,
    stateType: child.state?.type ?? null,
    delegateId: child.delegate?.id ?? null,
    blocks: pairs.filter(([from]) => from === child.id).map(([, to]) => to),
    blockedBy: pairs.filter(([, to]) => to === child.id).map(([from]) => from),
  }));
}
