/**
 * The control API under `/_emulator`: unauthenticated JSON endpoints through
 * which tests set up workspaces, play the user's part (mentions, delegations,
 * prompts), inject faults, move the clock and read back what happened.
 * Documented in README.md.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createPromptActivity, session as findSession, startAgentSession } from "./agent-sessions";
import { type Emulator, checkHttpUrl } from "./emulator";
import { LinearApiError } from "./errors";
import { agentSessionCreatedEvent, agentSessionPromptedEvent, appUserNotificationEvent, commentCreateEvent, issueUpdateEvent, oauthAppRevokedEvent } from "./events";
import { parseFaultSpec } from "./faults";
import { HttpError, readJson, sendJson } from "./http";
import { createComment, createIssue } from "./issues";
import { seedIssueTree } from "./issue-tree";
import { createIssueRelation } from "./relations";
import type { AgentActivitySignal, OrganizationRecord } from "./model";
import type { LinearWebhookPayload } from "./payloads";
import type { DeliveryRecord } from "./recorder";
import type { CreateOrganizationOptions } from "./store";
import { activityView, commentView, issueView, organizationState, relationView, sessionView, userChild } from "./views";

type Body = Record<string, unknown>;

function str(body: Body, key: string, required: true): string;
function str(body: Body, key: string, required?: false): string | undefined;
function str(body: Body, key: string, required = false): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new HttpError(400, `${key} is required`);
    return undefined;
  }
  if (typeof value !== "string") throw new HttpError(400, `${key} must be a string`);
  return value;
}

function num(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new HttpError(400, `${key} must be a number`);
  return value;
}

function bool(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new HttpError(400, `${key} must be a boolean`);
  return value;
}

function strings(body: Body, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new HttpError(400, `${key} must be an array of strings`);
  return value as string[];
}

function webhookOverride(body: Body): OrganizationRecord["webhook"] | undefined {
  const url = str(body, "webhookUrl");
  if (url === undefined) return undefined;
  const secret = str(body, "webhookSecret", true);
  return { url: checkHttpUrl(url, "webhookUrl"), secret, webhookId: randomUUID() };
}

function installTokens(emulator: Emulator, org: OrganizationRecord, body: Body = {}) {
  const scopes = strings(body, "scopes") ?? ["read", "write", "app:assignable", "app:mentionable"];
  const actor = str(body, "actor") === "user" ? "user" : "app";
  // A user token acts for `userId` (a person in this organization), else for its first member.
  const userId = str(body, "userId");
  if (userId !== undefined && (actor !== "user" || emulator.store.user(org, userId).app)) throw new HttpError(400, "userId needs actor \"user\" and a person, not an app");
  const ttl = emulator.config.tokenTtlSeconds;
  const grant = emulator.tokens.issue({ orgId: org.id, clientId: emulator.config.clientId, actor, userId: userId ?? org.humanUserId, scopes, ttlSeconds: ttl, withRefresh: true, source: "installed" });
  return { accessToken: grant.accessToken, refreshToken: grant.refreshToken, expiresIn: ttl, scope: scopes.join(" ") };
}

async function deliverAll(emulator: Emulator, org: OrganizationRecord, payloads: LinearWebhookPayload[], deliver: boolean): Promise<DeliveryRecord[]> {
  const deliveries: DeliveryRecord[] = [];
  if (!deliver) return deliveries;
  // One after the other, in the order Linear's events happen.
  for (const payload of payloads) {
    const delivery = await emulator.send(org, payload);
    if (delivery) deliveries.push(delivery);
  }
  return deliveries;
}

type Handler = (emulator: Emulator, params: string[], body: Body, url: URL) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const ID = "([^/]+)";

const routes: Route[] = [
  {
    method: "GET",
    pattern: /^\/_emulator\/health$/,
    handler: () => ({ ok: true }),
  },
  {
    method: "POST",
    pattern: /^\/_emulator\/organizations$/,
    handler: (emulator, _params, body) => {
      const teams = body.teams as CreateOrganizationOptions["teams"] | undefined;
      if (teams !== undefined && (!Array.isArray(teams) || !teams.every((t) => typeof t?.key === "string"))) throw new HttpError(400, "teams must be [{ key, name }]");
      const guidance = body.guidance as CreateOrganizationOptions["guidance"] | undefined;
      if (guidance !== undefined && (!Array.isArray(guidance) || !guidance.every((g) => typeof g?.body === "string"))) throw new HttpError(400, "guidance must be [{ body, teamKey? }]");
      const webhook = webhookOverride(body);
      const org = emulator.store.createOrganization({ name: str(body, "name"), urlKey: str(body, "urlKey"), teams, appUserName: str(body, "appUserName"), guidance });
      if (webhook) org.webhook = webhook;
      const state = organizationState(org);
      return {
        organizationId: org.id,
        name: org.name,
        urlKey: org.urlKey,
        appUserId: org.appUserId,
        userId: org.humanUserId,
        teams: state.teams,
        webhookId: emulator.eventContext(org).webhookId,
        ...installTokens(emulator, org, body),
      };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/state$`),
    handler: (emulator, [orgId]) => organizationState(emulator.store.org(orgId!)),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/tokens$`),
    handler: (emulator, [orgId], body) => installTokens(emulator, emulator.store.org(orgId!), body),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/users$`),
    handler: (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      const user = emulator.store.createMember(org, { name: str(body, "name", true), email: str(body, "email"), admin: bool(body, "admin") });
      return { ...userChild(org, user), displayName: user.displayName, admin: user.admin, app: user.app };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/webhook$`),
    handler: (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      org.webhook = body.webhookUrl === null ? null : (webhookOverride(body) ?? org.webhook);
      return { webhookId: emulator.eventContext(org).webhookId, webhookUrl: emulator.webhookTarget(org)?.url ?? null };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/issues$`),
    handler: (emulator, [orgId], body) => {
      const { store } = emulator;
      const org = store.org(orgId!);
      const teamKey = str(body, "teamKey");
      const team = teamKey ? store.teamByKey(org, teamKey) : [...org.teams.values()][0]!;
      const stateType = str(body, "stateType");
      const stateName = str(body, "stateName");
      const state = stateType || stateName ? store.findState(org, team.id, { stateType, stateName }) : undefined;
      const labelIds = (strings(body, "labels") ?? []).map((name) => store.ensureLabel(org, name).id);
      const projectName = str(body, "project");
      const issue = createIssue(store, org, {
        id: str(body, "id"),
        teamId: team.id,
        title: str(body, "title", true),
        description: str(body, "description") ?? null,
        stateId: state?.id,
        priority: num(body, "priority"),
        estimate: num(body, "estimate"),
        labelIds,
        projectId: projectName ? store.ensureProject(org, projectName, team.id).id : null,
        parentId: str(body, "parent") ?? null,
        delegateId: bool(body, "delegateToApp") ? org.appUserId : null,
        assigneeId: bool(body, "assignToUser") ? org.humanUserId : null,
        creatorId: org.humanUserId,
      });
      return issueView(org, issue);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/issue-relations$`),
    handler: (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      const relation = createIssueRelation(emulator.store, org, {
        id: str(body, "id"),
        issueId: str(body, "issueId", true),
        relatedIssueId: str(body, "relatedIssueId", true),
        type: str(body, "type") ?? "blocks",
      });
      return relationView(relation);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/issue-trees$`),
    handler: (emulator, [orgId], body) => seedIssueTree(emulator.store, emulator.store.org(orgId!), body),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/comments$`),
    handler: async (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      const comment = createComment(emulator.store, org, {
        issueId: str(body, "issueId", true),
        parentId: str(body, "parentId") ?? null,
        body: str(body, "body", true),
        userId: str(body, "userId") ?? org.humanUserId,
      });
      const payload = commentCreateEvent(org, emulator.eventContext(org), comment);
      const deliveries = await deliverAll(emulator, org, [payload], bool(body, "deliver") ?? false);
      return { comment: commentView(org, comment), payload, deliveries };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/agent-sessions$`),
    handler: async (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      const started = startAgentSession(emulator.store, org, {
        issueId: str(body, "issueId") ?? null,
        commentBody: str(body, "comment") ?? null,
        parentCommentId: str(body, "parentCommentId") ?? null,
        creatorId: bool(body, "creator") === false ? null : (str(body, "creatorId") ?? org.humanUserId),
        delegate: bool(body, "delegate"),
      });
      const ctx = emulator.eventContext(org);
      const payload = agentSessionCreatedEvent(org, ctx, started);
      const issuePayload =
        started.issue && started.issueUpdatedFrom ? issueUpdateEvent(org, ctx, started.issue, started.issueUpdatedFrom, started.session.creatorId) : null;
      const deliveries = await deliverAll(emulator, org, issuePayload ? [payload, issuePayload] : [payload], bool(body, "deliver") ?? false);
      return { agentSession: sessionView(org, started.session), comment: started.comment ? commentView(org, started.comment) : null, payload, issuePayload, deliveries };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/agent-sessions/${ID}/prompt$`),
    handler: async (emulator, [sessionId], body) => {
      const org = emulator.store.ownerOf(sessionId!.toLowerCase());
      if (!org) throw new HttpError(404, "no such agent session");
      const record = findSession(org, sessionId!);
      const signal = str(body, "signal") as AgentActivitySignal | undefined;
      if (signal !== undefined && !["stop", "continue", "auth", "select"].includes(signal)) throw new HttpError(400, "signal must be stop, continue, auth or select");
      const result = createPromptActivity(emulator.store, org, record, { body: str(body, "body") ?? "", signal: signal ?? null, userId: str(body, "userId") });
      const payload = agentSessionPromptedEvent(org, emulator.eventContext(org), result);
      const deliveries = await deliverAll(emulator, org, [payload], bool(body, "deliver") ?? true);
      return { agentActivity: activityView(result.activity), agentSession: sessionView(org, record), payload, deliveries };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/notifications$`),
    handler: async (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      const issue = emulator.store.issue(org, str(body, "issueId", true));
      const commentBody = str(body, "commentBody");
      const comment = commentBody ? createComment(emulator.store, org, { issueId: issue.id, body: commentBody, userId: org.humanUserId }) : null;
      const payload = appUserNotificationEvent(org, emulator.eventContext(org), { type: str(body, "type", true), issue, comment, actorId: org.humanUserId });
      const deliveries = await deliverAll(emulator, org, [payload], bool(body, "deliver") ?? true);
      return { payload, deliveries };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ID}/uninstall$`),
    handler: async (emulator, [orgId], body) => {
      const org = emulator.store.org(orgId!);
      const revoked = emulator.tokens.endWhere((g) => g.orgId === org.id, "uninstalled");
      const payload = oauthAppRevokedEvent(org, emulator.eventContext(org));
      const deliveries = await deliverAll(emulator, org, [payload], bool(body, "deliver") ?? true);
      return { revokedGrants: revoked, payload, deliveries };
    },
  },
  {
    method: "GET",
    pattern: /^\/_emulator\/calls$/,
    handler: (emulator, _params, _body, url) => {
      const orgId = url.searchParams.get("organizationId");
      const rootField = url.searchParams.get("rootField");
      const operationName = url.searchParams.get("operationName");
      return {
        graphql: emulator.recorder.graphql.filter(
          (c) => (!orgId || c.organizationId === orgId) && (!rootField || c.rootFields.includes(rootField)) && (!operationName || c.operationName === operationName),
        ),
        oauth: emulator.recorder.oauth.filter((c) => !orgId || c.organizationId === orgId),
      };
    },
  },
  {
    method: "GET",
    pattern: /^\/_emulator\/deliveries$/,
    handler: async (emulator, _params, _body, url) => {
      const orgId = url.searchParams.get("organizationId");
      const event = url.searchParams.get("event");
      // Deliveries that follow a mutation run in the background; let them land first.
      await emulator.webhooks.settle();
      return { deliveries: emulator.recorder.deliveries.filter((d) => (!orgId || d.organizationId === orgId) && (!event || d.event === event)) };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/deliveries/${ID}/redeliver$`),
    handler: async (emulator, [deliveryId], body) => {
      const original = emulator.recorder.deliveries.find((d) => d.id === deliveryId);
      if (!original) throw new HttpError(404, "no such delivery");
      const org = emulator.store.org(original.organizationId);
      const target = emulator.webhookTarget(org);
      if (!target) throw new HttpError(409, "no webhook target is configured");
      const payload = { ...(original.payload as LinearWebhookPayload), webhookTimestamp: Date.now() };
      // Whether Linear keeps Linear-Delivery across retries is unverified: a new one by default.
      const delivery = await emulator.webhooks.deliver(target, payload, bool(body, "sameDeliveryId") ? { deliveryId: original.id } : {});
      return { delivery };
    },
  },
  {
    method: "POST",
    pattern: /^\/_emulator\/faults$/,
    handler: (emulator, _params, body) => ({ fault: emulator.faults.add(parseFaultSpec(body)) }),
  },
  {
    method: "GET",
    pattern: /^\/_emulator\/faults$/,
    handler: (emulator) => ({ faults: emulator.faults.list() }),
  },
  {
    method: "DELETE",
    pattern: /^\/_emulator\/faults$/,
    handler: (emulator, _params, _body, url) => ({ removed: emulator.faults.clear(url.searchParams.get("organizationId")) }),
  },
  {
    method: "GET",
    pattern: /^\/_emulator\/config$/,
    handler: (emulator) => emulator.publicConfig(),
  },
  {
    method: "POST",
    pattern: /^\/_emulator\/config$/,
    handler: (emulator, _params, body) => {
      emulator.configure(body);
      return emulator.publicConfig();
    },
  },
  {
    method: "GET",
    pattern: /^\/_emulator\/clock$/,
    handler: (emulator) => ({ now: emulator.store.clock.now().toISOString(), offsetMs: emulator.store.clock.offsetMs }),
  },
  {
    method: "POST",
    pattern: /^\/_emulator\/clock$/,
    handler: (emulator, _params, body) => {
      try {
        emulator.store.clock.advance(num(body, "advanceMs") ?? 0);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
      return { now: emulator.store.clock.now().toISOString(), offsetMs: emulator.store.clock.offsetMs };
    },
  },
  {
    method: "POST",
    pattern: /^\/_emulator\/reset$/,
    handler: async (emulator) => {
      await emulator.webhooks.settle();
      emulator.reset();
      return { ok: true };
    },
  },
];

export async function handleControl(emulator: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const candidates = routes.filter((r) => r.pattern.test(url.pathname));
  if (candidates.length === 0) throw new HttpError(404, `no control endpoint ${url.pathname}`);
  const route = candidates.find((r) => r.method === req.method);
  if (!route) throw new HttpError(405, `${req.method} is not supported on ${url.pathname}`);
  const params = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
  const body = req.method === "POST" ? await readJson(req) : {};
  try {
    sendJson(res, 200, await route.handler(emulator, params, body, url));
  } catch (error) {
    if (error instanceof LinearApiError) {
      const status = error.message.startsWith("Entity not found") ? 404 : error.extensions.statusCode === 403 ? 403 : 400;
      throw new HttpError(status, error.extensions.userPresentableMessage);
    }
    throw error;
  }
}
