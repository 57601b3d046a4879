/**
 * A typed client for the emulator's control API. Uses only `fetch`, so tests in
 * Node and in workerd can both use it.
 */

export interface WorkflowStateView {
  id: string;
  name: string;
  type: string;
  position: number;
  color: string;
}

export interface TeamView {
  id: string;
  key: string;
  name: string;
  states: WorkflowStateView[];
}

export interface CreatedOrganization {
  organizationId: string;
  name: string;
  urlKey: string;
  appUserId: string;
  /** A human member (admin) who mentions, delegates and prompts in tests. */
  userId: string;
  teams: TeamView[];
  webhookId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

export interface UserView {
  id: string;
  name: string;
  email: string;
  avatarUrl: string | null;
  url: string;
}

export interface CreatedUser extends UserView {
  displayName: string;
  admin: boolean;
  app: false;
}

export interface IssueView {
  id: string;
  identifier: string;
  number: number;
  title: string;
  description: string | null;
  url: string;
  branchName: string;
  priority: number;
  priorityLabel: string;
  estimate: number | null;
  team: { id: string; key: string; name: string };
  state: WorkflowStateView;
  labels: Array<{ id: string; name: string; color: string }>;
  project: { id: string; name: string; slugId: string; url: string } | null;
  parent: { id: string; identifier: string } | null;
  children: Array<{ id: string; identifier: string }>;
  /** Relations from this issue (it blocks `relatedIssueId`). */
  relations: IssueRelationView[];
  /** Relations to this issue (`issueId` blocks it). */
  inverseRelations: IssueRelationView[];
  delegate: UserView | null;
  assignee: UserView | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  canceledAt: string | null;
}

export interface IssueRelationView {
  id: string;
  type: "blocks" | "duplicate" | "related" | "similar";
  issueId: string;
  relatedIssueId: string;
  createdAt: string;
  archivedAt: string | null;
}

export interface IssueSeed {
  title: string;
  description?: string;
  stateType?: string;
  stateName?: string;
  /** The app as delegate, set quietly: no agent session, no webhook. */
  delegateToApp?: boolean;
}

export interface IssueTreeInput extends IssueSeed {
  teamKey?: string;
  subIssues: Array<IssueSeed & { key?: string; blockedBy?: string[] }>;
}

export interface IssueTreeView {
  parent: IssueView;
  subIssues: Array<IssueView & { key: string }>;
  relations: IssueRelationView[];
}

export interface ActivityView {
  id: string;
  agentSessionId: string;
  content: { type: string; body?: string; action?: string; parameter?: string; result?: string };
  ephemeral: boolean;
  signal: string | null;
  userId: string;
  sourceCommentId: string | null;
  /** The thread comment posted for a response, elicitation or error. */
  commentId: string | null;
  createdAt: string;
  archivedAt: string | null;
}

export interface SessionView {
  id: string;
  status: string;
  issueId: string | null;
  commentId: string | null;
  creatorId: string | null;
  appUserId: string;
  externalUrls: Array<{ label: string; url: string }>;
  externalLink: string | null;
  plan: unknown;
  summary: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  activities: ActivityView[];
}

export interface CommentView {
  id: string;
  issueId: string;
  parentId: string | null;
  userId: string | null;
  body: string;
  isArtificialAgentSessionRoot: boolean;
  url: string;
  createdAt: string;
}

export interface AttachmentView {
  id: string;
  issueId: string;
  title: string;
  subtitle: string | null;
  url: string;
  iconUrl: string | null;
  metadata: Record<string, unknown>;
  sourceType: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrganizationStateView {
  organization: { id: string; name: string; urlKey: string; appUserId: string; userId: string };
  teams: TeamView[];
  users: Array<UserView & { app: boolean; admin: boolean }>;
  labels: Array<{ id: string; name: string; color: string; teamId: string | null }>;
  projects: Array<{ id: string; name: string; slugId: string; url: string }>;
  issues: IssueView[];
  issueRelations: IssueRelationView[];
  agentSessions: SessionView[];
  comments: CommentView[];
  attachments: AttachmentView[];
}

export interface DeliveryView {
  id: string;
  at: string;
  organizationId: string;
  webhookId: string;
  url: string;
  event: string;
  action: string;
  status: number | null;
  error?: string;
  durationMs: number;
  payload: Record<string, any>;
}

export interface GraphQLCallView {
  at: string;
  organizationId: string | null;
  operationName: string | null;
  rootFields: string[];
  variables: Record<string, any>;
  status: number;
  /** Estimated query complexity (Linear's scoring; see complexity.ts), also sent as `X-Complexity`. */
  complexity?: number;
  error?: string;
  fault?: string;
}

export interface OAuthCallView {
  at: string;
  organizationId: string | null;
  endpoint: "authorize" | "token" | "revoke";
  grantType?: string;
  status: number;
  error?: string;
  fault?: string;
}

export type FaultKind = "http500" | "http502" | "ratelimit429" | "ratelimit400" | "slow" | "commitThenFail" | "hang";

export interface FaultSpec {
  kind: FaultKind;
  organizationId?: string;
  rootField?: string;
  /** `/graphql` (the default) or an OAuth path such as `/oauth/token`. */
  path?: string;
  count?: number;
  delayMs?: number;
  resetAfterMs?: number;
  omitErrorType?: boolean;
}

export interface CreateIssueInput {
  title: string;
  description?: string;
  teamKey?: string;
  stateType?: string;
  stateName?: string;
  labels?: string[];
  project?: string;
  estimate?: number;
  priority?: number;
  delegateToApp?: boolean;
  assignToUser?: boolean;
  /** Parent issue, by id or identifier. */
  parent?: string;
  id?: string;
}

export interface StartSessionInput {
  issueId?: string;
  /** The mention; without it the session comes from a delegation. */
  comment?: string;
  parentCommentId?: string;
  delegate?: boolean;
  /** `false` for a session started by automation (no creator). */
  creator?: boolean;
  deliver?: boolean;
}

export class LinearEmulatorControl {
  constructor(readonly baseUrl: string) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`emulator ${method} ${path}: HTTP ${response.status} ${json.error ?? ""}`);
    return json;
  }

