/**
 * What an IssueSession does with a webhook delivery, as a pure decision over
 * what it already knows. The object applies the plan in one storage
 * transaction, so a delivery either has its whole effect or none.
 *
 * Only AgentSessionEvents start or steer work. Issue updates, comments and
 * notifications are recorded on sessions we already have and never start one:
 * the Issue update that accompanies a delegation, and the Comment webhooks that
 * our own response/elicitation/error activities create, would otherwise each
 * start a second run.
 */
import type {
  AgentSessionEvent,
  AppUserNotification,
  CommentWebhook,
  IssueWebhook,
} from "../linear/webhook-schemas";
import type { AgentActivityContent } from "../linear/linear-api";
import type { JobSpec } from "./job-specs";
import { RUN_LOCALLY, STOPPED_NOTHING_RUNNING, acknowledgement, NO_ISSUE_MESSAGE, promptNoted } from "./linear-copy";
import { isExecutionLive, type ExecutionState } from "./execution-state";

export type { JobSpec } from "./job-specs";

/** Where the session's current execution stands, as far as a follow-up or a stop cares. */
export interface ExecutionFacts {
  attemptKey: string;
  executor: "cloud" | "local";
  /** creating: the run is being started; running/timed_out: it may be working; ended: it finished. */
  state: ExecutionState;
}

export type SessionDelivery = AgentSessionEvent | IssueWebhook | CommentWebhook | AppUserNotification;

/** What the object knows that bears on this delivery; looked up before planning. */
export interface IntakeFacts {
  deliverySeen: boolean;
  agentSessionKnown: boolean;
  promptSeen: boolean;
  /** Whether any agent session exists on this issue; informational events on other issues are dropped. */
  hasAgentSessions: boolean;
  /** The app's user id in this workspace, once an AgentSessionEvent has told us. */
  appUserId: string | null;
  /** Whether the session's repository is known; a follow-up on an unrouted session retries routing. */
  agentSessionRouted: boolean;
  /** Whether routing is already queued for this session: a burst of follow-ups must not queue it again. */
  preparePending: boolean;
  /** The session's latest execution, if one was started. */
  execution?: ExecutionFacts | null;
}

export interface NewAgentSession {
  id: string;
  issueId: string | null;
  issueIdentifier: string | null;
  issueTitle: string | null;
  creatorId: string | null;
  promptContext: string | null;
  guidance: string[];
  /** The text of the comment that started the session, when there is one. */
  initialComment: string | null;
}

export interface NewPrompt {
  activityId: string;
  agentSessionId: string;
  body: string;
  signal: string | null;
  userId: string | null;
}

export interface TimelineEntry {
  agentSessionId: string | null;
  kind: string;
  summary: string;
  data?: Record<string, unknown>;
}

export type IntakePlan =
  | { outcome: "duplicate"; reason: string }
  | { outcome: "ignored"; reason: string }
  | {
      outcome: "accepted";
      appUserId?: string;
      agentSession?: NewAgentSession;
      prompt?: NewPrompt;
      stopRequested?: string;
      issueSnapshot?: Record<string, unknown>;
      timeline: TimelineEntry[];
      jobs: JobSpec[];
    };

export function planDelivery(delivery: SessionDelivery, facts: IntakeFacts, newId: () => string): IntakePlan {
  if (facts.deliverySeen) return { outcome: "duplicate", reason: "this Linear-Delivery was already received" };
  switch (delivery.type) {
    case "AgentSessionEvent":
      return delivery.action === "created" ? planCreated(delivery, facts, newId) : planPrompted(delivery, facts, newId);
    case "Issue":
      return planIssueUpdate(delivery, facts);
    case "Comment":
      return planComment(delivery, facts);
    case "AppUserNotification":
      return planNotification(delivery, facts);
  }
}

function activity(agentSessionId: string, content: AgentActivityContent, newId: () => string): JobSpec {
  return { kind: "linear.activity", payload: { activityId: newId(), agentSessionId, content } };
}

