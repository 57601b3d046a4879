import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, type AgentHello, type EdgeMessage } from "../../../src/protocol/messages";
import { EdgeConnection, agentSocketUrl, reconnectDelay, type ConnectionOptions, type ConnectionStatus } from "../../../src/agent/connection";
import { memoryLog } from "../../../src/agent/output";
import { startFakeEdge } from "./fake-edge";
import { deferred } from "./helpers";

const hello = (): AgentHello => ({
  type: "hello",
  protocol: PROTOCOL_VERSION,
  agentId: "agent-test",
  agentVersion: "0.0.0-test",
  hostname: "test-host",
  repositories: ["web"],
  maxConcurrent: 2,
  runningTaskIds: [],
});

function connect(url: string, overrides: Partial<ConnectionOptions> = {}) {
  const statuses: ConnectionStatus[] = [];
  const received: EdgeMessage[] = [];
  const firstMessage = deferred();
  const log = memoryLog();
  const connection = new EdgeConnection({
    url,
    token: "agent-token-123",
    hello,
    onMessage: (m) => {
      received.push(m);
      firstMessage.resolve();
    },
    log,
    backoffBaseMs: 20,
    backoffMaxMs: 1_000,
    random: () => 0.5,
    ...overrides,
    onStatus: (s) => {
      statuses.push(s);
      overrides.onStatus?.(s);
    },
  });
  connection.start();
  return { connection, statuses, received, log, firstMessage: firstMessage.promise };
}

describe("reconnectDelay", () => {
  it("grows exponentially with full jitter and is capped", () => {
    expect(reconnectDelay(1, 1_000, 60_000, () => 0.999)).toBe(999);
    expect(reconnectDelay(3, 1_000, 60_000, () => 0.5)).toBe(2_000);
    expect(reconnectDelay(20, 1_000, 60_000, () => 0.5)).toBe(30_000);
    expect(reconnectDelay(4, 1_000, 60_000, () => 0)).toBe(0);
  });

  it("maps the edge origin to its WebSocket endpoint", () => {
    expect(agentSocketUrl("https://edge.example")).toBe("wss://edge.example/agent/connect");
    expect(agentSocketUrl("http://127.0.0.1:8787/")).toBe("ws://127.0.0.1:8787/agent/connect");
    expect(agentSocketUrl("https://example.com/cyrus")).toBe("wss://example.com/cyrus/agent/connect");
  });
});

