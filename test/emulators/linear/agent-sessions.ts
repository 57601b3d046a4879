/**
 * Agent sessions and their activities. Linear derives a session's status from
 * its last activity and posts response, elicitation and error activities into
 * the session's comment thread; the emulator does the same.
 */
import { forbidden, invalidInput, notFound } from "./errors";
import { createComment, threadOf, updateIssue } from "./issues";
import type {
  ActivityContent,
  AgentActivityRecord,
  AgentActivitySignal,
  AgentSessionRecord,
  AgentSessionStatus,
  CommentRecord,
  ExternalUrl,
  IssueRecord,
  OrganizationRecord,
} from "./model";
import type { LinearStore } from "./store";

const AGENT_TYPES = ["thought", "action", "elicitation", "response", "error"] as const;
const THREAD_TYPES = new Set(["response", "elicitation", "error"]);
const PLAN_STATUSES = new Set(["pending", "inProgress", "completed", "canceled"]);

/** Undocumented in Linear; the emulator's choice, written down in shared/contracts §1.4. */
function statusAfter(content: ActivityContent, signal: AgentActivitySignal | null): AgentSessionStatus {
  switch (content.type) {
    case "thought":
    case "action":
      return "active";
    case "elicitation":
      return "awaitingInput";
    case "response":
      return "complete";
    case "error":
      return "error";
    case "prompt":
      return signal === "stop" ? "stopping" : "pending";
  }
}

export function session(org: OrganizationRecord, id: string): AgentSessionRecord {
  const record = org.sessions.get(id.toLowerCase());
  if (!record) throw notFound("AgentSession");
  return record;
}

/** The comment replies go under: the root of the thread the session lives in. */
export function threadRoot(org: OrganizationRecord, record: AgentSessionRecord): CommentRecord | null {
  const comment = record.commentId ? org.comments.get(record.commentId) : undefined;
  if (!comment) return null;
  return comment.parentId ? (org.comments.get(comment.parentId) ?? comment) : comment;
}

export interface StartSessionInput {
  /** UUID or identifier; absent for a direct-chat session. */
  issueId?: string | null;
  /** The mention that starts the session. Without it the session comes from a delegation. */
  commentBody?: string | null;
  /** Mention as a reply in this thread (the payload then carries `previousComments`). */
  parentCommentId?: string | null;
  /** Anchor the session on this existing comment (`agentSessionCreateOnComment`). */
  existingCommentId?: string | null;
  /** The human who started it; `null` for automation. Defaults to the organization's human user. */
  creatorId?: string | null;
  /** Make the app the issue's delegate. Defaults to true for a delegation, false for a mention. */
  delegate?: boolean;
}

export interface StartSessionResult {
  session: AgentSessionRecord;
  issue: IssueRecord | null;
  comment: CommentRecord | null;
  previousComments: CommentRecord[];
  /** Set when the delegation changed the issue: the `updatedFrom` of the `Issue` webhook. */
  issueUpdatedFrom: Record<string, unknown> | null;
}

export function startAgentSession(store: LinearStore, org: OrganizationRecord, input: StartSessionInput): StartSessionResult {
  const issue = input.issueId ? store.issue(org, input.issueId) : null;
  const creatorId = input.creatorId === undefined ? org.humanUserId : input.creatorId;
  if (creatorId) store.user(org, creatorId);
  const mention = input.commentBody != null;
  if (!issue && (mention || input.delegate)) throw invalidInput("a mention or a delegation needs an issue");

  let comment: CommentRecord | null = null;
  let previousComments: CommentRecord[] = [];
  if (issue && input.existingCommentId) {
    comment = org.comments.get(input.existingCommentId) ?? null;
    if (!comment || comment.issueId !== issue.id) throw notFound("Comment");
  } else if (issue && mention) {
    comment = createComment(store, org, {
      issueId: issue.id,
      parentId: input.parentCommentId ?? null,
      body: input.commentBody!,
      userId: creatorId,
    });
    if (comment.parentId) previousComments = threadOf(org, comment.parentId).filter((c) => c.id !== comment!.id);
  } else if (issue) {
    // A delegation has no comment of its own; Linear anchors the session on an artificial thread root.
    comment = createComment(store, org, { issueId: issue.id, body: "", userId: creatorId, isArtificialAgentSessionRoot: true });
  }

  let issueUpdatedFrom: Record<string, unknown> | null = null;
  if (issue && (input.delegate ?? !mention)) {
    const changed = updateIssue(store, org, issue, { delegateId: org.appUserId });
    if (Object.keys(changed).length > 0) issueUpdatedFrom = changed;
  }

  const now = store.clock.now();
  const id = store.claimId(org, "AgentSession");
  const record: AgentSessionRecord = {
    id,
    orgId: org.id,
    appUserId: org.appUserId,
    issueId: issue?.id ?? null,
    commentId: comment?.id ?? null,
    sourceCommentId: null,
    creatorId,
    status: "pending",
    slugId: id.replace(/-/g, "").slice(0, 12),
    summary: null,
    externalLink: null,
    externalUrls: [],
    plan: null,
    activityIds: [],
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    endedAt: null,
    archivedAt: null,
    dismissedAt: null,
  };
  org.sessions.set(id, record);
  return { session: record, issue, comment, previousComments, issueUpdatedFrom };
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw invalidInput(`${what} must be a non-empty string`);
  return value;
}

