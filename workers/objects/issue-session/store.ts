/**
 * The IssueSession's SQLite storage. Every table is documented in
 * docs/storage.md. All writes for one delivery happen inside one
 * `transactionSync`, so a delivery has its whole effect or none.
 */
import { laneOf, type JobKind, type JobSpec } from "../../../src/domain/job-specs";
import { SCHEMA_STEPS } from "./schema";

const D1_SYNC_DELAY_MS = 10_000;
import type { NewAgentSession, NewPrompt, TimelineEntry } from "../../../src/domain/session-intake";
import type { SessionStatus } from "../../../src/domain/session-status";




export type { SessionStatus };

export interface AgentSessionRecord {
  id: string;
  issueId: string | null;
  issueIdentifier: string | null;
  issueTitle: string | null;
  creatorId: string | null;
  promptContext: string | null;
  guidance: string[];
  initialComment: string | null;
  status: SessionStatus;
  repositoryId: string | null;
  repositoryName: string | null;
  repositoryGitUrl: string | null;
  codegenRepoId: number | null;
  baseBranch: string | null;
  agentType: string | null;
  complexity: string | null;
  executor: string | null;
  /** Where the work goes if the chosen executor fails (the orchestrator's decision). */
  fallback: string | null;
  routedAt: number | null;
  stopRequestedAt: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  version: number;
  syncedVersion: number;
}

import type { ExecutionState } from "../../../src/domain/execution-state";
export type { ExecutionState };

export interface ExecutionRecord {
  attemptKey: string;
  agentSessionId: string;
  attempt: number;
  executor: "cloud" | "local";
  state: ExecutionState;
  credential: string | null;
  gateName: string | null;
  intentAt: number;
  /** When a Codegen create was sent whose answer has not said "not created"; null when none is outstanding. */
  createSentAt: number | null;
  runId: number | null;
  webUrl: string | null;
  codegenStatus: string | null;
  result: string | null;
  pullRequests: { url: string; title: string | null }[];
  startedAt: number | null;
  endedAt: number | null;
  deadlineAt: number | null;
  resumes: number;
  logsSeen: number;
  outcome: string | null;
  error: string | null;
  taskId: string | null;
  agentId: string | null;
  hostname: string | null;
  claudeSessionId: string | null;
  totalCostUsd: number | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  pendingTools: { tool: string; input: string }[];
  /** Follow-ups sent to the running local task, by message id, until its result says which went in. */
  sentPrompts: { id: string; text: string }[];
}

const EXECUTION_COLUMNS: Record<string, string> = {
  state: "state",
  credential: "credential",
  gateName: "gate_name",
  createSentAt: "create_sent_at",
  runId: "run_id",
  webUrl: "web_url",
  codegenStatus: "codegen_status",
  result: "result",
  pullRequests: "pull_requests",
  startedAt: "started_at",
  endedAt: "ended_at",
  deadlineAt: "deadline_at",
  resumes: "resumes",
  logsSeen: "logs_seen",
  outcome: "outcome",
  error: "error",
  twins: "twins",
  taskId: "task_id",
  agentId: "agent_id",
  hostname: "hostname",
  claudeSessionId: "claude_session_id",
  totalCostUsd: "total_cost_usd",
  costUsd: "cost_usd",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  pendingTools: "pending_tools",
  sentPrompts: "sent_prompts",
};

