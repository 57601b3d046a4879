/**
 * The CodegenGate's SQLite storage: the times of recent calls (the rate
 * budget), the runs it watches, and, in `meta`, the watching allowance, the
 * durations of the runs it saw end and the expected ends its sessions gave.
 * See docs/storage.md.
 */
import { EMPTY_ALLOWANCE, type Allowance } from "../../../src/domain/poll-allowance";
import { nextAllowedAt, type CodegenCallKind, type RateLimit } from "../../../src/domain/rate-window";
import type { EndWindow } from "../../../src/domain/run-end-window";
import { migrate, type SchemaHistory } from "../sqlite-migrations";
import { integer, Table, text } from "../sqlite-table";

/** Append-only (workers/objects/sqlite-migrations.ts). Step 1 is the schema from before versions were kept: it adopts those tables as they are. */
const GATE_SCHEMA: SchemaHistory = {
  store: "codegen-gate",
  steps: [
    [
      `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS calls (kind TEXT NOT NULL, at INTEGER NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS calls_kind_at ON calls (kind, at)`,
      `CREATE TABLE IF NOT EXISTS runs (
         run_id INTEGER PRIMARY KEY, session_object TEXT NOT NULL, credential TEXT NOT NULL,
         watched_since INTEGER NOT NULL, run_created_at INTEGER,
         fingerprint TEXT, snapshot TEXT, observed_at INTEGER, notified_fingerprint TEXT,
         next_direct_check_at INTEGER NOT NULL DEFAULT 0)`,
    ],
  ],
};

export interface WatchedRun {
  runId: number;
  sessionObject: string;
  credential: string;
  watchedSince: number;
  runCreatedAt: number | null;
  fingerprint: string | null;
  snapshot: string | null;
  observedAt: number | null;
  notifiedFingerprint: string | null;
  nextDirectCheckAt: number;
}

const runs = new Table<WatchedRun>("runs", {
  runId: integer("run_id"),
  sessionObject: text("session_object"),
  credential: text("credential"),
  watchedSince: integer("watched_since"),
  runCreatedAt: integer("run_created_at").nullable(),
  fingerprint: text("fingerprint").nullable(),
  snapshot: text("snapshot").nullable(),
  observedAt: integer("observed_at").nullable(),
  notifiedFingerprint: text("notified_fingerprint").nullable(),
  nextDirectCheckAt: integer("next_direct_check_at"),
});

const calls = new Table<{ kind: string; at: number }>("calls", { kind: text("kind"), at: integer("at") });
const meta = new Table<{ key: string; value: string }>("meta", { key: text("key"), value: text("value") });

/** How many of the latest durations the gate keeps to predict the next runs' ends. */
export const KEPT_DURATIONS = 50;
const EXPECTED_END = "expected_end:";

export class CodegenGateStore {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    migrate(storage, GATE_SCHEMA);
  }

  /**
   * Takes a slot in the budget of `kind`, or says when one frees up. Check and
   * record happen in one synchronous transaction, so concurrent callers can
   * never take more slots than the window holds.
   */
  takeSlot(kind: CodegenCallKind, limit: RateLimit, now: number): { ok: true } | { ok: false; retryAt: number } {
    return this.#storage.transactionSync(() => {
      const sql = this.#storage.sql;
      sql.exec(`DELETE FROM calls WHERE kind = ? AND at <= ?`, kind, now - limit.windowMs);
      const recent = calls.all(sql, `SELECT * FROM calls WHERE kind = ?`, kind).map((call) => call.at);
      const allowedAt = nextAllowedAt(recent, limit, now);
      if (allowedAt > now) return { ok: false as const, retryAt: allowedAt };
      calls.insert(sql, { kind, at: now });
      return { ok: true as const };
    });
  }

  getMeta(key: string): string | null {
    return meta.first(this.#storage.sql, `SELECT * FROM meta WHERE key = ?`, key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    meta.insert(this.#storage.sql, { key, value }, { target: ["key"], update: ["value"] });
  }

  watch(run: { runId: number; sessionObject: string; credential: string; runCreatedAt: number | null }, now: number): void {
    const { runId, sessionObject, credential, runCreatedAt } = run;
    runs.insert(
      this.#storage.sql,
      { runId, sessionObject, credential, watchedSince: now, runCreatedAt },
      { target: ["runId"], update: ["sessionObject", "credential"] },
    );
  }

  unwatch(runId: number): void {
    this.#storage.sql.exec(`DELETE FROM runs WHERE run_id = ?`, runId);
    this.#storage.sql.exec(`DELETE FROM meta WHERE key = ?`, `${EXPECTED_END}${runId}`);
  }

  /** When the session expects its run to end (durations from the run's start), if it said. */
  setExpectedEnd(runId: number, window: EndWindow): void {
    this.setMeta(`${EXPECTED_END}${runId}`, JSON.stringify(window));
  }

  expectedEnds(): Map<number, EndWindow> {
    const rows = meta.all(this.#storage.sql, `SELECT * FROM meta WHERE key LIKE ?`, `${EXPECTED_END}%`);
    return new Map(rows.map((row) => [Number(row.key.slice(EXPECTED_END.length)), JSON.parse(row.value) as EndWindow]));
  }

  allowance(): Allowance {
    const stored = this.getMeta("allowance");
    return stored ? (JSON.parse(stored) as Allowance) : EMPTY_ALLOWANCE;
  }

  setAllowance(allowance: Allowance): void {
    this.setMeta("allowance", JSON.stringify(allowance));
  }

  /** The durations of the latest runs the gate saw end, oldest first. */
  endedDurations(): number[] {
    const stored = this.getMeta("ended_durations");
    return stored ? (JSON.parse(stored) as number[]) : [];
  }

  recordEnded(durationMs: number): void {
    this.setMeta("ended_durations", JSON.stringify([...this.endedDurations(), durationMs].slice(-KEPT_DURATIONS)));
  }

  watched(): WatchedRun[] {
    return runs.all(this.#storage.sql, `SELECT * FROM runs ORDER BY run_id`);
  }

  getRun(runId: number): WatchedRun | null {
    return runs.first(this.#storage.sql, `SELECT * FROM runs WHERE run_id = ?`, runId);
  }

  recordObservation(runId: number, observation: { fingerprint: string; snapshot: string; at: number }): void {
    const { fingerprint, snapshot, at } = observation;
    runs.update(this.#storage.sql, { fingerprint, snapshot, observedAt: at }, { where: "run_id = ?" }, runId);
  }

  markNotified(runId: number, fingerprint: string): void {
    runs.update(this.#storage.sql, { notifiedFingerprint: fingerprint }, { where: "run_id = ?" }, runId);
  }

  scheduleDirectCheck(runId: number, at: number): void {
    runs.update(this.#storage.sql, { nextDirectCheckAt: at }, { where: "run_id = ?" }, runId);
  }

  callsInWindow(kind: CodegenCallKind, since: number): number {
    return Number(this.#storage.sql.exec(`SELECT COUNT(*) AS n FROM calls WHERE kind = ? AND at > ?`, kind, since).one().n);
  }
}
