/**
 * GraphQL resolvers: root queries and mutations translate arguments into store
 * operations; type resolvers turn id relations into objects and fill the
 * fields Linear always returns. Every query is scoped to the token's
 * organization: another workspace's ids are simply "not found".
 */
import type { GraphQLFieldResolver } from "graphql";
import { type StartSessionResult, createAgentActivity, session as findSession, startAgentSession, updateAgentSession } from "./agent-sessions";
import { type PageArgs, connection } from "./connections";
import type { Emulator } from "./emulator";
import { forbidden, invalidInput, notFound } from "./errors";
import { agentSessionCreatedEvent, commentCreateEvent } from "./events";
import { type FilterContext, type FilterEntity, matches } from "./filters";
import { createComment, createIssue, parseGitHubPullRequestUrl, updateIssue, upsertAttachment } from "./issues";
import { createIssueRelation, deleteIssueRelation, issueRelation, relationsFrom, relationsTo } from "./relations";
import type {
  ActivityContent,
  AgentActivityRecord,
  AgentSessionRecord,
  AttachmentRecord,
  CommentRecord,
  IssueRecord,
  IssueRelationRecord,
  LabelRecord,
  OrganizationRecord,
  ProjectRecord,
  TeamRecord,
  UserRecord,
  WorkflowStateRecord,
} from "./model";
import type { ResolverMap, TypeResolverMap } from "./schema";
import { PRIORITY_LABELS, branchName, issueUrl, projectUrl, userUrl } from "./store";
import type { Grant } from "./tokens";
import { commentUrl } from "./views";

export interface GraphQLContext {
  emulator: Emulator;
  org: OrganizationRecord;
  viewer: UserRecord;
  grant: Grant;
}

type Args = Record<string, any>;
type Resolver<T = any> = GraphQLFieldResolver<T, GraphQLContext, Args>;

function filterContext(ctx: GraphQLContext): FilterContext {
  return { org: ctx.org, viewerId: ctx.viewer.id, nowMs: ctx.emulator.store.clock.nowMs() };
}

/** A connection over `items`, narrowed by the field's `filter` argument. */
function page<T extends { id: string; createdAt: Date; updatedAt: Date; archivedAt?: Date | null }>(
  entity: FilterEntity,
  items: Iterable<T>,
  args: Args,
  ctx: GraphQLContext,
) {
  const fctx = filterContext(ctx);
  return connection(items, args as PageArgs, (item) => matches(entity, item, args.filter, fctx));
}

/** Linear checks scopes per operation; any one of `scopes` suffices. */
function requireScope(ctx: GraphQLContext, ...scopes: string[]): void {
  if (ctx.grant.scopes.includes("admin") || scopes.some((s) => ctx.grant.scopes.includes(s))) return;
  throw forbidden(`Invalid scope: \`${scopes.join("` or `")}\` required`);
}

function payload<K extends string, V>(ctx: GraphQLContext, key: K, value: V): { success: true; lastSyncId: number } & Record<K, V> {
  return { success: true, lastSyncId: ctx.emulator.store.nextSyncId(), [key]: value } as { success: true; lastSyncId: number } & Record<K, V>;
}

const CONTENT_TYPENAMES: Record<ActivityContent["type"], string> = {
  action: "AgentActivityActionContent",
  elicitation: "AgentActivityElicitationContent",
  error: "AgentActivityErrorContent",
  prompt: "AgentActivityPromptContent",
  response: "AgentActivityResponseContent",
  thought: "AgentActivityThoughtContent",
};

const PROJECT_STATUSES = [
  { name: "Backlog", type: "backlog", color: "#bec2c8", position: 0 },
  { name: "Planned", type: "planned", color: "#e2e2e2", position: 1 },
  { name: "In Progress", type: "started", color: "#f2c94c", position: 2 },
  { name: "Completed", type: "completed", color: "#5e6ad2", position: 3 },
  { name: "Canceled", type: "canceled", color: "#95a2b3", position: 4 },
] as const;

