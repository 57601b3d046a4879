/**
 * The Workspace hub with real WebSocket clients inside workerd: tokens,
 * assignment, acknowledgements, duplicates, leases, reconnection, revocation,
 * follow-ups, stop, and two workspaces kept apart. The "agent" here is the
 * test speaking the protocol; the real `cyrus` agent is tested in Node.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, parseEdgeMessage, type AgentMessage, type EdgeMessage, type TaskResult } from "../../src/protocol/messages";
import {
  activitiesOf,
  api,
  createdPayload,
  createIssue,
  edgeFetch,
  emulator,
  env,
  hubSnapshot,
  installedOrg,
  issueSessionStub,
  postWebhook,
  settle,
  type EmulatedOrg,
} from "./support";

class TestAgent {
  readonly received: EdgeMessage[] = [];
  #waiters: { test: (m: EdgeMessage) => boolean; resolve: (m: EdgeMessage) => void }[] = [];
  closed: { code: number; reason: string } | null = null;
  #closeWaiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      const parsed = parseEdgeMessage(event.data as string);
      if (!parsed.ok) return;
      this.received.push(parsed.message);
      this.#waiters = this.#waiters.filter((w) => (w.test(parsed.message) ? (w.resolve(parsed.message), false) : true));
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      for (const waiter of this.#closeWaiters) waiter();
    });
  }

  send(message: AgentMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The next message (already received or still to come) that passes `test`. */
  next<T extends EdgeMessage["type"]>(type: T, test: (m: Extract<EdgeMessage, { type: T }>) => boolean = () => true, after = 0): Promise<Extract<EdgeMessage, { type: T }>> {
    const match = (m: EdgeMessage): m is Extract<EdgeMessage, { type: T }> => m.type === type && test(m as Extract<EdgeMessage, { type: T }>);
    const found = this.received.slice(after).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ test: match, resolve: resolve as (m: EdgeMessage) => void }));
  }

  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  hello(agentId: string, repositories: string[], options: { protocol?: number; maxConcurrent?: number; running?: string[] } = {}): void {
    this.send({
      type: "hello",
      protocol: options.protocol ?? PROTOCOL_VERSION,
      agentId,
      agentVersion: "test",
      hostname: `host-${agentId.slice(0, 6)}`,
      repositories,
      maxConcurrent: options.maxConcurrent ?? 2,
      runningTaskIds: options.running ?? [],
    });
  }
}

async function agentToken(org: EmulatedOrg, name = "laptop"): Promise<{ id: string; token: string }> {
  const response = await api(`/api/agent-tokens?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name }) });
  expect(response.status).toBe(201);
  return response.json();
}

async function connect(token: string): Promise<TestAgent> {
  const response = await edgeFetch("/agent/connect", { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } });
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  ws.accept();
  return new TestAgent(ws);
}

async function localWorkspace(name = "Local") {
  const org = await installedOrg(name);
  await api(`/api/repositories?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  return org;
}

async function delegate(org: EmulatedOrg) {
  const issue = await createIssue(org, { delegateToApp: true });
  const { agentSessionId, payload } = await createdPayload(org, issue);
  await postWebhook(payload);
  const stub = issueSessionStub(org.organizationId, issue.id);
  await settle(stub);
  return { issue, agentSessionId, stub };
}

const workspace = (org: EmulatedOrg) => env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));

/** An hour passes for the hub's records: every agent was last heard, disconnected and granted its leases an hour ago. */
async function pastTheGrace(org: EmulatedOrg, what: { agents?: boolean; leases?: boolean } = { agents: true, leases: true }): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  await runInDurableObject(workspace(org), (_instance, state) => {
    if (what.agents) state.storage.sql.exec(`UPDATE agents SET last_seen_at = ?, disconnected_at = CASE WHEN connected = 0 THEN ? ELSE NULL END`, hourAgo, hourAgo);
    if (what.leases) state.storage.sql.exec(`UPDATE tasks SET assigned_at = ? WHERE assigned_at IS NOT NULL`, hourAgo);
  });
}

function result(overrides: Partial<TaskResult> = {}): TaskResult {
  return {
    status: "succeeded",
    text: "Raised the contrast.",
    error: null,
    claudeSessionId: "claude-1",
    totalCostUsd: 0.3,
    costUsd: 0.3,
    inputTokens: 1200,
    outputTokens: 300,
    durationMs: 42_000,
    prUrls: ["https://github.com/acme/web/pull/7"],
    promptIds: [],
    ...overrides,
  };
}

