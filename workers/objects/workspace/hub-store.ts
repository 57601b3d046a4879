/**
 * The Workspace hub's SQLite storage: connected agents, the queue of local
 * tasks with their leases, the edge -> agent outbox awaiting acknowledgement,
 * and the ids of agent messages already processed. See docs/storage.md.
 */
import type { TaskSpec } from "../../../src/protocol/messages";

const SCHEMA = [
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
];

export type TaskState = "queued" | "assigned" | "running" | "done" | "cancelled";

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

type Row = Record<string, SqlStorageValue>;
const num = (v: SqlStorageValue | undefined) => (v === null || v === undefined ? null : Number(v));
const str = (v: SqlStorageValue | undefined) => (v === null || v === undefined ? null : String(v));

function toAgent(row: Row): AgentRecord {
  return {
    agentId: String(row.agent_id),
    tokenId: String(row.token_id),
    hostname: String(row.hostname),
    agentVersion: String(row.agent_version),
    repositories: JSON.parse(String(row.repositories)) as string[],
    maxConcurrent: Number(row.max_concurrent),
    connectionId: str(row.connection_id),
    connected: Number(row.connected) === 1,
    connectedAt: num(row.connected_at),
    lastSeenAt: Number(row.last_seen_at),
    disconnectedAt: num(row.disconnected_at),
  };
}

function toTask(row: Row): TaskRecord {
  return {
    taskId: String(row.task_id),
    sessionObject: String(row.session_object),
    agentSessionId: String(row.agent_session_id),
    repository: String(row.repository),
    spec: JSON.parse(String(row.spec)) as TaskRecord["spec"],
    state: row.state as TaskState,
    agentId: str(row.agent_id),
    leaseId: str(row.lease_id),
    requiredAgentId: str(row.required_agent_id),
    enqueuedAt: Number(row.enqueued_at),
    assignedAt: num(row.assigned_at),
    queueDeadlineAt: Number(row.queue_deadline_at),
    assignments: Number(row.assignments),
  };
}

