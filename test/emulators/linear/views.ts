/**
 * Store records turned into plain JSON: the control API's views and the `data`
 * of webhook payloads (shaped like Linear's `*WebhookPayload` types).
 */
import { threadRoot } from "./agent-sessions";
import { threadOf } from "./issues";
import { relationsFrom, relationsTo } from "./relations";
import type { AgentActivityRecord, AgentSessionRecord, AttachmentRecord, CommentRecord, IssueRecord, IssueRelationRecord, OrganizationRecord, TeamRecord, UserRecord } from "./model";
import type { PromptContextComment, PromptContextInput, WebhookComment, WebhookGuidance, WebhookIssue, WebhookTeam, WebhookUser } from "./payloads";
import { PRIORITY_LABELS, branchName, issueUrl, projectUrl, userUrl } from "./store";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function teamChild(team: TeamRecord): WebhookTeam {
  return { id: team.id, key: team.key, name: team.name };
}

export function userChild(org: OrganizationRecord, user: UserRecord): WebhookUser {
  return { id: user.id, name: user.name, email: user.email, avatarUrl: user.avatarUrl, url: userUrl(org, user) };
}

function userById(org: OrganizationRecord, id: string | null): WebhookUser | null {
  const user = id ? org.users.get(id) : undefined;
  return user ? userChild(org, user) : null;
}

export function issueChild(org: OrganizationRecord, issue: IssueRecord): WebhookIssue {
  return {
    id: issue.id,
    identifier: issue.identifier,
    title: issue.title,
    description: issue.description,
    url: issueUrl(org, issue),
    team: teamChild(org.teams.get(issue.teamId)!),
  };
}

export function commentChild(comment: CommentRecord): WebhookComment {
  return { id: comment.id, body: comment.body, userId: comment.userId, issueId: comment.issueId };
}

export function commentUrl(org: OrganizationRecord, comment: CommentRecord): string {
  const issue = org.issues.get(comment.issueId)!;
  return `${issueUrl(org, issue)}#comment-${comment.id.slice(0, 8)}`;
}

/** The control API's view of an issue: everything a test asserts on, relations resolved. */
export function issueView(org: OrganizationRecord, issue: IssueRecord) {
  const team = org.teams.get(issue.teamId)!;
  const state = org.states.get(issue.stateId)!;
  const project = issue.projectId ? org.projects.get(issue.projectId) : undefined;
  const parent = issue.parentId ? org.issues.get(issue.parentId) : undefined;
  return {
    id: issue.id,
    identifier: issue.identifier,
    number: issue.number,
    title: issue.title,
    description: issue.description,
    url: issueUrl(org, issue),
    branchName: branchName(org, issue),
    priority: issue.priority,
    priorityLabel: PRIORITY_LABELS[issue.priority] ?? "No priority",
    estimate: issue.estimate,
    team: teamChild(team),
    state: { id: state.id, name: state.name, type: state.type, position: state.position, color: state.color },
    labels: issue.labelIds.map((id) => org.labels.get(id)!).map((l) => ({ id: l.id, name: l.name, color: l.color })),
    project: project ? { id: project.id, name: project.name, slugId: project.slugId, url: projectUrl(org, project) } : null,
    parent: parent ? { id: parent.id, identifier: parent.identifier } : null,
    children: [...org.issues.values()].filter((i) => i.parentId === issue.id).map((i) => ({ id: i.id, identifier: i.identifier })),
    relations: relationsFrom(org, issue.id).filter((r) => !r.archivedAt).map(relationView),
    inverseRelations: relationsTo(org, issue.id).filter((r) => !r.archivedAt).map(relationView),
    delegate: userById(org, issue.delegateId),
    assignee: userById(org, issue.assigneeId),
    createdAt: iso(issue.createdAt),
    updatedAt: iso(issue.updatedAt),
    startedAt: iso(issue.startedAt),
    completedAt: iso(issue.completedAt),
    canceledAt: iso(issue.canceledAt),
  };
}

export function relationView(relation: IssueRelationRecord) {
  return { id: relation.id, type: relation.type, issueId: relation.issueId, relatedIssueId: relation.relatedIssueId, createdAt: iso(relation.createdAt), archivedAt: iso(relation.archivedAt) };
}

