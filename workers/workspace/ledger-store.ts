/**
 * The budget ledger's storage in the Workspace object: one row per reservation.
 * Reserve, settle and release each run in one synchronous storage transaction
 * around the pure ledger (src/domain/budget.ts): nothing is awaited between the
 * check and the write, so concurrent issues can never reserve past a limit.
 */
import { remainingToday, release, settle, tryReserve, usedToday, type BudgetLimits, type Ledger, type Reservation, type ReserveResult } from "../../src/domain/budget";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS reservations (
     id TEXT PRIMARY KEY, day TEXT NOT NULL, amount_usd REAL NOT NULL, settled_usd REAL, repository TEXT, created_at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS reservations_day ON reservations (day)`,
];

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

  reserve(request: { id: string; amountUsd: number; repository: string | null }, limits: BudgetLimits, now: number): ReserveResult {
    return this.#storage.transactionSync(() => {
      const day = utcDay(now);
      const result = tryReserve(this.#ledger(day, request.id), { id: request.id, amountUsd: request.amountUsd, day, repository: request.repository }, limits);
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
}
