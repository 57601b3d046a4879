/**
 * The IssueSession's SQLite storage. Every table is documented in
 * docs/storage.md. All writes for one delivery happen inside one
 * `transactionSync`, so a delivery has its whole effect or none.
 */
import { EXECUTION_STATES, type ExecutionState } from "../../../src/domain/execution-state";
import { laneOf, type JobKind, type JobSpec } from "../../../src/domain/job-specs";
import type { NewAgentSession, NewPrompt, TimelineEntry } from "../../../src/domain/session-intake";
import { SESSION_STATUSES, type SessionStatus } from "../../../src/domain/session-status";
import type { ExecutionFacts, SessionFacts } from "../../../src/domain/session";
import { migrate } from "../sqlite-migrations";
import { boolean, integer, json, oneOf, real, Table, text, textOf } from "../sqlite-table";
import { ISSUE_SESSION_SCHEMA } from "./schema";

const D1_SYNC_DELAY_MS = 10_000;

export type { SessionStatus };

/** An agent session as stored: what the reducer reads (SessionFacts), plus what intake recorded and the D1 mirror's versions. */
export interface AgentSessionRecord extends SessionFacts {
  creatorId: string | null;
  promptContext: string | null;
  guidance: string[];
  initialComment: string | null;
  createdAt: number;
  updatedAt: number;
  version: number;
  syncedVersion: number;
}

export type { ExecutionState };

/** An execution attempt as stored: exactly what the session reducer reads and changes. */
export type ExecutionRecord = ExecutionFacts;