const organizationTypes = {
  Organization: {
    logoUrl: () => null,
    archivedAt: () => null,
    userCount: (org: OrganizationRecord) => org.users.size,
    createdIssueCount: (org: OrganizationRecord) => org.issues.size,
    previousUrlKeys: () => [],
    allowedAuthServices: () => [],
    gitBranchFormat: () => null,
    // Derived ids keep these stable across requests without storing them.
    projectStatuses: (org: OrganizationRecord) =>
      PROJECT_STATUSES.map((s, i) => ({ ...s, id: `${org.id.slice(0, 24)}${String(i).padStart(12, "0")}`, indefinite: false, description: null, createdAt: org.createdAt, updatedAt: org.createdAt, archivedAt: null })),
    teams: ((org: OrganizationRecord, args, ctx) => page("Team", org.teams.values(), args, ctx)) as Resolver,
    users: ((org: OrganizationRecord, args, ctx) => page("User", org.users.values(), args, ctx)) as Resolver,
    labels: ((org: OrganizationRecord, args, ctx) => page("IssueLabel", org.labels.values(), args, ctx)) as Resolver,
  },
  User: {
    avatarBackgroundColor: () => "#5e6ad2",
    initials: (u: UserRecord) => u.name.split(/\s+/).map((w) => w[0] ?? "").join("").slice(0, 2).toUpperCase(),
    url: ((u: UserRecord, _args, ctx) => userUrl(ctx.org, u)) as Resolver,
    description: () => null,
    timezone: () => "UTC",
    active: () => true,
    owner: (u: UserRecord) => u.admin,
    guest: () => false,
    archivedAt: () => null,
    isMe: ((u: UserRecord, _args, ctx) => u.id === ctx.viewer.id) as Resolver,
    isAssignable: (u: UserRecord) => u.app,
    isMentionable: (u: UserRecord) => u.app,
    supportsAgentSessions: (u: UserRecord) => u.app,
    createdIssueCount: ((u: UserRecord, _args, ctx) => [...ctx.org.issues.values()].filter((i) => i.creatorId === u.id).length) as Resolver,
    organization: ((_u, _args, ctx) => ctx.org) as Resolver,
    teams: ((_u, args, ctx) => page("Team", ctx.org.teams.values(), args, ctx)) as Resolver,
    assignedIssues: ((u: UserRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.assigneeId === u.id), args, ctx)) as Resolver,
    delegatedIssues: ((u: UserRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.delegateId === u.id), args, ctx)) as Resolver,
    createdIssues: ((u: UserRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.creatorId === u.id), args, ctx)) as Resolver,
  },
  Team: {
    displayName: (t: TeamRecord) => t.name,
    description: () => null,
    color: () => "#5e6ad2",
    icon: () => null,
    private: () => false,
    timezone: () => "UTC",
    cyclesEnabled: () => false,
    triageEnabled: () => false,
    archivedAt: () => null,
    parent: () => null,
    issueCount: ((t: TeamRecord, _args, ctx) => [...ctx.org.issues.values()].filter((i) => i.teamId === t.id).length) as Resolver,
    organization: ((_t, _args, ctx) => ctx.org) as Resolver,
    defaultIssueState: ((t: TeamRecord, _args, ctx) => ctx.emulator.store.defaultState(ctx.org, t.id)) as Resolver,
    states: ((t: TeamRecord, args, ctx) => page("WorkflowState", ctx.emulator.store.teamStates(ctx.org, t.id), args, ctx)) as Resolver,
    labels: ((t: TeamRecord, args, ctx) => page("IssueLabel", [...ctx.org.labels.values()].filter((l) => l.teamId === null || l.teamId === t.id), args, ctx)) as Resolver,
    members: ((_t, args, ctx) => page("User", ctx.org.users.values(), args, ctx)) as Resolver,
    issues: ((t: TeamRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.teamId === t.id), args, ctx)) as Resolver,
  },
  WorkflowState: {
    description: () => null,
    archivedAt: () => null,
    team: ((s: WorkflowStateRecord, _args, ctx) => ctx.org.teams.get(s.teamId)) as Resolver,
    issues: ((s: WorkflowStateRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.stateId === s.id), args, ctx)) as Resolver,
  },
  IssueLabel: {
    archivedAt: () => null,
    organization: ((_l, _args, ctx) => ctx.org) as Resolver,
    team: ((l: LabelRecord, _args, ctx) => (l.teamId ? ctx.org.teams.get(l.teamId) : null)) as Resolver,
    parent: ((l: LabelRecord, _args, ctx) => (l.parentId ? ctx.org.labels.get(l.parentId) : null)) as Resolver,
    creator: ((l: LabelRecord, _args, ctx) => (l.creatorId ? ctx.org.users.get(l.creatorId) : null)) as Resolver,
    children: ((l: LabelRecord, args, ctx) => page("IssueLabel", [...ctx.org.labels.values()].filter((c) => c.parentId === l.id), args, ctx)) as Resolver,
    issues: ((l: LabelRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.labelIds.includes(l.id)), args, ctx)) as Resolver,
  },
  Project: {
    url: ((p: ProjectRecord, _args, ctx) => projectUrl(ctx.org, p)) as Resolver,
    color: () => "#bec2c8",
    icon: () => null,
    state: () => "started",
    priority: () => 0,
    priorityLabel: () => "No priority",
    progress: () => 0,
    scope: () => 0,
    sortOrder: () => 0,
    archivedAt: () => null,
    startedAt: (p: ProjectRecord) => p.createdAt,
    completedAt: () => null,
    canceledAt: () => null,
    lead: () => null,
    creator: () => null,
    teams: ((p: ProjectRecord, args, ctx) => page("Team", p.teamIds.map((id) => ctx.org.teams.get(id)!), args, ctx)) as Resolver,
    issues: ((p: ProjectRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((i) => i.projectId === p.id), args, ctx)) as Resolver,
  },
} satisfies ResolverMap;