/** Linear validates `content` on the server although the schema types it as a bare JSONObject. */
export function parseAgentContent(raw: unknown): ActivityContent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalidInput("content must be an object");
  const content = raw as Record<string, unknown>;
  if (content.type === "prompt") throw forbidden("Agents cannot create prompt activities");
  if (!AGENT_TYPES.includes(content.type as (typeof AGENT_TYPES)[number])) {
    throw invalidInput(`content.type must be one of ${AGENT_TYPES.join(", ")}`);
  }
  if (content.type === "action") {
    const action = requireString(content.action, "content.action");
    if (typeof content.parameter !== "string") throw invalidInput("content.parameter must be a string");
    if (content.result != null && typeof content.result !== "string") throw invalidInput("content.result must be a string");
    return { type: "action", action, parameter: content.parameter, ...(content.result != null ? { result: content.result as string } : {}) };
  }
  const body = requireString(content.body, "content.body");
  if (content.type === "error") return { type: "error", body };
  return { type: content.type as "thought" | "elicitation" | "response", body };
}

export interface ActivityInput {
  id?: string | null;
  agentSessionId: string;
  content: unknown;
  ephemeral?: boolean | null;
  signal?: AgentActivitySignal | null;
  signalMetadata?: unknown;
}

export interface ActivityResult {
  activity: AgentActivityRecord;
  session: AgentSessionRecord;
  /** The thread comment Linear posts for a response, elicitation or error. */
  comment: CommentRecord | null;
}

/** An activity emitted by the app (`agentActivityCreate`). */
export function createAgentActivity(store: LinearStore, org: OrganizationRecord, input: ActivityInput): ActivityResult {
  const record = session(org, input.agentSessionId);
  const content = parseAgentContent(input.content);
  const ephemeral = input.ephemeral ?? false;
  if (ephemeral && content.type !== "thought" && content.type !== "action") throw invalidInput("only thought and action activities can be ephemeral");
  const id = store.claimId(org, "AgentActivity", input.id);

  let comment: CommentRecord | null = null;
  const root = threadRoot(org, record);
  if (THREAD_TYPES.has(content.type) && record.issueId) {
    comment = createComment(store, org, { issueId: record.issueId, parentId: root?.id ?? null, body: (content as { body: string }).body, userId: org.appUserId });
  }
  const activity = appendActivity(store, org, record, {
    id,
    content,
    ephemeral,
    signal: input.signal ?? null,
    signalMetadata: input.signalMetadata ?? null,
    sourceCommentId: null,
    commentId: comment?.id ?? null,
    userId: org.appUserId,
  });
  return { activity, session: record, comment };
}

