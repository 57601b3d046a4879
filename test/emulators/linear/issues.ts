/**
 * Issue, comment and attachment changes with the rules Linear enforces on them.
 * Used by both the GraphQL mutations and the control API, so a test's set-up
 * goes through the same checks as the product's calls.
 */
import { invalidInput, notFound } from "./errors";
import type { AttachmentRecord, CommentRecord, IssueRecord, OrganizationRecord, WorkflowStateRecord } from "./model";
import { type LinearStore } from "./store";

export interface IssueFields {
  id?: string | null;
  title?: string | null;
  description?: string | null;
  stateId?: string | null;
  priority?: number | null;
  estimate?: number | null;
  labelIds?: string[] | null;
  projectId?: string | null;
  parentId?: string | null;
  assigneeId?: string | null;
  delegateId?: string | null;
  dueDate?: string | null;
}

function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > 4) throw invalidInput("priority must be an integer from 0 to 4");
  return priority;
}

function checkState(store: LinearStore, org: OrganizationRecord, teamId: string, stateId: string): WorkflowStateRecord {
  const state = org.states.get(stateId);
  if (!state) throw notFound("WorkflowState");
  if (state.teamId !== teamId) throw invalidInput("the workflow state belongs to another team");
  return state;
}

/** Delegation is for apps only; a person is assigned, not delegated to. */
function checkDelegate(store: LinearStore, org: OrganizationRecord, userId: string): string {
  const user = store.user(org, userId);
  if (!user.app) throw invalidInput("delegate must be an app user");
  return user.id;
}

function checkLabels(org: OrganizationRecord, teamId: string, labelIds: string[]): string[] {
  for (const id of labelIds) {
    const label = org.labels.get(id);
    if (!label) throw notFound("IssueLabel");
    if (label.teamId !== null && label.teamId !== teamId) throw invalidInput("a label belongs to another team");
  }
  return [...new Set(labelIds)];
}

function checkParent(store: LinearStore, org: OrganizationRecord, issueId: string | null, parentId: string): string {
  const parent = store.issue(org, parentId);
  for (let cursor: IssueRecord | undefined = parent; cursor; cursor = cursor.parentId ? org.issues.get(cursor.parentId) : undefined) {
    if (cursor.id === issueId) throw invalidInput("an issue cannot be its own ancestor");
  }
  return parent.id;
}

function stampStateTimes(issue: IssueRecord, state: WorkflowStateRecord, now: Date): void {
  if (state.type === "started" && !issue.startedAt) issue.startedAt = now;
  issue.completedAt = state.type === "completed" ? (issue.completedAt ?? now) : null;
  issue.canceledAt = state.type === "canceled" ? (issue.canceledAt ?? now) : null;
}

export function createIssue(store: LinearStore, org: OrganizationRecord, input: IssueFields & { teamId: string; creatorId?: string | null }): IssueRecord {
  const team = store.team(org, input.teamId);
  const title = input.title?.trim();
  if (!title) throw invalidInput("title must not be empty");
  const state = input.stateId ? checkState(store, org, team.id, input.stateId) : store.defaultState(org, team.id);
  // Every check before the id is claimed: a refused create must leave its id free for the retry.
  const fields = {
    priority: input.priority == null ? 0 : checkPriority(input.priority),
    labelIds: input.labelIds ? checkLabels(org, team.id, input.labelIds) : [],
    projectId: input.projectId ? (org.projects.get(input.projectId)?.id ?? notFoundThrow("Project")) : null,
    parentId: input.parentId ? checkParent(store, org, null, input.parentId) : null,
    assigneeId: input.assigneeId ? store.user(org, input.assigneeId).id : null,
    delegateId: input.delegateId ? checkDelegate(store, org, input.delegateId) : null,
  };
  const id = store.claimId(org, "Issue", input.id);
  const now = store.clock.now();
  team.issueCounter += 1;
  const issue: IssueRecord = {
    id,
    orgId: org.id,
    teamId: team.id,
    number: team.issueCounter,
    identifier: `${team.key}-${team.issueCounter}`,
    title,
    description: input.description ?? null,
    estimate: input.estimate ?? null,
    stateId: state.id,
    ...fields,
    creatorId: input.creatorId ?? null,
    dueDate: input.dueDate ?? null,
    sortOrder: -team.issueCounter,
    subIssueSortOrder: input.parentId ? team.issueCounter : null,
    trashed: false,
    createdAt: now,
    updatedAt: now,
    archivedAt: null,
    startedAt: null,
    completedAt: null,
    canceledAt: null,
  };
  stampStateTimes(issue, state, now);
  org.issues.set(issue.id, issue);
  return issue;
}