function toExecution(row: Record<string, SqlStorageValue>): ExecutionRecord {
  const num = (v: SqlStorageValue | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    attemptKey: String(row.attempt_key),
    agentSessionId: String(row.agent_session_id),
    attempt: Number(row.attempt),
    executor: row.executor as ExecutionRecord["executor"],
    state: row.state as ExecutionState,
    credential: (row.credential as string | null) ?? null,
    gateName: (row.gate_name as string | null) ?? null,
    intentAt: Number(row.intent_at),
    createSentAt: num(row.create_sent_at),
    runId: num(row.run_id),
    webUrl: (row.web_url as string | null) ?? null,
    codegenStatus: (row.codegen_status as string | null) ?? null,
    result: (row.result as string | null) ?? null,
    pullRequests: JSON.parse(String(row.pull_requests ?? "[]")) as ExecutionRecord["pullRequests"],
    startedAt: num(row.started_at),
    endedAt: num(row.ended_at),
    deadlineAt: num(row.deadline_at),
    resumes: Number(row.resumes),
    logsSeen: Number(row.logs_seen),
    outcome: (row.outcome as string | null) ?? null,
    error: (row.error as string | null) ?? null,
    taskId: (row.task_id as string | null) ?? null,
    agentId: (row.agent_id as string | null) ?? null,
    hostname: (row.hostname as string | null) ?? null,
    claudeSessionId: (row.claude_session_id as string | null) ?? null,
    totalCostUsd: num(row.total_cost_usd),
    costUsd: num(row.cost_usd),
    inputTokens: num(row.input_tokens),
    outputTokens: num(row.output_tokens),
    pendingTools: JSON.parse(String(row.pending_tools ?? "[]")) as ExecutionRecord["pendingTools"],
    sentPrompts: JSON.parse(String(row.sent_prompts ?? "[]")) as ExecutionRecord["sentPrompts"],
  };
}

export interface JobRecord {
  seq: number;
  id: string;
  kind: JobKind;
  lane: string;
  payload: unknown;
  attempts: number;
  dueAt: number;
  uncertain: boolean;
  createdAt: number;
}

export interface JobView {
  seq: number;
  id: string;
  kind: string;
  lane: string;
  payloadJson: string;
  attempts: number;
  dueAt: number;
  uncertain: boolean;
  createdAt: number;
  state: string;
  lastError: string | null;
}

export interface TimelineRecord {
  seq: number;
  at: number;
  agentSessionId: string | null;
  kind: string;
  summary: string;
  data: Record<string, unknown> | null;
}

type Row = Record<string, SqlStorageValue>;

function toSession(row: Row): AgentSessionRecord {
  return {
    id: String(row.id),
    issueId: (row.issue_id as string | null) ?? null,
    issueIdentifier: (row.issue_identifier as string | null) ?? null,
    issueTitle: (row.issue_title as string | null) ?? null,
    creatorId: (row.creator_id as string | null) ?? null,
    promptContext: (row.prompt_context as string | null) ?? null,
    guidance: JSON.parse(String(row.guidance ?? "[]")) as string[],
    initialComment: (row.initial_comment as string | null) ?? null,
    status: row.status as SessionStatus,
    repositoryId: (row.repository_id as string | null) ?? null,
    repositoryName: (row.repository_name as string | null) ?? null,
    repositoryGitUrl: (row.repository_git_url as string | null) ?? null,
    codegenRepoId: row.codegen_repo_id === null || row.codegen_repo_id === undefined ? null : Number(row.codegen_repo_id),
    baseBranch: (row.base_branch as string | null) ?? null,
    agentType: (row.agent_type as string | null) ?? null,
    complexity: (row.complexity as string | null) ?? null,
    executor: (row.executor as string | null) ?? null,
    fallback: (row.fallback as string | null) ?? null,
    routedAt: (row.routed_at as number | null) ?? null,
    stopRequestedAt: (row.stop_requested_at as number | null) ?? null,
    error: (row.error as string | null) ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    endedAt: (row.ended_at as number | null) ?? null,
    version: Number(row.version),
    syncedVersion: Number(row.synced_version),
  };
}

