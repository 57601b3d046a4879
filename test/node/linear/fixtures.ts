/**
 * Realistic Linear webhook bodies, shaped after shared/contracts/external-apis.md §1.3–1.5
 * (field names from Linear's schema; values illustrative). Plain JSON objects: tests
 * serialise them and run them through `parseLinearWebhook`, so they are real fixtures.
 */
import { parseLinearWebhook, type LinearWebhook } from "../../../src/linear/webhook-schemas";

export const ORG = "org-uuid";
export const APP_USER = "app-user-uuid";
export const USER = "user-uuid";
export const TS = 1773883618412;

type Json = Record<string, unknown>;

export function agentSessionCreated(overrides: Json = {}): Json {
  return {
    type: "AgentSessionEvent",
    action: "created",
    createdAt: "2026-03-19T01:26:58.412Z",
    organizationId: ORG,
    oauthClientId: "client-uuid",
    appUserId: APP_USER,
    webhookId: "wh-uuid",
    webhookTimestamp: TS,
    agentSession: {
      id: "sess-uuid",
      appUserId: APP_USER,
      organizationId: ORG,
      status: "pending",
      type: "commentThread",
      createdAt: "2026-03-19T01:26:58.000Z",
      updatedAt: "2026-03-19T01:26:58.000Z",
      archivedAt: null,
      startedAt: null,
      endedAt: null,
      summary: null,
      url: "https://linear.app/acme/issue/ENG-123#agent-session-sess-uuid",
      sourceMetadata: null,
      creatorId: USER,
      creator: { id: USER, name: "Jane", email: "j@x.io", avatarUrl: null, url: "https://linear.app/acme/profiles/jane" },
      issueId: "issue-uuid",
      issue: {
        id: "issue-uuid",
        identifier: "ENG-123",
        title: "Fix checkout a11y",
        description: "The checkout button has no label.",
        url: "https://linear.app/acme/issue/ENG-123/fix-checkout-a11y",
        teamId: "team-uuid",
        team: { id: "team-uuid", key: "ENG", name: "Engineering" },
      },
      commentId: "c-uuid",
      comment: { id: "c-uuid", body: "@agent please implement", userId: USER, issueId: "issue-uuid" },
      sourceCommentId: null,
    },
    previousComments: [{ id: "c0", body: "Earlier thoughts", userId: "u", issueId: "issue-uuid" }],
    guidance: [
      { body: "Always follow coding standards", origin: { type: "team", team: { id: "team-uuid", key: "ENG", name: "Engineering" } } },
      { body: "Write tests first" },
    ],
    promptContext:
      '<issue identifier="ENG-123"><title>Fix checkout a11y</title></issue><primary-directive-thread comment-id="c-uuid">@agent please implement</primary-directive-thread>',
    ...overrides,
  };
}

export function agentSessionPrompted(activity: Json = {}, overrides: Json = {}): Json {
  const created = agentSessionCreated();
  delete created.promptContext;
  delete created.guidance;
  delete created.previousComments;
  return {
    ...created,
    action: "prompted",
    agentActivity: {
      id: "act-uuid",
      agentSessionId: "sess-uuid",
      createdAt: "2026-03-19T01:30:00.000Z",
      updatedAt: "2026-03-19T01:30:00.000Z",
      archivedAt: null,
      content: { type: "prompt", body: "Also add tests" },
      signal: null,
      signalMetadata: null,
      sourceCommentId: "c2-uuid",
      userId: USER,
      user: { id: USER, name: "Jane", email: "j@x.io", url: "https://linear.app/acme/profiles/jane" },
      ...activity,
    },
    ...overrides,
  };
}

export function stopSignal(): Json {
  return agentSessionPrompted({ content: { type: "prompt", body: "" }, signal: "stop" });
}