function notFoundThrow(entity: string): never {
  throw notFound(entity);
}

export interface IssueUpdateInput extends IssueFields {
  addedLabelIds?: string[] | null;
  removedLabelIds?: string[] | null;
  teamId?: string | null;
}

/**
 * Applies an `IssueUpdateInput`. Returns `updatedFrom`: the previous value of
 * every property that changed (`null` when it was unset), plus `updatedAt`,
 * which is what an `Issue` update webhook carries.
 */
export function updateIssue(store: LinearStore, org: OrganizationRecord, issue: IssueRecord, input: IssueUpdateInput): Record<string, unknown> {
  if (input.teamId != null && input.teamId !== issue.teamId) throw invalidInput("moving an issue to another team is not supported by the emulator");
  const next: Partial<IssueRecord> = {};
  if (input.title != null) {
    if (!input.title.trim()) throw invalidInput("title must not be empty");
    next.title = input.title;
  }
  if (input.description !== undefined) next.description = input.description;
  if (input.priority != null) next.priority = checkPriority(input.priority);
  if (input.estimate !== undefined) next.estimate = input.estimate;
  if (input.dueDate !== undefined) next.dueDate = input.dueDate;
  if (input.stateId != null) next.stateId = checkState(store, org, issue.teamId, input.stateId).id;
  if (input.projectId !== undefined) next.projectId = input.projectId ? (org.projects.get(input.projectId)?.id ?? notFoundThrow("Project")) : null;
  if (input.parentId !== undefined) next.parentId = input.parentId ? checkParent(store, org, issue.id, input.parentId) : null;
  if (input.delegateId !== undefined) next.delegateId = input.delegateId ? checkDelegate(store, org, input.delegateId) : null;
  if (input.assigneeId !== undefined) {
    const assignee = input.assigneeId ? store.user(org, input.assigneeId) : null;
    // Assigning an issue to an app delegates it instead ([AG]).
    if (assignee?.app) next.delegateId = assignee.id;
    else next.assigneeId = assignee?.id ?? null;
  }
  if (input.labelIds != null) next.labelIds = checkLabels(org, issue.teamId, input.labelIds);
  else if (input.addedLabelIds != null || input.removedLabelIds != null) {
    const removed = new Set(input.removedLabelIds ?? []);
    const added = checkLabels(org, issue.teamId, input.addedLabelIds ?? []);
    next.labelIds = [...new Set([...issue.labelIds.filter((id) => !removed.has(id)), ...added])];
  }

  const updatedFrom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next) as Array<[keyof IssueRecord, unknown]>) {
    const previous = issue[key];
    const same = Array.isArray(previous) && Array.isArray(value) ? previous.join() === value.join() : previous === value;
    if (same) continue;
    updatedFrom[key] = previous ?? null;
    (issue as unknown as Record<string, unknown>)[key] = value;
  }
  if (Object.keys(updatedFrom).length === 0) return updatedFrom;
  const now = store.clock.now();
  updatedFrom.updatedAt = issue.updatedAt.toISOString();
  issue.updatedAt = now;
  if ("stateId" in updatedFrom) stampStateTimes(issue, org.states.get(issue.stateId)!, now);
  return updatedFrom;
}

export interface CommentInput {
  id?: string | null;
  issueId: string;
  parentId?: string | null;
  body: string;
  userId: string | null;
  quotedText?: string | null;
  createAsUser?: string | null;
  displayIconUrl?: string | null;
  isArtificialAgentSessionRoot?: boolean;
}