function planCreated(event: AgentSessionEvent, facts: IntakeFacts, newId: () => string): IntakePlan {
  const session = event.agentSession;
  // Linear re-sends `created`, sometimes a second apart: the agent session id is the key.
  if (facts.agentSessionKnown) return { outcome: "duplicate", reason: `agent session ${session.id} is already known` };
  const issue = session.issue ?? null;
  const issueId = session.issueId ?? issue?.id ?? null;
  const agentSession: NewAgentSession = {
    id: session.id,
    issueId,
    issueIdentifier: issue?.identifier ?? null,
    issueTitle: issue?.title ?? null,
    creatorId: session.creatorId ?? session.creator?.id ?? null,
    promptContext: event.promptContext ?? null,
    guidance: (event.guidance ?? []).map((g) => g.body),
    initialComment: session.comment?.body ?? null,
  };
  const timeline: TimelineEntry[] = [
    {
      agentSessionId: session.id,
      kind: "session.created",
      summary: issue ? `Agent session started on ${issue.identifier}: ${issue.title}` : "Agent session started without an issue",
      data: { creatorId: agentSession.creatorId, commentId: session.commentId ?? null },
    },
  ];
  if (!issueId) {
    return {
      outcome: "accepted",
      appUserId: event.appUserId,
      agentSession,
      timeline: [...timeline, { agentSessionId: session.id, kind: "session.no_issue", summary: "Answered that a session needs an issue" }],
      jobs: [activity(session.id, { type: "response", body: NO_ISSUE_MESSAGE }, newId)],
    };
  }
  return {
    outcome: "accepted",
    appUserId: event.appUserId,
    agentSession,
    issueSnapshot: issue ? { ...issue } : undefined,
    timeline,
    jobs: [
      // Linear marks a session unresponsive without an activity within 10 seconds: this goes first.
      activity(session.id, { type: "thought", body: acknowledgement(issue?.identifier) }, newId),
      { kind: "session.prepare", payload: { agentSessionId: session.id } },
    ],
  };
}

function promptBody(event: AgentSessionEvent): string {
  const act = event.agentActivity;
  return act?.content?.body ?? act?.body ?? "";
}

function planPrompted(event: AgentSessionEvent, facts: IntakeFacts, newId: () => string): IntakePlan {
  const act = event.agentActivity;
  if (!act) return { outcome: "ignored", reason: "prompted event without an activity" };
  if (facts.promptSeen) return { outcome: "duplicate", reason: `agent activity ${act.id} was already received` };
  const sessionId = event.agentSession.id;
  const body = promptBody(event);
  const prompt: NewPrompt = {
    activityId: act.id,
    agentSessionId: sessionId,
    body,
    signal: act.signal ?? null,
    userId: act.userId ?? act.user?.id ?? null,
  };
  const agentSession = facts.agentSessionKnown ? undefined : sessionFromPrompt(event);
  const execution = facts.execution ?? null;
  const live = isExecutionLive(execution);
  if (prompt.signal === "stop") {
    return {
      outcome: "accepted",
      appUserId: event.appUserId,
      agentSession,
      prompt,
      stopRequested: sessionId,
      timeline: [{ agentSessionId: sessionId, kind: "session.stop_requested", summary: "The user asked to stop", data: { activityId: act.id } }],
      // A live run gets a stop that says what it did to the run; otherwise there is nothing to stop.
      jobs: live
        ? [{ kind: "execution.stop", payload: { executor: execution.executor, agentSessionId: sessionId, attemptKey: execution.attemptKey } }]
        : [activity(sessionId, { type: "response", body: STOPPED_NOTHING_RUNNING }, newId)],
    };
  }
  /** A follow-up message, recorded on the timeline, with the jobs that act on it. */
  const followUp = (jobs: JobSpec[]): IntakePlan => ({
    outcome: "accepted",
    appUserId: event.appUserId,
    agentSession,
    prompt,
    timeline: [{ agentSessionId: sessionId, kind: "session.prompted", summary: `The user wrote: ${body.slice(0, 200)}`, data: { activityId: act.id } }],
    jobs,
  });
  // A cloud run past its time limit: the user asked us to start a local run after all.
  if (execution && execution.executor === "cloud" && execution.state === "timed_out" && RUN_LOCALLY.test(body)) {
    return followUp([
      { kind: "session.fallback", payload: { agentSessionId: sessionId, fromAttemptKey: execution.attemptKey, to: "local", reason: "you asked for a local run after the cloud run passed its time limit" } },
    ]);
  }
  // A local task takes the message as a follow-up whatever its state: pushed into the
  // running session, or a new run that resumes it. A cloud run takes it once it exists
  // (one still being created reads every prompt so far when it starts).
  if (execution && (execution.executor === "local" || (execution.state !== "creating" && execution.state !== "stopped"))) {
    return followUp([{ kind: "execution.followup", payload: { executor: execution.executor, agentSessionId: sessionId, attemptKey: execution.attemptKey, prompt: body } }]);
  }
  const jobs: JobSpec[] = [activity(sessionId, { type: "thought", body: promptNoted(body) }, newId)];
  // A session we could not route (or never saw start) gets another try: the message may name the repository.
  if (!facts.agentSessionRouted && !facts.preparePending && (event.agentSession.issueId ?? event.agentSession.issue?.id)) {
    jobs.push({ kind: "session.prepare", payload: { agentSessionId: sessionId } });
  }
  return followUp(jobs);
}