/** A job as stored: what every job row has, its kind and payload apart. */
interface StoredJob {
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

/** A pending job as the runner sees it: a JobSpec (its kind narrows its payload) with its row's bookkeeping. */
export type JobRecord = JobSpec & Omit<StoredJob, "kind" | "payload">;

/** The job of one kind. */
export type JobOf<K extends JobKind> = Extract<JobRecord, { kind: K }>;

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

const agentSessions = new Table<AgentSessionRecord>("agent_sessions", {
  id: text("id"),
  issueId: text("issue_id").nullable(),
  issueIdentifier: text("issue_identifier").nullable(),
  issueTitle: text("issue_title").nullable(),
  creatorId: text("creator_id").nullable(),
  promptContext: text("prompt_context").nullable(),
  guidance: json<string[]>("guidance"),
  initialComment: text("initial_comment").nullable(),
  status: oneOf("status", SESSION_STATUSES),
  repositoryId: text("repository_id").nullable(),
  repositoryName: text("repository_name").nullable(),
  repositoryGitUrl: text("repository_git_url").nullable(),
  codegenRepoId: integer("codegen_repo_id").nullable(),
  baseBranch: text("base_branch").nullable(),
  agentType: text("agent_type").nullable(),
  complexity: text("complexity").nullable(),
  executor: text("executor").nullable(),
  fallback: text("fallback").nullable(),
  routedAt: integer("routed_at").nullable(),
  stopRequestedAt: integer("stop_requested_at").nullable(),
  error: text("error").nullable(),
  createdAt: integer("created_at"),
  updatedAt: integer("updated_at"),
  endedAt: integer("ended_at").nullable(),
  version: integer("version"),
  syncedVersion: integer("synced_version"),
});

const EXECUTORS = ["cloud", "local"] as const satisfies readonly ExecutionRecord["executor"][];

const executions = new Table<ExecutionRecord, { twins: number[] | null }>(
  "executions",
  {
    attemptKey: text("attempt_key"),
    agentSessionId: text("agent_session_id"),
    attempt: integer("attempt"),
    executor: oneOf("executor", EXECUTORS),
    state: oneOf("state", EXECUTION_STATES),
    credential: text("credential").nullable(),
    gateName: text("gate_name").nullable(),
    intentAt: integer("intent_at"),
    createSentAt: integer("create_sent_at").nullable(),
    runId: integer("run_id").nullable(),
    webUrl: text("web_url").nullable(),
    codegenStatus: text("codegen_status").nullable(),
    result: text("result").nullable(),
    pullRequests: json<ExecutionRecord["pullRequests"]>("pull_requests"),
    startedAt: integer("started_at").nullable(),
    endedAt: integer("ended_at").nullable(),
    deadlineAt: integer("deadline_at").nullable(),
    resumes: integer("resumes"),
    logsSeen: integer("logs_seen"),
    outcome: text("outcome").nullable(),
    error: text("error").nullable(),
    taskId: text("task_id").nullable(),
    agentId: text("agent_id").nullable(),
    hostname: text("hostname").nullable(),
    claudeSessionId: text("claude_session_id").nullable(),
    totalCostUsd: real("total_cost_usd").nullable(),
    costUsd: real("cost_usd").nullable(),
    inputTokens: integer("input_tokens").nullable(),
    outputTokens: integer("output_tokens").nullable(),
    pendingTools: json<ExecutionRecord["pendingTools"]>("pending_tools"),
    sentPrompts: json<ExecutionRecord["sentPrompts"]>("sent_prompts"),
  },
  // Codegen runs started by the same request, beside the one followed: kept for inspection, never read back.
  { twins: json<number[]>("twins").nullable() },
);

/** The job columns the runner's record leaves out, written as a job moves on. */
interface JobProgress {
  state: "pending" | "done" | "failed";
  lastError: string | null;
  finishedAt: number | null;
}

const JOB_COLUMNS = {
  seq: integer("seq"),
  id: text("id"),
  // Unchecked: a job of a kind a later version retired must still reach the runner, which fails it for good.
  kind: textOf<JobKind>("kind"),
  lane: text("lane"),
  attempts: integer("attempts"),
  dueAt: integer("due_at"),
  uncertain: boolean("uncertain"),
  createdAt: integer("created_at"),
};

const PROGRESS_COLUMNS = { state: oneOf("state", ["pending", "done", "failed"]), lastError: text("last_error").nullable(), finishedAt: integer("finished_at").nullable() };

/** The pending jobs as the runner reads them, their payloads parsed. */
const jobs = new Table<StoredJob, JobProgress>("jobs", { ...JOB_COLUMNS, payload: json<unknown>("payload") }, PROGRESS_COLUMNS);

/** The same rows for inspection: payloads left as JSON text, so they cross RPC unchanged. */
const jobViews = new Table<JobView>("jobs", { ...JOB_COLUMNS, kind: text("kind"), payloadJson: text("payload"), state: text("state"), lastError: text("last_error").nullable() });

const timeline = new Table<TimelineRecord, { synced: boolean }>(
  "timeline",
  {
    seq: integer("seq"),
    at: integer("at"),
    agentSessionId: text("agent_session_id").nullable(),
    kind: text("kind"),
    summary: text("summary"),
    data: json<Record<string, unknown>>("data").nullable(),
  },
  { synced: boolean("synced") },
);

const prompts = new Table<NewPrompt, { receivedAt: number }>(
  "prompts",
  {
    activityId: text("activity_id"),
    agentSessionId: text("agent_session_id"),
    body: text("body"),
    signal: text("signal").nullable(),
    userId: text("user_id").nullable(),
  },
  { receivedAt: integer("received_at") },
);

const deliveries = new Table<{ id: string; receivedAt: number }>("deliveries", { id: text("id"), receivedAt: integer("received_at") });
const meta = new Table<{ key: string; value: string }>("meta", { key: text("key"), value: text("value") });
const localMessages = new Table<{ taskId: string; seq: number }>("local_messages", { taskId: text("task_id"), seq: integer("seq") });

export class IssueSessionStore {
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    // Safe on every wake: only the steps past the recorded version run.
    const { from, to } = migrate(storage, ISSUE_SESSION_SCHEMA);
    // Still written for code from before the shared mechanism, should it be deployed again: it reads its version here.
    if (to !== from) this.setMeta("schema_version", String(to));
  }

