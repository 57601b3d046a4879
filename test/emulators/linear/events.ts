/**
 * The webhook payloads that follow from something happening in an
 * organization, built from its records. Delivery is the sender's job.
 */
import { randomUUID } from "node:crypto";
import type { ActivityResult, StartSessionResult } from "./agent-sessions";
import type { AgentSessionRecord, CommentRecord, IssueRecord, OrganizationRecord } from "./model";
import {
  type AgentSessionEventInput,
  type AgentSessionEventPayload,
  type AppUserNotificationPayload,
  type EntityPayload,
  type OAuthAppPayload,
  buildAgentSessionCreatedPayload,
  buildAgentSessionPromptedPayload,
  buildAppUserNotificationPayload,
  buildCommentCreatePayload,
  buildIssueUpdatePayload,
  buildOAuthAppRevokedPayload,
  buildPromptContext,
} from "./payloads";
import { commentChild, commentUrl, commentWebhookData, guidanceFor, issueChild, issueWebhookData, promptContextInput, userChild } from "./views";

export interface EventContext {
  oauthClientId: string;
  webhookId: string;
}

function sessionInput(org: OrganizationRecord, ctx: EventContext, session: AgentSessionRecord): AgentSessionEventInput {
  const issue = session.issueId ? org.issues.get(session.issueId)! : null;
  const comment = session.commentId ? org.comments.get(session.commentId)! : null;
  const creator = session.creatorId ? org.users.get(session.creatorId)! : null;
  return {
    organizationId: org.id,
    webhookId: ctx.webhookId,
    oauthClientId: ctx.oauthClientId,
    appUserId: org.appUserId,
    issue: issue ? issueChild(org, issue) : null,
    comment: comment ? commentChild(comment) : null,
    creator: creator ? userChild(org, creator) : null,
    session: {
      id: session.id,
      status: session.status,
      createdAt: session.createdAt.toISOString(),
      updatedAt: session.updatedAt.toISOString(),
      startedAt: session.startedAt?.toISOString() ?? null,
      endedAt: session.endedAt?.toISOString() ?? null,
      summary: session.summary,
      sourceCommentId: session.sourceCommentId,
      url: issue ? `${issueChild(org, issue).url}#agent-session-${session.slugId}` : null,
    },
  };
}

export function agentSessionCreatedEvent(org: OrganizationRecord, ctx: EventContext, started: StartSessionResult): AgentSessionEventPayload {
  const input = sessionInput(org, ctx, started.session);
  const issue = started.issue;
  return buildAgentSessionCreatedPayload({
    ...input,
    guidance: guidanceFor(org, issue?.teamId ?? null),
    previousComments: started.previousComments.map(commentChild),
    promptContext: issue ? buildPromptContext(promptContextInput(org, started.session, issue)) : undefined,
  });
}

export function agentSessionPromptedEvent(org: OrganizationRecord, ctx: EventContext, result: ActivityResult): AgentSessionEventPayload {
  const { activity } = result;
  const user = org.users.get(activity.userId)!;
  return buildAgentSessionPromptedPayload({
    ...sessionInput(org, ctx, result.session),
    activity: {
      id: activity.id,
      body: (activity.content as { body: string }).body,
      signal: activity.signal,
      signalMetadata: (activity.signalMetadata as Record<string, unknown> | null) ?? null,
      sourceCommentId: activity.sourceCommentId,
      user: userChild(org, user),
      createdAt: activity.createdAt.toISOString(),
    },
  });
}

export function issueUpdateEvent(
  org: OrganizationRecord,
  ctx: EventContext,
  issue: IssueRecord,
  updatedFrom: Record<string, unknown>,
  actorId: string | null,
): EntityPayload {
  const actor = actorId ? org.users.get(actorId) : undefined;
  return buildIssueUpdatePayload({
    organizationId: org.id,
    webhookId: ctx.webhookId,
    data: issueWebhookData(org, issue),
    updatedFrom,
    ...(actor ? { actor: { ...userChild(org, actor), type: actor.app ? "OauthClient" : "user" } } : {}),
  });
}

export function commentCreateEvent(org: OrganizationRecord, ctx: EventContext, comment: CommentRecord): EntityPayload {
  const actor = comment.userId ? org.users.get(comment.userId) : undefined;
  return buildCommentCreatePayload({
    organizationId: org.id,
    webhookId: ctx.webhookId,
    data: commentWebhookData(org, comment),
    url: commentUrl(org, comment),
    ...(actor ? { actor: { ...userChild(org, actor), type: actor.app ? "OauthClient" : "user" } } : {}),
  });
}

export function appUserNotificationEvent(
  org: OrganizationRecord,
  ctx: EventContext,
  input: { type: string; issue: IssueRecord; comment: CommentRecord | null; actorId: string },
): AppUserNotificationPayload {
  const actor = org.users.get(input.actorId)!;
  const now = new Date().toISOString();
  return buildAppUserNotificationPayload({
    organizationId: org.id,
    webhookId: ctx.webhookId,
    oauthClientId: ctx.oauthClientId,
    appUserId: org.appUserId,
    action: input.type,
    notification: {
      id: randomUUID(),
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
      actorId: actor.id,
      actor: userChild(org, actor),
      externalUserActorId: null,
      issueId: input.issue.id,
      issue: { ...issueChild(org, input.issue), teamId: input.issue.teamId },
      ...(input.comment ? { commentId: input.comment.id, comment: commentChild(input.comment), parentCommentId: input.comment.parentId } : {}),
    },
  });
}

export function oauthAppRevokedEvent(org: OrganizationRecord, ctx: EventContext): OAuthAppPayload {
  return buildOAuthAppRevokedPayload({ organizationId: org.id, webhookId: ctx.webhookId, oauthClientId: ctx.oauthClientId });
}
