/**
 * Builders for the webhook bodies Linear sends, shaped like the
 * `*WebhookPayload` types of Linear's schema (see shared/contracts §1).
 *
 * This file must stay free of Node-only imports: tests running inside workerd
 * import it directly to build, sign and post deliveries themselves. It uses only
 * plain JavaScript and the Web Crypto API (`crypto.randomUUID`, `crypto.subtle`).
 */

export interface WebhookUser {
  id: string;
  name: string;
  email: string;
  avatarUrl?: string | null;
  url: string;
}

export interface WebhookTeam {
  id: string;
  key: string;
  name: string;
}

export interface WebhookIssue {
  id: string;
  identifier: string;
  title: string;
  description?: string | null;
  url: string;
  team: WebhookTeam;
}

export interface WebhookComment {
  id: string;
  body: string;
  userId?: string | null;
  issueId?: string | null;
}

export interface WebhookGuidance {
  body: string;
  /** `null` for a workspace-wide rule. */
  team: WebhookTeam | null;
}

/** A comment as `promptContext` renders it. */
export interface PromptContextComment {
  id: string;
  body: string;
  authorName: string;
  createdAt: string;
  /** Replies in the same thread, oldest first. */
  replies?: PromptContextComment[];
}

export interface PromptContextInput {
  issue: WebhookIssue;
  labels?: string[];
  parent?: { identifier: string; title: string; description?: string | null } | null;
  project?: { name: string; description?: string | null } | null;
  /** The thread the agent was summoned in; absent when the session came from a delegation. */
  primaryThread?: PromptContextComment | null;
  otherThreads?: PromptContextComment[];
  guidance?: WebhookGuidance[];
}

export interface AgentSessionData {
  id: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string | null;
  endedAt?: string | null;
  archivedAt?: string | null;
  summary?: string | null;
  url?: string | null;
  sourceMetadata?: Record<string, unknown> | null;
  sourceCommentId?: string | null;
}

interface Envelope {
  organizationId: string;
  webhookId: string;
  webhookTimestamp: number;
  createdAt: string;
}

export interface AgentSessionEventPayload extends Envelope {
  type: "AgentSessionEvent";
  action: "created" | "prompted";
  oauthClientId: string;
  appUserId: string;
  agentSession: Record<string, unknown>;
  agentActivity?: Record<string, unknown>;
  previousComments?: Array<Record<string, unknown>>;
  guidance?: Array<{ body: string; origin: Record<string, unknown> }>;
  promptContext?: string;
}

export interface EntityPayload extends Envelope {
  type: string;
  action: "create" | "update" | "remove";
  actor?: Record<string, unknown>;
  data: Record<string, unknown>;
  url?: string;
  updatedFrom?: Record<string, unknown>;
}

export interface AppUserNotificationPayload extends Envelope {
  type: "AppUserNotification";
  action: string;
  oauthClientId: string;
  appUserId: string;
  notification: Record<string, unknown>;
}

export interface OAuthAppPayload extends Envelope {
  type: "OAuthApp";
  action: "revoked";
  oauthClientId: string;
}

export type LinearWebhookPayload = AgentSessionEventPayload | EntityPayload | AppUserNotificationPayload | OAuthAppPayload;

/** What every builder needs to fill the envelope; each field has a usable default. */
export interface EnvelopeInput {
  organizationId?: string;
  webhookId?: string;
  /** Real time in ms: receivers compare it with their own clock. */
  webhookTimestamp?: number;
  createdAt?: string;
}

function envelope(input: EnvelopeInput): Envelope {
  const webhookTimestamp = input.webhookTimestamp ?? Date.now();
  return {
    organizationId: input.organizationId ?? crypto.randomUUID(),
    webhookId: input.webhookId ?? crypto.randomUUID(),
    webhookTimestamp,
    createdAt: input.createdAt ?? new Date(webhookTimestamp).toISOString(),
  };
}

function isoNow(): string {
  return new Date().toISOString();
}

export function sampleTeam(overrides: Partial<WebhookTeam> = {}): WebhookTeam {
  return { id: crypto.randomUUID(), key: "ENG", name: "Engineering", ...overrides };
}

export function sampleUser(overrides: Partial<WebhookUser> = {}): WebhookUser {
  const id = overrides.id ?? crypto.randomUUID();
  return { id, name: "Jane Doe", email: "jane@example.com", avatarUrl: null, url: `https://linear.app/acme/profiles/jane`, ...overrides };
}