  getMeta(key: string): string | null {
    return meta.first(this.#sql, `SELECT * FROM meta WHERE key = ?`, key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    meta.insert(this.#sql, { key, value }, { target: ["key"], update: ["value"] });
  }

  deliverySeen(id: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM deliveries WHERE id = ?`, id).toArray().length > 0;
  }

  recordDelivery(id: string, at: number): void {
    deliveries.insert(this.#sql, { id, receivedAt: at }, "ignore");
  }

  /** Linear retries for at most about 7 hours; a week of delivery ids is plenty. */
  pruneDeliveries(before: number): void {
    this.#sql.exec(`DELETE FROM deliveries WHERE received_at < ?`, before);
  }

  agentSessionCount(): number {
    return Number(this.#sql.exec(`SELECT COUNT(*) AS n FROM agent_sessions`).one().n);
  }

  getAgentSession(id: string): AgentSessionRecord | null {
    return agentSessions.first(this.#sql, `SELECT * FROM agent_sessions WHERE id = ?`, id);
  }

  listAgentSessions(): AgentSessionRecord[] {
    return agentSessions.all(this.#sql, `SELECT * FROM agent_sessions ORDER BY created_at`);
  }

  insertAgentSession(session: NewAgentSession, at: number): void {
    const { id, issueId, issueIdentifier, issueTitle, creatorId, promptContext, guidance, initialComment } = session;
    agentSessions.insert(
      this.#sql,
      { id, issueId, issueIdentifier, issueTitle, creatorId, promptContext, guidance, initialComment, createdAt: at, updatedAt: at },
      "ignore",
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
    // A change bumps `version`, which the D1 mirror trails; no change, no bump.
    agentSessions.update(this.#sql, changes, { also: "updated_at = ?, version = version + 1", where: "id = ?" }, at, id);
  }

  markSessionsSynced(versions: { id: string; version: number }[]): void {
    for (const { id, version } of versions) {
      this.#sql.exec(`UPDATE agent_sessions SET synced_version = MAX(synced_version, ?) WHERE id = ?`, version, id);
    }
  }

  unsyncedSessions(): AgentSessionRecord[] {
    return agentSessions.all(this.#sql, `SELECT * FROM agent_sessions WHERE version > synced_version`);
  }

  promptSeen(activityId: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM prompts WHERE activity_id = ?`, activityId).toArray().length > 0;
  }

