/**
 * The local agents' hub inside a Workspace object: their hibernatable
 * WebSockets, the queue of local tasks with a lease per assignment, and the
 * at-least-once delivery in both directions (see src/protocol/messages.ts).
 *
 * Platform limits shape it: a socket's attachment holds at most 2 KB, so it
 * keeps only the connection's ids and each agent's record lives in SQLite; the
 * automatic ping/pong answers without waking the object, so liveness comes
 * from its timestamp; leases are expired from the alarm.
 */
import type { EdgeConfig } from "../../../src/config";
import { heartbeatIntervalFor, leaseLapsesAt, pickAgent } from "../../../src/domain/task-assignment";
import type { Logger } from "../../../src/log";
import { describeError } from "../../../src/log";
import {
  PROTOCOL_VERSION,
  parseAgentMessage,
  type AgentHello,
  type AgentMessage,
  type EdgeMessage,
} from "../../../src/protocol/messages";
import type { AppEnv } from "../../env";
import { HubStore, type AgentRecord, type TaskRecord } from "./hub-store";
import type { LocalTaskInput } from "../contracts";
import { issueSessionStub } from "../stubs";

interface Attachment {
  v: 1;
  connectionId: string;
  tokenId: string;
}

/** Unacknowledged messages to a connected agent are sent again after this long. */
const RESEND_AFTER_MS = 10_000;
const SEEN_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;

