/**
 * The control API's `issue-trees`: a parent issue, its sub-issues and the
 * `blocks` relations between them in one call, so a test can seed the plan a
 * person would have written in Linear. Everything goes through the same rules
 * as the GraphQL mutations.
 */
import { HttpError } from "./http";
import { createIssue } from "./issues";
import type { IssueRecord, OrganizationRecord } from "./model";
import { createIssueRelation } from "./relations";
import type { LinearStore } from "./store";
import { issueView, relationView } from "./views";

export interface IssueSeed {
  title: string;
  description?: string;
  stateType?: string;
  stateName?: string;
  /** The app as delegate, set quietly (no agent session, no webhook): a seed, not a delegation. */
  delegateToApp?: boolean;
}

export interface SubIssueSeed extends IssueSeed {
  /** How other sub-issues name this one in `blockedBy`; defaults to its position ("0", "1", …). */
  key?: string;
  /** Keys of the sub-issues that block this one: each becomes a `blocks` relation from the blocker to it. */
  blockedBy?: string[];
}

export interface IssueTreeInput extends IssueSeed {
  teamKey?: string;
  subIssues: SubIssueSeed[];
}

function seed(value: unknown, at: string): IssueSeed {
  if (typeof value !== "object" || value === null) throw new HttpError(400, `${at} must be an object`);
  const v = value as Record<string, unknown>;
  if (typeof v.title !== "string" || !v.title.trim()) throw new HttpError(400, `${at}.title is required`);
  for (const key of ["description", "stateType", "stateName", "key"]) {
    if (v[key] !== undefined && typeof v[key] !== "string") throw new HttpError(400, `${at}.${key} must be a string`);
  }
  if (v.blockedBy !== undefined && (!Array.isArray(v.blockedBy) || !v.blockedBy.every((k) => typeof k === "string"))) {
    throw new HttpError(400, `${at}.blockedBy must be a list of keys`);
  }
  return v as unknown as IssueSeed;
}

export function seedIssueTree(store: LinearStore, org: OrganizationRecord, body: Record<string, unknown>) {
  const root = seed(body, "body") as IssueTreeInput;
  if (!Array.isArray(body.subIssues)) throw new HttpError(400, "subIssues must be a list");
  const subs = body.subIssues.map((s, i) => seed(s, `subIssues[${i}]`) as SubIssueSeed);
  const keys = subs.map((s, i) => s.key ?? String(i));
  if (new Set(keys).size !== keys.length) throw new HttpError(400, "sub-issue keys must be unique");
  for (const sub of subs) {
    const unknown = (sub.blockedBy ?? []).filter((k) => !keys.includes(k));
    if (unknown.length > 0) throw new HttpError(400, `blockedBy names unknown keys: ${unknown.join(", ")}`);
  }

  const team = typeof body.teamKey === "string" ? store.teamByKey(org, body.teamKey) : [...org.teams.values()][0]!;
  const make = (s: IssueSeed, parentId: string | null): IssueRecord =>
    createIssue(store, org, {
      teamId: team.id,
      title: s.title,
      description: s.description ?? null,
      stateId: s.stateType || s.stateName ? store.findState(org, team.id, { stateType: s.stateType, stateName: s.stateName }).id : undefined,
      parentId,
      delegateId: s.delegateToApp ? org.appUserId : null,
      creatorId: org.humanUserId,
    });

  const parent = make(root, null);
  const children = subs.map((s) => make(s, parent.id));
  const relations = subs.flatMap((sub, i) =>
    (sub.blockedBy ?? []).map((key) => createIssueRelation(store, org, { issueId: children[keys.indexOf(key)]!.id, relatedIssueId: children[i]!.id, type: "blocks" })),
  );
  return {
    parent: issueView(org, parent),
    subIssues: children.map((child, i) => ({ key: keys[i]!, ...issueView(org, child) })),
    relations: relations.map(relationView),
  };
}