  insertPrompt(prompt: NewPrompt, at: number): void {
    const { activityId, agentSessionId, body, signal, userId } = prompt;
    prompts.insert(this.#sql, { activityId, agentSessionId, body, signal, userId, receivedAt: at }, "ignore");
  }

  listPrompts(agentSessionId: string): NewPrompt[] {
    return prompts.all(this.#sql, `SELECT * FROM prompts WHERE agent_session_id = ? ORDER BY received_at`, agentSessionId);
  }

  /** Appends to the timeline and makes sure a D1 sync is pending to mirror it. */
  appendTimeline(entry: TimelineEntry, at: number): void {
    timeline.insert(this.#sql, { at, agentSessionId: entry.agentSessionId, kind: entry.kind, summary: entry.summary, data: entry.data ?? null });
    this.ensureSyncJob(at);
  }

  /**
   * The agent session's root comment in Linear, as its `created` event said
   * (recorded on the timeline then): the thread a comment on its behalf replies in.
   */
  rootCommentId(agentSessionId: string): string | null {
    const created = timeline.first(this.#sql, `SELECT * FROM timeline WHERE agent_session_id = ? AND kind = 'session.created' ORDER BY seq LIMIT 1`, agentSessionId);
    const commentId = created?.data?.commentId;
    return typeof commentId === "string" && commentId ? commentId : null;
  }

  listTimeline(limit = 500): TimelineRecord[] {
    return timeline.all(this.#sql, `SELECT * FROM timeline ORDER BY seq DESC LIMIT ?`, limit).reverse();
  }

  unsyncedTimeline(limit: number): TimelineRecord[] {
    return timeline.all(this.#sql, `SELECT * FROM timeline WHERE synced = 0 ORDER BY seq LIMIT ?`, limit);
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
    jobs.insert(this.#sql, { id, kind: spec.kind, lane: laneOf(spec), payload: spec.payload, dueAt, createdAt: at }, "ignore");
    return id;
  }

  /** Whether a job of this kind is pending in the given lane (see `laneOf`). */
  hasPendingJobInLane(kind: JobKind, lane: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM jobs WHERE state = 'pending' AND kind = ? AND lane = ? LIMIT 1`, kind, lane).toArray().length > 0;
  }

  createExecution(input: { attemptKey: string; agentSessionId: string; attempt: number; executor: "cloud" | "local"; intentAt: number }): void {
    const { attemptKey, agentSessionId, attempt, executor, intentAt } = input;
    executions.insert(this.#sql, { attemptKey, agentSessionId, attempt, executor, state: "creating", intentAt }, "ignore");
  }

  getExecution(attemptKey: string): ExecutionRecord | null {
    return executions.first(this.#sql, `SELECT * FROM executions WHERE attempt_key = ?`, attemptKey);
  }

  executionForRun(runId: number): ExecutionRecord | null {
    return executions.first(this.#sql, `SELECT * FROM executions WHERE run_id = ? ORDER BY attempt DESC LIMIT 1`, runId);
  }

  executionForTask(taskId: string): ExecutionRecord | null {
    return executions.first(this.#sql, `SELECT * FROM executions WHERE task_id = ? LIMIT 1`, taskId);
  }

  /** Records a local task message as applied; false if it already was (a re-sent message). */
  claimLocalMessage(taskId: string, seq: number): boolean {
    const before = this.#sql.exec(`SELECT 1 FROM local_messages WHERE task_id = ? AND seq = ?`, taskId, seq).toArray().length;
    if (before) return false;
    localMessages.insert(this.#sql, { taskId, seq });
    return true;
  }

  /** The highest running total recorded for a Claude session: a resumed session's cost starts from it. */
  lastClaudeTotal(claudeSessionId: string): number | null {
    const row = this.#sql.exec(`SELECT MAX(total_cost_usd) AS total FROM executions WHERE claude_session_id = ?`, claudeSessionId).one();
    return row.total === null ? null : Number(row.total);
  }

  latestExecution(agentSessionId: string): ExecutionRecord | null {
    return executions.first(this.#sql, `SELECT * FROM executions WHERE agent_session_id = ? ORDER BY attempt DESC LIMIT 1`, agentSessionId);
  }

  updateExecution(attemptKey: string, changes: Partial<Omit<ExecutionRecord, "attemptKey" | "agentSessionId" | "attempt" | "executor" | "intentAt">> & { twins?: number[] }): void {
    executions.update(this.#sql, changes, { where: "attempt_key = ?" }, attemptKey);
  }

  pendingJobs(): JobRecord[] {
    // Each row was written by enqueueJob from a JobSpec, its payload with its kind: the pair is a JobSpec.
    return jobs.all(this.#sql, `SELECT * FROM jobs WHERE state = 'pending' ORDER BY seq`) as JobRecord[];
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
    jobs.update(this.#sql, { state: "done", finishedAt: at, lastError: null }, { where: "id = ?" }, id);
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
    jobs.update(this.#sql, { state: "failed", lastError: error, finishedAt: at }, { where: "id = ?" }, id);
  }

  /** Finished jobs are history; keep a day of them for inspection, then drop them. */
  pruneFinishedJobs(before: number): void {
    this.#sql.exec(`DELETE FROM jobs WHERE state != 'pending' AND finished_at < ?`, before);
  }

  /** Jobs as plain data for inspection: payloads stay JSON text so they cross RPC unchanged. */
  listJobs(): JobView[] {
    return jobViews.all(this.#sql, `SELECT * FROM jobs ORDER BY seq`);
  }

}