export class LocalAgentHub {
  readonly #store: HubStore;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: AppEnv,
    private readonly config: EdgeConfig,
    private readonly log: Logger,
  ) {
    this.#store = new HubStore(ctx.storage);
  }

  /** Accepts an agent's WebSocket; the Worker has already checked its token and chosen this workspace. */
  accept(tokenId: string, workspaceId: string): Response {
    this.#store.setMeta("workspace_id", workspaceId);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const connectionId = crypto.randomUUID();
    this.ctx.acceptWebSocket(server, [`token:${tokenId}`, `conn:${connectionId}`]);
    server.serializeAttachment({ v: 1, connectionId, tokenId } satisfies Attachment);
    return new Response(null, { status: 101, webSocket: client });
  }

  async onMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    if (!attachment) return ws.close(1011, "unknown connection");
    const parsed = parseAgentMessage(raw);
    if (!parsed.ok) {
      this.#sendRaw(ws, { type: "error", code: "bad_message", message: parsed.error });
      return;
    }
    const message = parsed.message;
    if (message.type === "hello") return this.#onHello(ws, attachment, message);
    const agent = this.#store.agentByConnection(attachment.connectionId);
    if (!agent) {
      this.#sendRaw(ws, { type: "error", code: "bad_message", message: "say hello first" });
      return;
    }
    this.#store.markSeen(agent.agentId, Date.now());
    try {
      await this.#onAgentMessage(ws, agent, message);
    } catch (error) {
      // Not acknowledged: the agent sends it again, and nothing is lost.
      this.log.warn("agent message not processed", { type: message.type, error: describeError(error) });
    }
  }

  async onClose(ws: WebSocket): Promise<void> {
    const attachment = ws.deserializeAttachment() as Attachment | null;
    if (!attachment) return;
    const agent = this.#store.markDisconnected(attachment.connectionId, Date.now());
    if (agent) this.log.info("agent disconnected", { agentId: agent.agentId, hostname: agent.hostname });
    await this.#armAlarm();
  }

  // ---- RPC surface used by IssueSessions ----

  async enqueueTask(input: LocalTaskInput): Promise<{ queued: true; agentsOnline: number; freshSession: boolean }> {
    const now = Date.now();
    let spec = input.spec;
    let requiredAgentId = input.requiredAgentId;
    let freshSession = false;
    if (requiredAgentId) {
      const agent = this.#store.getAgent(requiredAgentId);
      // The machine that holds the Claude session is gone for good: start fresh elsewhere (the prompt carries the history).
      // No lease is granted yet, so only how long it has been gone counts.
      if (!agent || (!agent.connected && leaseLapsesAt({ connected: false, lastHeardAt: agent.lastSeenAt, disconnectedAt: agent.disconnectedAt }, 0, this.config.AGENT_LEASE_GRACE_MS) <= now)) {
        requiredAgentId = null;
        spec = { ...spec, resumeClaudeSessionId: null };
        freshSession = true;
      }
    }
    this.#store.insertTask({
      taskId: spec.taskId,
      sessionObject: input.sessionObject,
      agentSessionId: spec.agentSessionId,
      repository: spec.repository.name,
      spec,
      requiredAgentId,
      enqueuedAt: now,
      queueDeadlineAt: now + this.config.LOCAL_QUEUE_TIMEOUT_MS,
    });
    this.#dispatch();
    await this.#armAlarm();
    return { queued: true, agentsOnline: this.#store.connectedAgents().filter((a) => a.repositories.includes(spec.repository.name)).length, freshSession };
  }

  /** Connected agents that serve the repository, and their free slots: for the executor choice. */
  availability(repository: string): { agentsOnline: number; freeSlots: number } {
    const agents = this.#store.connectedAgents().filter((a) => a.repositories.includes(repository));
    const freeSlots = agents.reduce((sum, a) => sum + Math.max(0, a.maxConcurrent - this.#store.activeTaskCount(a.agentId)), 0);
    return { agentsOnline: agents.length, freeSlots };
  }

  /**
   * A follow-up for a task: merged into its prompt while it waits in the queue,
   * sent to the agent while it runs. The agent's result lists the prompt ids that
   * went in, so one that arrived as the run ended is run again, not lost.
   */
  async sendPrompt(taskId: string, text: string): Promise<{ status: "merged" } | { status: "sent"; messageId: string } | { status: "not_running" }> {
    const task = this.#store.getTask(taskId);
    if (task?.state === "queued") {
      this.#store.updateSpec(taskId, { ...task.spec, prompt: `${task.spec.prompt}\n\nFollow-up:\n${text}` });
      return { status: "merged" };
    }
    if (!task?.agentId || (task.state !== "assigned" && task.state !== "running")) return { status: "not_running" };
    const messageId = crypto.randomUUID();
    this.#toAgent(task.agentId, { type: "task.prompt", id: messageId, taskId, text }, taskId);
    await this.#armAlarm();
    return { status: "sent", messageId };
  }

  async stopTask(taskId: string, graceMs: number): Promise<"sent" | "dequeued" | "not_running"> {
    const task = this.#store.getTask(taskId);
    if (!task) return "not_running";
    if (task.state === "queued") {
      this.#store.setTaskState(taskId, "cancelled");
      return "dequeued";
    }
    if (!task.agentId || (task.state !== "assigned" && task.state !== "running")) return "not_running";
    this.#toAgent(task.agentId, { type: "task.stop", id: crypto.randomUUID(), taskId, graceMs }, taskId);
    await this.#armAlarm();
    return "sent";
  }

  /** Closes every connection opened with a revoked token. */
  revokeToken(tokenId: string): number {
    const sockets = this.ctx.getWebSockets(`token:${tokenId}`);
    for (const ws of sockets) {
      this.#sendRaw(ws, { type: "error", code: "revoked", message: "this agent token was revoked: create a new one with POST /api/agent-tokens" });
      try {
        ws.close(4001, "token revoked");
      } catch {
        // already closing
      }
      const attachment = ws.deserializeAttachment() as Attachment | null;
      if (attachment) this.#store.markDisconnected(attachment.connectionId, Date.now());
    }
    return sockets.length;
  }

  agents(): AgentRecord[] {
    return this.#store.allAgents();
  }

  tasks(): TaskRecord[] {
    return this.#store.tasksInState("queued", "assigned", "running", "done", "cancelled");
  }

  // ---- alarm: leases, queue deadlines, resends ----

  /** Does what is due and returns when it next needs to wake, or null. */
  async runDue(): Promise<number | null> {
    const now = Date.now();
    await this.#expireLeases(now);
    await this.#expireQueue(now);
    this.#resendUnacknowledged(now);
    this.#dispatch();
    this.#store.pruneSeen(now - SEEN_MEMORY_MS);
    this.#store.pruneFinishedTasks(now - SEEN_MEMORY_MS);
    return this.#nextWake(Date.now());
  }

  async #onHello(ws: WebSocket, attachment: Attachment, hello: AgentHello): Promise<void> {
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.#sendRaw(ws, {
        type: "error",
        code: "unsupported_version",
        message: `this edge speaks agent protocol ${PROTOCOL_VERSION}, your cyrus agent speaks ${hello.protocol}: upgrade the agent (npm install -g cyrus-edge@latest) and reconnect`,
      });
      ws.close(4002, "unsupported protocol version");
      return;
    }
    const now = Date.now();
    const previous = this.#store.getAgent(hello.agentId);
    if (previous?.connectionId && previous.connectionId !== attachment.connectionId) {
      // The same agent reconnected before its old socket died: the new connection wins.
      for (const old of this.ctx.getWebSockets(`conn:${previous.connectionId}`)) {
        this.#sendRaw(old, { type: "error", code: "replaced", message: "a newer connection from this agent replaced this one" });
        try {
          old.close(4003, "replaced");
        } catch {
          // already closing
        }
      }
    }
    this.#store.upsertAgent({
      agentId: hello.agentId,
      tokenId: attachment.tokenId,
      hostname: hello.hostname,
      agentVersion: hello.agentVersion,
      repositories: hello.repositories,
      maxConcurrent: hello.maxConcurrent,
      connectionId: attachment.connectionId,
      connected: true,
      connectedAt: now,
      lastSeenAt: now,
    });
    this.#sendRaw(ws, {
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      agentId: hello.agentId,
      workspace: this.#store.getMeta("workspace_id") ?? "",
      // An idle agent must be heard well within the lease grace, or its next task would be taken back on arrival.
      heartbeatMs: heartbeatIntervalFor(this.config.AGENT_LEASE_GRACE_MS),
    });
    this.log.info("agent connected", { agentId: hello.agentId, hostname: hello.hostname, repositories: hello.repositories.length });
    // Everything it has not acknowledged goes again, in order: a message lost as the old connection died is not lost.
    for (const pending of this.#store.pendingForAgent(hello.agentId)) this.#deliver(ws, pending.id, pending.json, now);
    this.#dispatch();
    await this.#armAlarm();
  }

  async #onAgentMessage(ws: WebSocket, agent: AgentRecord, message: Exclude<AgentMessage, AgentHello>): Promise<void> {
    switch (message.type) {
      case "heartbeat":
        this.#dispatch();
        return;
      case "ack":
        this.#store.acknowledge(message.ids);
        return;
      default:
        break;
    }
    // Everything below carries an id: processed once, acknowledged every time.
    if (this.#store.hasSeen(message.id)) {
      this.#sendRaw(ws, { type: "ack", ids: [message.id] });
      return;
    }
    const task = this.#store.getTask(message.taskId);
    const current = task !== null && task.leaseId === message.leaseId && task.agentId === agent.agentId;
    if (current) await this.#forward(task, agent, message);
    else this.log.info("message for a lease no longer held", { type: message.type, taskId: message.taskId });
    this.#store.recordSeen(message.id, Date.now());
    this.#sendRaw(ws, { type: "ack", ids: [message.id] });
    if (message.type === "task.result" || message.type === "task.rejected") {
      this.#dispatch();
      await this.#armAlarm();
    }
  }

  /** Hands the agent's message to the task's IssueSession; only once that has stored it do we acknowledge. */
  async #forward(task: TaskRecord, agent: AgentRecord, message: Extract<AgentMessage, { id: string }>): Promise<void> {
    const session = issueSessionStub(this.env, task.sessionObject);
    switch (message.type) {
      case "task.accepted":
        this.#store.setTaskState(task.taskId, "running");
        await session.onLocalTaskUpdate({ kind: "accepted", taskId: task.taskId, leaseId: message.leaseId, agentId: agent.agentId, hostname: agent.hostname });
        return;
      case "task.rejected":
        this.#store.requeueTask(task.taskId, { queueDeadlineAt: task.queueDeadlineAt, requiredAgentId: null, spec: task.spec });
        await session.onLocalTaskUpdate({ kind: "rejected", taskId: task.taskId, reason: `${agent.hostname} declined it: ${message.reason}` });
        return;
      case "task.event":
        await session.onLocalTaskUpdate({ kind: "event", taskId: task.taskId, leaseId: message.leaseId, seq: message.seq, event: message.event });
        return;
      case "task.result":
        await session.onLocalTaskUpdate({ kind: "result", taskId: task.taskId, leaseId: message.leaseId, seq: message.seq, agentId: agent.agentId, result: message.result });
        this.#store.setTaskState(task.taskId, "done");
        this.#store.dropOutboxForTask(agent.agentId, task.taskId);
        return;
    }
  }

  /** Assigns queued tasks to connected agents with a free slot for their repository. */
  #dispatch(): void {
    const now = Date.now();
    // Only agents with a live socket: a record left "connected" by a socket that vanished without a close takes nothing.
    const capacity = this.#store.connectedAgents().filter((a) => this.#socket(a) !== null).map((a) => ({ agentId: a.agentId, repositories: a.repositories, maxConcurrent: a.maxConcurrent, active: this.#store.activeTaskCount(a.agentId) }));
    for (const task of this.#store.tasksInState("queued")) {
      const agentId = pickAgent({ repository: task.repository, requiredAgentId: task.requiredAgentId }, capacity);
      if (!agentId) continue;
      const leaseId = crypto.randomUUID();
      this.#store.assignTask(task.taskId, agentId, leaseId, now);
      capacity.find((c) => c.agentId === agentId)!.active++;
      this.#toAgent(agentId, { type: "task.assign", id: crypto.randomUUID(), task: { ...task.spec, leaseId } }, task.taskId);
    }
  }

  async #expireLeases(now: number): Promise<void> {
    for (const task of this.#store.tasksInState("assigned", "running")) {
      const agent = task.agentId ? this.#store.getAgent(task.agentId) : null;
      if (agent && leaseLapsesAt(this.#holder(agent), task.assignedAt ?? 0, this.config.AGENT_LEASE_GRACE_MS) > now) continue;
      const who = agent?.hostname ?? "its agent";
      // Silent for the whole grace yet still "connected": that connection is dead, whatever its socket says. Close it, so
      // the task is not handed straight back to it (a live agent reconnects, and hears of the lost lease then).
      if (agent?.connected) this.#dropSilentConnection(agent, now);
      // The old holder, if it returns, is told to drop the lease; the task goes back in the queue.
      if (agent && task.leaseId) {
        this.#store.dropOutboxForTask(agent.agentId, task.taskId);
        this.#toAgent(agent.agentId, { type: "task.cancelled", id: crypto.randomUUID(), taskId: task.taskId, leaseId: task.leaseId, reason: "lease expired" }, task.taskId);
      }
      // Its Claude session stayed on the machine that went away: the next agent starts fresh from the prompt.
      this.#store.requeueTask(task.taskId, {
        queueDeadlineAt: now + this.config.LOCAL_QUEUE_TIMEOUT_MS,
        requiredAgentId: null,
        spec: { ...task.spec, resumeClaudeSessionId: null },
      });
      const session = issueSessionStub(this.env, task.sessionObject);
      await session
        .onLocalTaskUpdate({
          kind: "requeued",
          taskId: task.taskId,
          agentId: agent?.agentId ?? null,
          reason: `${who} went quiet for more than ${Math.round(this.config.AGENT_LEASE_GRACE_MS / 1000)} s`,
        })
        .catch((error: unknown) => this.log.warn("could not tell a session its task was re-queued", { error: describeError(error) }));
    }
  }

  async #expireQueue(now: number): Promise<void> {
    for (const task of this.#store.tasksInState("queued")) {
      if (task.queueDeadlineAt > now) continue;
      this.#store.setTaskState(task.taskId, "cancelled");
      const session = issueSessionStub(this.env, task.sessionObject);
      await session
        .onLocalTaskUpdate({ kind: "queue_timeout", taskId: task.taskId, waitedMs: now - task.enqueuedAt })
        .catch((error: unknown) => this.log.warn("could not tell a session its task timed out", { error: describeError(error) }));
    }
  }

  #resendUnacknowledged(now: number): void {
    for (const agent of this.#store.connectedAgents()) {
      const ws = this.#socket(agent);
      if (!ws) continue;
      for (const pending of this.#store.pendingForAgent(agent.agentId)) {
        if (pending.lastSentAt === null || now - pending.lastSentAt >= RESEND_AFTER_MS) this.#deliver(ws, pending.id, pending.json, now);
      }
    }
  }

  #nextWake(now: number): number | null {
    const times: number[] = [];
    for (const task of this.#store.tasksInState("assigned", "running")) {
      const agent = task.agentId ? this.#store.getAgent(task.agentId) : null;
      times.push(agent ? leaseLapsesAt(this.#holder(agent), task.assignedAt ?? 0, this.config.AGENT_LEASE_GRACE_MS) : now);
    }
    for (const task of this.#store.tasksInState("queued")) times.push(task.queueDeadlineAt);
    for (const agent of this.#store.connectedAgents()) {
      if (this.#store.pendingForAgent(agent.agentId).length > 0) times.push(now + RESEND_AFTER_MS);
    }
    return times.length ? Math.max(now, Math.min(...times)) : null;
  }

  #holder(agent: AgentRecord) {
    const ws = agent.connected ? this.#socket(agent) : null;
    const pong = ws ? (this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0) : 0;
    return { connected: agent.connected && ws !== null, lastHeardAt: Math.max(agent.lastSeenAt, pong), disconnectedAt: agent.disconnectedAt };
  }

  #dropSilentConnection(agent: AgentRecord, now: number): void {
    const ws = this.#socket(agent);
    if (ws) {
      try {
        ws.close(4000, "silent past the lease grace");
      } catch {
        // already closing
      }
    }
    if (agent.connectionId) this.#store.markDisconnected(agent.connectionId, now);
    this.log.warn("agent silent past the lease grace: connection dropped", { agentId: agent.agentId, hostname: agent.hostname });
  }

  #socket(agent: AgentRecord): WebSocket | null {
    if (!agent.connectionId) return null;
    return this.ctx.getWebSockets(`conn:${agent.connectionId}`)[0] ?? null;
  }

  /** Stores a message for the agent until it acknowledges it, and sends it now if the agent is connected. */
  #toAgent(agentId: string, message: Extract<EdgeMessage, { id: string }>, taskId: string | null): void {
    const json = JSON.stringify(message);
    const now = Date.now();
    this.#store.enqueueToAgent({ id: message.id, agentId, taskId, json }, now);
    const agent = this.#store.getAgent(agentId);
    const ws = agent?.connected ? this.#socket(agent) : null;
    if (ws) this.#deliver(ws, message.id, json, now);
  }

  #deliver(ws: WebSocket, id: string, json: string, now: number): void {
    try {
      ws.send(json);
      this.#store.markSent(id, now);
    } catch (error) {
      this.log.warn("send to agent failed; will resend", { error: describeError(error) });
    }
  }

  #sendRaw(ws: WebSocket, message: EdgeMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // The socket is going away; anything that matters is in the outbox.
    }
  }

  async #armAlarm(): Promise<void> {
    const next = this.#nextWake(Date.now());
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }
}
