/**
 * `POST /api/sessions/:id/messages` end to end inside workerd: a message
 * reaches a running local task (a test agent speaking the protocol) or a
 * running Codegen run (emulated) as a follow-up, lands in the session's thread
 * in the emulated Linear, is delivered once per id, and is refused for what
 * cannot take it. Also the audit of stop, retry and messages, the CSRF rule for
 * a panel sign-in, and the logs' `?after=` parameter.
 */
import { describe, expect, it, inject } from "vitest";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import { buildCommentCreatePayload } from "../emulators/linear/payloads";
import { panelApi, signedIn } from "./panel-session-support";
import { PROTOCOL_VERSION, parseEdgeMessage, type AgentMessage, type EdgeMessage } from "../../src/protocol/messages";
import {
  api,
  createdPayload,
  createIssue,
  edgeFetch,
  emulator,
  env,
  injectFault,
  installedOrg,
  issueSessionStub,
  linearCalls,
  postWebhook,
  seededWorkspace,
  settle,
  type EmulatedOrg,
} from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));

/** Just enough of a local agent: it says hello, takes a task, and records what the edge sends it. */
class TestAgent {
  readonly received: EdgeMessage[] = [];
  #waiters: { test: (m: EdgeMessage) => boolean; resolve: (m: EdgeMessage) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      const parsed = parseEdgeMessage(event.data as string);
      if (!parsed.ok) return;
      this.received.push(parsed.message);
      this.#waiters = this.#waiters.filter((w) => (w.test(parsed.message) ? (w.resolve(parsed.message), false) : true));
    });
  }

  send(message: AgentMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  next<T extends EdgeMessage["type"]>(type: T, test: (m: Extract<EdgeMessage, { type: T }>) => boolean = () => true): Promise<Extract<EdgeMessage, { type: T }>> {
    const match = (m: EdgeMessage): m is Extract<EdgeMessage, { type: T }> => m.type === type && test(m as Extract<EdgeMessage, { type: T }>);
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ test: match, resolve: resolve as (m: EdgeMessage) => void }));
  }

  all<T extends EdgeMessage["type"]>(type: T): Extract<EdgeMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<EdgeMessage, { type: T }> => m.type === type);
  }
}