  createOrganization(input: { name?: string; urlKey?: string; teams?: Array<{ key: string; name?: string }>; appUserName?: string; guidance?: Array<{ body: string; teamKey?: string }>; webhookUrl?: string; webhookSecret?: string } = {}) {
    return this.#call<CreatedOrganization>("POST", "/organizations", input);
  }

  createIssue(organizationId: string, input: CreateIssueInput) {
    return this.#call<IssueView>("POST", `/organizations/${organizationId}/issues`, input);
  }

  /** A relation between two issues (by id or identifier); `type` defaults to `blocks`: `issueId` blocks `relatedIssueId`. */
  createIssueRelation(organizationId: string, input: { issueId: string; relatedIssueId: string; type?: IssueRelationView["type"]; id?: string }) {
    return this.#call<IssueRelationView>("POST", `/organizations/${organizationId}/issue-relations`, input);
  }

  /** A parent issue with sub-issues and `blocks` relations between them (`blockedBy` names other sub-issues' keys). */
  createIssueTree(organizationId: string, input: IssueTreeInput) {
    return this.#call<IssueTreeView>("POST", `/organizations/${organizationId}/issue-trees`, input);
  }

  createComment(organizationId: string, input: { issueId: string; body: string; parentId?: string; userId?: string; deliver?: boolean }) {
    return this.#call<{ comment: CommentView; payload: Record<string, any>; deliveries: DeliveryView[] }>("POST", `/organizations/${organizationId}/comments`, input);
  }

  startAgentSession(organizationId: string, input: StartSessionInput) {
    return this.#call<{ agentSession: SessionView; comment: CommentView | null; payload: Record<string, any>; issuePayload: Record<string, any> | null; deliveries: DeliveryView[] }>(
      "POST",
      `/organizations/${organizationId}/agent-sessions`,
      input,
    );
  }

  prompt(agentSessionId: string, input: { body: string; signal?: "stop" | "continue"; deliver?: boolean }) {
    return this.#call<{ agentActivity: ActivityView; agentSession: SessionView; payload: Record<string, any>; deliveries: DeliveryView[] }>("POST", `/agent-sessions/${agentSessionId}/prompt`, input);
  }

  notify(organizationId: string, input: { type: string; issueId: string; commentBody?: string; deliver?: boolean }) {
    return this.#call<{ payload: Record<string, any>; deliveries: DeliveryView[] }>("POST", `/organizations/${organizationId}/notifications`, input);
  }

  uninstall(organizationId: string, input: { deliver?: boolean } = {}) {
    return this.#call<{ revokedGrants: number; payload: Record<string, any>; deliveries: DeliveryView[] }>("POST", `/organizations/${organizationId}/uninstall`, input);
  }

  /** Another person in the organization; `admin` defaults to false (a plain member). */
  createUser(organizationId: string, input: { name: string; email?: string; admin?: boolean }) {
    return this.#call<CreatedUser>("POST", `/organizations/${organizationId}/users`, input);
  }

  /** `userId` (with `actor: "user"`) picks whom a user token acts for; the organization's first member otherwise. */
  issueTokens(organizationId: string, input: { scopes?: string[]; actor?: "app" | "user"; userId?: string } = {}) {
    return this.#call<{ accessToken: string; refreshToken: string; expiresIn: number; scope: string }>("POST", `/organizations/${organizationId}/tokens`, input);
  }

  setOrganizationWebhook(organizationId: string, input: { webhookUrl: string | null; webhookSecret?: string }) {
    return this.#call<{ webhookId: string; webhookUrl: string | null }>("POST", `/organizations/${organizationId}/webhook`, input);
  }

  state(organizationId: string) {
    return this.#call<OrganizationStateView>("GET", `/organizations/${organizationId}/state`);
  }

  calls(filter: { organizationId?: string; rootField?: string; operationName?: string } = {}) {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === "string"));
    return this.#call<{ graphql: GraphQLCallView[]; oauth: OAuthCallView[] }>("GET", `/calls?${query}`);
  }

  deliveries(filter: { organizationId?: string; event?: string } = {}) {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === "string"));
    return this.#call<{ deliveries: DeliveryView[] }>("GET", `/deliveries?${query}`).then((r) => r.deliveries);
  }

  redeliver(deliveryId: string, input: { sameDeliveryId?: boolean } = {}) {
    return this.#call<{ delivery: DeliveryView }>("POST", `/deliveries/${deliveryId}/redeliver`, input).then((r) => r.delivery);
  }

  addFault(spec: FaultSpec) {
    return this.#call<{ fault: FaultSpec & { id: string; remaining: number } }>("POST", "/faults", spec).then((r) => r.fault);
  }

  clearFaults(organizationId?: string) {
    return this.#call<{ removed: number }>("DELETE", `/faults${organizationId ? `?organizationId=${organizationId}` : ""}`);
  }

  configure(input: { webhookUrl?: string | null; webhookSecret?: string | null; clientId?: string; clientSecret?: string; tokenTtlSeconds?: number; redirectUris?: string[] | null }) {
    return this.#call<Record<string, unknown>>("POST", "/config", input);
  }

  advanceClock(advanceMs: number) {
    return this.#call<{ now: string; offsetMs: number }>("POST", "/clock", { advanceMs });
  }

  reset() {
    return this.#call<{ ok: true }>("POST", "/reset", {});
  }
}