export class HubStore {
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    for (const statement of SCHEMA) this.#sql.exec(statement);
  }

  getMeta(key: string): string | null {
    const row = this.#sql.exec(`SELECT value FROM hub_meta WHERE key = ?`, key).toArray()[0];
    return row ? String(row.value) : null;
  }

  setMeta(key: string, value: string): void {
    this.#sql.exec(`INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value);
  }

  upsertAgent(agent: Omit<AgentRecord, "disconnectedAt">): void {
    this.#sql.exec(
      `INSERT INTO agents (agent_id, token_id, hostname, agent_version, repositories, max_concurrent, connection_id, connected, connected_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(agent_id) DO UPDATE SET token_id = excluded.token_id, hostname = excluded.hostname, agent_version = excluded.agent_version,
         repositories = excluded.repositories, max_concurrent = excluded.max_concurrent, connection_id = excluded.connection_id,
         connected = excluded.connected, connected_at = excluded.connected_at, last_seen_at = excluded.last_seen_at, disconnected_at = NULL`,
      agent.agentId,
      agent.tokenId,
      agent.hostname,
      agent.agentVersion,
      JSON.stringify(agent.repositories),
      agent.maxConcurrent,
      agent.connectionId,
      agent.connected ? 1 : 0,
      agent.connectedAt,
      agent.lastSeenAt,
    );
  }

  getAgent(agentId: string): AgentRecord | null {
    const row = this.#sql.exec(`SELECT * FROM agents WHERE agent_id = ?`, agentId).toArray()[0];
    return row ? toAgent(row) : null;
  }

  agentByConnection(connectionId: string): AgentRecord | null {
    const row = this.#sql.exec(`SELECT * FROM agents WHERE connection_id = ?`, connectionId).toArray()[0];
    return row ? toAgent(row) : null;
  }

  connectedAgents(): AgentRecord[] {
    return this.#sql.exec(`SELECT * FROM agents WHERE connected = 1`).toArray().map(toAgent);
  }

  allAgents(): AgentRecord[] {
    return this.#sql.exec(`SELECT * FROM agents ORDER BY last_seen_at DESC`).toArray().map(toAgent);
  }

  markSeen(agentId: string, at: number): void {
    this.#sql.exec(`UPDATE agents SET last_seen_at = MAX(last_seen_at, ?) WHERE agent_id = ?`, at, agentId);
  }

  markDisconnected(connectionId: string, at: number): AgentRecord | null {
    const agent = this.agentByConnection(connectionId);
    if (!agent) return null;
    this.#sql.exec(`UPDATE agents SET connected = 0, connection_id = NULL, disconnected_at = ? WHERE agent_id = ?`, at, agent.agentId);
    return agent;
  }

  insertTask(task: Omit<TaskRecord, "state" | "agentId" | "leaseId" | "assignedAt" | "assignments">): void {
    this.#sql.exec(
      `INSERT OR IGNORE INTO tasks (task_id, session_object, agent_session_id, repository, spec, state, required_agent_id, enqueued_at, queue_deadline_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      task.taskId,
      task.sessionObject,
      task.agentSessionId,
      task.repository,
      JSON.stringify(task.spec),
      task.requiredAgentId,
      task.enqueuedAt,
      task.queueDeadlineAt,
    );
  }

  getTask(taskId: string): TaskRecord | null {
    const row = this.#sql.exec(`SELECT * FROM tasks WHERE task_id = ?`, taskId).toArray()[0];
    return row ? toTask(row) : null;
  }

  tasksInState(...states: TaskState[]): TaskRecord[] {
    return this.#sql
      .exec(`SELECT * FROM tasks WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY enqueued_at`, ...states)
      .toArray()
      .map(toTask);
  }

  activeTaskCount(agentId: string): number {
    return Number(this.#sql.exec(`SELECT COUNT(*) AS n FROM tasks WHERE agent_id = ? AND state IN ('assigned', 'running')`, agentId).one().n);
  }

  assignTask(taskId: string, agentId: string, leaseId: string, at: number): void {
    this.#sql.exec(
      `UPDATE tasks SET state = 'assigned', agent_id = ?, lease_id = ?, assigned_at = ?, assignments = assignments + 1 WHERE task_id = ?`,
      agentId,
      leaseId,
      at,
      taskId,
    );
  }

  updateSpec(taskId: string, spec: TaskRecord["spec"]): void {
    this.#sql.exec(`UPDATE tasks SET spec = ? WHERE task_id = ?`, JSON.stringify(spec), taskId);
  }

  setTaskState(taskId: string, state: TaskState): void {
    this.#sql.exec(`UPDATE tasks SET state = ? WHERE task_id = ?`, state, taskId);
  }

  requeueTask(taskId: string, changes: { queueDeadlineAt: number; requiredAgentId: string | null; spec: TaskRecord["spec"] }): void {
    this.#sql.exec(
      `UPDATE tasks SET state = 'queued', agent_id = NULL, lease_id = NULL, assigned_at = NULL, queue_deadline_at = ?, required_agent_id = ?, spec = ? WHERE task_id = ?`,
      changes.queueDeadlineAt,
      changes.requiredAgentId,
      JSON.stringify(changes.spec),
      taskId,
    );
  }

  /** Finished tasks are history; a week of them is kept for inspection. */
  pruneFinishedTasks(before: number): void {
    this.#sql.exec(`DELETE FROM tasks WHERE state IN ('done', 'cancelled') AND enqueued_at < ?`, before);
  }

  enqueueToAgent(message: { id: string; agentId: string; taskId: string | null; json: string }, at: number): void {
    this.#sql.exec(
      `INSERT OR IGNORE INTO outbox (id, agent_id, task_id, message, created_at) VALUES (?, ?, ?, ?, ?)`,
      message.id,
      message.agentId,
      message.taskId,
      message.json,
      at,
    );
  }

  pendingForAgent(agentId: string): { id: string; json: string; lastSentAt: number | null }[] {
    return this.#sql
      .exec(`SELECT id, message, last_sent_at FROM outbox WHERE agent_id = ? ORDER BY created_at`, agentId)
      .toArray()
      .map((row) => ({ id: String(row.id), json: String(row.message), lastSentAt: num(row.last_sent_at) }));
  }

  markSent(id: string, at: number): void {
    this.#sql.exec(`UPDATE outbox SET last_sent_at = ? WHERE id = ?`, at, id);
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
    this.#sql.exec(`INSERT OR IGNORE INTO seen (id, at) VALUES (?, ?)`, id, at);
  }

  pruneSeen(before: number): void {
    this.#sql.exec(`DELETE FROM seen WHERE at < ?`, before);
  }
}
