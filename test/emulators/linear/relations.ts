/**
 * Issue relations (`blocks`, `duplicate`, `related`, `similar`) with the rules
 * the emulator enforces on them. A relation is directed: `issue` blocks
 * `relatedIssue`, so it is in the first issue's `relations` and in the
 * second's `inverseRelations`. Used by `issueRelationCreate` and the control API.
 */
import { alreadyExists, invalidInput, notFound } from "./errors";
import type { IssueRelationRecord, IssueRelationType, OrganizationRecord } from "./model";
import type { LinearStore } from "./store";

export const RELATION_TYPES: readonly IssueRelationType[] = ["blocks", "duplicate", "related", "similar"];

export interface RelationInput {
  id?: string | null;
  /** UUID or identifier (`ENG-12`), as Linear accepts. */
  issueId: string;
  relatedIssueId: string;
  type: string;
}

export function createIssueRelation(store: LinearStore, org: OrganizationRecord, input: RelationInput): IssueRelationRecord {
  if (!RELATION_TYPES.includes(input.type as IssueRelationType)) throw invalidInput(`type must be one of ${RELATION_TYPES.join(", ")}`);
  const issue = store.issue(org, input.issueId);
  const related = store.issue(org, input.relatedIssueId);
  if (issue.id === related.id) throw invalidInput("an issue cannot be related to itself");
  // A replay of our own create (same id) is told it already exists before anything else.
  if (input.id && store.ownerOf(input.id.toLowerCase())) throw alreadyExists("IssueRelation", input.id.toLowerCase());
  // Unverified against Linear: a second relation of the same kind between the same two issues is refused.
  const twin = [...org.relations.values()].find((r) => !r.archivedAt && r.type === input.type && r.issueId === issue.id && r.relatedIssueId === related.id);
  if (twin) throw invalidInput(`${issue.identifier} already ${input.type} ${related.identifier}`);
  const now = store.clock.now();
  const relation: IssueRelationRecord = {
    id: store.claimId(org, "IssueRelation", input.id),
    orgId: org.id,
    issueId: issue.id,
    relatedIssueId: related.id,
    type: input.type as IssueRelationType,
    createdAt: now,
    updatedAt: now,
    archivedAt: null,
  };
  org.relations.set(relation.id, relation);
  return relation;
}

export function issueRelation(org: OrganizationRecord, id: string): IssueRelationRecord {
  const relation = org.relations.get(id.toLowerCase());
  if (!relation || relation.archivedAt) throw notFound("IssueRelation");
  return relation;
}

/** `issueRelationDelete`: the relation is gone from both issues (kept archived, as Linear keeps deleted entities). */
export function deleteIssueRelation(store: LinearStore, org: OrganizationRecord, id: string): IssueRelationRecord {
  const relation = issueRelation(org, id);
  relation.archivedAt = store.clock.now();
  relation.updatedAt = relation.archivedAt;
  return relation;
}

/** Relations that start at the issue (`Issue.relations`). */
export function relationsFrom(org: OrganizationRecord, issueId: string): IssueRelationRecord[] {
  return [...org.relations.values()].filter((r) => r.issueId === issueId);
}

/** Relations that point at the issue (`Issue.inverseRelations`): what blocks it, among others. */
export function relationsTo(org: OrganizationRecord, issueId: string): IssueRelationRecord[] {
  return [...org.relations.values()].filter((r) => r.relatedIssueId === issueId);
}