const NO_SHARED_ACCESS = { isShared: false, sharedWithCount: 0, sharedWithUsers: [], viewerHasOnlySharedAccess: false, disallowedIssueFields: [] };

function sessionForComment(org: OrganizationRecord, comment: CommentRecord): AgentSessionRecord | null {
  return [...org.sessions.values()].find((s) => s.commentId === comment.id) ?? null;
}

const workTypes = {
  Issue: {
    url: ((i: IssueRecord, _args, ctx) => issueUrl(ctx.org, i)) as Resolver,
    branchName: ((i: IssueRecord, _args, ctx) => branchName(ctx.org, i)) as Resolver,
    priorityLabel: (i: IssueRecord) => PRIORITY_LABELS[i.priority] ?? "No priority",
    prioritySortOrder: (i: IssueRecord) => i.priority,
    boardOrder: (i: IssueRecord) => i.sortOrder,
    customerTicketCount: () => 0,
    previousIdentifiers: () => [],
    reactionData: () => [],
    reactions: () => [],
    sharedAccess: () => NO_SHARED_ACCESS,
    inheritsSharedAccess: () => false,
    trashed: (i: IssueRecord) => (i.trashed ? true : null),
    addedToTeamAt: (i: IssueRecord) => i.createdAt,
    addedToProjectAt: (i: IssueRecord) => (i.projectId ? i.createdAt : null),
    team: ((i: IssueRecord, _args, ctx) => ctx.org.teams.get(i.teamId)) as Resolver,
    state: ((i: IssueRecord, _args, ctx) => ctx.org.states.get(i.stateId)) as Resolver,
    project: ((i: IssueRecord, _args, ctx) => (i.projectId ? ctx.org.projects.get(i.projectId) : null)) as Resolver,
    parent: ((i: IssueRecord, _args, ctx) => (i.parentId ? ctx.org.issues.get(i.parentId) : null)) as Resolver,
    creator: ((i: IssueRecord, _args, ctx) => (i.creatorId ? ctx.org.users.get(i.creatorId) : null)) as Resolver,
    assignee: ((i: IssueRecord, _args, ctx) => (i.assigneeId ? ctx.org.users.get(i.assigneeId) : null)) as Resolver,
    delegate: ((i: IssueRecord, _args, ctx) => (i.delegateId ? ctx.org.users.get(i.delegateId) : null)) as Resolver,
    labels: ((i: IssueRecord, args, ctx) => page("IssueLabel", i.labelIds.map((id) => ctx.org.labels.get(id)!), args, ctx)) as Resolver,
    children: ((i: IssueRecord, args, ctx) => page("Issue", [...ctx.org.issues.values()].filter((c) => c.parentId === i.id), args, ctx)) as Resolver,
    comments: ((i: IssueRecord, args, ctx) => page("Comment", [...ctx.org.comments.values()].filter((c) => c.issueId === i.id), args, ctx)) as Resolver,
    attachments: ((i: IssueRecord, args, ctx) => page("Attachment", [...ctx.org.attachments.values()].filter((a) => a.issueId === i.id), args, ctx)) as Resolver,
    agentSessions: ((i: IssueRecord, args, ctx) => connection([...ctx.org.sessions.values()].filter((s) => s.issueId === i.id), args as PageArgs)) as Resolver,
    relations: ((i: IssueRecord, args, ctx) => connection(relationsFrom(ctx.org, i.id), args as PageArgs)) as Resolver,
    inverseRelations: ((i: IssueRecord, args, ctx) => connection(relationsTo(ctx.org, i.id), args as PageArgs)) as Resolver,
  },
  IssueRelation: {
    issue: ((r: IssueRelationRecord, _args, ctx) => ctx.org.issues.get(r.issueId)) as Resolver,
    relatedIssue: ((r: IssueRelationRecord, _args, ctx) => ctx.org.issues.get(r.relatedIssueId)) as Resolver,
  },
  Comment: {
    url: ((c: CommentRecord, _args, ctx) => commentUrl(ctx.org, c)) as Resolver,
    reactionData: () => [],
    reactions: () => [],
    resolvedAt: () => null,
    issue: ((c: CommentRecord, _args, ctx) => ctx.org.issues.get(c.issueId)) as Resolver,
    parent: ((c: CommentRecord, _args, ctx) => (c.parentId ? ctx.org.comments.get(c.parentId) : null)) as Resolver,
    user: ((c: CommentRecord, _args, ctx) => (c.userId ? ctx.org.users.get(c.userId) : null)) as Resolver,
    agentSession: ((c: CommentRecord, _args, ctx) => sessionForComment(ctx.org, c)) as Resolver,
    children: ((c: CommentRecord, args, ctx) => page("Comment", [...ctx.org.comments.values()].filter((r) => r.parentId === c.id), args, ctx)) as Resolver,
  },
  Attachment: {
    source: (a: AttachmentRecord) => (a.sourceType ? { type: a.sourceType } : null),
    archivedAt: () => null,
    issue: ((a: AttachmentRecord, _args, ctx) => ctx.org.issues.get(a.issueId)) as Resolver,
    creator: ((a: AttachmentRecord, _args, ctx) => (a.creatorId ? ctx.org.users.get(a.creatorId) : null)) as Resolver,
  },
  AgentSession: {
    type: () => "commentThread",
    url: ((s: AgentSessionRecord, _args, ctx) => {
      const issue = s.issueId ? ctx.org.issues.get(s.issueId) : undefined;
      return issue ? `${issueUrl(ctx.org, issue)}#agent-session-${s.slugId}` : null;
    }) as Resolver,
    context: () => [],
    externalLinks: (s: AgentSessionRecord) => s.externalUrls,
    externalUrls: (s: AgentSessionRecord) => s.externalUrls,
    plan: (s: AgentSessionRecord) => s.plan ?? null,
    sourceMetadata: () => null,
    appUser: ((s: AgentSessionRecord, _args, ctx) => ctx.org.users.get(s.appUserId)) as Resolver,
    creator: ((s: AgentSessionRecord, _args, ctx) => (s.creatorId ? ctx.org.users.get(s.creatorId) : null)) as Resolver,
    issue: ((s: AgentSessionRecord, _args, ctx) => (s.issueId ? ctx.org.issues.get(s.issueId) : null)) as Resolver,
    comment: ((s: AgentSessionRecord, _args, ctx) => (s.commentId ? ctx.org.comments.get(s.commentId) : null)) as Resolver,
    sourceComment: ((s: AgentSessionRecord, _args, ctx) => (s.sourceCommentId ? ctx.org.comments.get(s.sourceCommentId) : null)) as Resolver,
    activities: ((s: AgentSessionRecord, args, ctx) => page("AgentActivity", s.activityIds.map((id) => ctx.org.activities.get(id)!), args, ctx)) as Resolver,
  },
  AgentActivity: {
    queued: () => false,
    sourceMetadata: () => null,
    signalMetadata: (a: AgentActivityRecord) => a.signalMetadata ?? null,
    agentSession: ((a: AgentActivityRecord, _args, ctx) => ctx.org.sessions.get(a.agentSessionId)) as Resolver,
    sourceComment: ((a: AgentActivityRecord, _args, ctx) => (a.sourceCommentId ? ctx.org.comments.get(a.sourceCommentId) : null)) as Resolver,
    user: ((a: AgentActivityRecord, _args, ctx) => ctx.org.users.get(a.userId)) as Resolver,
  },
} satisfies ResolverMap;