/** A user's message in the session's thread, or their stop button (`signal: "stop"`). */
export function createPromptActivity(
  store: LinearStore,
  org: OrganizationRecord,
  record: AgentSessionRecord,
  input: { body: string; signal?: AgentActivitySignal | null; userId?: string },
): ActivityResult {
  const userId = input.userId ?? org.humanUserId;
  const user = store.user(org, userId);
  if (user.app) throw invalidInput("prompts come from people");
  const isStop = input.signal === "stop";
  if (!isStop && !input.body.trim()) throw invalidInput("body must not be empty");
  const root = threadRoot(org, record);
  // Stop is a button in Linear's UI: it writes no comment.
  const comment =
    record.issueId && input.body.trim() ? createComment(store, org, { issueId: record.issueId, parentId: root?.id ?? null, body: input.body, userId }) : null;
  const activity = appendActivity(store, org, record, {
    id: store.claimId(org, "AgentActivity"),
    content: { type: "prompt", body: input.body },
    ephemeral: false,
    signal: input.signal ?? null,
    signalMetadata: null,
    sourceCommentId: comment?.id ?? null,
    commentId: comment?.id ?? null,
    userId,
  });
  return { activity, session: record, comment };
}

function appendActivity(
  store: LinearStore,
  org: OrganizationRecord,
  record: AgentSessionRecord,
  fields: Omit<AgentActivityRecord, "orgId" | "agentSessionId" | "createdAt" | "updatedAt" | "archivedAt">,
): AgentActivityRecord {
  const now = store.clock.now();
  // An ephemeral activity is replaced by whatever comes next.
  for (const previousId of record.activityIds) {
    const previous = org.activities.get(previousId);
    if (previous?.ephemeral && !previous.archivedAt) previous.archivedAt = now;
  }
  const activity: AgentActivityRecord = { ...fields, orgId: org.id, agentSessionId: record.id, createdAt: now, updatedAt: now, archivedAt: null };
  org.activities.set(activity.id, activity);
  record.activityIds.push(activity.id);
  record.status = statusAfter(activity.content, activity.signal);
  if (record.status === "active" && !record.startedAt) record.startedAt = now;
  record.endedAt = record.status === "complete" || record.status === "error" ? now : null;
  record.updatedAt = now;
  return activity;
}

export interface SessionUpdateInput {
  externalUrls?: ExternalUrl[] | null;
  addedExternalUrls?: ExternalUrl[] | null;
  removedExternalUrls?: string[] | null;
  externalLink?: string | null;
  plan?: unknown;
  summary?: string | null;
}

function checkExternalUrl(link: ExternalUrl): ExternalUrl {
  if (!link.label.trim()) throw invalidInput("an external URL needs a label");
  try {
    const url = new URL(link.url);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
  } catch {
    throw invalidInput(`not a valid URL: ${link.url}`);
  }
  return { label: link.label, url: link.url };
}

function checkPlan(plan: unknown): unknown {
  if (plan === null) return null;
  if (!Array.isArray(plan)) throw invalidInput("plan must be an array of { content, status } steps");
  return plan.map((step: unknown) => {
    const s = step as { content?: unknown; status?: unknown } | null;
    if (!s || typeof s.content !== "string" || !PLAN_STATUSES.has(s.status as string)) {
      throw invalidInput("each plan step needs a string content and a status of pending, inProgress, completed or canceled");
    }
    return { content: s.content, status: s.status };
  });
}

/** `agentSessionUpdate` / `agentSessionUpdateExternalUrl`: `externalUrls` replaces the list and wins over added/removed. */
export function updateAgentSession(store: LinearStore, org: OrganizationRecord, id: string, input: SessionUpdateInput): AgentSessionRecord {
  const record = session(org, id);
  if (input.externalUrls != null) {
    record.externalUrls = input.externalUrls.map(checkExternalUrl);
  } else if (input.addedExternalUrls != null || input.removedExternalUrls != null) {
    const removed = new Set(input.removedExternalUrls ?? []);
    const kept = record.externalUrls.filter((u) => !removed.has(u.url));
    for (const link of (input.addedExternalUrls ?? []).map(checkExternalUrl)) {
      const at = kept.findIndex((u) => u.url === link.url);
      if (at >= 0) kept[at] = link;
      else kept.push(link);
    }
    record.externalUrls = kept;
  }
  if (input.externalLink !== undefined) record.externalLink = input.externalLink;
  if (input.plan !== undefined) record.plan = checkPlan(input.plan);
  if (input.summary !== undefined) {
    if (input.summary !== null && (!input.summary.trim() || input.summary.length > 255 || /[\r\n\0]/.test(input.summary))) {
      throw invalidInput("summary must be 1 to 255 characters on one line");
    }
    record.summary = input.summary;
  }
  record.updatedAt = store.clock.now();
  return record;
}
