/**
 * What the agent keeps on disk besides its outbox, all under `<CYRUS_HOME>/`:
 * - `agent-id`: a stable id, made once, sent in every `hello`;
 * - `state/tasks.json`: the tasks accepted and not yet finished (so a restart can report them),
 *   and the leases finished in the last days (so a re-delivered assignment is not run twice);
 * - `state/session-costs.json`: the last `total_cost_usd` seen for each Claude session, the
 *   baseline of the next run that resumes it.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { TaskSpecSchema, type TaskSpec } from "../protocol/messages";
import { readJsonFile, writeJsonAtomic } from "./files";

const DAY_MS = 24 * 60 * 60_000;

/** The agent's id, created on first use and kept in `<home>/agent-id`. */
export function loadAgentId(home: string): string {
  const file = join(home, "agent-id");
  try {
    const id = readFileSync(file, "utf8").trim();
    if (/^[A-Za-z0-9_-]{8,200}$/.test(id)) return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const id = `agent-${randomUUID()}`;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

const TaskRecordSchema = z.object({
  spec: TaskSpecSchema,
  acceptedAt: z.number(),
  worktreePath: z.string().nullable(),
  claudeSessionId: z.string().nullable(),
});
// Input shapes: a stored spec is the one the agent accepted (later optional protocol fields may be absent).
export type TaskRecord = z.input<typeof TaskRecordSchema>;

const TasksFileSchema = z.object({
  version: z.literal(1),
  /** taskId -> the unfinished task. */
  running: z.record(z.string(), TaskRecordSchema),
  /** leaseId -> when it finished (or was cancelled). */
  finished: z.record(z.string(), z.number()),
});
type TasksFile = z.input<typeof TasksFileSchema>;

export class TaskStore {
  readonly file: string;
  #state: TasksFile;
  #now: () => number;

  constructor(home: string, options: { now?: () => number } = {}) {
    this.file = join(home, "state", "tasks.json");
    this.#now = options.now ?? Date.now;
    this.#state = readJsonFile(this.file, TasksFileSchema, () => ({ version: 1 as const, running: {}, finished: {} }));
    const now = this.#now();
    for (const [lease, at] of Object.entries(this.#state.finished)) if (now - at > 2 * DAY_MS) delete this.#state.finished[lease];
  }

  /** Tasks that were accepted and have not finished: after a restart, the ones the process died in. */
  unfinished(): TaskRecord[] {
    return Object.values(this.#state.running);
  }

  get(taskId: string): TaskRecord | undefined {
    return this.#state.running[taskId];
  }

  start(spec: TaskSpec): TaskRecord {
    const record = { spec, acceptedAt: this.#now(), worktreePath: null, claudeSessionId: null };
    this.#state.running[spec.taskId] = record;
    this.#save();
    return record;
  }

  update(taskId: string, patch: Partial<Pick<TaskRecord, "worktreePath" | "claudeSessionId">>): void {
    const record = this.#state.running[taskId];
    if (!record) return;
    Object.assign(record, patch);
    this.#save();
  }

  /** The lease is over (its result is in the outbox, or the edge cancelled it). */
  finish(taskId: string, leaseId: string): void {
    if (this.#state.running[taskId]?.spec.leaseId === leaseId) delete this.#state.running[taskId];
    this.#state.finished[leaseId] = this.#now();
    this.#save();
  }

  isFinished(leaseId: string): boolean {
    return leaseId in this.#state.finished;
  }

  #save(): void {
    writeJsonAtomic(this.file, this.#state);
  }
}

const CostsFileSchema = z.object({
  version: z.literal(1),
  sessions: z.record(z.string(), z.object({ totalUsd: z.number().nonnegative(), at: z.number() })),
});

/** The last running total seen per Claude session: what a resumed run's cost is measured from. */
export class SessionCosts {
  readonly file: string;
  #state: z.infer<typeof CostsFileSchema>;
  #now: () => number;

  constructor(home: string, options: { now?: () => number; keep?: number } = {}) {
    this.file = join(home, "state", "session-costs.json");
    this.#now = options.now ?? Date.now;
    this.#state = readJsonFile(this.file, CostsFileSchema, () => ({ version: 1 as const, sessions: {} }));
    // Keep the most recent sessions only; an old session resumed much later falls back on the edge's figure.
    const keep = options.keep ?? 2_000;
    const entries = Object.entries(this.#state.sessions);
    if (entries.length > keep) {
      entries.sort(([, a], [, b]) => b.at - a.at);
      this.#state.sessions = Object.fromEntries(entries.slice(0, keep));
    }
  }

  lastTotal(sessionId: string): number | undefined {
    return this.#state.sessions[sessionId]?.totalUsd;
  }

  record(sessionId: string, totalUsd: number): void {
    this.#state.sessions[sessionId] = { totalUsd, at: this.#now() };
    writeJsonAtomic(this.file, this.#state);
  }
}