async function connectAgent(org: EmulatedOrg): Promise<TestAgent> {
  const created = await api(`/api/agent-tokens?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name: "laptop" }) });
  const { token } = await created.json<{ token: string }>();
  const response = await edgeFetch("/agent/connect", { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } });
  expect(response.status).toBe(101);
  response.webSocket!.accept();
  const agent = new TestAgent(response.webSocket!);
  agent.send({
    type: "hello",
    protocol: PROTOCOL_VERSION,
    agentId: crypto.randomUUID(),
    agentVersion: "test",
    hostname: "laptop",
    repositories: ["web"],
    maxConcurrent: 2,
    runningTaskIds: [],
  });
  await agent.next("welcome");
  return agent;
}

async function delegate(org: EmulatedOrg) {
  const issue = await createIssue(org, { delegateToApp: true });
  const { agentSessionId, payload } = await createdPayload(org, issue);
  expect((await postWebhook(payload)).status).toBe(200);
  const stub = issueSessionStub(org.organizationId, issue.id);
  await settle(stub);
  return { issue, agentSessionId, stub };
}

/** A local workspace with an agent that has taken (and accepted) the delegated issue's task. */
async function runningLocalSession(name: string) {
  const org = await installedOrg(name);
  await api(`/api/repositories?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  const agent = await connectAgent(org);
  const session = await delegate(org);
  const assign = await agent.next("task.assign");
  agent.send({ type: "task.accepted", id: crypto.randomUUID(), taskId: assign.task.taskId, leaseId: assign.task.leaseId });
  await agent.next("ack");
  await settle(session.stub);
  return { org, agent, taskId: assign.task.taskId, ...session };
}

const send = (org: EmulatedOrg, agentSessionId: string, body: Record<string, unknown>) =>
  api(`/api/sessions/${agentSessionId}/messages?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify(body) });

interface ThreadComment {
  id: string;
  issueId: string;
  body: string;
  parentId: string | null;
  userId: string | null;
}

async function linearSession(org: EmulatedOrg, agentSessionId: string) {
  const state = await emulator<{ agentSessions: { id: string; commentId: string | null }[]; comments: ThreadComment[] }>(`/_emulator/organizations/${org.organizationId}/state`);
  return { session: state.agentSessions.find((s) => s.id === agentSessionId)!, comments: state.comments };
}

async function auditRows(workspaceId: string, action: string) {
  const rows = await env.DB.prepare("SELECT actor, details FROM audit_log WHERE workspace_id = ? AND action = ? ORDER BY created_at").bind(workspaceId, action).all<{ actor: string; details: string }>();
  return rows.results.map((row) => ({ actor: row.actor, details: JSON.parse(row.details) as Record<string, unknown> }));
}

describe("POST /api/sessions/:id/messages", () => {
  it("reaches a running local task as a follow-up, and is posted in the session's Linear thread", async () => {
    const { org, agent, taskId, agentSessionId, stub } = await runningLocalSession("LocalMsg");
    const id = crypto.randomUUID();
    const response = await send(org, agentSessionId, { body: "Please also cover the cart page.", id });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ ok: true, message: "sent to the agent as a follow-up" });
    await settle(stub);

    expect(await agent.next("task.prompt")).toMatchObject({ taskId, text: "Please also cover the cart page." });
    const { session, comments } = await linearSession(org, agentSessionId);
    const posted = comments.filter((c) => c.body === "Please also cover the cart page.");
    expect(posted).toHaveLength(1);
    // A reply in the agent session's own thread, written by the app on the sender's behalf.
    expect(session.commentId).toBeTruthy();
    expect(posted[0]).toMatchObject({ parentId: session.commentId, userId: org.appUserId });
    const create = (await linearCalls(org, "commentCreate")).at(-1)!;
    expect(create.variables).toMatchObject({ input: { createAsUser: "Cyrus Edge admin", parentId: session.commentId } });

    // The comment comes back as a Comment webhook written by the app user: ignored, so it is not delivered twice.
    const echo = buildCommentCreatePayload({ organizationId: org.organizationId, webhookId: crypto.randomUUID(), data: { ...posted[0]! } });
    expect(await (await postWebhook(echo)).json()).toMatchObject({ outcome: "ignored" });
    await settle(stub);
    expect(agent.all("task.prompt")).toHaveLength(1);

    const audit = await auditRows(org.organizationId, "session.message_sent");
    expect(audit).toEqual([{ actor: "api key", details: { sessionId: agentSessionId, issue: expect.any(String), messageId: id, length: 32 } }]);
    expect(JSON.stringify(audit)).not.toContain("cart page");
  });

  it("delivers the same id once, however often it is sent", async () => {
    const { org, agent, agentSessionId, stub } = await runningLocalSession("Twice");
    const id = crypto.randomUUID();
    expect((await send(org, agentSessionId, { body: "Only once, please.", id })).status).toBe(202);
    await settle(stub);
    const again = await send(org, agentSessionId, { body: "Only once, please.", id });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ ok: true, message: "this message was already sent" });
    await settle(stub);

    expect(agent.all("task.prompt").filter((m) => m.text === "Only once, please.")).toHaveLength(1);
    expect((await linearSession(org, agentSessionId)).comments.filter((c) => c.body === "Only once, please.")).toHaveLength(1);
    expect(await auditRows(org.organizationId, "session.message_sent")).toHaveLength(1);
    // A different id is a different message.
    expect((await send(org, agentSessionId, { body: "Only once, please.", id: crypto.randomUUID() })).status).toBe(202);
    await settle(stub);
    expect((await linearSession(org, agentSessionId)).comments.filter((c) => c.body === "Only once, please.")).toHaveLength(2);
  });

  it("posts the comment exactly once through a Linear failure and a lost answer", async () => {
    const { org, agentSessionId, stub } = await runningLocalSession("Lost");
    await injectFault(org, { rootField: "commentCreate", kind: "http500" });
    await injectFault(org, { rootField: "commentCreate", kind: "commitThenFail" });
    expect((await send(org, agentSessionId, { body: "Through the outage." })).status).toBe(202);
    const snapshot = await settle(stub);

    const posted = (await linearSession(org, agentSessionId)).comments.filter((c) => c.body === "Through the outage.");
    expect(posted).toHaveLength(1);
    expect(snapshot.jobs.find((j) => j.kind === "linear.comment")).toMatchObject({ state: "done", attempts: 2 });
    // The third attempt looked the comment up instead of posting it again.
    expect((await linearCalls(org, "comment")).some((call) => call.variables.id === posted[0]!.id)).toBe(true);
    expect(await linearCalls(org, "commentCreate")).toHaveLength(2);
  });

  it("resumes a cloud run with the message, as a follow-up from Linear would", async () => {
    const org = await installedOrg("CloudMsg");
    const cg = await codegen.createOrganization();
    await codegen.script(cg.orgId, { scripts: [{ durationMs: 600_000 }, { durationMs: 600_000 }] });
    const q = `?workspace=${org.organizationId}`;
    expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) })).status).toBe(200);
    expect((await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) })).status).toBe(201);
    const { agentSessionId, stub } = await delegate(org);
    expect((await codegen.runs(cg.orgId))[0]!.segments).toHaveLength(1);

    const response = await send(org, agentSessionId, { body: "Use the design tokens." });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ ok: true, message: "sent to the agent as a follow-up", id: expect.any(String) });
    await settle(stub);

    const run = (await codegen.runs(cg.orgId))[0]!;
    expect(run.segments).toHaveLength(2);
    expect(run.segments[1]!.prompt).toContain("Use the design tokens.");
    expect((await linearSession(org, agentSessionId)).comments.some((c) => c.body === "Use the design tokens.")).toBe(true);
  });

  it("answers 404 for an unknown session and for another workspace's", async () => {
    const { org, agentSessionId } = await runningLocalSession("Mine");
    const other = await installedOrg("Theirs");
    expect((await send(org, "no-such-session", { body: "hello" })).status).toBe(404);
    const foreign = await send(other, agentSessionId, { body: "hello" });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: "no such session" });
  });

  it("refuses with 409 a session that ended before any work started, and one without an issue", async () => {
    // No repository: the session waits for one; stopped, it never started anything.
    const org = await installedOrg("Never");
    const { agentSessionId, stub } = await delegate(org);
    expect((await api(`/api/sessions/${agentSessionId}/stop?workspace=${org.organizationId}`, { method: "POST" })).status).toBe(202);
    await settle(stub);
    const refused = await send(org, agentSessionId, { body: "hello?" });
    expect(refused.status).toBe(409);
    expect((await refused.json<{ error: string }>()).error).toMatch(/ended before any work started.*retry/);
    expect((await linearSession(org, agentSessionId)).comments.some((c) => c.body === "hello?")).toBe(false);

    const chat = await createdPayload(org, null);
    await postWebhook(chat.payload);
    await settle(env.ISSUE_SESSION.get(env.ISSUE_SESSION.idFromName(`${org.organizationId}:session:${chat.agentSessionId}`)));
    const noIssue = await send(org, chat.agentSessionId, { body: "hello?" });
    expect(noIssue.status).toBe(409);
    expect((await noIssue.json<{ error: string }>()).error).toMatch(/not on a Linear issue/);
  });

  it("refuses an empty or oversized body, and an id that is not a UUID, with 400", async () => {
    const { org, agentSessionId } = await runningLocalSession("Bad");
    expect((await send(org, agentSessionId, { body: "   " })).status).toBe(400);
    expect((await send(org, agentSessionId, { body: "x".repeat(10_001) })).status).toBe(400);
    expect((await send(org, agentSessionId, { body: "fine", id: "not-a-uuid" })).status).toBe(400);
    expect((await send(org, agentSessionId, {})).status).toBe(400);
  });
});

describe("stop and retry are audited", () => {
  it("records who stopped and who retried", async () => {
    const org = await installedOrg("Audit");
    const { agentSessionId, stub } = await delegate(org);
    const q = `?workspace=${org.organizationId}`;
    expect((await api(`/api/sessions/${agentSessionId}/stop${q}`, { method: "POST" })).status).toBe(202);
    await settle(stub);
    expect((await api(`/api/sessions/${agentSessionId}/retry${q}`, { method: "POST" })).status).toBe(202);
    expect(await auditRows(org.organizationId, "session.stopped")).toEqual([{ actor: "api key", details: expect.objectContaining({ sessionId: agentSessionId }) }]);
    expect(await auditRows(org.organizationId, "session.retried")).toEqual([{ actor: "api key", details: expect.objectContaining({ sessionId: agentSessionId }) }]);
    // Unknown sessions change nothing and leave no trace.
    expect((await api(`/api/sessions/nope/stop${q}`, { method: "POST" })).status).toBe(404);
    expect(await auditRows(org.organizationId, "session.stopped")).toHaveLength(1);
  });
});

/** Signs in to the panel with the admin key; the cookie and the CSRF token its pages carry. */
async function panelSignIn(org: EmulatedOrg): Promise<{ cookie: string; csrf: string }> {
  const login = await edgeFetch("/login", { method: "POST", body: new URLSearchParams({ key: "test-api-key", next: "/" }), redirect: "manual" });
  expect(login.status).toBe(303);
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith("cyrus_session="))!.split(";")[0]!;
  const page = await edgeFetch(`/sessions?workspace=${org.organizationId}`, { headers: { cookie } });
  expect(page.status).toBe(200);
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf! };
}

describe("a message from a panel sign-in", () => {
  it("needs the session's CSRF token: without it 403 and nothing sent, with it 202", async () => {
    const { org, agent, agentSessionId, stub } = await runningLocalSession("Csrf");
    const { cookie, csrf } = await panelSignIn(org);
    const path = `/api/sessions/${agentSessionId}/messages?workspace=${org.organizationId}`;
    const body = JSON.stringify({ body: "From the panel.", id: crypto.randomUUID() });
    const refused = await edgeFetch(path, { method: "POST", headers: { cookie, "content-type": "application/json" }, body });
    expect(refused.status).toBe(403);
    const wrong = await edgeFetch(path, { method: "POST", headers: { cookie, "content-type": "application/json", "x-csrf-token": "nope" }, body });
    expect(wrong.status).toBe(403);
    await settle(stub);
    expect(agent.all("task.prompt")).toHaveLength(0);

    const accepted = await edgeFetch(path, { method: "POST", headers: { cookie, "content-type": "application/json", "x-csrf-token": csrf }, body });
    expect(accepted.status).toBe(202);
    await settle(stub);
    expect(await agent.next("task.prompt")).toMatchObject({ text: "From the panel." });
    expect((await auditRows(org.organizationId, "session.message_sent"))[0]).toMatchObject({ actor: "admin key (panel)" });
  });
});

describe("a message from a Linear member", () => {
  it("is sent in their name: the thread shows it, the audit log says who", async () => {
    const { org, agent, agentSessionId, stub } = await runningLocalSession("Member");
    const member = await signedIn({ kind: "linear", organizationId: org.organizationId, admin: false, name: "Mia Member" });
    const response = await panelApi(member, `/api/sessions/${agentSessionId}/messages`, { method: "POST", body: JSON.stringify({ body: "Mia here: the cart too." }) });
    expect(response.status).toBe(202);
    await settle(stub);
    expect(await agent.next("task.prompt")).toMatchObject({ text: "Mia here: the cart too." });
    const create = (await linearCalls(org, "commentCreate")).at(-1)!;
    expect(create.variables).toMatchObject({ input: { body: "Mia here: the cart too.", createAsUser: "Mia Member" } });
    const [audit] = await auditRows(org.organizationId, "session.message_sent");
    expect(audit!.actor).toMatch(/^Mia Member \(Linear user /);
    // A member of another workspace does not see this session at all.
    const stranger = await signedIn({ kind: "linear", organizationId: (await installedOrg("Stranger")).organizationId, admin: true });
    expect((await panelApi(stranger, `/api/sessions/${agentSessionId}/messages`, { method: "POST", body: JSON.stringify({ body: "hi" }) })).status).toBe(404);
  });
});

describe("GET /api/sessions/:id/logs?after=", () => {
  async function seeded() {
    const ws = await seededWorkspace("After");
    const id = `as-${crypto.randomUUID()}`;
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO agent_sessions (id, workspace_id, issue_id, issue_identifier, issue_title, status, created_at, updated_at) VALUES (?, ?, ?, 'ENG-1', 'One', 'active', ?, ?)",
    )
      .bind(id, ws, `issue-${id}`, now - 60_000, now - 60_000)
      .run();
    const insert = env.DB.prepare("INSERT INTO session_events (id, session_id, workspace_id, kind, summary, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    const ids = [1, 2, 3, 4].map((seq) => `obj-${id}:${seq}`);
    await env.DB.batch(ids.map((eventId, i) => insert.bind(eventId, id, ws, `step.${i + 1}`, `Step ${i + 1}`, now - 50_000 + i * 1000)));
    return { ws, id, ids };
  }

  /** The ids of the first `count` session events of a stream, then the stream is closed. */
  async function streamedIds(response: Response, count: number): Promise<string[]> {
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const ids: string[] = [];
    while (ids.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      ids.splice(0, ids.length, ...[...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!));
    }
    await reader.cancel();
    return ids.slice(0, count);
  }

  it("starts after the given event, in JSON and as a stream", async () => {
    const { ws, id, ids } = await seeded();
    const json = await (await api(`/api/sessions/${id}/logs?workspace=${ws}&after=${encodeURIComponent(ids[1]!)}`)).json<{ events: { id: string }[] }>();
    expect(json.events.map((e) => e.id)).toEqual([ids[2], ids[3]]);
    const stream = await api(`/api/sessions/${id}/logs?workspace=${ws}&after=${encodeURIComponent(ids[1]!)}`, { headers: { accept: "text/event-stream" } });
    expect(await streamedIds(stream, 2)).toEqual([ids[2], ids[3]]);
  });

  it("lets Last-Event-ID win over after=, and starts over for an id that is not the session's", async () => {
    const { ws, id, ids } = await seeded();
    const both = await api(`/api/sessions/${id}/logs?workspace=${ws}&after=${encodeURIComponent(ids[0]!)}`, {
      headers: { accept: "text/event-stream", "last-event-id": ids[2]! },
    });
    expect(await streamedIds(both, 1)).toEqual([ids[3]]);
    const unknown = await api(`/api/sessions/${id}/logs?workspace=${ws}&after=someone-else:2`, { headers: { accept: "text/event-stream" } });
    expect(await streamedIds(unknown, 1)).toEqual([ids[0]]);
  });
});
