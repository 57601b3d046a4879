/**
 * The agent's one WebSocket to the edge: `GET <url>/agent/connect` with the agent token as a
 * bearer, a `hello` on every open, a text `ping` every 20 s (the edge answers `pong` without
 * waking its Durable Object) or as often as the edge's `welcome.heartbeatMs` asks — it takes a
 * task back from an agent silent for its lease grace — and reconnection with exponential backoff
 * and full jitter.
 *
 * Some refusals are final and end the connection for good, with a message that says what to do:
 * an HTTP 401/403 on the upgrade (a wrong or revoked token), and the edge's `error` frames
 * `unsupported_version`, `revoked` and `replaced`. Everything else — a dropped socket, a 5xx, a
 * silent peer — is retried.
 *
 * Delivery guarantees are not this module's business: a frame sent as the socket dies can be lost
 * while `readyState` still says open. The outbox re-sends after every `hello` (see `onOpen`).
 */
import WebSocket from "ws";
import { agentPingInterval } from "../domain/task-assignment";
import { parseEdgeMessage, type AgentHello, type AgentMessage, type EdgeMessage } from "../protocol/messages";
import { displayUrl, formatDuration, type AgentLog } from "./output";

export type FatalReason = "unauthorized" | "unsupported_version" | "revoked" | "replaced";

export class FatalConnectionError extends Error {
  constructor(
    readonly reason: FatalReason,
    message: string,
  ) {
    super(message);
    this.name = "FatalConnectionError";
  }
}

export type ConnectionStatus =
  | { kind: "connecting"; attempt: number }
  | { kind: "open" }
  /** The edge's `welcome` set the ping interval for this connection. */
  | { kind: "heartbeat"; pingIntervalMs: number }
  /** Open for `healthyAfterMs`: the backoff starts again from the base. */
  | { kind: "healthy" }
  | { kind: "closed"; code: number; reason: string }
  | { kind: "dead"; silentMs: number }
  | { kind: "reconnecting"; attempt: number; delayMs: number }
  | { kind: "fatal"; error: FatalConnectionError }
  | { kind: "stopped" };

export interface ConnectionOptions {
  /** The edge's origin (http, https, ws or wss), possibly with a path prefix. */
  url: string;
  token: string;
  /** Built afresh on every open, so it carries the tasks running at that moment. */
  hello: () => AgentHello;
  /** Called right after `hello` has been sent on a new socket: the place to re-send the outbox. */
  onOpen?: () => void;
  onMessage: (message: EdgeMessage) => void;
  onStatus?: (status: ConnectionStatus) => void;
  log: AgentLog;
  /** The ping interval until the edge's `welcome` asks for a shorter one (at least 1 s). */
  pingIntervalMs?: number;
  /** With nothing heard for this long (no `pong`, no frame), the connection is dead. */
  pongTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A connection that stays open this long resets the backoff. */
  healthyAfterMs?: number;
  /** [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function reconnectDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(ceiling * random());
}

export function agentSocketUrl(edgeUrl: string): string {
  const url = new URL(edgeUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/agent/connect`;
  return url.toString();
}

export class EdgeConnection {
  readonly #options: Required<Omit<ConnectionOptions, "onOpen" | "onStatus">> & Pick<ConnectionOptions, "onOpen" | "onStatus">;
  readonly #socketUrl: string;
  #socket: WebSocket | null = null;
  #attempt = 0;
  #stopped = false;
  #fatal: FatalConnectionError | null = null;
  #finished = false;
  #lastHeard = 0;
  #pingTimer: NodeJS.Timeout | null = null;
  #timers = new Set<NodeJS.Timeout>();
  #resolveDone!: (error: FatalConnectionError | null) => void;
  /** Settles when the connection gives up for good: with the fatal error, or null after `close()`. */
  readonly done: Promise<FatalConnectionError | null>;