export function commentView(org: OrganizationRecord, comment: CommentRecord) {
  return {
    id: comment.id,
    issueId: comment.issueId,
    parentId: comment.parentId,
    userId: comment.userId,
    body: comment.body,
    isArtificialAgentSessionRoot: comment.isArtificialAgentSessionRoot,
    url: commentUrl(org, comment),
    createdAt: iso(comment.createdAt),
  };
}

export function attachmentView(attachment: AttachmentRecord) {
  return {
    id: attachment.id,
    issueId: attachment.issueId,
    title: attachment.title,
    subtitle: attachment.subtitle,
    url: attachment.url,
    iconUrl: attachment.iconUrl,
    metadata: attachment.metadata,
    sourceType: attachment.sourceType,
    createdAt: iso(attachment.createdAt),
    updatedAt: iso(attachment.updatedAt),
  };
}

export function activityView(activity: AgentActivityRecord) {
  return {
    id: activity.id,
    agentSessionId: activity.agentSessionId,
    content: activity.content,
    ephemeral: activity.ephemeral,
    signal: activity.signal,
    userId: activity.userId,
    sourceCommentId: activity.sourceCommentId,
    commentId: activity.commentId,
    createdAt: iso(activity.createdAt),
    archivedAt: iso(activity.archivedAt),
  };
}

export function sessionView(org: OrganizationRecord, session: AgentSessionRecord) {
  return {
    id: session.id,
    status: session.status,
    issueId: session.issueId,
    commentId: session.commentId,
    creatorId: session.creatorId,
    appUserId: session.appUserId,
    externalUrls: session.externalUrls,
    externalLink: session.externalLink,
    plan: session.plan,
    summary: session.summary,
    createdAt: iso(session.createdAt),
    updatedAt: iso(session.updatedAt),
    startedAt: iso(session.startedAt),
    endedAt: iso(session.endedAt),
    activities: session.activityIds.map((id) => activityView(org.activities.get(id)!)),
  };
}

/** `GET /_emulator/organizations/:id/state`. */
export function organizationState(org: OrganizationRecord) {
  return {
    organization: { id: org.id, name: org.name, urlKey: org.urlKey, appUserId: org.appUserId, userId: org.humanUserId },
    teams: [...org.teams.values()].map((team) => ({
      ...teamChild(team),
      states: [...org.states.values()].filter((s) => s.teamId === team.id).map((s) => ({ id: s.id, name: s.name, type: s.type, position: s.position, color: s.color })),
    })),
    users: [...org.users.values()].map((u) => ({ ...userChild(org, u), app: u.app, admin: u.admin })),
    labels: [...org.labels.values()].map((l) => ({ id: l.id, name: l.name, color: l.color, teamId: l.teamId })),
    projects: [...org.projects.values()].map((p) => ({ id: p.id, name: p.name, slugId: p.slugId, url: projectUrl(org, p) })),
    issues: [...org.issues.values()].map((i) => issueView(org, i)),
    issueRelations: [...org.relations.values()].map(relationView),
    agentSessions: [...org.sessions.values()].map((s) => sessionView(org, s)),
    comments: [...org.comments.values()].map((c) => commentView(org, c)),
    attachments: [...org.attachments.values()].map(attachmentView),
  };
}

