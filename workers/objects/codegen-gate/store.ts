/**
 * The CodegenGate's SQLite storage: the times of recent calls (the rate
 * budget) and the runs it watches. See docs/storage.md.
 */
import { nextAllowedAt, type CodegenCallKind, type RateLimit } from "../../../src/domain/rate-window";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS calls (kind TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS calls_kind_at ON calls (kind, at)`,
  `CREATE TABLE IF NOT EXISTS runs (
     run_id INTEGER PRIMARY KEY, session_object TEXT NOT NULL, credential TEXT NOT NULL,
     watched_since INTEGER NOT NULL, run_created_at INTEGER,
     fingerprint TEXT, snapshot TEXT, observed_at INTEGER, notified_fingerprint TEXT,
     next_direct_check_at INTEGER NOT NULL DEFAULT 0)`,
];

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

function toRun(row: Record<string, SqlStorageValue>): WatchedRun {
  return {
    runId: Number(row.run_id),
    sessionObject: String(row.session_object),
    credential: String(row.credential),
    watchedSince: Number(row.watched_since),
    runCreatedAt: row.run_created_at === null ? null : Number(row.run_created_at),
    fingerprint: (row.fingerprint as string | null) ?? null,
    snapshot: (row.snapshot as string | null) ?? null,
    observedAt: row.observed_at === null ? null : Number(row.observed_at),
    notifiedFingerprint: (row.notified_fingerprint as string | null) ?? null,
    nextDirectCheckAt: Number(row.next_direct_check_at),
  };
}

export class CodegenGateStore {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    for (const statement of SCHEMA) storage.sql.exec(statement);
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
      const recent = sql.exec(`SELECT at FROM calls WHERE kind = ?`, kind).toArray().map((r) => Number(r.at));
      const allowedAt = nextAllowedAt(recent, limit, now);
      if (allowedAt > now) return { ok: false as const, retryAt: allowedAt };
      sql.exec(`INSERT INTO calls (kind, at) VALUES (?, ?)`, kind, now);
      return { ok: true as const };
    });
  }

  getMeta(key: string): string | null {
    const row = this.#storage.sql.exec(`SELECT value FROM meta WHERE key = ?`, key).toArray()[0];
    return row ? String(row.value) : null;
  }

  setMeta(key: string, value: string): void {
    this.#storage.sql.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value);
  }

  watch(run: { runId: number; sessionObject: string; credential: string; runCreatedAt: number | null }, now: number): void {
    this.#storage.sql.exec(
      `INSERT INTO runs (run_id, session_object, credential, watched_since, run_created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(run_id) DO UPDATE SET session_object = excluded.session_object, credential = excluded.credential`,
      run.runId,
      run.sessionObject,
      run.credential,
      now,
      run.runCreatedAt,
    );
  }

  unwatch(runId: number): void {
    this.#storage.sql.exec(`DELETE FROM runs WHERE run_id = ?`, runId);
  }

  watched(): WatchedRun[] {
    return this.#storage.sql.exec(`SELECT * FROM runs ORDER BY run_id`).toArray().map(toRun);
  }

  getRun(runId: number): WatchedRun | null {
    const row = this.#storage.sql.exec(`SELECT * FROM runs WHERE run_id = ?`, runId).toArray()[0];
    return row ? toRun(row) : null;
  }

  recordObservation(runId: number, observation: { fingerprint: string; snapshot: string; at: number }): void {
    this.#storage.sql.exec(
      `UPDATE runs SET fingerprint = ?, snapshot = ?, observed_at = ? WHERE run_id = ?`,
      observation.fingerprint,
      observation.snapshot,
      observation.at,
      runId,
    );
  }

  markNotified(runId: number, fingerprint: string): void {
    this.#storage.sql.exec(`UPDATE runs SET notified_fingerprint = ? WHERE run_id = ?`, fingerprint, runId);
  }

  scheduleDirectCheck(runId: number, at: number): void {
    this.#storage.sql.exec(`UPDATE runs SET next_direct_check_at = ? WHERE run_id = ?`, at, runId);
  }

  callsInWindow(kind: CodegenCallKind, since: number): number {
    return Number(this.#storage.sql.exec(`SELECT COUNT(*) AS n FROM calls WHERE kind = ? AND at > ?`, kind, since).one().n);
  }
}
