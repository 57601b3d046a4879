/**
 * The budget ledger's storage in the Workspace object: one row per reservation.
 * Reserve, settle and release each run in one synchronous storage transaction
 * around the pure ledger (src/domain/budget.ts): nothing is awaited between the
 * check and the write, so concurrent issues can never reserve past a limit.
 *
 * Beside it, the runs waiting for budget, in arrival order: a refusal that can
 * wait is queued in the same transaction that refused it, so no settlement can
 * slip between the two and leave it asleep. `budget_wake` holds when the queue
 * must be looked at again (the next UTC midnight, or sooner after a failed wake).
 */
import {
  nextUtcMidnight,
  remainingToday,
  release,
  settle,
  tryReserve,
  usedToday,
  waitersToWake,
  type BudgetLimits,
  type Ledger,
  type Reservation,
  type ReserveResult,
} from "../../../src/domain/budget";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS reservations (
     id TEXT PRIMARY KEY, day TEXT NOT NULL, amount_usd REAL NOT NULL, settled_usd REAL, repository TEXT, created_at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS reservations_day ON reservations (day)`,
  `CREATE TABLE IF NOT EXISTS budget_waiters (
     id TEXT PRIMARY KEY, agent_session_id TEXT NOT NULL, session_object TEXT NOT NULL, organization_id TEXT NOT NULL,
     amount_usd REAL NOT NULL, repository TEXT, arrived_at INTEGER NOT NULL, woken_at INTEGER)`,
  `CREATE TABLE IF NOT EXISTS budget_wake (id INTEGER PRIMARY KEY CHECK (id = 1), due_at INTEGER NOT NULL)`,
];

/** Who to tell when a refused run may try again. */
export interface BudgetWaiterRef {
  agentSessionId: string;
  /** The IssueSession's name. */
  sessionObject: string;
  organizationId: string;
}

export interface BudgetWaiterRow extends BudgetWaiterRef {
  /** The reservation id it asked for. */
  id: string;
  amountUsd: number;
  repository: string | null;
  arrivedAt: number;
  wokenAt: number | null;
}

/** The UTC day a reservation made now counts against. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export class LedgerStore {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    for (const statement of SCHEMA) storage.sql.exec(statement);
  }

  /** The day's reservations, plus the one with this id if it was made another day. */
  #ledger(day: string, id?: string): Ledger {
    const rows = this.#storage.sql.exec(`SELECT * FROM reservations WHERE day = ? OR id = ?`, day, id ?? "").toArray();
    return {
      reservations: rows.map(
        (row): Reservation => ({
          id: String(row.id),
          day: String(row.day),
          amountUsd: Number(row.amount_usd),
          settledUsd: row.settled_usd === null ? null : Number(row.settled_usd),
          scope: row.repository === null ? {} : { repository: String(row.repository) },
        }),
      ),
    };
  }

  /**
   * Reserves, or with `waiter`, queues a refusal that can wait (kept in its
   * place in the queue if it was already there). A grant or a refusal for good
   * takes the run out of the queue.
   */
  reserve(request: { id: string; amountUsd: number; repository: string | null }, limits: BudgetLimits, now: number, waiter?: BudgetWaiterRef): ReserveResult {
    return this.#storage.transactionSync(() => {
      const day = utcDay(now);
      const result = tryReserve(this.#ledger(day, request.id), { id: request.id, amountUsd: request.amountUsd, day, repository: request.repository }, limits);
      if (!result.ok && result.wait && waiter) {
        this.#storage.sql.exec(
          `INSERT INTO budget_waiters (id, agent_session_id, session_object, organization_id, amount_usd, repository, arrived_at, woken_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
           ON CONFLICT (id) DO UPDATE SET amount_usd = excluded.amount_usd, repository = excluded.repository, woken_at = NULL`,
          request.id,
          waiter.agentSessionId,
          waiter.sessionObject,
          waiter.organizationId,
          request.amountUsd,
          request.repository,
          now,
        );
        const due = this.wakeDueAt();
        const midnight = nextUtcMidnight(now);
        if (due === null || due > midnight) this.setWakeDueAt(midnight);
      } else if (this.#storage.sql.exec(`DELETE FROM budget_waiters WHERE id = ?`, request.id).rowsWritten > 0) {
        this.#clearWakeIfEmpty();
      }
      if (result.ok) {
        const r = result.reservation;
        this.#storage.sql.exec(
          `INSERT OR IGNORE INTO reservations (id, day, amount_usd, settled_usd, repository, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
          r.id,
          r.day,
          r.amountUsd,
          r.settledUsd,
          r.scope.repository ?? null,
          now,
        );
      }
      return result;
    });
  }

  settle(id: string, actualUsd: number, now: number): void {
    this.#storage.transactionSync(() => {
      const before = this.#ledger(utcDay(now), id).reservations.find((r) => r.id === id);
      if (!before) return;
      const after = settle({ reservations: [before] }, id, actualUsd).reservations[0]!;
      this.#storage.sql.exec(`UPDATE reservations SET settled_usd = ? WHERE id = ?`, after.settledUsd, id);
    });
  }

  release(id: string, now: number): void {
    this.#storage.transactionSync(() => {
      const ledger = this.#ledger(utcDay(now), id);
      if (release(ledger, id).reservations.length !== ledger.reservations.length) this.#storage.sql.exec(`DELETE FROM reservations WHERE id = ?`, id);
    });
  }

  status(limits: BudgetLimits, now: number, repository?: string): { day: string; usedTodayUsd: number; remainingTodayUsd: number | null } {
    const day = utcDay(now);
    const ledger = this.#ledger(day);
    return { day, usedTodayUsd: usedToday(ledger, day, repository), remainingTodayUsd: remainingToday(ledger, day, limits, repository) };
  }

  /** The runs waiting for budget, first come first. */
  waiters(): BudgetWaiterRow[] {
    return this.#storage.sql
      .exec(`SELECT * FROM budget_waiters ORDER BY arrived_at, rowid`)
      .toArray()
      .map((row) => ({
        id: String(row.id),
        agentSessionId: String(row.agent_session_id),
        sessionObject: String(row.session_object),
        organizationId: String(row.organization_id),
        amountUsd: Number(row.amount_usd),
        repository: row.repository === null ? null : String(row.repository),
        arrivedAt: Number(row.arrived_at),
        wokenAt: row.woken_at === null ? null : Number(row.woken_at),
      }));
  }

  /** Picks the waiters whose worst case fits now (src/domain/budget.ts `waitersToWake`) and marks them woken, in one transaction. */
  wake(limitsFor: (repository: string | null) => BudgetLimits, now: number): BudgetWaiterRow[] {
    return this.#storage.transactionSync(() => {
      const waiters = this.waiters();
      if (waiters.length === 0) return [];
      const day = utcDay(now);
      const ids = new Set(waitersToWake(this.#ledger(day), waiters, limitsFor, day, now));
      const woken = waiters.filter((w) => ids.has(w.id));
      for (const w of woken) this.#storage.sql.exec(`UPDATE budget_waiters SET woken_at = ? WHERE id = ?`, now, w.id);
      return woken;
    });
  }

  /** A wake that did not reach its session: it waits as before and is woken again later. */
  unwake(id: string): void {
    this.#storage.sql.exec(`UPDATE budget_waiters SET woken_at = NULL WHERE id = ?`, id);
  }

  /** Takes a session's runs out of the queue (stopped, ended, or no longer waiting). */
  dropWaiters(agentSessionId: string): number {
    const dropped = this.#storage.sql.exec(`DELETE FROM budget_waiters WHERE agent_session_id = ?`, agentSessionId).rowsWritten;
    if (dropped > 0) this.#clearWakeIfEmpty();
    return dropped;
  }

  /** Nobody waits: no wake-up is due (the alarm that was set for it finds nothing to do). */
  #clearWakeIfEmpty(): void {
    if (this.#storage.sql.exec(`SELECT 1 FROM budget_waiters LIMIT 1`).toArray().length === 0) this.setWakeDueAt(null);
  }

  wakeDueAt(): number | null {
    const row = this.#storage.sql.exec(`SELECT due_at FROM budget_wake WHERE id = 1`).toArray()[0];
    return row ? Number(row.due_at) : null;
  }

  setWakeDueAt(at: number | null): void {
    if (at === null) this.#storage.sql.exec(`DELETE FROM budget_wake WHERE id = 1`);
    else this.#storage.sql.exec(`INSERT INTO budget_wake (id, due_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at`, at);
  }
}
