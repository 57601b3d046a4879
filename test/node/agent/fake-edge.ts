/**
 * A tiny stand-in for the edge's `/agent/connect` endpoint: a real `ws` server on 127.0.0.1 that
 * records what agents send and lets a test answer. Waiting is on conditions, never on time.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { parseAgentMessage, type AgentMessage, type EdgeMessage } from "../../../src/protocol/messages";

export interface EdgeSocket {
  socket: WebSocket;
  request: IncomingMessage;
  /** Protocol messages received on this socket, in order. */
  messages: AgentMessage[];
  /** Text frames that are not protocol messages (the `ping`s). */
  pings: number;
  send(message: EdgeMessage): void;
}

export interface FakeEdgeOptions {
  /** Refuse the upgrade with this HTTP status. */
  refuseWith?: () => number | null;
  /** Answer `ping` with `pong` (default true). */
  answerPings?: boolean;
  /** Acknowledge every agent message with an id (default false: tests decide). */
  autoAck?: boolean;
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

export interface FakeEdge {
  url: string;
  sockets: EdgeSocket[];
  upgradeAttempts: number;
  /** Every protocol message received, across sockets. */
  all(): AgentMessage[];
  /** Resolves once `predicate` holds (checked after every event). */
  until<T>(predicate: () => T, what?: string): Promise<Truthy<T>>;
  current(): EdgeSocket;
  close(): Promise<void>;
}

export async function startFakeEdge(options: FakeEdgeOptions = {}): Promise<FakeEdge> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };

  const edge: FakeEdge = {
    url: "",
    sockets: [],
    upgradeAttempts: 0,
    all: () => edge.sockets.flatMap((s) => s.messages),
    until: (predicate, what = "condition") =>
      new Promise((resolve, reject) => {
        const check = () => {
          let value: ReturnType<typeof predicate>;
          try {
            value = predicate();
          } catch (error) {
            waiters.delete(check);
            reject(error);
            return;
          }
          if (value) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(value as never);
          }
        };
        // A generous safety net so a broken test fails with a message rather than the test timeout.
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake edge: timed out waiting for ${what}`));
        }, 20_000);
        waiters.add(check);
        check();
      }),
    current: () => {
      const socket = edge.sockets.at(-1);
      if (!socket) throw new Error("no agent has connected");
      return socket;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of edge.sockets) s.socket.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  server.on("upgrade", (request, socket, head) => {
    edge.upgradeAttempts++;
    const status = options.refuseWith?.() ?? null;
    if (status !== null || new URL(request.url ?? "/", "http://x").pathname !== "/agent/connect") {
      socket.end(`HTTP/1.1 ${status ?? 404} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      notify();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const entry: EdgeSocket = {
        socket: ws,
        request,
        messages: [],
        pings: 0,
        send: (message) => ws.send(JSON.stringify(message)),
      };
      edge.sockets.push(entry);
      ws.on("message", (data) => {
        const text = data.toString();
        if (text === "ping") {
          entry.pings++;
          if (options.answerPings !== false) ws.send("pong");
        } else {
          const parsed = parseAgentMessage(text);
          if (!parsed.ok) throw new Error(`the agent sent an invalid message: ${parsed.error}\n${text}`);
          entry.messages.push(parsed.message);
          if (options.autoAck && "id" in parsed.message) entry.send({ type: "ack", ids: [parsed.message.id] });
        }
        notify();
      });
      ws.on("close", notify);
      notify();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  edge.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(() => edge.close());
  return edge;
}
