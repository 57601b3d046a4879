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
import { migrate, type SchemaHistory } from "../sqlite-migrations";
import { integer, real, Table, text } from "../sqlite-table";

/** Append-only (workers/objects/sqlite-migrations.ts). Step 1 is the schema from before versions were kept: it adopts those tables as they are. */
const LEDGER_SCHEMA: SchemaHistory = {
  store: "ledger",
  steps: [
    [
      `CREATE TABLE IF NOT EXISTS reservations (
         id TEXT PRIMARY KEY, day TEXT NOT NULL, amount_usd REAL NOT NULL, settled_usd REAL, repository TEXT, created_at INTEGER NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS reservations_day ON reservations (day)`,
      `CREATE TABLE IF NOT EXISTS budget_waiters (
         id TEXT PRIMARY KEY, agent_session_id TEXT NOT NULL, session_object TEXT NOT NULL, organization_id TEXT NOT NULL,
         amount_usd REAL NOT NULL, repository TEXT, arrived_at INTEGER NOT NULL, woken_at INTEGER)`,
      `CREATE TABLE IF NOT EXISTS budget_wake (id INTEGER PRIMARY KEY CHECK (id = 1), due_at INTEGER NOT NULL)`,
    ],
  ],
};

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

interface ReservationRow {
  id: string;
  day: string;
  amountUsd: number;
  settledUsd: number | null;
  repository: string | null;
  createdAt: number;
}

const reservations = new Table<ReservationRow>("reservations", {
  id: text("id"),
  day: text("day"),
  amountUsd: real("amount_usd"),
  settledUsd: real("settled_usd").nullable(),
  repository: text("repository").nullable(),
  createdAt: integer("created_at"),
});

const waiters = new Table<BudgetWaiterRow>("budget_waiters", {
  id: text("id"),
  agentSessionId: text("agent_session_id"),
  sessionObject: text("session_object"),
  organizationId: text("organization_id"),
  amountUsd: real("amount_usd"),
  repository: text("repository").nullable(),
  arrivedAt: integer("arrived_at"),
  wokenAt: integer("woken_at").nullable(),
});

const wake = new Table<{ id: number; dueAt: number }>("budget_wake", { id: integer("id"), dueAt: integer("due_at") });

function toReservation(row: ReservationRow): Reservation {
  return { id: row.id, day: row.day, amountUsd: row.amountUsd, settledUsd: row.settledUsd, scope: row.repository === null ? {} : { repository: row.repository } };
}

/** The UTC day a reservation made now counts against. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export class LedgerStore {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    migrate(storage, LEDGER_SCHEMA);
  }

  /** The day's reservations, plus the one with this id if it was made another day. */
  #ledger(day: string, id?: string): Ledger {
    return { reservations: reservations.all(this.#storage.sql, `SELECT * FROM reservations WHERE day = ? OR id = ?`, day, id ?? "").map(toReservation) };
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
        waiters.insert(
          this.#storage.sql,
          {
            id: request.id,
            agentSessionId: waiter.agentSessionId,
            sessionObject: waiter.sessionObject,
            organizationId: waiter.organizationId,
            amountUsd: request.amountUsd,
            repository: request.repository,
            arrivedAt: now,
            wokenAt: null,
          },
          { target: ["id"], update: ["amountUsd", "repository", "wokenAt"] },
        );
        const due = this.wakeDueAt();
        const midnight = nextUtcMidnight(now);
        if (due === null || due > midnight) this.setWakeDueAt(midnight);
      } else if (this.#storage.sql.exec(`DELETE FROM budget_waiters WHERE id = ?`, request.id).rowsWritten > 0) {
        this.#clearWakeIfEmpty();
      }
      if (result.ok) {
        const r = result.reservation;
        reservations.insert(
          this.#storage.sql,
          { id: r.id, day: r.day, amountUsd: r.amountUsd, settledUsd: r.settledUsd, repository: r.scope.repository ?? null, createdAt: now },
          "ignore",
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
      reservations.update(this.#storage.sql, { settledUsd: after.settledUsd }, { where: "id = ?" }, id);
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
    return waiters.all(this.#storage.sql, `SELECT * FROM budget_waiters ORDER BY arrived_at, rowid`);
  }

  /** Picks the waiters whose worst case fits now (src/domain/budget.ts `waitersToWake`) and marks them woken, in one transaction. */
  wake(limitsFor: (repository: string | null) => BudgetLimits, now: number): BudgetWaiterRow[] {
    return this.#storage.transactionSync(() => {
      const queue = this.waiters();
      if (queue.length === 0) return [];
      const day = utcDay(now);
      const ids = new Set(waitersToWake(this.#ledger(day), queue, limitsFor, day, now));
      const woken = queue.filter((w) => ids.has(w.id));
      for (const w of woken) waiters.update(this.#storage.sql, { wokenAt: now }, { where: "id = ?" }, w.id);
      return woken;
    });
  }

  /** A wake that did not reach its session: it waits as before and is woken again later. */
  unwake(id: string): void {
    waiters.update(this.#storage.sql, { wokenAt: null }, { where: "id = ?" }, id);
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
    return wake.first(this.#storage.sql, `SELECT * FROM budget_wake WHERE id = 1`)?.dueAt ?? null;
  }

  setWakeDueAt(at: number | null): void {
    if (at === null) this.#storage.sql.exec(`DELETE FROM budget_wake WHERE id = 1`);
    else wake.insert(this.#storage.sql, { id: 1, dueAt: at }, { target: ["id"], update: ["dueAt"] });
  }
}