function byId<T>(map: Map<string, T>, id: string, entity: string): T {
  const found = map.get(id.toLowerCase());
  if (!found) throw notFound(entity);
  return found;
}

const query = {
  Query: {
    viewer: ((_root, _args, ctx) => ctx.viewer) as Resolver,
    organization: ((_root, _args, ctx) => ctx.org) as Resolver,
    user: ((_root, args, ctx) => (args.id === "me" ? ctx.viewer : byId(ctx.org.users, args.id, "User"))) as Resolver,
    users: ((_root, args, ctx) => page("User", ctx.org.users.values(), args, ctx)) as Resolver,
    team: ((_root, args, ctx) => ctx.emulator.store.team(ctx.org, args.id)) as Resolver,
    teams: ((_root, args, ctx) => page("Team", ctx.org.teams.values(), args, ctx)) as Resolver,
    workflowState: ((_root, args, ctx) => byId(ctx.org.states, args.id, "WorkflowState")) as Resolver,
    workflowStates: ((_root, args, ctx) => page("WorkflowState", ctx.org.states.values(), args, ctx)) as Resolver,
    issue: ((_root, args, ctx) => ctx.emulator.store.issue(ctx.org, args.id)) as Resolver,
    issues: ((_root, args, ctx) => page("Issue", ctx.org.issues.values(), args, ctx)) as Resolver,
    issueRelation: ((_root, args, ctx) => issueRelation(ctx.org, args.id)) as Resolver,
    issueRelations: ((_root, args, ctx) => connection(ctx.org.relations.values(), args as PageArgs)) as Resolver,
    issueLabel: ((_root, args, ctx) => byId(ctx.org.labels, args.id, "IssueLabel")) as Resolver,
    issueLabels: ((_root, args, ctx) => page("IssueLabel", ctx.org.labels.values(), args, ctx)) as Resolver,
    project: ((_root, args, ctx) => {
      const project = ctx.org.projects.get(args.id) ?? [...ctx.org.projects.values()].find((p) => p.slugId === args.id);
      if (!project) throw notFound("Project");
      return project;
    }) as Resolver,
    comment: ((_root, args, ctx) => {
      if (!args.id) throw invalidInput("id is required (the emulator does not look comments up by hash)");
      return byId(ctx.org.comments, args.id, "Comment");
    }) as Resolver,
    comments: ((_root, args, ctx) => page("Comment", ctx.org.comments.values(), args, ctx)) as Resolver,
    attachment: ((_root, args, ctx) => byId(ctx.org.attachments, args.id, "Attachment")) as Resolver,
    attachmentsForURL: ((_root, args, ctx) => page("Attachment", [...ctx.org.attachments.values()].filter((a) => a.url === args.url), args, ctx)) as Resolver,
    agentSession: ((_root, args, ctx) => findSession(ctx.org, args.id)) as Resolver,
    agentSessions: ((_root, args, ctx) => connection(ctx.org.sessions.values(), args as PageArgs)) as Resolver,
    agentActivity: ((_root, args, ctx) => byId(ctx.org.activities, args.id, "AgentActivity")) as Resolver,
    agentActivities: ((_root, args, ctx) => page("AgentActivity", ctx.org.activities.values(), args, ctx)) as Resolver,
  },
} satisfies ResolverMap;