export function issueUpdate(data: Json = {}, updatedFrom: Json | null = { delegateId: null, updatedAt: "2026-03-19T01:00:00.000Z" }, overrides: Json = {}): Json {
  return {
    type: "Issue",
    action: "update",
    createdAt: "2026-03-19T01:26:58.412Z",
    organizationId: ORG,
    url: "https://linear.app/acme/issue/ENG-123/fix-checkout-a11y",
    webhookId: "wh-uuid",
    webhookTimestamp: TS,
    actor: { id: USER, name: "Jane", email: "j@x.io", url: "https://linear.app/acme/profiles/jane", type: "user" },
    data: {
      id: "issue-uuid",
      identifier: "ENG-123",
      number: 123,
      title: "Fix checkout a11y",
      description: "The checkout button has no label.",
      url: "https://linear.app/acme/issue/ENG-123/fix-checkout-a11y",
      teamId: "team-uuid",
      team: { id: "team-uuid", key: "ENG", name: "Engineering" },
      stateId: "st-todo",
      state: { id: "st-todo", name: "Todo", type: "unstarted", color: "#e2e2e2" },
      assigneeId: USER,
      delegateId: APP_USER,
      delegate: { id: APP_USER, name: "Agent", email: "agent@apps.linear.app", url: "https://linear.app/acme/profiles/agent" },
      parentId: null,
      labelIds: [],
      labels: [],
      priority: 0,
      priorityLabel: "No priority",
      createdAt: "2026-03-18T10:00:00.000Z",
      updatedAt: "2026-03-19T01:26:58.000Z",
      ...data,
    },
    ...(updatedFrom === null ? {} : { updatedFrom }),
    ...overrides,
  };
}

export function commentCreate(data: Json = {}, overrides: Json = {}): Json {
  return {
    action: "create",
    type: "Comment",
    createdAt: "2020-01-23T12:53:18.084Z",
    organizationId: ORG,
    url: "https://linear.app/issue/LIN-1778/foo-bar#comment-77217de3",
    webhookTimestamp: 1676056940508,
    webhookId: "wh-uuid",
    data: {
      id: "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9",
      createdAt: "2020-01-23T12:53:18.084Z",
      updatedAt: "2020-01-23T12:53:18.084Z",
      archivedAt: null,
      body: "Indeed, I think this is the right call.",
      edited: false,
      issueId: "issue-uuid",
      userId: USER,
      user: { id: USER, name: "Jane" },
      issue: { id: "issue-uuid", identifier: "ENG-123", title: "Fix checkout a11y", url: "https://linear.app/…", teamId: "team-uuid" },
      parentId: null,
      reactionData: [],
      ...data,
    },
    ...overrides,
  };
}

export function appUserNotification(overrides: Json = {}): Json {
  return {
    type: "AppUserNotification",
    action: "issueCommentMention",
    createdAt: "2026-03-19T01:26:58.412Z",
    organizationId: ORG,
    oauthClientId: "client-uuid",
    appUserId: APP_USER,
    webhookId: "wh-uuid",
    webhookTimestamp: TS,
    notification: {
      id: "n-uuid",
      type: "issueCommentMention",
      createdAt: "2026-03-19T01:26:58.000Z",
      updatedAt: "2026-03-19T01:26:58.000Z",
      archivedAt: null,
      userId: APP_USER,
      actorId: USER,
      actor: { id: USER, name: "Jane" },
      issueId: "issue-uuid",
      issue: { id: "issue-uuid", identifier: "ENG-123", title: "Fix checkout a11y", description: null, url: "https://linear.app/…", teamId: "team-uuid", team: { id: "team-uuid", key: "ENG" } },
      commentId: "c-uuid",
      comment: { id: "c-uuid", body: "@agent what do you think?", userId: USER, issueId: "issue-uuid" },
      parentCommentId: null,
    },
    ...overrides,
  };
}

export function oauthAppRevoked(overrides: Json = {}): Json {
  return {
    type: "OAuthApp",
    action: "revoked",
    createdAt: "2026-03-19T01:26:58.412Z",
    organizationId: ORG,
    oauthClientId: "client-uuid",
    webhookTimestamp: TS,
    webhookId: "wh-uuid",
    ...overrides,
  };
}

export function permissionChange(overrides: Json = {}): Json {
  return {
    type: "PermissionChange",
    action: "teamAccessChanged",
    createdAt: "2026-03-19T01:26:58.412Z",
    organizationId: ORG,
    oauthClientId: "client-uuid",
    appUserId: APP_USER,
    webhookId: "wh-uuid",
    webhookTimestamp: TS,
    addedTeamIds: ["team-2"],
    removedTeamIds: ["team-3"],
    canAccessAllPublicTeams: false,
    ...overrides,
  };
}

/** Parses a body through the real schema and returns the typed event; fails the test if it does not parse. */
export function parsed<T extends LinearWebhook = LinearWebhook>(body: Json): T {
  const result = parseLinearWebhook(JSON.stringify(body));
  if (result.kind !== "event") throw new Error(`fixture did not parse: ${JSON.stringify(result)}`);
  return result.event as T;
}
