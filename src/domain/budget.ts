/**
 * The budget ledger of one workspace, as pure functions over its state. The
 * Workspace Durable Object loads the ledger, calls these, and saves the result
 * inside one synchronous storage transaction: nothing may be awaited between
 * the check and the write, or two sessions could both see room for one run.
 *
 * A reservation holds a run's worst-case cost until the run settles with its
 * actual cost (usually lower, which frees the difference) or is released (the
 * run never started). A day's usage is the sum of its reservations, each
 * counting its settled amount once settled and its reserved amount until then.
 * The promise: a reservation is granted only if the day's usage, with it, stays
 * within every limit that applies. (A run that costs more than its worst case
 * settles truthfully; the overshoot then blocks later reservations.)
 *
 * A refusal says whether waiting can help: `wait` when the run would fit a day
 * with nothing spent yet (it waits for today's spend to settle lower, the next
 * UTC day, or a raised limit), not when its worst case alone is over the
 * per-task limit or a whole daily limit (no wait makes it fit). `waitersToWake`
 * picks, in arrival order, the waiting runs that fit now.
 *
 * Every operation is idempotent, because the sessions that call it retry:
 * reserving an id that is already there returns that reservation, settling a
 * settled one keeps the first settlement, releasing an unknown id does nothing.
 * Amounts are kept exact to the micro-dollar, so 0.1 + 0.2 fits a limit of 0.3.
 */

export interface Reservation {
  /** One per run attempt: the same id is the same reservation. */
  id: string;
  /** YYYY-MM-DD, UTC: the day the reservation counts against, even if it settles later. */
  day: string;
  amountUsd: number;
  settledUsd: number | null;
  scope: { repository?: string };
}

export interface Ledger {
  reservations: Reservation[];
}

export interface ReserveRequest {
  id: string;
  amountUsd: number;
  day: string;
  repository?: string | null;
}

export interface BudgetLimits {
  /** null: no limit. */
  maxPerDayUsd: number | null;
  maxPerTaskUsd: number | null;
  /** A repository's own daily limit, on top of the workspace's. */
  perRepository?: Record<string, { maxPerDayUsd: number | null }>;
}

export type ReserveResult =
  | { ok: true; ledger: Ledger; reservation: Reservation }
  /**
   * remainingUsd: the most that could be reserved now (null: no limit applies).
   * wait: the run fits an empty day, so it can wait for room; false: it never fits.
   */
  | { ok: false; wait: boolean; reason: string; remainingUsd: number | null };