describe("GET /agent/connect", () => {
  it("refuses a missing, wrong or revoked token with 401 before any upgrade", async () => {
    const org = await localWorkspace("Auth");
    expect((await edgeFetch("/agent/connect", { headers: { upgrade: "websocket" } })).status).toBe(401);
    expect((await edgeFetch("/agent/connect", { headers: { upgrade: "websocket", authorization: "Bearer cyrus_agent_nope" } })).status).toBe(401);
    const { id, token } = await agentToken(org);
    expect((await api(`/api/agent-tokens/${id}?workspace=${org.organizationId}`, { method: "DELETE" })).status).toBe(204);
    expect((await edgeFetch("/agent/connect", { headers: { upgrade: "websocket", authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it("lists tokens without their values and stores only a hash", async () => {
    const org = await localWorkspace("List");
    const { id, token } = await agentToken(org, "ci box");
    const listed = await (await api(`/api/agent-tokens?workspace=${org.organizationId}`)).json<{ agentTokens: { id: string; name: string }[] }>();
    expect(listed.agentTokens.map((t) => [t.id, t.name])).toEqual([[id, "ci box"]]);
    expect(JSON.stringify(listed)).not.toContain(token);
    const row = await env.DB.prepare("SELECT * FROM agent_tokens WHERE id = ?").bind(id).first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it("refuses a protocol version it does not speak, saying to upgrade", async () => {
    const org = await localWorkspace("Version");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"], { protocol: 99 });
    const error = await agent.next("error");
    expect(error).toMatchObject({ code: "unsupported_version", message: expect.stringContaining("upgrade") });
    await agent.whenClosed();
    expect(agent.closed?.code).toBe(4002);
  });
});

describe("the hub: tasks, acknowledgements and results", () => {
  it("assigns a delegated issue to a connected agent and turns its events and result into Linear activities", async () => {
    const org = await localWorkspace("Happy");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    await agent.next("welcome");
    const { agentSessionId, stub } = await delegate(org);

    const assign = await agent.next("task.assign");
    expect(assign.task).toMatchObject({ agentSessionId, repository: { name: "web", baseBranch: "main" }, resumeClaudeSessionId: null });
    expect(assign.task.branchName).toMatch(/^cyrus\//);
    agent.send({ type: "ack", ids: [assign.id] });
    const { taskId, leaseId } = assign.task;

    const accepted = crypto.randomUUID();
    agent.send({ type: "task.accepted", id: accepted, taskId, leaseId });
    await agent.next("ack", (m) => m.ids.includes(accepted));
    const event = crypto.randomUUID();
    agent.send({ type: "task.event", id: event, taskId, leaseId, seq: 1, event: { kind: "text", text: "Looking at the checkout button." } });
    // The same event again, as after a reconnect: acknowledged, applied once.
    agent.send({ type: "task.event", id: event, taskId, leaseId, seq: 1, event: { kind: "text", text: "Looking at the checkout button." } });
    await agent.next("ack", (m) => m.ids.includes(event), agent.received.findIndex((m) => m.type === "ack" && m.ids.includes(event)) + 1);
    const done = crypto.randomUUID();
    agent.send({ type: "task.result", id: done, taskId, leaseId, seq: 2, result: result() });
    await agent.next("ack", (m) => m.ids.includes(done));
    await settle(stub);

    const activities = await activitiesOf(org, agentSessionId);
    expect(activities.filter((a) => a.content.body === "Looking at the checkout button.")).toHaveLength(1);
    expect(activities.some((a) => a.content.body?.startsWith("Working on this on host-"))).toBe(true);
    const response = activities.find((a) => a.content.type === "response");
    expect(response?.content.body).toContain("Raised the contrast.");
    expect(response?.content.body).toContain("https://github.com/acme/web/pull/7");
    const metrics = await env.DB.prepare("SELECT executor, cost_usd, cost_estimated, outcome, local_task_id FROM execution_metrics WHERE session_id = ?").bind(agentSessionId).first();
    expect(metrics).toMatchObject({ executor: "local", cost_usd: 0.3, cost_estimated: 0, outcome: "succeeded", local_task_id: taskId });
  });

  it("sends a follow-up to the running task, and a stop", async () => {
    const org = await localWorkspace("Steer");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    const { agentSessionId, stub } = await delegate(org);
    const assign = await agent.next("task.assign");
    agent.send({ type: "task.accepted", id: crypto.randomUUID(), taskId: assign.task.taskId, leaseId: assign.task.leaseId });
    await agent.next("ack");
    await settle(stub);

    const prompt = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "Also the cart page", deliver: false });
    await postWebhook(prompt.payload);
    await settle(stub);
    expect(await agent.next("task.prompt")).toMatchObject({ taskId: assign.task.taskId, text: "Also the cart page" });

    const stop = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "", signal: "stop", deliver: false });
    await postWebhook(stop.payload);
    await settle(stub);
    expect(await agent.next("task.stop")).toMatchObject({ taskId: assign.task.taskId });
  });

  it("runs again, resuming the session, a follow-up that reached the agent as its run ended", async () => {
    const org = await localWorkspace("Late");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    const { agentSessionId, stub } = await delegate(org);
    const assign = await agent.next("task.assign");
    const { taskId, leaseId } = assign.task;
    agent.send({ type: "task.accepted", id: crypto.randomUUID(), taskId, leaseId });
    await agent.next("ack");
    await settle(stub);
    const prompt = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "Also the cart page", deliver: false });
    await postWebhook(prompt.payload);
    await settle(stub);
    await agent.next("task.prompt");
    // The run was already ending: its result does not list the follow-up.
    agent.send({ type: "task.result", id: crypto.randomUUID(), taskId, leaseId, seq: 1, result: result({ claudeSessionId: "claude-late", promptIds: [] }) });
    await settle(stub);
    const resumed = await agent.next("task.assign", (m) => m.task.taskId !== taskId);
    expect(resumed.task).toMatchObject({ resumeClaudeSessionId: "claude-late", previousTotalCostUsd: 0.3 });
    expect(resumed.task.prompt).toContain("Also the cart page");
  });

  it("resends what the agent did not acknowledge when it reconnects", async () => {
    const org = await localWorkspace("Resend");
    const { token } = await agentToken(org);
    const agentId = crypto.randomUUID();
    const first = await connect(token);
    first.hello(agentId, ["web"]);
    await delegate(org);
    const assign = await first.next("task.assign");
    // Lost as the connection dies: never acknowledged.
    first.ws.close(1001, "network went away");
    await first.whenClosed();

    const second = await connect(token);
    second.hello(agentId, ["web"], { running: [] });
    const again = await second.next("task.assign");
    expect(again.id).toBe(assign.id);
    expect(again.task.leaseId).toBe(assign.task.leaseId);
  });

  it("re-queues a task whose agent does not come back within the grace period, and says so", async () => {
    const org = await localWorkspace("Lease");
    const { token } = await agentToken(org);
    const gone = await connect(token);
    gone.hello(crypto.randomUUID(), ["web"]);
    const { agentSessionId, stub } = await delegate(org);
    const assign = await gone.next("task.assign");
    gone.send({ type: "task.accepted", id: crypto.randomUUID(), taskId: assign.task.taskId, leaseId: assign.task.leaseId });
    await gone.next("ack");
    gone.ws.close(1001, "laptop closed");
    await gone.whenClosed();

    // The grace period passes (the stored disconnect and grant times move back past it).
    await pastTheGrace(org);
    await runDurableObjectAlarm(workspace(org));
    const snapshot = await hubSnapshot(workspace(org));
    expect(snapshot.tasks.find((t) => t.taskId === assign.task.taskId)).toMatchObject({ state: "queued", agentId: null });

    const next = await connect(token);
    next.hello(crypto.randomUUID(), ["web"]);
    const reassigned = await next.next("task.assign");
    expect(reassigned.task.taskId).toBe(assign.task.taskId);
    expect(reassigned.task.leaseId).not.toBe(assign.task.leaseId);
    await settle(stub);
    expect((await activitiesOf(org, agentSessionId)).some((a) => a.content.body?.includes("went back to the queue"))).toBe(true);
  });

  it("tells the agent in its welcome to ping at least three times per lease grace", async () => {
    const org = await localWorkspace("Heartbeat");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    // wrangler.toml's AGENT_LEASE_GRACE_MS is 60 s: a third of it is the 20 s an agent has always used.
    expect(await agent.next("welcome")).toMatchObject({ protocol: PROTOCOL_VERSION, heartbeatMs: 20_000 });
  });

  it("does not take back, on arrival, a task given to an agent idle longer than the grace; it lapses only the grace after the grant", async () => {
    const org = await localWorkspace("Idle");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    await agent.next("welcome");
    // The agent has been idle, heard from last an hour ago (its pings answered by nobody we can see here).
    await pastTheGrace(org, { agents: true });
    const { agentSessionId, stub } = await delegate(org);
    const assign = await agent.next("task.assign");

    // The hub's alarm runs now: the task stays with its agent, which is told nothing...
    await runDurableObjectAlarm(workspace(org));
    expect((await hubSnapshot(workspace(org))).tasks.find((t) => t.taskId === assign.task.taskId)).toMatchObject({ state: "assigned", leaseId: assign.task.leaseId });
    expect(agent.received.some((m) => m.type === "task.cancelled")).toBe(false);
    // ...and the alarm is not re-armed to fire at once (the first thing due is the resend of the unacknowledged assignment, 10 s on).
    const alarmAt = await runInDurableObject(workspace(org), (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).toBeGreaterThan(Date.now() + 5_000);
    agent.send({ type: "task.accepted", id: crypto.randomUUID(), taskId: assign.task.taskId, leaseId: assign.task.leaseId });
    await agent.next("ack");
    await settle(stub);
    expect((await activitiesOf(org, agentSessionId)).some((a) => a.content.body?.includes("went back to the queue"))).toBe(false);
  });

  it("says once in Linear that a task went back to the queue, however often the same agent loses it", async () => {
    const org = await localWorkspace("Flap");
    const { token } = await agentToken(org);
    const agentId = crypto.randomUUID();
    let agent = await connect(token);
    agent.hello(agentId, ["web"]);
    const { agentSessionId, stub } = await delegate(org);
    let assign = await agent.next("task.assign");
    const leases = new Set([assign.task.leaseId]);

    for (let round = 1; round <= 3; round++) {
      // The agent stays connected but says nothing for the whole grace: the lease lapses and its silent connection is closed.
      await pastTheGrace(org);
      await runDurableObjectAlarm(workspace(org));
      await agent.whenClosed();
      expect(agent.closed?.code).toBe(4000);
      await settle(stub);
      // The same agent comes back and is handed the task again, under a new lease.
      agent = await connect(token);
      agent.hello(agentId, ["web"]);
      expect(await agent.next("task.cancelled")).toMatchObject({ taskId: assign.task.taskId, reason: "lease expired" });
      assign = await agent.next("task.assign", (m) => !leases.has(m.task.leaseId));
      leases.add(assign.task.leaseId);
    }

    const snapshot = await settle(stub);
    expect(snapshot.timeline.filter((e) => e.agentSessionId === agentSessionId && e.kind === "local.requeued")).toHaveLength(3);
    const requeued = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.includes("went back to the queue"));
    expect(requeued).toHaveLength(1);
  });

  it("cannot be driven into a re-queue loop by a connected agent that went silent: twenty alarms in a row re-queue its task once", async () => {
    const org = await localWorkspace("Loop");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    const { agentSessionId, stub } = await delegate(org);
    const assign = await agent.next("task.assign");
    // Its socket stays open, but nothing has been heard from it, nor was its lease granted, within the grace.
    await pastTheGrace(org);
    for (let run = 0; run < 20; run++) await runDurableObjectAlarm(workspace(org));

    const snapshot = await settle(stub);
    expect(snapshot.timeline.filter((e) => e.agentSessionId === agentSessionId && e.kind === "local.requeued")).toHaveLength(1);
    expect((await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.includes("went back to the queue"))).toHaveLength(1);
    // The silent connection was dropped, so the task waits in the queue for a live agent instead of going straight back to it.
    expect((await hubSnapshot(workspace(org))).tasks.find((t) => t.taskId === assign.task.taskId)).toMatchObject({ state: "queued", agentId: null });
    expect(agent.received.filter((m) => m.type === "task.assign")).toHaveLength(1);
  });

  it("ignores messages for a lease it no longer holds", async () => {
    const org = await localWorkspace("Stale");
    const agent = await connect((await agentToken(org)).token);
    agent.hello(crypto.randomUUID(), ["web"]);
    const { agentSessionId, stub } = await delegate(org);
    const assign = await agent.next("task.assign");
    const stale = crypto.randomUUID();
    agent.send({ type: "task.result", id: stale, taskId: assign.task.taskId, leaseId: "an-old-lease", seq: 9, result: result({ text: "from an old lease" }) });
    await agent.next("ack", (m) => m.ids.includes(stale));
    await settle(stub);
    expect((await activitiesOf(org, agentSessionId)).some((a) => a.content.body?.includes("from an old lease"))).toBe(false);
  });

  it("closes the connections of a revoked token", async () => {
    const org = await localWorkspace("Revoke");
    const { id, token } = await agentToken(org);
    const agent = await connect(token);
    agent.hello(crypto.randomUUID(), ["web"]);
    await agent.next("welcome");
    await api(`/api/agent-tokens/${id}?workspace=${org.organizationId}`, { method: "DELETE" });
    expect(await agent.next("error")).toMatchObject({ code: "revoked" });
    await agent.whenClosed();
    expect(agent.closed?.code).toBe(4001);
  });

  it("never shows one workspace's tasks to another workspace's agent", async () => {
    const a = await localWorkspace("Alpha");
    const b = await localWorkspace("Beta");
    const agentA = await connect((await agentToken(a)).token);
    agentA.hello(crypto.randomUUID(), ["web"]);
    await agentA.next("welcome");
    const agentB = await connect((await agentToken(b)).token);
    agentB.hello(crypto.randomUUID(), ["web"]);
    const { agentSessionId } = await delegate(b);
    const assign = await agentB.next("task.assign");
    expect(assign.task.agentSessionId).toBe(agentSessionId);
    expect(agentA.received.some((m) => m.type === "task.assign")).toBe(false);
    expect((await agentA.next("welcome")).workspace).toBe(a.organizationId);
  });
});