  constructor(options: ConnectionOptions) {
    this.#options = {
      pingIntervalMs: 20_000,
      pongTimeoutMs: 60_000,
      backoffBaseMs: 1_000,
      backoffMaxMs: 60_000,
      healthyAfterMs: 60_000,
      random: Math.random,
      ...options,
    };
    this.#socketUrl = agentSocketUrl(options.url);
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.#socket || this.#stopped) return;
    this.#connect();
  }

  /** Sends now if the socket is open; false otherwise (the outbox will re-send after the next hello). */
  send(message: AgentMessage): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Stops for good: closes the socket and cancels any reconnect. */
  close(): Promise<FatalConnectionError | null> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#clearTimers();
      const socket = this.#socket;
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        socket.close(1000, "agent shutting down");
        this.#after(2_000, () => socket.terminate());
      } else {
        this.#finish();
      }
    }
    return this.done;
  }

  #connect(): void {
    const { log, token } = this.#options;
    this.#emit({ kind: "connecting", attempt: this.#attempt });
    const socket = new WebSocket(this.#socketUrl, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: 15_000 });
    this.#socket = socket;
    let refusedStatus: number | null = null;

    socket.on("unexpected-response", (_request, response) => {
      refusedStatus = response.statusCode ?? 0;
      response.resume();
      if (refusedStatus === 401 || refusedStatus === 403) {
        this.#fail(
          new FatalConnectionError(
            "unauthorized",
            `the edge refused the agent token (HTTP ${refusedStatus}): check --token / CYRUS_TOKEN, or create one with POST /api/agent-tokens on ${displayUrl(this.#options.url)}`,
          ),
        );
      }
      socket.terminate();
    });
    socket.on("open", () => {
      this.#lastHeard = Date.now();
      socket.send(JSON.stringify(this.#options.hello()));
      this.#emit({ kind: "open" });
      this.#startHeartbeat(socket);
      try {
        this.#options.onOpen?.();
      } catch (error) {
        log.error(`after connecting: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    socket.on("message", (data, isBinary) => {
      this.#lastHeard = Date.now();
      if (isBinary) {
        log.warn("ignored a binary frame from the edge");
        return;
      }
      const text = data.toString();
      if (text === "pong") return;
      const parsed = parseEdgeMessage(text);
      if (!parsed.ok) {
        log.warn(`ignored a frame from the edge that is not a protocol message: ${parsed.error.split("\n")[0]}`);
        return;
      }
      if (parsed.message.type === "error") return this.#onErrorFrame(parsed.message);
      if (parsed.message.type === "welcome") this.#schedulePing(socket, agentPingInterval(this.#options.pingIntervalMs, parsed.message.heartbeatMs));
      try {
        this.#options.onMessage(parsed.message);
      } catch (error) {
        log.error(`handling ${parsed.message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    socket.on("error", (error) => {
      if (refusedStatus === null && !this.#fatal && !this.#stopped) log.warn(`connection to the edge failed: ${error.message}`);
    });
    socket.on("close", (code, reason) => {
      if (this.#socket === socket) this.#socket = null;
      this.#clearTimers();
      if (this.#fatal || this.#stopped) return this.#finish();
      this.#emit({ kind: "closed", code, reason: refusedStatus ? `HTTP ${refusedStatus}` : reason.toString() });
      this.#scheduleReconnect(refusedStatus ? `the edge answered HTTP ${refusedStatus}` : `code ${code}${reason.length ? `, ${reason.toString()}` : ""}`);
    });
  }

  #onErrorFrame(message: Extract<EdgeMessage, { type: "error" }>): void {
    const { log } = this.#options;
    switch (message.code) {
      case "unsupported_version":
        this.#fail(new FatalConnectionError("unsupported_version", `the edge does not speak this agent's protocol: ${message.message} — upgrade cyrus (npm install, or pull the latest checkout)`));
        break;
      case "revoked":
        this.#fail(new FatalConnectionError("revoked", `the edge revoked this agent's token: ${message.message} — create a new one with POST /api/agent-tokens`));
        break;
      case "replaced":
        this.#fail(new FatalConnectionError("replaced", `another agent connected with the same agent id (${message.message}): is a second \`cyrus connect\` using the same CYRUS_HOME?`));
        break;
      case "bad_message":
        log.warn(`the edge could not read a message from this agent: ${message.message}`);
        break;
    }
  }

  #fail(error: FatalConnectionError): void {
    if (this.#fatal) return;
    this.#fatal = error;
    this.#clearTimers();
    const socket = this.#socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.close(1000, "fatal");
      this.#after(2_000, () => socket.terminate());
    } else if (!socket || socket.readyState === WebSocket.CLOSED) {
      this.#finish();
    }
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearTimers();
    if (this.#fatal) this.#emit({ kind: "fatal", error: this.#fatal });
    else this.#emit({ kind: "stopped" });
    this.#resolveDone(this.#fatal);
  }

  #startHeartbeat(socket: WebSocket): void {
    this.#schedulePing(socket, this.#options.pingIntervalMs);
    this.#after(this.#options.healthyAfterMs, () => {
      this.#attempt = 0;
      this.#emit({ kind: "healthy" });
    });
  }

  /** (Re)starts this socket's ping timer at `intervalMs`; each tick also checks that the edge is still heard. */
  #schedulePing(socket: WebSocket, intervalMs: number): void {
    if (this.#socket !== socket) return;
    const { pongTimeoutMs, log } = this.#options;
    if (this.#pingTimer) {
      clearInterval(this.#pingTimer);
      this.#timers.delete(this.#pingTimer);
    }
    const ping = setInterval(() => {
      const silentMs = Date.now() - this.#lastHeard;
      if (silentMs >= pongTimeoutMs) {
        log.warn(`nothing heard from the edge for ${formatDuration(silentMs)}: the connection is dead`);
        this.#emit({ kind: "dead", silentMs });
        socket.terminate();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send("ping");
    }, intervalMs);
    this.#pingTimer = ping;
    this.#timers.add(ping);
    if (intervalMs !== this.#options.pingIntervalMs) {
      log.info(`pinging the edge every ${intervalMs} ms, as it asks`);
      this.#emit({ kind: "heartbeat", pingIntervalMs: intervalMs });
    }
  }

  #scheduleReconnect(why: string): void {
    this.#attempt++;
    const { backoffBaseMs, backoffMaxMs, random, log } = this.#options;
    const delayMs = reconnectDelay(this.#attempt, backoffBaseMs, backoffMaxMs, random);
    log.warn(`disconnected from the edge (${why}); reconnecting in ${formatDuration(delayMs)} (attempt ${this.#attempt})`);
    this.#emit({ kind: "reconnecting", attempt: this.#attempt, delayMs });
    this.#after(delayMs, () => {
      if (!this.#stopped && !this.#fatal) this.#connect();
    });
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#pingTimer = null;
  }

  #emit(status: ConnectionStatus): void {
    this.#options.onStatus?.(status);
  }
}
