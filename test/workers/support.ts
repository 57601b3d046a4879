/**
 * Helpers for tests that run inside workerd: drive the Worker through its
 * real fetch handler, drive the Linear emulator through its control API, and
 * fire Durable Object alarms with the test pool's helpers (never timers).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as untypedEnv, exports } from "cloudflare:workers";
import { inject } from "vitest";
import { signLinearPayload } from "../../src/linear/webhook-signature";
import type { IssueSessionRpc, WorkspaceRpc } from "../../workers/objects/contracts";
import { IssueSessionStore, type AgentSessionRecord, type JobView } from "../../workers/objects/issue-session/store";
import { HubStore, type AgentRecord, type TaskRecord } from "../../workers/objects/workspace/hub-store";
import { LedgerStore, type BudgetWaiterRow } from "../../workers/objects/workspace/ledger-store";
import type { AppEnv } from "../../workers/env";

/** The test pool's env with the Durable Object namespaces typed (the generated Env cannot know their classes). */
export const env = untypedEnv as unknown as AppEnv;

/** What a test may want to see inside an IssueSession, read from its storage (not through its RPC surface). */
export interface IssueSessionSnapshot {
  organizationId: string | null;
  agentSessions: AgentSessionRecord[];
  timeline: { seq: number; at: number; agentSessionId: string | null; kind: string; summary: string; dataJson: string | null }[];
  jobs: JobView[];
  alarmAt: number | null;
}

export async function inspectSession(stub: DurableObjectStub<IssueSessionRpc>): Promise<IssueSessionSnapshot> {
  return runInDurableObject(stub, async (_instance, state) => {
    const store = new IssueSessionStore(state.storage);
    return {
      organizationId: store.getMeta("organization_id"),
      agentSessions: store.listAgentSessions(),
      timeline: store.listTimeline().map(({ data, ...entry }) => ({ ...entry, dataJson: data ? JSON.stringify(data) : null })),
      jobs: store.listJobs(),
      alarmAt: await state.storage.getAlarm(),
    };
  });
}

/** The Workspace hub's agents and tasks, read from its storage. */
export async function hubSnapshot(stub: DurableObjectStub<WorkspaceRpc>): Promise<{ agents: AgentRecord[]; tasks: (Omit<TaskRecord, "spec"> & { specJson: string })[] }> {
  return runInDurableObject(stub, (_instance, state) => {
    const hub = new HubStore(state.storage);
    return {
      agents: hub.allAgents().map((a) => ({ ...a })),
      tasks: hub.tasksInState("queued", "assigned", "running", "done", "cancelled").map(({ spec, ...task }) => ({ ...task, specJson: JSON.stringify(spec) })),
    };
  });
}

/** The Workspace's queue of runs waiting for budget, read from its storage. */
export async function budgetWaiters(stub: DurableObjectStub<WorkspaceRpc>): Promise<{ waiters: BudgetWaiterRow[]; wakeDueAt: number | null }> {
  return runInDurableObject(stub, (_instance, state) => {
    const ledger = new LedgerStore(state.storage);
    return { waiters: ledger.waiters(), wakeDueAt: ledger.wakeDueAt() };
  });
}

export const EDGE = "https://edge.test";
export const API_KEY = "test-api-key";
export const linearUrl = (): string => inject("linearEmulatorUrl");

export async function edgeFetch(path: string, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: Fetcher }).default.fetch(new Request(`${EDGE}${path}`, init));
}

export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${API_KEY}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return edgeFetch(path, { ...init, headers });
}