export function createComment(store: LinearStore, org: OrganizationRecord, input: CommentInput): CommentRecord {
  const issue = store.issue(org, input.issueId);
  let parentId: string | null = null;
  if (input.parentId) {
    const parent = org.comments.get(input.parentId);
    if (!parent) throw notFound("Comment");
    if (parent.issueId !== issue.id) throw invalidInput("the parent comment is on another issue");
    // Threads are one level deep in Linear: a reply to a reply joins the thread's root.
    parentId = parent.parentId ?? parent.id;
  }
  if (!input.body.trim() && !input.isArtificialAgentSessionRoot) throw invalidInput("body must not be empty");
  const now = store.clock.now();
  const comment: CommentRecord = {
    id: store.claimId(org, "Comment", input.id),
    orgId: org.id,
    issueId: issue.id,
    parentId,
    userId: input.userId,
    body: input.body,
    quotedText: input.quotedText ?? null,
    isArtificialAgentSessionRoot: input.isArtificialAgentSessionRoot ?? false,
    createAsUser: input.createAsUser ?? null,
    displayIconUrl: input.displayIconUrl ?? null,
    createdAt: now,
    updatedAt: now,
    editedAt: null,
    archivedAt: null,
  };
  org.comments.set(comment.id, comment);
  return comment;
}

/** The comments of a thread, root first, in the order they were written. */
export function threadOf(org: OrganizationRecord, rootId: string): CommentRecord[] {
  const root = org.comments.get(rootId);
  if (!root) return [];
  const replies = [...org.comments.values()].filter((c) => c.parentId === root.id).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return [root, ...replies];
}

export interface AttachmentInput {
  id?: string | null;
  issueId: string;
  title?: string | null;
  subtitle?: string | null;
  url: string;
  iconUrl?: string | null;
  metadata?: Record<string, unknown> | null;
  sourceType?: string | null;
  groupBySource?: boolean | null;
  creatorId: string | null;
}

function checkUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme");
    return url;
  } catch {
    throw invalidInput("url must be a valid http(s) URL");
  }
}

/** Creates an attachment, or updates the one with the same `url` on the same issue, as Linear does. */
export function upsertAttachment(store: LinearStore, org: OrganizationRecord, input: AttachmentInput): { attachment: AttachmentRecord; created: boolean } {
  const issue = store.issue(org, input.issueId);
  const url = checkUrl(input.url);
  const now = store.clock.now();
  const existing = [...org.attachments.values()].find((a) => a.issueId === issue.id && a.url === url);
  if (existing) {
    if (input.title != null) existing.title = input.title;
    if (input.subtitle !== undefined) existing.subtitle = input.subtitle;
    if (input.iconUrl !== undefined) existing.iconUrl = input.iconUrl;
    if (input.metadata != null) existing.metadata = input.metadata;
    if (input.sourceType != null) existing.sourceType = input.sourceType;
    existing.updatedAt = now;
    return { attachment: existing, created: false };
  }
  const attachment: AttachmentRecord = {
    id: store.claimId(org, "Attachment", input.id),
    orgId: org.id,
    issueId: issue.id,
    title: input.title ?? url,
    subtitle: input.subtitle ?? null,
    url,
    iconUrl: input.iconUrl ?? null,
    metadata: input.metadata ?? {},
    sourceType: input.sourceType ?? null,
    groupBySource: input.groupBySource ?? false,
    creatorId: input.creatorId,
    createdAt: now,
    updatedAt: now,
  };
  org.attachments.set(attachment.id, attachment);
  return { attachment, created: true };
}

const GITHUB_PR = /^https:\/\/github\.com\/([^/]+)\/([^/]+)\/pull\/(\d+)\/?$/;

export function parseGitHubPullRequestUrl(url: string): { owner: string; repo: string; number: number } {
  const match = GITHUB_PR.exec(url);
  if (!match) throw invalidInput("url must be a GitHub pull request URL (https://github.com/<owner>/<repo>/pull/<number>)");
  return { owner: match[1]!, repo: match[2]!, number: Number(match[3]) };
}