export function sampleIssue(overrides: Partial<WebhookIssue> = {}): WebhookIssue {
  const team = overrides.team ?? sampleTeam();
  const identifier = overrides.identifier ?? `${team.key}-1`;
  const title = overrides.title ?? "Fix the checkout button";
  return {
    id: crypto.randomUUID(),
    identifier,
    title,
    description: "The checkout button does nothing on mobile.",
    url: `https://linear.app/acme/issue/${identifier}/${slugify(title)}`,
    ...overrides,
    team,
  };
}

export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/g, "");
  return slug || "issue";
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Linear renders timestamps in promptContext as `YYYY-MM-DD HH:MM:SS` (UTC). */
function contextTime(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

function renderThread(tag: "primary-directive-thread" | "other-thread", root: PromptContextComment): string {
  const comments = [root, ...(root.replies ?? [])]
    .map((c) => `<comment author="${escapeXml(c.authorName)}" created-at="${contextTime(c.createdAt)}">${escapeXml(c.body)}</comment>`)
    .join("\n");
  return `<${tag} comment-id="${escapeXml(root.id)}">\n${comments}\n</${tag}>`;
}

function renderGuidanceRule(rule: WebhookGuidance): string {
  const origin = rule.team ? `origin="team" team-name="${escapeXml(rule.team.name)}"` : `origin="workspace"`;
  return `<guidance-rule ${origin}>${escapeXml(rule.body)}</guidance-rule>`;
}

/** The XML Linear puts in `promptContext` on `created`: the issue, the directive thread, other threads, guidance. */
export function buildPromptContext(input: PromptContextInput): string {
  const { issue } = input;
  const issueLines = [`<issue identifier="${escapeXml(issue.identifier)}">`, `<title>${escapeXml(issue.title)}</title>`];
  if (issue.description) issueLines.push(`<description>${escapeXml(issue.description)}</description>`);
  issueLines.push(`<team name="${escapeXml(issue.team.name)}"/>`);
  for (const label of input.labels ?? []) issueLines.push(`<label>${escapeXml(label)}</label>`);
  if (input.parent) {
    issueLines.push(`<parent-issue identifier="${escapeXml(input.parent.identifier)}">`, `<title>${escapeXml(input.parent.title)}</title>`);
    if (input.parent.description) issueLines.push(`<description>${escapeXml(input.parent.description)}</description>`);
    issueLines.push(`</parent-issue>`);
  }
  if (input.project) issueLines.push(`<project name="${escapeXml(input.project.name)}">${escapeXml(input.project.description ?? "")}</project>`);
  issueLines.push(`</issue>`);

  const sections = [issueLines.join("\n")];
  if (input.primaryThread) sections.push(renderThread("primary-directive-thread", input.primaryThread));
  for (const thread of input.otherThreads ?? []) sections.push(renderThread("other-thread", thread));
  if (input.guidance?.length) sections.push(`<guidance>\n${input.guidance.map(renderGuidanceRule).join("\n")}\n</guidance>`);
  return sections.join("\n\n");
}

function guidancePayload(rules: WebhookGuidance[]): Array<{ body: string; origin: Record<string, unknown> }> {
  return rules.map((rule) => ({
    body: rule.body,
    origin: rule.team
      ? { type: "team", team: { id: rule.team.id, key: rule.team.key, name: rule.team.name, displayName: rule.team.name, parentId: null } }
      : { type: "organization" },
  }));
}

function userChild(user: WebhookUser): Record<string, unknown> {
  return { id: user.id, name: user.name, email: user.email, avatarUrl: user.avatarUrl ?? null, url: user.url };
}

function commentChild(comment: WebhookComment): Record<string, unknown> {
  return { id: comment.id, body: comment.body, userId: comment.userId ?? null, issueId: comment.issueId ?? null };
}

export interface AgentSessionEventInput extends EnvelopeInput {
  oauthClientId?: string;
  appUserId?: string;
  session?: Partial<AgentSessionData>;
  /** `null` for a session without an issue (a direct chat). */
  issue?: WebhookIssue | null;
  /** The root comment of the session's thread; `null` when there is none. */
  comment?: WebhookComment | null;
  /** `null` when automation started the session. */
  creator?: WebhookUser | null;
}

function agentSessionPayload(input: AgentSessionEventInput, organizationId: string, appUserId: string): Record<string, unknown> {
  const now = isoNow();
  const issue = input.issue === undefined ? sampleIssue() : input.issue;
  const creator = input.creator === undefined ? sampleUser() : input.creator;
  const comment = input.comment === undefined ? null : input.comment;
  const session: AgentSessionData = {
    id: crypto.randomUUID(),
    status: "pending",
    createdAt: now,
    updatedAt: now,
    ...input.session,
  };
  return {
    id: session.id,
    appUserId,
    organizationId,
    status: session.status,
    type: "commentThread",
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    archivedAt: session.archivedAt ?? null,
    startedAt: session.startedAt ?? null,
    endedAt: session.endedAt ?? null,
    summary: session.summary ?? null,
    url: session.url ?? (issue ? `${issue.url}#agent-session-${session.id}` : null),
    sourceMetadata: session.sourceMetadata ?? null,
    sourceCommentId: session.sourceCommentId ?? null,
    creatorId: creator?.id ?? null,
    creator: creator ? userChild(creator) : null,
    issueId: issue?.id ?? null,
    issue: issue
      ? {
          id: issue.id,
          identifier: issue.identifier,
          title: issue.title,
          description: issue.description ?? null,
          url: issue.url,
          teamId: issue.team.id,
          team: { id: issue.team.id, key: issue.team.key, name: issue.team.name },
        }
      : null,
    commentId: comment?.id ?? null,
    comment: comment ? commentChild(comment) : null,
  };
}

export interface AgentSessionCreatedInput extends AgentSessionEventInput {
  /** Only when the session was started from a reply: the thread's earlier comments. */
  previousComments?: WebhookComment[];
  guidance?: WebhookGuidance[];
  /** Rendered from the issue, comment and guidance when absent. */
  promptContext?: string;
}

/** `AgentSessionEvent` / `created`: a mention or a delegation started a session. */
export function buildAgentSessionCreatedPayload(input: AgentSessionCreatedInput = {}): AgentSessionEventPayload {
  const env = envelope(input);
  const appUserId = input.appUserId ?? crypto.randomUUID();
  const issue = input.issue === undefined ? sampleIssue() : input.issue;
  const withIssue = { ...input, issue };
  const agentSession = agentSessionPayload(withIssue, env.organizationId, appUserId);
  const guidance = input.guidance ?? [];
  const creatorName = input.creator?.name ?? "Jane Doe";
  const promptContext =
    input.promptContext ??
    (issue
      ? buildPromptContext({
          issue,
          primaryThread: input.comment
            ? { id: input.comment.id, body: input.comment.body, authorName: creatorName, createdAt: String(agentSession.createdAt) }
            : null,
          guidance,
        })
      : undefined);
  const payload: AgentSessionEventPayload = {
    type: "AgentSessionEvent",
    action: "created",
    createdAt: env.createdAt,
    organizationId: env.organizationId,
    oauthClientId: input.oauthClientId ?? crypto.randomUUID(),
    appUserId,
    webhookId: env.webhookId,
    webhookTimestamp: env.webhookTimestamp,
    agentSession,
    guidance: guidancePayload(guidance),
  };
  if (input.previousComments?.length) payload.previousComments = input.previousComments.map(commentChild);
  if (promptContext !== undefined) payload.promptContext = promptContext;
  return payload;
}

export interface PromptActivityInput {
  id?: string;
  body: string;
  signal?: "stop" | "continue" | "auth" | "select" | null;
  signalMetadata?: Record<string, unknown> | null;
  sourceCommentId?: string | null;
  user?: WebhookUser;
  createdAt?: string;
}

export interface AgentSessionPromptedInput extends AgentSessionEventInput {
  activity: PromptActivityInput;
}

/** `AgentSessionEvent` / `prompted`: the user wrote in the session's thread, or pressed stop (`signal: "stop"`). */
export function buildAgentSessionPromptedPayload(input: AgentSessionPromptedInput): AgentSessionEventPayload {
  const env = envelope(input);
  const appUserId = input.appUserId ?? crypto.randomUUID();
  const agentSession = agentSessionPayload(input, env.organizationId, appUserId);
  const user = input.activity.user ?? (input.creator ? input.creator : sampleUser());
  const createdAt = input.activity.createdAt ?? isoNow();
  return {
    type: "AgentSessionEvent",
    action: "prompted",
    createdAt: env.createdAt,
    organizationId: env.organizationId,
    oauthClientId: input.oauthClientId ?? crypto.randomUUID(),
    appUserId,
    webhookId: env.webhookId,
    webhookTimestamp: env.webhookTimestamp,
    agentSession,
    agentActivity: {
      id: input.activity.id ?? crypto.randomUUID(),
      agentSessionId: agentSession.id,
      createdAt,
      updatedAt: createdAt,
      archivedAt: null,
      content: { type: "prompt", body: input.activity.body },
      // [AI] documents the message as a top-level `body`; the schema has only `content`. Send both.
      body: input.activity.body,
      signal: input.activity.signal ?? null,
      signalMetadata: input.activity.signalMetadata ?? null,
      sourceCommentId: input.activity.sourceCommentId ?? null,
      userId: user.id,
      user: userChild(user),
    },
  };
}

export interface EntityPayloadInput extends EnvelopeInput {
  actor?: WebhookUser & { type?: string };
  url?: string;
}

function actorPayload(actor: (WebhookUser & { type?: string }) | undefined): Record<string, unknown> | undefined {
  return actor ? { ...userChild(actor), type: actor.type ?? "user" } : undefined;
}

/** `Issue` / `update`: `data` is the issue after the change, `updatedFrom` the previous values of what changed. */
export function buildIssueUpdatePayload(
  input: EntityPayloadInput & { data: Record<string, unknown>; updatedFrom: Record<string, unknown> },
): EntityPayload {
  const env = envelope(input);
  const payload: EntityPayload = {
    action: "update",
    type: "Issue",
    createdAt: env.createdAt,
    organizationId: env.organizationId,
    webhookId: env.webhookId,
    webhookTimestamp: env.webhookTimestamp,
    data: input.data,
    updatedFrom: input.updatedFrom,
  };
  const actor = actorPayload(input.actor);
  if (actor) payload.actor = actor;
  const url = input.url ?? (typeof input.data.url === "string" ? input.data.url : undefined);
  if (url) payload.url = url;
  return payload;
}

/** `Comment` / `create`. */
export function buildCommentCreatePayload(input: EntityPayloadInput & { data: Record<string, unknown> }): EntityPayload {
  const env = envelope(input);
  const payload: EntityPayload = {
    action: "create",
    type: "Comment",
    createdAt: env.createdAt,
    organizationId: env.organizationId,
    webhookId: env.webhookId,
    webhookTimestamp: env.webhookTimestamp,
    data: input.data,
  };
  const actor = actorPayload(input.actor);
  if (actor) payload.actor = actor;
  if (input.url) payload.url = input.url;
  return payload;
}

export interface AppUserNotificationInput extends EnvelopeInput {
  oauthClientId?: string;
  appUserId?: string;
  /** The notification type, also the envelope's `action`, e.g. `issueCommentMention`. */
  action: string;
  notification: Record<string, unknown>;
}

/** `AppUserNotification`: the app's inbox (mentions, assignments, new comments, status changes). */
export function buildAppUserNotificationPayload(input: AppUserNotificationInput): AppUserNotificationPayload {
  const env = envelope(input);
  const appUserId = input.appUserId ?? crypto.randomUUID();
  return {
    type: "AppUserNotification",
    action: input.action,
    createdAt: env.createdAt,
    organizationId: env.organizationId,
    oauthClientId: input.oauthClientId ?? crypto.randomUUID(),
    appUserId,
    webhookId: env.webhookId,
    webhookTimestamp: env.webhookTimestamp,
    notification: { type: input.action, userId: appUserId, ...input.notification },
  };
}

/** `OAuthApp` / `revoked`: the workspace uninstalled the app. */
export function buildOAuthAppRevokedPayload(input: EnvelopeInput & { oauthClientId?: string } = {}): OAuthAppPayload {
  const env = envelope(input);
  return {
    type: "OAuthApp",
    action: "revoked",
    createdAt: env.createdAt,
    organizationId: env.organizationId,
    oauthClientId: input.oauthClientId ?? crypto.randomUUID(),
    webhookId: env.webhookId,
    webhookTimestamp: env.webhookTimestamp,
  };
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `Linear-Signature`: hex HMAC-SHA256 of the exact bytes sent. */
export async function signWebhookBody(secret: string, rawBody: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(rawBody))));
}

/** The headers Linear sends with a delivery; `Linear-Event` is the payload's `type`. */
export function webhookHeaders(eventType: string, signature: string, deliveryId: string = crypto.randomUUID()): Record<string, string> {
  return {
    "Accept-Charset": "utf-8",
    "Content-Type": "application/json; charset=utf-8",
    "Linear-Delivery": deliveryId,
    "Linear-Event": eventType,
    "Linear-Signature": signature,
    "User-Agent": "Linear-Webhook",
  };
}

/** Serializes, signs and builds the request a delivery would make, for tests that post it themselves. */
export async function signedWebhookRequest(
  payload: LinearWebhookPayload,
  secret: string,
): Promise<{ body: string; headers: Record<string, string>; deliveryId: string }> {
  const body = JSON.stringify(payload);
  const deliveryId = crypto.randomUUID();
  return { body, headers: webhookHeaders(payload.type, await signWebhookBody(secret, body), deliveryId), deliveryId };
}