export async function emulator<T = unknown>(path: string, body?: unknown, method = body === undefined ? "GET" : "POST"): Promise<T> {
  const response = await fetch(`${linearUrl()}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export interface EmulatedOrg {
  organizationId: string;
  appUserId: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  teams: { id: string; key: string; name: string }[];
}

/** A fresh Linear organization in the emulator, installed into the edge without the OAuth dance. */
export async function installedOrg(name = "Acme"): Promise<EmulatedOrg> {
  const org = await emulator<EmulatedOrg>("/_emulator/organizations", { name, urlKey: `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}` });
  const workspace = env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));
  await workspace.install({
    organizationId: org.organizationId,
    name,
    urlKey: name.toLowerCase(),
    appUserId: org.appUserId,
    tokens: { accessToken: org.accessToken, refreshToken: org.refreshToken, expiresAt: Date.now() + 24 * 3600_000, scope: "read write" },
    installedBy: "test",
  });
  return org;
}

export interface EmulatedIssue {
  id: string;
  identifier: string;
  title: string;
}

export async function createIssue(org: EmulatedOrg, fields: Record<string, unknown> = {}): Promise<EmulatedIssue> {
  return emulator<EmulatedIssue>(`/_emulator/organizations/${org.organizationId}/issues`, { title: "Fix checkout a11y", teamKey: org.teams[0]?.key, ...fields });
}

/** Creates the agent session in the emulator and returns Linear's `created` payload for it, unsent. */
export async function createdPayload(org: EmulatedOrg, issue: EmulatedIssue | null, extra: Record<string, unknown> = {}): Promise<{ agentSessionId: string; payload: Record<string, unknown> }> {
  const result = await emulator<{ agentSession: { id: string }; payload: Record<string, unknown> }>(
    `/_emulator/organizations/${org.organizationId}/agent-sessions`,
    { issueId: issue?.id, deliver: false, ...extra },
  );
  return { agentSessionId: result.agentSession.id, payload: result.payload };
}

export async function postWebhook(
  payload: unknown,
  options: { deliveryId?: string; signature?: string | null; rawBody?: string; secret?: string } = {},
): Promise<Response> {
  const rawBody = options.rawBody ?? JSON.stringify(payload);
  const signature = options.signature === undefined ? await signLinearPayload(options.secret ?? "test-webhook-secret", rawBody) : options.signature;
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "linear-delivery": options.deliveryId ?? crypto.randomUUID(),
    "user-agent": "Linear-Webhook",
  };
  const type = (payload as { type?: string } | null)?.type;
  if (type) headers["linear-event"] = type;
  if (signature !== null) headers["linear-signature"] = signature;
  return edgeFetch("/webhooks/linear", { method: "POST", headers, body: rawBody });
}

export function issueSessionStub(organizationId: string, issueId: string) {
  return env.ISSUE_SESSION.get(env.ISSUE_SESSION.idFromName(`${organizationId}:${issueId}`));
}

/**
 * Stands in for time passing: makes every pending job due now, as if its wait
 * (a backoff, a rate-limit reset) were over. The tests run with RETRY_BASE_MS
 * at a minute, so nothing retries by itself while a test looks at the state.
 */
export async function makePendingJobsDue(stub: ReturnType<typeof issueSessionStub>): Promise<void> {
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(`UPDATE jobs SET due_at = ? WHERE state = 'pending'`, Date.now());
  });
}

/** Timers that wait on purpose (a run's deadline, periodic log reads and checks): `settle` leaves them be. */
export const TIMER_KINDS = ["cloud.deadline", "cloud.logs", "cloud.check", "parallel.child-deadline"];

/**
 * Lets time pass for retries and fires the object's alarm until no job but the
 * timers is pending. Fire a timer with `fireTimers`.
 */
export async function settle(stub: ReturnType<typeof issueSessionStub>, maxRuns = 25): Promise<IssueSessionSnapshot> {
  for (let run = 0; run < maxRuns; run++) {
    const snapshot = await inspectSession(stub);
    if (!snapshot.jobs.some((job) => job.state === "pending" && !TIMER_KINDS.includes(job.kind))) return snapshot;
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec(
        `UPDATE jobs SET due_at = ? WHERE state = 'pending' AND kind NOT IN (${TIMER_KINDS.map(() => "?").join(", ")})`,
        Date.now(),
        ...TIMER_KINDS,
      );
      // The time that passes includes any rate-limit reset Linear asked us to wait for.
      state.storage.sql.exec(`DELETE FROM meta WHERE key = 'linear_paused_until'`);
      // runDurableObjectAlarm removes the scheduled alarm before it calls alarm(). When the alarm had
      // fired by itself a moment before (another object's call armed it for now), alarm() only joins
      // that run, whose re-arm was just removed: schedule one again so the jobs made due above run.
      if ((await state.storage.getAlarm()) === null) await state.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(stub);
  }
  const stuck = (await inspectSession(stub)).jobs.filter((job) => job.state === "pending" && !TIMER_KINDS.includes(job.kind));
  throw new Error(`jobs still pending after ${maxRuns} alarm runs: ${stuck.map((job) => `${job.kind} (${job.lastError ?? "no error"})`).join("; ")}`);
}

/** Makes the pending timers of one kind due (their time has come) and fires the alarm once. */
export async function fireTimers(stub: ReturnType<typeof issueSessionStub>, kind: string): Promise<void> {
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(`UPDATE jobs SET due_at = ? WHERE state = 'pending' AND kind = ?`, Date.now(), kind);
  });
  await runDurableObjectAlarm(stub);
}

export interface EmulatedActivity {
  id: string;
  content: { type: string; body?: string };
  ephemeral?: boolean;
}

export interface EmulatedState {
  issues: { id: string; identifier: string; state: { id: string; name: string; type: string }; delegate?: { id: string } | null }[];
  agentSessions: { id: string; status: string; activities: EmulatedActivity[] }[];
  comments: { id: string; body: string; userId: string | null }[];
}

export async function linearState(org: EmulatedOrg): Promise<EmulatedState> {
  return emulator<EmulatedState>(`/_emulator/organizations/${org.organizationId}/state`);
}

export async function activitiesOf(org: EmulatedOrg, agentSessionId: string): Promise<EmulatedActivity[]> {
  const state = await linearState(org);
  return state.agentSessions.find((s) => s.id === agentSessionId)?.activities ?? [];
}

export async function injectFault(org: EmulatedOrg, fault: { rootField?: string; path?: string; kind: string; count?: number; resetAfterMs?: number; delayMs?: number }): Promise<void> {
  await emulator("/_emulator/faults", { organizationId: org.organizationId, ...fault });
}

export interface EmulatedCall {
  organizationId: string | null;
  operationName: string | null;
  rootFields: string[];
  variables: Record<string, unknown>;
  status: number;
}

export async function linearCalls(org: EmulatedOrg, rootField?: string): Promise<EmulatedCall[]> {
  const query = new URLSearchParams({ organizationId: org.organizationId, ...(rootField ? { rootField } : {}) });
  return (await emulator<{ graphql: EmulatedCall[] }>(`/_emulator/calls?${query}`)).graphql;
}

export interface EmulatedOAuthCall {
  organizationId?: string | null;
  grantType?: string;
  status: number;
}

export async function oauthCalls(org: EmulatedOrg): Promise<EmulatedOAuthCall[]> {
  const query = new URLSearchParams({ organizationId: org.organizationId });
  return (await emulator<{ oauth: EmulatedOAuthCall[] }>(`/_emulator/calls?${query}`)).oauth;
}

/**
 * A workspace row written straight into D1, for tests that seed reports and
 * sessions directly (no Linear organization behind it).
 */
export async function seededWorkspace(name: string): Promise<string> {
  const id = `org-${crypto.randomUUID()}`;
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO workspaces (id, name, url_key, app_user_id, access_token_enc, token_expires_at, installed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(id, name, name.toLowerCase(), "app-user", "v1.x.y", now + 86_400_000, now, now)
    .run();
  return id;
}