describe("EdgeConnection against a local ws server", () => {
  it("sends the bearer token on the upgrade and a hello as its first frame", async () => {
    const edge = await startFakeEdge();
    const { connection } = connect(edge.url);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    expect(socket.request.headers.authorization).toBe("Bearer agent-token-123");
    expect(socket.request.url).toBe("/agent/connect");
    expect(socket.messages[0]).toEqual(hello());
    expect(connection.isOpen).toBe(true);

    socket.send({ type: "welcome", protocol: PROTOCOL_VERSION, agentId: "agent-test", workspace: "org-1" });
    await connection.close();
    expect(connection.isOpen).toBe(false);
  });

  it("treats a refused upgrade with HTTP 401 as fatal: a clear message and no reconnect loop", async () => {
    const edge = await startFakeEdge({ refuseWith: () => 401 });
    const { connection, statuses, log } = connect(edge.url);
    const fatal = await connection.done;
    expect(fatal?.reason).toBe("unauthorized");
    expect(fatal?.message).toMatch(/the edge refused the agent token \(HTTP 401\).*POST \/api\/agent-tokens/);
    expect(fatal?.message).not.toContain("agent-token-123");
    expect(edge.upgradeAttempts).toBe(1);
    expect(statuses.map((s) => s.kind)).toEqual(["connecting", "fatal"]);
    expect(log.lines.join("\n")).not.toContain("agent-token-123");
  });

  it("retries a refused upgrade that is not about the token (HTTP 503)", async () => {
    let refusals = 2;
    const edge = await startFakeEdge({ refuseWith: () => (refusals-- > 0 ? 503 : null) });
    const { connection, statuses } = connect(edge.url);
    await edge.until(() => edge.sockets[0]?.messages.length, "hello after two refusals");
    expect(edge.upgradeAttempts).toBe(3);
    expect(statuses.filter((s) => s.kind === "reconnecting")).toHaveLength(2);
    await connection.close();
  });

  it("treats error unsupported_version as fatal and says to upgrade", async () => {
    const edge = await startFakeEdge();
    const { connection, statuses } = connect(edge.url);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    socket.send({ type: "error", code: "unsupported_version", message: "this edge speaks protocol 2" });
    const fatal = await connection.done;
    expect(fatal?.reason).toBe("unsupported_version");
    expect(fatal?.message).toMatch(/protocol 2.*upgrade cyrus/);
    expect(statuses.some((s) => s.kind === "reconnecting")).toBe(false);
    expect(edge.upgradeAttempts).toBe(1);
  });

  it("treats error revoked as fatal too", async () => {
    const edge = await startFakeEdge();
    const { connection } = connect(edge.url);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    socket.send({ type: "error", code: "revoked", message: "token revoked" });
    expect((await connection.done)?.reason).toBe("revoked");
  });

  it("reconnects with exponential backoff after the server drops the socket, and says hello again", async () => {
    const edge = await startFakeEdge();
    const { connection, statuses } = connect(edge.url);
    for (let drop = 1; drop <= 3; drop++) {
      const socket = await edge.until(() => edge.sockets.length === drop && edge.sockets[drop - 1]!.messages.length > 0 && edge.sockets[drop - 1], `hello #${drop}`);
      socket.socket.terminate();
    }
    await edge.until(() => edge.sockets[3]?.messages.length, "hello #4");
    expect(edge.sockets.map((s) => s.messages[0]?.type)).toEqual(["hello", "hello", "hello", "hello"]);
    const delays = statuses.flatMap((s) => (s.kind === "reconnecting" ? [[s.attempt, s.delayMs]] : []));
    // base 20 ms, random 0.5: half of 20, 40, 80.
    expect(delays).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
    ]);
    await connection.close();
  });

  it("resets the backoff after a healthy connection", async () => {
    const edge = await startFakeEdge();
    let healthy = deferred();
    const { connection, statuses } = connect(edge.url, {
      healthyAfterMs: 10,
      onStatus: (s) => s.kind === "healthy" && healthy.resolve(),
    });
    for (let drop = 1; drop <= 2; drop++) {
      const socket = await edge.until(() => edge.sockets.length === drop && edge.sockets[drop - 1]!.messages.length > 0 && edge.sockets[drop - 1], `hello #${drop}`);
      await healthy.promise;
      healthy = deferred();
      socket.socket.terminate();
    }
    await edge.until(() => edge.sockets[2]?.messages.length, "hello #3");
    const attempts = statuses.flatMap((s) => (s.kind === "reconnecting" ? [s.attempt] : []));
    expect(attempts).toEqual([1, 1]);
    await connection.close();
  });

  it("sends text pings and declares the connection dead when no pong comes, then reconnects", async () => {
    const edge = await startFakeEdge({ answerPings: false });
    const { connection, statuses } = connect(edge.url, { pingIntervalMs: 30, pongTimeoutMs: 150 });
    await edge.until(() => edge.sockets.length >= 2 && edge.sockets[1]!.messages.length > 0, "a second connection");
    expect(edge.sockets[0]!.pings).toBeGreaterThan(0);
    const dead = statuses.find((s) => s.kind === "dead");
    expect(dead && dead.kind === "dead" && dead.silentMs).toBeGreaterThanOrEqual(150);
    await connection.close();
  });

  it("keeps a connection whose pings are answered", async () => {
    const edge = await startFakeEdge();
    const { connection, statuses } = connect(edge.url, { pingIntervalMs: 20, pongTimeoutMs: 100 });
    // Twenty answered pings span four timeout periods.
    await edge.until(() => (edge.sockets[0]?.pings ?? 0) >= 20, "twenty pings");
    expect(statuses.some((s) => s.kind === "dead")).toBe(false);
    expect(edge.sockets).toHaveLength(1);
    await connection.close();
  });

  it("pings as often as the edge's welcome asks (a third of a 3 s grace: 1 s), not every 20 s", async () => {
    const edge = await startFakeEdge();
    // The agent's own interval is the production 20 s: only the welcome can make it ping sooner.
    const { connection, statuses } = connect(edge.url);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    const welcomedAt = Date.now();
    socket.send({ type: "welcome", protocol: PROTOCOL_VERSION, agentId: "agent-test", workspace: "org-1", heartbeatMs: 1_000 });
    await edge.until(() => socket.pings >= 3, "three pings");
    const elapsed = Date.now() - welcomedAt;
    // Three ticks of 1 s: at least ~3 s, far less than one 20 s tick.
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(10_000);
    expect(statuses).toContainEqual({ kind: "heartbeat", pingIntervalMs: 1_000 });
    await connection.close();
  });

  it("never pings more often than once a second, whatever the edge asks", async () => {
    const edge = await startFakeEdge();
    const { connection, statuses } = connect(edge.url);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    socket.send({ type: "welcome", protocol: PROTOCOL_VERSION, agentId: "agent-test", workspace: "org-1", heartbeatMs: 5 });
    await edge.until(() => statuses.some((s) => s.kind === "heartbeat"), "the heartbeat set");
    expect(statuses.filter((s) => s.kind === "heartbeat")).toEqual([{ kind: "heartbeat", pingIntervalMs: 1_000 }]);
    await connection.close();
  });

  it("keeps its own interval with an edge whose welcome names no heartbeat (an older edge)", async () => {
    const edge = await startFakeEdge();
    const { connection, statuses, received } = connect(edge.url, { pingIntervalMs: 30 });
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    socket.send({ type: "welcome", protocol: PROTOCOL_VERSION, agentId: "agent-test", workspace: "org-1" });
    await edge.until(() => received.some((m) => m.type === "welcome") && socket.pings >= 3, "the welcome and three pings");
    expect(statuses.some((s) => s.kind === "heartbeat")).toBe(false);
    await connection.close();
  });

  it("logs and ignores frames that are not protocol messages", async () => {
    const edge = await startFakeEdge();
    const { connection, received, log, firstMessage } = connect(edge.url);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    socket.socket.send("not json");
    socket.socket.send(JSON.stringify({ type: "task.assign", id: "x" }));
    socket.send({ type: "ack", ids: ["m-1"] });
    await firstMessage;
    expect(received).toEqual([{ type: "ack", ids: ["m-1"] }]);
    expect(log.lines.filter((l) => l.includes("not a protocol message"))).toHaveLength(2);
    expect(connection.isOpen).toBe(true);
    await connection.close();
  });
});
