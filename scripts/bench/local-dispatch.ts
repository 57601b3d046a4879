/**
 * The local executor's hot paths, on the local runtime (`wrangler dev --local`)
 * with the Linear emulator:
 * - dispatch latency: a signed `created` webhook in, until a connected agent
 *   receives its `task.assign` (p50, p99);
 * - events per second from agent to edge (acknowledged, i.e. stored by the
 *   session) and on into Linear through the outbox;
 * - the real `cyrus` agent's resident memory, idle and with 4 tasks running
 *   (Claude Code replaced by the stand-in executable).
 * The agent in the first two is a protocol client in this process, so the
 * figures are the edge's.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { LinearEmulatorControl } from "../../test/emulators/linear/control-client";
import { startLinearEmulator } from "../../test/emulators/linear/server";
import { PROTOCOL_VERSION, parseEdgeMessage, type AgentMessage, type EdgeMessage } from "../../src/protocol/messages";
import { signLinearPayload } from "../../src/linear/webhook-signature";
import { emulatedLinearVars, installThroughOAuth, startLocalEdge } from "../lib/local-edge";
import { percentile, round } from "../lib/load";
import { agentEnv, createBenchRepository, standInPath } from "../lib/agent-fixtures";

const SECRET = "bench-webhook-secret";
const API_KEY = "bench-api-key";
const DISPATCHES = Number(process.env.BENCH_DISPATCHES ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);

class ProtocolAgent {
  readonly #waiters: ((m: EdgeMessage) => boolean)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const parsed = parseEdgeMessage(data.toString());
      if (!parsed.ok) return;
      for (let i = this.#waiters.length - 1; i >= 0; i--) if (this.#waiters[i]!(parsed.message)) this.#waiters.splice(i, 1);
    });
  }
  static async connect(url: string, token: string, repositories: string[]): Promise<ProtocolAgent> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/agent/connect`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const agent = new ProtocolAgent(ws);
    const welcome = agent.next((m) => m.type === "welcome");
    agent.send({ type: "hello", protocol: PROTOCOL_VERSION, agentId: crypto.randomUUID(), agentVersion: "bench", hostname: "bench", repositories, maxConcurrent: 1_000, runningTaskIds: [] });
    await welcome;
    return agent;
  }
  send(message: AgentMessage) {
    this.ws.send(JSON.stringify(message));
  }
  next(test: (m: EdgeMessage) => boolean): Promise<EdgeMessage> {
    return new Promise((resolve) => this.#waiters.push((m) => (test(m) ? (resolve(m), true) : false)));
  }
}

export async function benchLocalDispatch() {
  const emulator = await startLinearEmulator({ clientId: "bench-client", clientSecret: "bench-secret" });
  const linear = new LinearEmulatorControl(emulator.url);
  const edge = await startLocalEdge({ ...emulatedLinearVars(emulator.url, { webhookSecret: SECRET, clientId: "bench-client", clientSecret: "bench-secret", apiKey: API_KEY }), LOG_LEVEL: "error" }, { quiet: true });
  const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
  try {
    const org = await linear.createOrganization({ name: "Bench", urlKey: "bench" });
    await installThroughOAuth(edge.url, org.organizationId);
    await fetch(`${edge.url}/api/repositories`, { method: "POST", headers, body: JSON.stringify({ name: "web", isCatchAll: true }) });
    const { token } = (await (await fetch(`${edge.url}/api/agent-tokens`, { method: "POST", headers, body: JSON.stringify({ name: "bench" }) })).json()) as { token: string };
    const agent = await ProtocolAgent.connect(edge.url, token, ["web"]);

    // Dispatch: one delegation at a time, timed from the webhook's send to the task's arrival.
    const latencies: number[] = [];
    let lastTask: { taskId: string; leaseId: string; agentSessionId: string } | null = null;
    for (let i = 0; i < DISPATCHES; i++) {
      const issue = await linear.createIssue(org.organizationId, { title: `Dispatch ${i}`, teamKey: org.teams[0]!.key });
      const session = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: false });
      const body = JSON.stringify({ ...session.payload, webhookTimestamp: Date.now() });
      const signature = await signLinearPayload(SECRET, body);
      const arrived = agent.next((m) => m.type === "task.assign" && m.task.agentSessionId === session.agentSession.id);
      const sent = performance.now();
      await fetch(`${edge.url}/webhooks/linear`, { method: "POST", headers: { "content-type": "application/json", "linear-delivery": crypto.randomUUID(), "linear-signature": signature }, body });
      const assign = (await arrived) as Extract<EdgeMessage, { type: "task.assign" }>;
      latencies.push(performance.now() - sent);
      agent.send({ type: "ack", ids: [assign.id] });
      lastTask = { taskId: assign.task.taskId, leaseId: assign.task.leaseId, agentSessionId: session.agentSession.id };
    }
    latencies.sort((a, b) => a - b);

    // Events: many text events for one task, pipelined (the agent does not wait for each ack).
    const task = lastTask!;
    agent.send({ type: "task.accepted", id: crypto.randomUUID(), taskId: task.taskId, leaseId: task.leaseId });
    const ids = Array.from({ length: EVENTS }, () => crypto.randomUUID());
    const pending = new Set(ids);
    const allAcked = new Promise<void>((resolve) => {
      agent.ws.on("message", (data) => {
        const parsed = parseEdgeMessage(data.toString());
        if (parsed.ok && parsed.message.type === "ack") for (const id of parsed.message.ids) pending.delete(id);
        if (pending.size === 0) resolve();
      });
    });
    const eventsStarted = performance.now();
    ids.forEach((id, i) => agent.send({ type: "task.event", id, taskId: task.taskId, leaseId: task.leaseId, seq: i + 1, event: { kind: "text", text: `step ${i}` } }));
    await allAcked;
    const ackedSeconds = (performance.now() - eventsStarted) / 1000;
    const deadline = Date.now() + 300_000;
    let inLinear = 0;
    while (Date.now() < deadline) {
      const state = await linear.state(org.organizationId);
      inLinear = state.agentSessions.find((s) => s.id === task.agentSessionId)?.activities.filter((a) => a.content.body?.startsWith("step ")).length ?? 0;
      if (inLinear >= EVENTS) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const linearSeconds = (performance.now() - eventsStarted) / 1000;
    agent.ws.close();

    const delegate = async (i: number) => {
      const issue = await linear.createIssue(org.organizationId, { title: `Memory ${i}`, teamKey: org.teams[0]!.key });
      const session = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: false });
      const body = JSON.stringify({ ...session.payload, webhookTimestamp: Date.now() });
      await fetch(`${edge.url}/webhooks/linear`, { method: "POST", headers: { "content-type": "application/json", "linear-delivery": crypto.randomUUID(), "linear-signature": await signLinearPayload(SECRET, body) }, body });
    };
    const memory = await measureAgentMemory(edge.url, token, delegate);
    return {
      dispatch: { samples: latencies.length, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies.at(-1) ?? NaN) },
      events: {
        sent: EVENTS,
        storedAndAcknowledgedPerSecond: round(EVENTS / ackedSeconds),
        inLinear,
        intoLinearPerSecond: round(inLinear / linearSeconds),
      },
      agentMemory: memory,
    };
  } finally {
    await edge.stop();
    await emulator.close();
  }
}

/** Starts the real `cyrus connect` and reads its resident set from /proc: idle, then with four tasks running. */
async function measureAgentMemory(edgeUrl: string, token: string, delegate: (i: number) => Promise<void>) {
  const home = mkdtempSync(join(tmpdir(), "cyrus-bench-home-"));
  const repo = createBenchRepository();
  // Each task's Claude (the stand-in) says one thing and then works for ten minutes: four stay running.
  const scenario = JSON.stringify({ steps: [{ text: "working" }, { sleep: 600_000 }] });
  const child = spawn(process.execPath, ["bin/cyrus.js", "connect", "--url", edgeUrl, "--token", token, "--repo", `web=${repo}`, "--max-concurrent", "4", "--claude-path", standInPath()], {
    env: agentEnv(home, { CLAUDE_STANDIN_SCENARIO: scenario }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { test: RegExp; count: number; resolve: () => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n"));
    for (const waiter of [...waiters]) {
      if (lines.filter((l) => waiter.test.test(l)).length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const until = (test: RegExp, count: number, what: string) =>
    Promise.race([
      new Promise<void>((resolve) => waiters.push({ test, count, resolve })),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 60_000)),
    ]);
  // VmRSS counts every resident page; RssAnon leaves out file-backed pages (the node binary's code, shared with every Node process).
  const memory = (pid: number) => {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024, 1);
    return { rssMb: field("VmRSS"), anonymousMb: field("RssAnon") };
  };
  try {
    await until(/accepted this agent/, 1, "the agent to connect");
    const idle = memory(child.pid!);
    for (let i = 0; i < 4; i++) await delegate(i);
    await until(/▶ .* started/, 4, "four tasks to start");
    const busy = memory(child.pid!);
    return { idle, withFourTasks: busy, note: "the agent process alone; each task's Claude Code runs as its own process" };
  } finally {
    child.kill("SIGINT");
    child.kill("SIGKILL");
  }
}