export function emptyLedger(): Ledger {
  return { reservations: [] };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function tryReserve(ledger: Ledger, request: ReserveRequest, limits: BudgetLimits): ReserveResult {
  if (!request.id) throw new RangeError("a reservation needs an id");
  checkDay(request.day);
  checkAmount("amountUsd", request.amountUsd);
  checkLimits(limits);

  const existing = ledger.reservations.find((r) => r.id === request.id);
  if (existing) return { ok: true, ledger, reservation: existing };

  const amount = micros(request.amountUsd);
  const repository = request.repository ?? undefined;
  const headroom = headroomOf(ledger, request.day, repository, limits);
  const refusal = headroom.find((h) => amount > h.micros);
  if (refusal) {
    const remaining = Math.max(0, Math.min(...headroom.map((h) => h.micros)));
    const never = headroom.find((h) => amount > h.capacity);
    return {
      ok: false,
      wait: never === undefined,
      reason: never ? `${usd(amount)} is over ${never.limit} on its own` : `${usd(amount)} does not fit ${refusal.describe}`,
      remainingUsd: dollars(remaining),
    };
  }
  const reservation: Reservation = {
    id: request.id,
    day: request.day,
    amountUsd: request.amountUsd,
    settledUsd: null,
    scope: repository === undefined ? {} : { repository },
  };
  return { ok: true, ledger: { reservations: [...ledger.reservations, reservation] }, reservation };
}

/** Records what the run cost. The first settlement stands; an unknown id leaves the ledger as it is (the same object). */
export function settle(ledger: Ledger, id: string, actualUsd: number): Ledger {
  checkAmount("actualUsd", actualUsd);
  const index = ledger.reservations.findIndex((r) => r.id === id);
  const reservation = ledger.reservations[index];
  if (!reservation || reservation.settledUsd !== null) return ledger;
  const reservations = [...ledger.reservations];
  reservations[index] = { ...reservation, settledUsd: actualUsd };
  return { reservations };
}

/** Frees a reservation whose run never happened. An unknown id leaves the ledger as it is (the same object). */
export function release(ledger: Ledger, id: string): Ledger {
  if (!ledger.reservations.some((r) => r.id === id)) return ledger;
  return { reservations: ledger.reservations.filter((r) => r.id !== id) };
}

/** The day's usage (settled where settled, reserved otherwise), for the workspace or one repository. */
export function usedToday(ledger: Ledger, day: string, repository?: string): number {
  return dollars(usedMicros(ledger, day, repository));
}

/** What is left of the day's limits for a task in this repository: null when no daily limit applies. */
export function remainingToday(ledger: Ledger, day: string, limits: BudgetLimits, repository?: string): number | null {
  const daily = headroomOf(ledger, day, repository, { ...limits, maxPerTaskUsd: null });
  return daily.length === 0 ? null : dollars(Math.max(0, Math.min(...daily.map((h) => h.micros))));
}

/** A run waiting for budget, as the wake-up sees it. */
export interface Waiter {
  id: string;
  amountUsd: number;
  repository: string | null;
  /** When it was last told to try again (null: not since it last waited). */
  wokenAt: number | null;
}

/** A waiter told to try again this long ago and still waiting was never answered: it may be told again. */
export const WAKE_ANSWER_MS = 5 * 60 * 1000;

/**
 * The waiting runs to wake now, in arrival order (`waiters` is in that order):
 * each one whose worst case fits the day once the runs woken before it (in this
 * call, or recently and not yet reserved) are counted as reserved too, so a
 * room for one wakes one. A run that no longer fits even an empty day (a limit
 * was lowered) is woken too: it ends with a clear error when it tries. A run
 * that does not fit stays waiting and does not hold up smaller ones behind it.
 */
export function waitersToWake(
  ledger: Ledger,
  waiters: readonly Waiter[],
  limitsFor: (repository: string | null) => BudgetLimits,
  day: string,
  now: number,
): string[] {
  let simulated: Ledger = { reservations: ledger.reservations.filter((r) => r.day === day) };
  const pending = (w: Waiter) => w.wokenAt !== null && now - w.wokenAt < WAKE_ANSWER_MS;
  for (const waiter of waiters.filter(pending)) {
    const result = tryReserve(simulated, { id: waiter.id, amountUsd: waiter.amountUsd, day, repository: waiter.repository }, limitsFor(waiter.repository));
    if (result.ok) simulated = result.ledger;
  }
  const wake: string[] = [];
  for (const waiter of waiters) {
    if (pending(waiter)) continue;
    const result = tryReserve(simulated, { id: waiter.id, amountUsd: waiter.amountUsd, day, repository: waiter.repository }, limitsFor(waiter.repository));
    if (result.ok) {
      simulated = result.ledger;
      wake.push(waiter.id);
    } else if (!result.wait) {
      wake.push(waiter.id);
    }
  }
  return wake;
}

/** The whole daily limit a run in this repository is held to (the smaller of the workspace's and the repository's); null: none. */
export function dailyLimitOf(limits: BudgetLimits, repository?: string | null): number | null {
  const own = repository ? limits.perRepository?.[repository]?.maxPerDayUsd : undefined;
  const all = [limits.maxPerDayUsd, own ?? null].filter((v): v is number => v !== null);
  return all.length === 0 ? null : Math.min(...all);
}

/** The next UTC midnight after `now`: when a new day's budget begins. */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

interface Headroom {
  micros: number;
  /** The limit itself: what an empty day would leave. */
  capacity: number;
  limit: string;
  describe: string;
}

/** Every limit that applies to a reservation, with how much room it has left. */
function headroomOf(ledger: Ledger, day: string, repository: string | undefined, limits: BudgetLimits): Headroom[] {
  const rooms: Headroom[] = [];
  if (limits.maxPerTaskUsd !== null) {
    const max = micros(limits.maxPerTaskUsd);
    rooms.push({ micros: max, capacity: max, limit: `the per-task limit of ${usd(max)}`, describe: `the per-task limit of ${usd(max)}` });
  }
  if (limits.maxPerDayUsd !== null) {
    const max = micros(limits.maxPerDayUsd);
    const used = usedMicros(ledger, day);
    rooms.push({ micros: max - used, capacity: max, limit: `the daily limit of ${usd(max)}`, describe: `today's limit of ${usd(max)} (${usd(used)} used or reserved)` });
  }
  const perRepository = repository === undefined ? undefined : limits.perRepository?.[repository]?.maxPerDayUsd;
  if (repository !== undefined && perRepository !== undefined && perRepository !== null) {
    const max = micros(perRepository);
    const used = usedMicros(ledger, day, repository);
    rooms.push({
      micros: max - used,
      capacity: max,
      limit: `${repository}'s daily limit of ${usd(max)}`,
      describe: `${repository}'s daily limit of ${usd(max)} (${usd(used)} used or reserved)`,
    });
  }
  return rooms;
}

function usedMicros(ledger: Ledger, day: string, repository?: string): number {
  let total = 0;
  for (const r of ledger.reservations) {
    if (r.day !== day) continue;
    if (repository !== undefined && r.scope.repository !== repository) continue;
    total += micros(r.settledUsd ?? r.amountUsd);
  }
  return total;
}

const micros = (usd: number) => Math.round(usd * 1e6);
const dollars = (micros: number) => micros / 1e6;
const usd = (micros: number) => `$${(micros / 1e6).toFixed(2)}`;

function checkDay(day: string): void {
  if (!DAY.test(day)) throw new RangeError(`day must be YYYY-MM-DD, got ${day}`);
}

function checkAmount(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
}

function checkLimits(limits: BudgetLimits): void {
  if (limits.maxPerDayUsd !== null) checkAmount("maxPerDayUsd", limits.maxPerDayUsd);
  if (limits.maxPerTaskUsd !== null) checkAmount("maxPerTaskUsd", limits.maxPerTaskUsd);
  for (const [repository, limit] of Object.entries(limits.perRepository ?? {})) {
    if (limit.maxPerDayUsd !== null) checkAmount(`perRepository["${repository}"].maxPerDayUsd`, limit.maxPerDayUsd);
  }
}
