/**
 * A message to the agent sent from the panel (`POST /api/sessions/:id/messages`).
 * It is delivered exactly as a follow-up `prompted` event from Linear would be:
 * the message becomes that event and goes through `planDelivery`, so the rules
 * for a running, ended, local or cloud session are written once. On top of
 * what Linear's own prompt would do, the message is posted in the session's
 * Linear thread (a comment written by the app on the user's behalf), so the
 * conversation there stays whole.
 */
import type { AgentSessionEvent } from "../linear/webhook-schemas";
import type { JobSpec } from "./job-specs";
import type { Principal } from "./panel/access";
import { planDelivery, type ExecutionFacts, type IntakePlan } from "./session-intake";

export const MESSAGE_MAX_CHARS = 10_000;

const ENDED = new Set(["complete", "error", "stopped"]);

export interface MessageAuthor {
  /** Shown in Linear as the comment's author. */
  name: string;
  /** The Linear user, when a Linear user sent it (recorded like a prompt's userId). */
  linearUserId: string | null;
}

export interface PanelMessage {
  /** The client's id for this message: the same id twice delivers once. */
  id: string;
  agentSessionId: string;
  body: string;
  author: MessageAuthor;
}

/** What the IssueSession knows that bears on a message; looked up before planning. */
export interface MessageFacts {
  organizationId: string;
  /** Null when this object has no such agent session. */
  session: { issueId: string | null; status: string; routed: boolean; rootCommentId: string | null } | null;
  execution: ExecutionFacts | null;
  /** Whether this message id was already taken. */
  promptSeen: boolean;
  appUserId: string | null;
  preparePending: boolean;
}

export type AcceptedIntake = Extract<IntakePlan, { outcome: "accepted" }>;

export type MessagePlan =
  | { outcome: "refused"; status: 404 | 409; error: string }
  | { outcome: "duplicate"; message: string }
  | { outcome: "accepted"; message: string; intake: AcceptedIntake };

/** The prompt's id in the session's store: a namespace of its own, so a client id can never shadow a Linear activity's. */
export const panelPromptId = (messageId: string): string => `panel:${messageId}`;

/** Who the message is from, as Linear shows it: a Linear user by their name; the admin key as the edge's admin. */
export function messageAuthor(principal: Principal): MessageAuthor {
  if (principal.kind === "linear") return { name: principal.name || "A Linear user", linearUserId: principal.userId || null };
  return { name: "Cyrus Edge admin", linearUserId: null };
}

/** Whether the session can take a message at all: nothing should be accepted that no agent will ever read. */
function refusal(facts: MessageFacts): { status: 404 | 409; error: string } | null {
  const session = facts.session;
  if (!session) return { status: 404, error: "no such session" };
  if (!session.issueId) return { status: 409, error: "this session is not on a Linear issue, so no agent works on it to read a message" };
  const execution = facts.execution;
  if (!execution && ENDED.has(session.status)) {
    return { status: 409, error: "this session ended before any work started, so no agent would read the message: retry the session first" };
  }
  if (execution?.executor === "cloud" && execution.state === "stopped") {
    return { status: 409, error: "this session's cloud run was stopped, so no agent would read the message: retry the session first" };
  }
  return null;
}

/** The message as the `prompted` AgentSessionEvent Linear would have sent for it. */
export function promptedEvent(message: PanelMessage, facts: MessageFacts, now: number): AgentSessionEvent {
  return {
    type: "AgentSessionEvent",
    action: "prompted",
    organizationId: facts.organizationId,
    webhookTimestamp: now,
    appUserId: facts.appUserId ?? "",
    agentSession: { id: message.agentSessionId, issueId: facts.session?.issueId ?? null },
    agentActivity: { id: panelPromptId(message.id), content: { type: "prompt", body: message.body }, userId: message.author.linearUserId },
  };
}

/** What accepting the message will do, in words for the sender. */
function effect(jobs: JobSpec[]): string {
  if (jobs.some((job) => job.kind === "session.fallback")) return "sent: a local run starts with your message";
  if (jobs.some((job) => job.kind === "execution.followup")) return "sent to the agent as a follow-up";
  return "noted: the agent reads it when its work starts";
}

export function planPanelMessage(message: PanelMessage, facts: MessageFacts, now: number, newId: () => string): MessagePlan {
  if (!facts.session) return { outcome: "refused", status: 404, error: "no such session" };
  // Before anything about the session's state: a repeat of a message already taken is answered the same way, whatever happened since.
  if (facts.promptSeen) return { outcome: "duplicate", message: "this message was already sent" };
  const refused = refusal(facts);
  if (refused) return { outcome: "refused", ...refused };
  const plan = planDelivery(
    promptedEvent(message, facts, now),
    {
      deliverySeen: false,
      agentSessionKnown: true,
      promptSeen: false,
      hasAgentSessions: true,
      appUserId: facts.appUserId,
      agentSessionRouted: facts.session.routed,
      preparePending: facts.preparePending,
      execution: facts.execution,
    },
    newId,
  );
  if (plan.outcome !== "accepted") return { outcome: "refused", status: 409, error: `the session cannot take this message: ${plan.reason}` };
  const comment: JobSpec = {
    kind: "linear.comment",
    payload: {
      commentId: newId(),
      agentSessionId: message.agentSessionId,
      issueId: facts.session.issueId!,
      parentId: facts.session.rootCommentId,
      body: message.body,
      createAsUser: message.author.name,
    },
  };
  const timeline = plan.timeline.map((entry) =>
    entry.kind === "session.prompted"
      ? { ...entry, summary: `${message.author.name} wrote from the panel: ${message.body.slice(0, 200)}`, data: { ...entry.data, via: "panel", messageId: message.id } }
      : entry,
  );
  return {
    outcome: "accepted",
    message: effect(plan.jobs),
    // The comment goes first in the session's Linear lane: the thread shows the message before the agent's answer to it.
    intake: { ...plan, timeline, jobs: [comment, ...plan.jobs] },
  };
}