/** Only the app that owns a session may act on it. */
function ownSession(ctx: GraphQLContext, id: string): AgentSessionRecord {
  const record = findSession(ctx.org, id);
  if (record.appUserId !== ctx.viewer.id) throw forbidden("Only the app that owns this agent session can change it");
  return record;
}

/**
 * A session the app created itself reaches the app like any other: Linear sends
 * the `created` AgentSessionEvent (after the mutation answers, as for every
 * webhook that follows a mutation).
 */
function sessionCreatedByApp(ctx: GraphQLContext, started: StartSessionResult, input: Args) {
  const record = updateAgentSession(ctx.emulator.store, ctx.org, started.session.id, input);
  ctx.emulator.sendInBackground(ctx.org, agentSessionCreatedEvent(ctx.org, ctx.emulator.eventContext(ctx.org), started));
  return payload(ctx, "agentSession", record);
}

/**
 * An issue delegated to the app (its delegate set to the app user by issueCreate
 * or issueUpdate, or an assignment to the app) gets an agent session, and Linear
 * sends the app the `created` AgentSessionEvent, as for a person's delegation.
 * The session has a creator only when a person made the change.
 */
function sessionOnDelegation(ctx: GraphQLContext, issue: IssueRecord, delegateBefore: string | null): void {
  if (issue.delegateId !== ctx.org.appUserId || delegateBefore === ctx.org.appUserId) return;
  const started = startAgentSession(ctx.emulator.store, ctx.org, { issueId: issue.id, creatorId: ctx.viewer.app ? null : ctx.viewer.id, delegate: false });
  ctx.emulator.sendInBackground(ctx.org, agentSessionCreatedEvent(ctx.org, ctx.emulator.eventContext(ctx.org), started));
}