/** `data` of an `Issue` webhook: Linear's `IssueWebhookPayload`. */
export function issueWebhookData(org: OrganizationRecord, issue: IssueRecord): Record<string, unknown> {
  const view = issueView(org, issue);
  const state = org.states.get(issue.stateId)!;
  const project = issue.projectId ? org.projects.get(issue.projectId) : undefined;
  return {
    id: issue.id,
    identifier: issue.identifier,
    number: issue.number,
    title: issue.title,
    description: issue.description,
    url: view.url,
    teamId: issue.teamId,
    team: view.team,
    stateId: state.id,
    state: { id: state.id, name: state.name, type: state.type, color: state.color },
    assigneeId: issue.assigneeId,
    assignee: view.assignee,
    delegateId: issue.delegateId,
    delegate: view.delegate,
    creatorId: issue.creatorId,
    parentId: issue.parentId,
    projectId: issue.projectId,
    project: project ? { id: project.id, name: project.name, url: projectUrl(org, project) } : null,
    labelIds: issue.labelIds,
    labels: issue.labelIds.map((id) => org.labels.get(id)!).map((l) => ({ id: l.id, name: l.name, color: l.color, parentId: l.parentId })),
    priority: issue.priority,
    priorityLabel: view.priorityLabel,
    prioritySortOrder: 0,
    sortOrder: issue.sortOrder,
    estimate: issue.estimate,
    dueDate: issue.dueDate,
    previousIdentifiers: [],
    subscriberIds: [issue.creatorId, issue.assigneeId].filter((id): id is string => id !== null),
    reactionData: [],
    releases: [],
    botActor: null,
    trashed: issue.trashed || null,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    archivedAt: iso(issue.archivedAt),
    startedAt: view.startedAt,
    completedAt: view.completedAt,
    canceledAt: view.canceledAt,
  };
}

/** `data` of a `Comment` webhook: Linear's `CommentWebhookPayload`. */
export function commentWebhookData(org: OrganizationRecord, comment: CommentRecord): Record<string, unknown> {
  const issue = org.issues.get(comment.issueId)!;
  const parent = comment.parentId ? org.comments.get(comment.parentId) : undefined;
  const child = issueChild(org, issue);
  return {
    id: comment.id,
    createdAt: iso(comment.createdAt),
    updatedAt: iso(comment.updatedAt),
    archivedAt: null,
    editedAt: iso(comment.editedAt),
    body: comment.body,
    issueId: issue.id,
    issue: { id: child.id, identifier: child.identifier, title: child.title, url: child.url, teamId: issue.teamId, team: child.team },
    parentId: comment.parentId,
    parent: parent ? commentChild(parent) : null,
    userId: comment.userId,
    user: userById(org, comment.userId),
    botActor: null,
    reactionData: [],
    quotedText: comment.quotedText,
  };
}

export function guidanceFor(org: OrganizationRecord, teamId: string | null): WebhookGuidance[] {
  return org.guidance
    .filter((rule) => rule.teamId === null || rule.teamId === teamId)
    .map((rule) => ({ body: rule.body, team: rule.teamId ? teamChild(org.teams.get(rule.teamId)!) : null }));
}

function contextComment(org: OrganizationRecord, comment: CommentRecord): PromptContextComment {
  const author = comment.userId ? org.users.get(comment.userId) : undefined;
  return { id: comment.id, body: comment.body, authorName: author?.name ?? "Unknown", createdAt: comment.createdAt.toISOString() };
}

function contextThread(org: OrganizationRecord, root: CommentRecord): PromptContextComment {
  const [first, ...replies] = threadOf(org, root.id).filter((c) => !c.isArtificialAgentSessionRoot || c.body);
  if (!first) return { ...contextComment(org, root), replies: [] };
  return { ...contextComment(org, first), replies: replies.map((c) => contextComment(org, c)) };
}

/** What `promptContext` is rendered from for a session on an issue. */
export function promptContextInput(org: OrganizationRecord, session: AgentSessionRecord, issue: IssueRecord): PromptContextInput {
  const root = threadRoot(org, session);
  const parent = issue.parentId ? org.issues.get(issue.parentId) : undefined;
  const project = issue.projectId ? org.projects.get(issue.projectId) : undefined;
  const otherRoots = [...org.comments.values()].filter(
    (c) => c.issueId === issue.id && c.parentId === null && c.id !== root?.id && !c.isArtificialAgentSessionRoot,
  );
  return {
    issue: issueChild(org, issue),
    labels: issue.labelIds.map((id) => org.labels.get(id)!.name),
    parent: parent ? { identifier: parent.identifier, title: parent.title, description: parent.description } : null,
    project: project ? { name: project.name, description: project.description } : null,
    primaryThread: root && !root.isArtificialAgentSessionRoot ? contextThread(org, root) : null,
    otherThreads: otherRoots.map((c) => contextThread(org, c)),
    guidance: guidanceFor(org, issue.teamId),
  };
}
