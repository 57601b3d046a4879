/**
 * The Workspace hub's SQLite storage: connected agents, the queue of local
 * tasks with their leases, the edge -> agent outbox awaiting acknowledgement,
 * and the ids of agent messages already processed. See docs/storage.md.
 */
import type { TaskSpec } from "../../../src/protocol/messages";
import { migrate, type SchemaHistory } from "../sqlite-migrations";
import { boolean, integer, json, oneOf, Table, text } from "../sqlite-table";

/** Append-only (workers/objects/sqlite-migrations.ts). Step 1 is the schema from before versions were kept: it adopts those tables as they are. */
const HUB_SCHEMA: SchemaHistory = {
  store: "hub",
  steps: [
    [
      `CREATE TABLE IF NOT EXISTS agents (
         agent_id TEXT PRIMARY KEY, token_id TEXT NOT NULL, hostname TEXT NOT NULL, agent_version TEXT NOT NULL,
         repositories TEXT NOT NULL, max_concurrent INTEGER NOT NULL, connection_id TEXT, connected INTEGER NOT NULL,
         connected_at INTEGER, last_seen_at INTEGER NOT NULL, disconnected_at INTEGER)`,
      `CREATE TABLE IF NOT EXISTS tasks (
         task_id TEXT PRIMARY KEY, session_object TEXT NOT NULL, agent_session_id TEXT NOT NULL, repository TEXT NOT NULL,
         spec TEXT NOT NULL, state TEXT NOT NULL, agent_id TEXT, lease_id TEXT, required_agent_id TEXT,
         enqueued_at INTEGER NOT NULL, assigned_at INTEGER, queue_deadline_at INTEGER NOT NULL, assignments INTEGER NOT NULL DEFAULT 0)`,
      `CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state, enqueued_at)`,
      `CREATE TABLE IF NOT EXISTS outbox (
         id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, task_id TEXT, message TEXT NOT NULL, created_at INTEGER NOT NULL, last_sent_at INTEGER)`,
      `CREATE INDEX IF NOT EXISTS outbox_agent ON outbox (agent_id, created_at)`,
      `CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    ],
  ],
};

const TASK_STATES = ["queued", "assigned", "running", "done", "cancelled"] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface AgentRecord {
  agentId: string;
  tokenId: string;
  hostname: string;
  agentVersion: string;
  repositories: string[];
  maxConcurrent: number;
  connectionId: string | null;
  connected: boolean;
  connectedAt: number | null;
  lastSeenAt: number;
  disconnectedAt: number | null;
}

export interface TaskRecord {
  taskId: string;
  sessionObject: string;
  agentSessionId: string;
  repository: string;
  spec: Omit<TaskSpec, "leaseId">;
  state: TaskState;
  agentId: string | null;
  leaseId: string | null;
  requiredAgentId: string | null;
  enqueuedAt: number;
  assignedAt: number | null;
  queueDeadlineAt: number;
  assignments: number;
}

const agents = new Table<AgentRecord>("agents", {
  agentId: text("agent_id"),
  tokenId: text("token_id"),
  hostname: text("hostname"),
  agentVersion: text("agent_version"),
  repositories: json<string[]>("repositories"),
  maxConcurrent: integer("max_concurrent"),
  connectionId: text("connection_id").nullable(),
  connected: boolean("connected"),
  connectedAt: integer("connected_at").nullable(),
  lastSeenAt: integer("last_seen_at"),
  disconnectedAt: integer("disconnected_at").nullable(),
});

const tasks = new Table<TaskRecord>("tasks", {
  taskId: text("task_id"),
  sessionObject: text("session_object"),
  agentSessionId: text("agent_session_id"),
  repository: text("repository"),
  spec: json<TaskRecord["spec"]>("spec"),
  state: oneOf("state", TASK_STATES),
  agentId: text("agent_id").nullable(),
  leaseId: text("lease_id").nullable(),
  requiredAgentId: text("required_agent_id").nullable(),
  enqueuedAt: integer("enqueued_at"),
  assignedAt: integer("assigned_at").nullable(),
  queueDeadlineAt: integer("queue_deadline_at"),
  assignments: integer("assignments"),
});

interface OutboxRow {
  id: string;
  agentId: string;
  taskId: string | null;
  /** The message as sent, JSON text. */
  message: string;
  createdAt: number;
  lastSentAt: number | null;
}

const outbox = new Table<OutboxRow>("outbox", {
  id: text("id"),
  agentId: text("agent_id"),
  taskId: text("task_id").nullable(),
  message: text("message"),
  createdAt: integer("created_at"),
  lastSentAt: integer("last_sent_at").nullable(),
});

const seen = new Table<{ id: string; at: number }>("seen", { id: text("id"), at: integer("at") });
const hubMeta = new Table<{ key: string; value: string }>("hub_meta", { key: text("key"), value: text("value") });

export class HubStore {
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    migrate(storage, HUB_SCHEMA);
  }

  getMeta(key: string): string | null {
    return hubMeta.first(this.#sql, `SELECT * FROM hub_meta WHERE key = ?`, key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    hubMeta.insert(this.#sql, { key, value }, { target: ["key"], update: ["value"] });
  }

  upsertAgent(agent: Omit<AgentRecord, "disconnectedAt">): void {
    agents.insert(
      this.#sql,
      { ...agent, disconnectedAt: null },
      {
        target: ["agentId"],
        update: ["tokenId", "hostname", "agentVersion", "repositories", "maxConcurrent", "connectionId", "connected", "connectedAt", "lastSeenAt", "disconnectedAt"],
      },
    );
  }

  getAgent(agentId: string): AgentRecord | null {
    return agents.first(this.#sql, `SELECT * FROM agents WHERE agent_id = ?`, agentId);
  }

  agentByConnection(connectionId: string): AgentRecord | null {
    return agents.first(this.#sql, `SELECT * FROM agents WHERE connection_id = ?`, connectionId);
  }

  connectedAgents(): AgentRecord[] {
    return agents.all(this.#sql, `SELECT * FROM agents WHERE connected = 1`);
  }

  allAgents(): AgentRecord[] {
    return agents.all(this.#sql, `SELECT * FROM agents ORDER BY last_seen_at DESC`);
  }

  markSeen(agentId: string, at: number): void {
    this.#sql.exec(`UPDATE agents SET last_seen_at = MAX(last_seen_at, ?) WHERE agent_id = ?`, at, agentId);
  }

  markDisconnected(connectionId: string, at: number): AgentRecord | null {
    const agent = this.agentByConnection(connectionId);
    if (!agent) return null;
    agents.update(this.#sql, { connected: false, connectionId: null, disconnectedAt: at }, { where: "agent_id = ?" }, agent.agentId);
    return agent;
  }

  insertTask(task: Omit<TaskRecord, "state" | "agentId" | "leaseId" | "assignedAt" | "assignments">): void {
    tasks.insert(this.#sql, { ...task, state: "queued" }, "ignore");
  }

  getTask(taskId: string): TaskRecord | null {
    return tasks.first(this.#sql, `SELECT * FROM tasks WHERE task_id = ?`, taskId);
  }

  tasksInState(...states: TaskState[]): TaskRecord[] {
    return tasks.all(this.#sql, `SELECT * FROM tasks WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY enqueued_at`, ...states);
  }

  activeTaskCount(agentId: string): number {
    return Number(this.#sql.exec(`SELECT COUNT(*) AS n FROM tasks WHERE agent_id = ? AND state IN ('assigned', 'running')`, agentId).one().n);
  }

  assignTask(taskId: string, agentId: string, leaseId: string, at: number): void {
    tasks.update(this.#sql, { state: "assigned", agentId, leaseId, assignedAt: at }, { also: "assignments = assignments + 1", where: "task_id = ?" }, taskId);
  }

  updateSpec(taskId: string, spec: TaskRecord["spec"]): void {
    tasks.update(this.#sql, { spec }, { where: "task_id = ?" }, taskId);
  }

  setTaskState(taskId: string, state: TaskState): void {
    tasks.update(this.#sql, { state }, { where: "task_id = ?" }, taskId);
  }

  requeueTask(taskId: string, changes: { queueDeadlineAt: number; requiredAgentId: string | null; spec: TaskRecord["spec"] }): void {
    const { queueDeadlineAt, requiredAgentId, spec } = changes;
    tasks.update(
      this.#sql,
      { state: "queued", agentId: null, leaseId: null, assignedAt: null, queueDeadlineAt, requiredAgentId, spec },
      { where: "task_id = ?" },
      taskId,
    );
  }

  /** Finished tasks are history; a week of them is kept for inspection. */
  pruneFinishedTasks(before: number): void {
    this.#sql.exec(`DELETE FROM tasks WHERE state IN ('done', 'cancelled') AND enqueued_at < ?`, before);
  }

  enqueueToAgent(message: { id: string; agentId: string; taskId: string | null; json: string }, at: number): void {
    outbox.insert(this.#sql, { id: message.id, agentId: message.agentId, taskId: message.taskId, message: message.json, createdAt: at }, "ignore");
  }

  pendingForAgent(agentId: string): { id: string; json: string; lastSentAt: number | null }[] {
    return outbox
      .all(this.#sql, `SELECT * FROM outbox WHERE agent_id = ? ORDER BY created_at`, agentId)
      .map((row) => ({ id: row.id, json: row.message, lastSentAt: row.lastSentAt }));
  }

  markSent(id: string, at: number): void {
    outbox.update(this.#sql, { lastSentAt: at }, { where: "id = ?" }, id);
  }

  acknowledge(ids: string[]): void {
    for (const id of ids) this.#sql.exec(`DELETE FROM outbox WHERE id = ?`, id);
  }

  dropOutboxForTask(agentId: string, taskId: string): void {
    this.#sql.exec(`DELETE FROM outbox WHERE agent_id = ? AND task_id = ?`, agentId, taskId);
  }

  hasSeen(id: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM seen WHERE id = ?`, id).toArray().length > 0;
  }

  recordSeen(id: string, at: number): void {
    seen.insert(this.#sql, { id, at }, "ignore");
  }

  pruneSeen(before: number): void {
    this.#sql.exec(`DELETE FROM seen WHERE at < ?`, before);
  }
}