export class IssueSessionStore {
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    this.#migrate();
  }

  /** Safe on every wake: only the steps past the stored schema version run. */
  #migrate(): void {
    const hasMeta = this.#sql.exec(`SELECT name FROM sqlite_master WHERE type='table' AND name='meta'`).toArray().length > 0;
    const row = hasMeta ? this.#sql.exec(`SELECT value FROM meta WHERE key='schema_version'`).toArray()[0] : undefined;
    const version = row ? Number(row.value) : 0;
    for (let step = version; step < SCHEMA_STEPS.length; step++) {
      for (const statement of SCHEMA_STEPS[step]!) this.#sql.exec(statement);
      this.setMeta("schema_version", String(step + 1));
    }
  }

  getMeta(key: string): string | null {
    const row = this.#sql.exec(`SELECT value FROM meta WHERE key=?`, key).toArray()[0];
    return row ? String(row.value) : null;
  }

  setMeta(key: string, value: string): void {
    this.#sql.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value`, key, value);
  }

  deliverySeen(id: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM deliveries WHERE id=?`, id).toArray().length > 0;
  }

  recordDelivery(id: string, at: number): void {
    this.#sql.exec(`INSERT OR IGNORE INTO deliveries (id, received_at) VALUES (?, ?)`, id, at);
  }

  /** Linear retries for at most about 7 hours; a week of delivery ids is plenty. */
  pruneDeliveries(before: number): void {
    this.#sql.exec(`DELETE FROM deliveries WHERE received_at < ?`, before);
  }

  agentSessionCount(): number {
    return Number(this.#sql.exec(`SELECT COUNT(*) AS n FROM agent_sessions`).one().n);
  }

  getAgentSession(id: string): AgentSessionRecord | null {
    const row = this.#sql.exec(`SELECT * FROM agent_sessions WHERE id=?`, id).toArray()[0];
    return row ? toSession(row) : null;
  }

  listAgentSessions(): AgentSessionRecord[] {
    return this.#sql.exec(`SELECT * FROM agent_sessions ORDER BY created_at`).toArray().map(toSession);
  }

  insertAgentSession(session: NewAgentSession, at: number): void {
    this.#sql.exec(
      `INSERT OR IGNORE INTO agent_sessions
         (id, issue_id, issue_identifier, issue_title, creator_id, prompt_context, guidance, initial_comment, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      session.id,
      session.issueId,
      session.issueIdentifier,
      session.issueTitle,
      session.creatorId,
      session.promptContext,
      JSON.stringify(session.guidance),
      session.initialComment,
      at,
      at,
    );
  }

  updateAgentSession(
    id: string,
    changes: Partial<
      Pick<
        AgentSessionRecord,
        | "status"
        | "repositoryId"
        | "repositoryName"
        | "repositoryGitUrl"
        | "codegenRepoId"
        | "baseBranch"
        | "agentType"
        | "complexity"
        | "executor"
        | "fallback"
        | "routedAt"
        | "stopRequestedAt"
        | "error"
        | "endedAt"
        | "issueIdentifier"
        | "issueTitle"
      >
    >,
    at: number,
  ): void {
    const columns: Record<string, string> = {
      status: "status",
      repositoryId: "repository_id",
      repositoryName: "repository_name",
      repositoryGitUrl: "repository_git_url",
      codegenRepoId: "codegen_repo_id",
      baseBranch: "base_branch",
      agentType: "agent_type",
      complexity: "complexity",
      executor: "executor",
      fallback: "fallback",
      routedAt: "routed_at",
      stopRequestedAt: "stop_requested_at",
      error: "error",
      endedAt: "ended_at",
      issueIdentifier: "issue_identifier",
      issueTitle: "issue_title",
    };
    const entries = Object.entries(changes).filter(([key]) => key in columns);
    if (entries.length === 0) return;
    const assignments = entries.map(([key]) => `${columns[key]} = ?`).join(", ");
    this.#sql.exec(
      `UPDATE agent_sessions SET ${assignments}, updated_at = ?, version = version + 1 WHERE id = ?`,
      ...entries.map(([, value]) => value as SqlStorageValue),
      at,
      id,
    );
  }

  markSessionsSynced(versions: { id: string; version: number }[]): void {
    for (const { id, version } of versions) {
      this.#sql.exec(`UPDATE agent_sessions SET synced_version = MAX(synced_version, ?) WHERE id = ?`, version, id);
    }
  }

  unsyncedSessions(): AgentSessionRecord[] {
    return this.#sql.exec(`SELECT * FROM agent_sessions WHERE version > synced_version`).toArray().map(toSession);
  }

  promptSeen(activityId: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM prompts WHERE activity_id=?`, activityId).toArray().length > 0;
  }

  insertPrompt(prompt: NewPrompt, at: number): void {
    this.#sql.exec(
      `INSERT OR IGNORE INTO prompts (activity_id, agent_session_id, body, signal, user_id, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
      prompt.activityId,
      prompt.agentSessionId,
      prompt.body,
      prompt.signal,
      prompt.userId,
      at,
    );
  }

  listPrompts(agentSessionId: string): NewPrompt[] {
    return this.#sql
      .exec(`SELECT * FROM prompts WHERE agent_session_id=? ORDER BY received_at`, agentSessionId)
      .toArray()
      .map((row) => ({
        activityId: String(row.activity_id),
        agentSessionId: String(row.agent_session_id),
        body: String(row.body),
        signal: (row.signal as string | null) ?? null,
        userId: (row.user_id as string | null) ?? null,
      }));
  }

  /** Appends to the timeline and makes sure a D1 sync is pending to mirror it. */
  appendTimeline(entry: TimelineEntry, at: number): void {
    this.#sql.exec(
      `INSERT INTO timeline (at, agent_session_id, kind, summary, data) VALUES (?, ?, ?, ?, ?)`,
      at,
      entry.agentSessionId,
      entry.kind,
      entry.summary,
      entry.data ? JSON.stringify(entry.data) : null,
    );
    this.ensureSyncJob(at);
  }

  /**
   * The agent session's root comment in Linear, as its `created` event said
   * (recorded on the timeline then): the thread a comment on its behalf replies in.
   */
  rootCommentId(agentSessionId: string): string | null {
    const row = this.#sql
      .exec(`SELECT data FROM timeline WHERE agent_session_id = ? AND kind = 'session.created' ORDER BY seq LIMIT 1`, agentSessionId)
      .toArray()[0];
    if (!row?.data) return null;
    const commentId = (JSON.parse(String(row.data)) as { commentId?: unknown }).commentId;
    return typeof commentId === "string" && commentId ? commentId : null;
  }

  listTimeline(limit = 500): TimelineRecord[] {
    return this.#sql
      .exec(`SELECT * FROM timeline ORDER BY seq DESC LIMIT ?`, limit)
      .toArray()
      .reverse()
      .map((row) => ({
        seq: Number(row.seq),
        at: Number(row.at),
        agentSessionId: (row.agent_session_id as string | null) ?? null,
        kind: String(row.kind),
        summary: String(row.summary),
        data: row.data ? (JSON.parse(String(row.data)) as Record<string, unknown>) : null,
      }));
  }

  unsyncedTimeline(limit: number): TimelineRecord[] {
    return this.#sql
      .exec(`SELECT * FROM timeline WHERE synced = 0 ORDER BY seq LIMIT ?`, limit)
      .toArray()
      .map((row) => ({
        seq: Number(row.seq),
        at: Number(row.at),
        agentSessionId: (row.agent_session_id as string | null) ?? null,
        kind: String(row.kind),
        summary: String(row.summary),
        data: row.data ? (JSON.parse(String(row.data)) as Record<string, unknown>) : null,
      }));
  }

  hasUnsyncedState(): boolean {
    const sessions = this.#sql.exec(`SELECT 1 FROM agent_sessions WHERE version > synced_version LIMIT 1`).toArray().length > 0;
    return sessions || this.#sql.exec(`SELECT 1 FROM timeline WHERE synced = 0 LIMIT 1`).toArray().length > 0;
  }

  markTimelineSynced(upToSeq: number): void {
    this.#sql.exec(`UPDATE timeline SET synced = 1 WHERE seq <= ? AND synced = 0`, upToSeq);
  }

  /**
   * The D1 mirror trails by ten seconds on purpose: a burst of deliveries to
   * one issue then costs one D1 write, not one each.
   */
  ensureSyncJob(at: number): void {
    const pending = this.#sql.exec(`SELECT 1 FROM jobs WHERE kind='d1.sync' AND state='pending'`).toArray().length > 0;
    if (!pending) this.enqueueJob({ kind: "d1.sync", payload: {} }, at, at + D1_SYNC_DELAY_MS);
  }

  /** Queues a job, due now or at `dueAt`. An activity's id doubles as the job id, so a replay queues nothing. */
  enqueueJob(spec: JobSpec, at: number, dueAt = at): string {
    const id = spec.kind === "linear.activity" ? spec.payload.activityId : `${spec.kind}:${crypto.randomUUID()}`;
    this.#sql.exec(
      `INSERT OR IGNORE INTO jobs (id, kind, lane, payload, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      spec.kind,
      laneOf(spec),
      JSON.stringify(spec.payload),
      dueAt,
      at,
    );
    return id;
  }

  /** Whether a job of this kind is pending in the given lane (see `laneOf`). */
  hasPendingJobInLane(kind: JobKind, lane: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM jobs WHERE state = 'pending' AND kind = ? AND lane = ? LIMIT 1`, kind, lane).toArray().length > 0;
  }

  createExecution(input: { attemptKey: string; agentSessionId: string; attempt: number; executor: "cloud" | "local"; intentAt: number }): void {
    this.#sql.exec(
      `INSERT OR IGNORE INTO executions (attempt_key, agent_session_id, attempt, executor, state, intent_at) VALUES (?, ?, ?, ?, 'creating', ?)`,
      input.attemptKey,
      input.agentSessionId,
      input.attempt,
      input.executor,
      input.intentAt,
    );
  }

  getExecution(attemptKey: string): ExecutionRecord | null {
    const row = this.#sql.exec(`SELECT * FROM executions WHERE attempt_key = ?`, attemptKey).toArray()[0];
    return row ? toExecution(row) : null;
  }

  executionForRun(runId: number): ExecutionRecord | null {
    const row = this.#sql.exec(`SELECT * FROM executions WHERE run_id = ? ORDER BY attempt DESC LIMIT 1`, runId).toArray()[0];
    return row ? toExecution(row) : null;
  }

  executionForTask(taskId: string): ExecutionRecord | null {
    const row = this.#sql.exec(`SELECT * FROM executions WHERE task_id = ? LIMIT 1`, taskId).toArray()[0];
    return row ? toExecution(row) : null;
  }

  /** Records a local task message as applied; false if it already was (a re-sent message). */
  claimLocalMessage(taskId: string, seq: number): boolean {
    const before = this.#sql.exec(`SELECT 1 FROM local_messages WHERE task_id = ? AND seq = ?`, taskId, seq).toArray().length;
    if (before) return false;
    this.#sql.exec(`INSERT INTO local_messages (task_id, seq) VALUES (?, ?)`, taskId, seq);
    return true;
  }

  /** The highest running total recorded for a Claude session: a resumed session's cost starts from it. */
  lastClaudeTotal(claudeSessionId: string): number | null {
    const row = this.#sql.exec(`SELECT MAX(total_cost_usd) AS total FROM executions WHERE claude_session_id = ?`, claudeSessionId).one();
    return row.total === null ? null : Number(row.total);
  }

  latestExecution(agentSessionId: string): ExecutionRecord | null {
    const row = this.#sql.exec(`SELECT * FROM executions WHERE agent_session_id = ? ORDER BY attempt DESC LIMIT 1`, agentSessionId).toArray()[0];
    return row ? toExecution(row) : null;
  }

  updateExecution(attemptKey: string, changes: Partial<Omit<ExecutionRecord, "attemptKey" | "agentSessionId" | "attempt" | "executor" | "intentAt">> & { twins?: number[] }): void {
    const entries = Object.entries(changes).filter(([key]) => key in EXECUTION_COLUMNS);
    if (entries.length === 0) return;
    const values = entries.map(([key, value]) => (key === "pullRequests" || key === "twins" || key === "pendingTools" || key === "sentPrompts" ? JSON.stringify(value) : (value as SqlStorageValue)));
    this.#sql.exec(
      `UPDATE executions SET ${entries.map(([key]) => `${EXECUTION_COLUMNS[key]} = ?`).join(", ")} WHERE attempt_key = ?`,
      ...values,
      attemptKey,
    );
  }

  pendingJobs(): JobRecord[] {
    return this.#sql
      .exec(`SELECT * FROM jobs WHERE state = 'pending' ORDER BY seq`)
      .toArray()
      .map((row) => ({
        seq: Number(row.seq),
        id: String(row.id),
        kind: row.kind as JobRecord["kind"],
        lane: String(row.lane),
        payload: JSON.parse(String(row.payload)) as unknown,
        attempts: Number(row.attempts),
        dueAt: Number(row.due_at),
        uncertain: Number(row.uncertain) === 1,
        createdAt: Number(row.created_at),
      }));
  }

  /**
   * When the alarm should next fire: the earliest due time among the heads of
   * the lanes. A job queued behind a waiting one cannot run before it, so it
   * must not wake the object.
   */
  nextJobDueAt(): number | null {
    const row = this.#sql
      .exec(
        `SELECT MIN(j.due_at) AS due FROM jobs j
         WHERE j.state = 'pending' AND j.seq = (SELECT MIN(h.seq) FROM jobs h WHERE h.state = 'pending' AND h.lane = j.lane)`,
      )
      .one();
    return row.due === null ? null : Number(row.due);
  }

  completeJob(id: string, at: number): void {
    this.#sql.exec(`UPDATE jobs SET state = 'done', finished_at = ?, last_error = NULL WHERE id = ?`, at, id);
  }

  retryJob(id: string, changes: { dueAt: number; error: string; uncertain: boolean; countAttempt: boolean }): void {
    this.#sql.exec(
      `UPDATE jobs SET due_at = ?, last_error = ?, uncertain = MAX(uncertain, ?), attempts = attempts + ? WHERE id = ?`,
      changes.dueAt,
      changes.error,
      changes.uncertain ? 1 : 0,
      changes.countAttempt ? 1 : 0,
      id,
    );
  }

  failJob(id: string, error: string, at: number): void {
    this.#sql.exec(`UPDATE jobs SET state = 'failed', last_error = ?, finished_at = ? WHERE id = ?`, error, at, id);
  }

  /** Finished jobs are history; keep a day of them for inspection, then drop them. */
  pruneFinishedJobs(before: number): void {
    this.#sql.exec(`DELETE FROM jobs WHERE state != 'pending' AND finished_at < ?`, before);
  }

  /** Jobs as plain data for inspection: payloads stay JSON text so they cross RPC unchanged. */
  listJobs(): JobView[] {
    return this.#sql
      .exec(`SELECT * FROM jobs ORDER BY seq`)
      .toArray()
      .map((row) => ({
        seq: Number(row.seq),
        id: String(row.id),
        kind: String(row.kind),
        lane: String(row.lane),
        payloadJson: String(row.payload),
        attempts: Number(row.attempts),
        dueAt: Number(row.due_at),
        uncertain: Number(row.uncertain) === 1,
        createdAt: Number(row.created_at),
        state: String(row.state),
        lastError: (row.last_error as string | null) ?? null,
      }));
  }

}