/** A `prompted` for a session we never saw created (its `created` was lost or came elsewhere): adopt it. */
function sessionFromPrompt(event: AgentSessionEvent): NewAgentSession {
  const session = event.agentSession;
  return {
    id: session.id,
    issueId: session.issueId ?? session.issue?.id ?? null,
    issueIdentifier: session.issue?.identifier ?? null,
    issueTitle: session.issue?.title ?? null,
    creatorId: session.creatorId ?? session.creator?.id ?? null,
    promptContext: null,
    guidance: [],
    initialComment: null,
  };
}

const TRACKED_ISSUE_FIELDS = ["title", "description", "stateId", "delegateId", "assigneeId"] as const;

function planIssueUpdate(event: IssueWebhook, facts: IntakeFacts): IntakePlan {
  if (!facts.hasAgentSessions) return { outcome: "ignored", reason: "no agent session on this issue" };
  const changed = TRACKED_ISSUE_FIELDS.filter((field) => event.updatedFrom && field in event.updatedFrom);
  if (event.action === "update" && changed.length === 0) return { outcome: "ignored", reason: "no tracked field changed" };
  const data = event.data;
  const summaries = changed.map((field) => {
    if (field === "delegateId") return facts.appUserId && data.delegateId === facts.appUserId ? "delegated to the agent" : "delegate changed";
    if (field === "stateId") return `state is now ${data.state?.name ?? data.stateId ?? "unknown"}`;
    return `${field} changed`;
  });
  return {
    outcome: "accepted",
    issueSnapshot: { ...data },
    timeline: [
      {
        agentSessionId: null,
        kind: `issue.${event.action}`,
        summary: summaries.length ? `Issue ${summaries.join(", ")}` : `Issue ${event.action}d`,
        data: { changed },
      },
    ],
    jobs: [],
  };
}

function planComment(event: CommentWebhook, facts: IntakeFacts): IntakePlan {
  if (!facts.hasAgentSessions) return { outcome: "ignored", reason: "no agent session on this issue" };
  // Our own response, elicitation and error activities come back as comments: never act on them.
  if (facts.appUserId && event.data.userId === facts.appUserId) return { outcome: "ignored", reason: "comment written by the app user" };
  return {
    outcome: "accepted",
    timeline: [
      {
        agentSessionId: null,
        kind: `comment.${event.action}`,
        summary: `Comment: ${event.data.body.slice(0, 200)}`,
        data: { commentId: event.data.id, userId: event.data.userId ?? null },
      },
    ],
    jobs: [],
  };
}

function planNotification(event: AppUserNotification, facts: IntakeFacts): IntakePlan {
  if (!facts.hasAgentSessions) return { outcome: "ignored", reason: "no agent session on this issue" };
  return {
    outcome: "accepted",
    timeline: [
      {
        agentSessionId: null,
        kind: "notification",
        summary: `Linear notification: ${event.action}`,
        data: { notificationId: event.notification.id, type: event.notification.type },
      },
    ],
    jobs: [],
  };
}