function notifyComment(ctx: GraphQLContext, comment: CommentRecord): void {
  ctx.emulator.sendInBackground(ctx.org, commentCreateEvent(ctx.org, ctx.emulator.eventContext(ctx.org), comment));
}

function appOnly(ctx: GraphQLContext, input: { createAsUser?: string | null; displayIconUrl?: string | null }): void {
  if ((input.createAsUser || input.displayIconUrl) && ctx.grant.actor !== "app") throw invalidInput("createAsUser and displayIconUrl need an actor=app token");
}

function linkAttachment(ctx: GraphQLContext, args: Args, extra: { sourceType: string; metadata: Record<string, unknown>; title: string }) {
  requireScope(ctx, "write");
  appOnly(ctx, args);
  const { attachment } = upsertAttachment(ctx.emulator.store, ctx.org, {
    id: args.id,
    issueId: args.issueId,
    url: args.url,
    title: args.title ?? extra.title,
    iconUrl: args.displayIconUrl,
    sourceType: extra.sourceType,
    metadata: extra.metadata,
    creatorId: ctx.viewer.id,
  });
  return payload(ctx, "attachment", attachment);
}

const mutation = {
  Mutation: {
    agentActivityCreate: ((_root, { input }, ctx) => {
      ownSession(ctx, input.agentSessionId);
      const result = createAgentActivity(ctx.emulator.store, ctx.org, input);
      if (result.comment) notifyComment(ctx, result.comment);
      return payload(ctx, "agentActivity", result.activity);
    }) as Resolver,
    agentSessionUpdate: ((_root, { id, input }, ctx) => {
      ownSession(ctx, id);
      return payload(ctx, "agentSession", updateAgentSession(ctx.emulator.store, ctx.org, id, input));
    }) as Resolver,
    agentSessionUpdateExternalUrl: ((_root, { id, input }, ctx) => {
      ownSession(ctx, id);
      return payload(ctx, "agentSession", updateAgentSession(ctx.emulator.store, ctx.org, id, input));
    }) as Resolver,
    agentSessionCreateOnIssue: ((_root, { input }, ctx) => {
      if (ctx.grant.actor !== "app") throw forbidden("Only apps can create agent sessions");
      const started = startAgentSession(ctx.emulator.store, ctx.org, { issueId: input.issueId, creatorId: null, delegate: false });
      return sessionCreatedByApp(ctx, started, input);
    }) as Resolver,
    agentSessionCreateOnComment: ((_root, { input }, ctx) => {
      if (ctx.grant.actor !== "app") throw forbidden("Only apps can create agent sessions");
      const comment = byId(ctx.org.comments, input.commentId, "Comment");
      const started = startAgentSession(ctx.emulator.store, ctx.org, { issueId: comment.issueId, existingCommentId: comment.id, creatorId: null, delegate: false });
      return sessionCreatedByApp(ctx, started, input);
    }) as Resolver,
    issueCreate: ((_root, { input }, ctx) => {
      requireScope(ctx, "write", "issues:create");
      appOnly(ctx, input);
      const issue = createIssue(ctx.emulator.store, ctx.org, { ...input, creatorId: ctx.viewer.id });
      sessionOnDelegation(ctx, issue, null);
      return payload(ctx, "issue", issue);
    }) as Resolver,
    issueUpdate: ((_root, { id, input }, ctx) => {
      requireScope(ctx, "write");
      const issue = ctx.emulator.store.issue(ctx.org, id);
      const delegateBefore = issue.delegateId;
      updateIssue(ctx.emulator.store, ctx.org, issue, input);
      sessionOnDelegation(ctx, issue, delegateBefore);
      return payload(ctx, "issue", issue);
    }) as Resolver,
    issueRelationCreate: ((_root, { input }, ctx) => {
      requireScope(ctx, "write");
      return payload(ctx, "issueRelation", createIssueRelation(ctx.emulator.store, ctx.org, input));
    }) as Resolver,
    issueRelationDelete: ((_root, { id }, ctx) => {
      requireScope(ctx, "write");
      return payload(ctx, "entityId", deleteIssueRelation(ctx.emulator.store, ctx.org, id).id);
    }) as Resolver,
    issueLabelCreate: ((_root, { input }, ctx) => {
      requireScope(ctx, "write");
      const label = ctx.emulator.store.createLabel(ctx.org, input);
      label.creatorId = ctx.viewer.id;
      return payload(ctx, "issueLabel", label);
    }) as Resolver,
    commentCreate: ((_root, { input }, ctx) => {
      requireScope(ctx, "write", "comments:create");
      appOnly(ctx, input);
      if (!input.issueId) throw invalidInput("issueId is required (the emulator supports issue comments only)");
      if (input.body == null) throw invalidInput("body is required");
      const comment = createComment(ctx.emulator.store, ctx.org, { ...input, userId: ctx.viewer.id });
      notifyComment(ctx, comment);
      return payload(ctx, "comment", comment);
    }) as Resolver,
    attachmentCreate: ((_root, { input }, ctx) => {
      requireScope(ctx, "write");
      appOnly(ctx, input);
      const { attachment } = upsertAttachment(ctx.emulator.store, ctx.org, { ...input, creatorId: ctx.viewer.id });
      return payload(ctx, "attachment", attachment);
    }) as Resolver,
    attachmentLinkURL: ((_root, args, ctx) => linkAttachment(ctx, args, { sourceType: "url", metadata: {}, title: args.url })) as Resolver,
    attachmentLinkGitHubPR: ((_root, args, ctx) => {
      const pr = parseGitHubPullRequestUrl(args.url);
      return linkAttachment(ctx, args, {
        sourceType: "github",
        title: `${pr.owner}/${pr.repo}#${pr.number}`,
        metadata: { ...pr, url: args.url, linkKind: args.linkKind ?? "links", status: "open" },
      });
    }) as Resolver,
  },
} satisfies ResolverMap;

export const resolvers: ResolverMap = { ...organizationTypes, ...workTypes, ...query, ...mutation };

export const typeResolvers: TypeResolverMap = {
  AgentActivityContent: (content: ActivityContent) => CONTENT_TYPENAMES[content.type],
};
