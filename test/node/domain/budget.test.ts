import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dailyLimitOf,
  emptyLedger,
  nextUtcMidnight,
  release,
  remainingToday,
  settle,
  tryReserve,
  usedToday,
  WAKE_ANSWER_MS,
  waitersToWake,
  type BudgetLimits,
  type Ledger,
  type Waiter,
} from "../../../src/domain/budget";

const DAY = "2026-11-21";
const NEXT_DAY = "2026-11-22";
const NO_LIMITS: BudgetLimits = { maxPerDayUsd: null, maxPerTaskUsd: null };
const DAILY_10: BudgetLimits = { maxPerDayUsd: 10, maxPerTaskUsd: null };

/** Reserves and insists it worked: for setting a ledger up. */
function reserved(ledger: Ledger, id: string, amountUsd: number, limits: BudgetLimits = NO_LIMITS, repository?: string, day = DAY): Ledger {
  const result = tryReserve(ledger, { id, amountUsd, day, repository }, limits);
  if (!result.ok) throw new Error(`setup: ${result.reason}`);
  return result.ledger;
}

describe("tryReserve: limits", () => {
  it("grants a reservation that fits, without touching the ledger it was given", () => {
    const ledger = emptyLedger();
    const result = tryReserve(ledger, { id: "r1", amountUsd: 4, day: DAY, repository: "web" }, DAILY_10);
    expect(result).toEqual({
      ok: true,
      ledger: { reservations: [{ id: "r1", day: DAY, amountUsd: 4, settledUsd: null, scope: { repository: "web" } }] },
      reservation: { id: "r1", day: DAY, amountUsd: 4, settledUsd: null, scope: { repository: "web" } },
    });
    expect(ledger).toEqual({ reservations: [] });
  });

  it("a reservation with no repository has an empty scope", () => {
    const result = tryReserve(emptyLedger(), { id: "r1", amountUsd: 1, day: DAY }, NO_LIMITS);
    expect(result.ok && result.reservation.scope).toEqual({});
  });

  it.each([
    ["fills the day exactly", 10, [4, 6], true],
    ["goes over by a cent", 10, [4, 6.01], false],
    ["a single request over the limit", 10, [10.5], false],
    ["0.1 + 0.2 fits a limit of 0.3", 0.3, [0.1, 0.2], true],
  ] as const)("a daily limit: %s", (_name, limit, amounts, fits) => {
    let ledger = emptyLedger();
    amounts.slice(0, -1).forEach((amount, i) => (ledger = reserved(ledger, `r${i}`, amount)));
    const result = tryReserve(ledger, { id: "last", amountUsd: amounts.at(-1)!, day: DAY }, { maxPerDayUsd: limit, maxPerTaskUsd: null });
    expect(result.ok).toBe(fits);
  });

  it("says why and how much is left when the day is full", () => {
    const ledger = reserved(emptyLedger(), "r1", 7.5);
    expect(tryReserve(ledger, { id: "r2", amountUsd: 3, day: DAY }, DAILY_10)).toEqual({
      ok: false,
      wait: true,
      reason: "$3.00 does not fit today's limit of $10.00 ($7.50 used or reserved)",
      remainingUsd: 2.5,
    });
  });

  it("refuses a task over the per-task limit, whatever the day has left", () => {
    expect(tryReserve(emptyLedger(), { id: "r1", amountUsd: 6, day: DAY }, { maxPerDayUsd: 100, maxPerTaskUsd: 5 })).toEqual({
      ok: false,
      wait: false,
      reason: "$6.00 is over the per-task limit of $5.00 on its own",
      remainingUsd: 5,
    });
  });

  it("a task exactly at the per-task limit fits", () => {
    expect(tryReserve(emptyLedger(), { id: "r1", amountUsd: 5, day: DAY }, { maxPerDayUsd: null, maxPerTaskUsd: 5 }).ok).toBe(true);
  });

  it("remainingUsd is the tightest of the limits, never negative", () => {
    let ledger = reserved(emptyLedger(), "r1", 9);
    const result = tryReserve(ledger, { id: "r2", amountUsd: 6, day: DAY }, { maxPerDayUsd: 10, maxPerTaskUsd: 5 });
    expect(result).toMatchObject({ ok: false, remainingUsd: 1 });
    ledger = settle(ledger, "r1", 12);
    expect(tryReserve(ledger, { id: "r3", amountUsd: 1, day: DAY }, DAILY_10)).toMatchObject({ ok: false, remainingUsd: 0 });
  });

  it("no limits admit anything", () => {
    const result = tryReserve(reserved(emptyLedger(), "r1", 1e6), { id: "r2", amountUsd: 1e6, day: DAY }, NO_LIMITS);
    expect(result.ok).toBe(true);
  });

  it("counts only the request's day", () => {
    const ledger = reserved(emptyLedger(), "yesterday", 10, NO_LIMITS, undefined, DAY);
    expect(tryReserve(ledger, { id: "today", amountUsd: 10, day: NEXT_DAY }, DAILY_10).ok).toBe(true);
    expect(tryReserve(ledger, { id: "today", amountUsd: 0.01, day: DAY }, DAILY_10).ok).toBe(false);
  });
});

describe("tryReserve: per-repository limits", () => {
  const limits: BudgetLimits = { maxPerDayUsd: 20, maxPerTaskUsd: null, perRepository: { web: { maxPerDayUsd: 5 }, api: { maxPerDayUsd: null } } };

  it("holds a repository to its own daily limit", () => {
    const ledger = reserved(emptyLedger(), "w1", 4, limits, "web");
    expect(tryReserve(ledger, { id: "w2", amountUsd: 2, day: DAY, repository: "web" }, limits)).toEqual({
      ok: false,
      wait: true,
      reason: "$2.00 does not fit web's daily limit of $5.00 ($4.00 used or reserved)",
      remainingUsd: 1,
    });
  });

  it("another repository's spending does not count against it", () => {
    let ledger = reserved(emptyLedger(), "a1", 12, limits, "api");
    ledger = reserved(ledger, "x1", 3, limits);
    expect(tryReserve(ledger, { id: "w1", amountUsd: 5, day: DAY, repository: "web" }, limits).ok).toBe(true);
  });

  it("the workspace's limit still counts every repository", () => {
    let ledger = reserved(emptyLedger(), "a1", 12, limits, "api");
    ledger = reserved(ledger, "w1", 4, limits, "web");
    expect(tryReserve(ledger, { id: "w2", amountUsd: 1, day: DAY, repository: "web" }, limits).ok).toBe(true);
    expect(tryReserve(ledger, { id: "a2", amountUsd: 4.01, day: DAY, repository: "api" }, limits)).toMatchObject({ ok: false, remainingUsd: 4 });
  });

  it("a repository with a null limit, or none, has only the workspace's", () => {
    expect(tryReserve(emptyLedger(), { id: "a1", amountUsd: 20, day: DAY, repository: "api" }, limits).ok).toBe(true);
    expect(tryReserve(emptyLedger(), { id: "d1", amountUsd: 20, day: DAY, repository: "docs" }, limits).ok).toBe(true);
  });

  it("a request without a repository is not held to any repository's limit", () => {
    expect(tryReserve(emptyLedger(), { id: "x1", amountUsd: 8, day: DAY, repository: null }, limits).ok).toBe(true);
  });
});

describe("tryReserve: idempotence", () => {
  it("a repeated id returns the same reservation and the same ledger", () => {
    const ledger = reserved(emptyLedger(), "r1", 4, DAILY_10);
    const again = tryReserve(ledger, { id: "r1", amountUsd: 4, day: DAY }, DAILY_10);
    expect(again.ok).toBe(true);
    expect(again.ok && again.ledger).toBe(ledger);
    expect(again.ok && again.reservation).toBe(ledger.reservations[0]);
  });

  it("a repeated id is granted even if the limit would now refuse a new one", () => {
    let ledger = reserved(emptyLedger(), "r1", 4, DAILY_10);
    ledger = reserved(ledger, "r2", 6, DAILY_10);
    const again = tryReserve(ledger, { id: "r1", amountUsd: 4, day: DAY }, DAILY_10);
    expect(again.ok && again.ledger).toBe(ledger);
  });

  it("a repeated id keeps the first amount", () => {
    const ledger = reserved(emptyLedger(), "r1", 4);
    const again = tryReserve(ledger, { id: "r1", amountUsd: 9, day: DAY }, NO_LIMITS);
    expect(again.ok && again.reservation.amountUsd).toBe(4);
    expect(usedToday(ledger, DAY)).toBe(4);
  });
});

describe("settle and release", () => {
  it("a settlement lower than the reservation frees the difference", () => {
    let ledger = reserved(emptyLedger(), "r1", 6, DAILY_10);
    expect(tryReserve(ledger, { id: "r2", amountUsd: 5, day: DAY }, DAILY_10).ok).toBe(false);
    ledger = settle(ledger, "r1", 1.25);
    expect(usedToday(ledger, DAY)).toBe(1.25);
    expect(ledger.reservations[0]).toMatchObject({ amountUsd: 6, settledUsd: 1.25 });
    expect(tryReserve(ledger, { id: "r2", amountUsd: 5, day: DAY }, DAILY_10).ok).toBe(true);
  });

  it("is idempotent: the first settlement stands, and the ledger is returned as it was", () => {
    const ledger = settle(reserved(emptyLedger(), "r1", 6), "r1", 2);
    expect(settle(ledger, "r1", 2)).toBe(ledger);
    expect(settle(ledger, "r1", 5)).toBe(ledger);
    expect(usedToday(ledger, DAY)).toBe(2);
  });

  it("settling at zero counts nothing", () => {
    expect(usedToday(settle(reserved(emptyLedger(), "r1", 6), "r1", 0), DAY)).toBe(0);
  });

  it("a run that cost more than its worst case is recorded truthfully and blocks what follows", () => {
    const ledger = settle(reserved(emptyLedger(), "r1", 6, DAILY_10), "r1", 11);
    expect(usedToday(ledger, DAY)).toBe(11);
    expect(tryReserve(ledger, { id: "r2", amountUsd: 0.01, day: DAY }, DAILY_10)).toMatchObject({ ok: false, remainingUsd: 0 });
  });

  it("settling an unknown id changes nothing", () => {
    const ledger = reserved(emptyLedger(), "r1", 6);
    expect(settle(ledger, "nope", 1)).toBe(ledger);
  });

  it("does not mutate the ledger it is given", () => {
    const ledger = reserved(emptyLedger(), "r1", 6);
    const copy = structuredClone(ledger);
    settle(ledger, "r1", 1);
    release(ledger, "r1");
    expect(ledger).toEqual(copy);
  });

  it("release frees the whole reservation", () => {
    let ledger = reserved(emptyLedger(), "r1", 6, DAILY_10);
    ledger = reserved(ledger, "r2", 4, DAILY_10);
    ledger = release(ledger, "r1");
    expect(ledger.reservations.map((r) => r.id)).toEqual(["r2"]);
    expect(usedToday(ledger, DAY)).toBe(4);
    expect(tryReserve(ledger, { id: "r3", amountUsd: 6, day: DAY }, DAILY_10).ok).toBe(true);
  });

  it("releasing an unknown id, or twice, changes nothing", () => {
    const ledger = release(reserved(emptyLedger(), "r1", 6), "r1");
    expect(release(ledger, "r1")).toBe(ledger);
  });
});

describe("usedToday and remainingToday", () => {
  const limits: BudgetLimits = { maxPerDayUsd: 20, maxPerTaskUsd: 3, perRepository: { web: { maxPerDayUsd: 5 } } };
  let ledger = reserved(emptyLedger(), "w1", 2, NO_LIMITS, "web");
  ledger = reserved(ledger, "a1", 4, NO_LIMITS, "api");
  ledger = settle(reserved(ledger, "w2", 3, NO_LIMITS, "web"), "w2", 0.5);
  ledger = reserved(ledger, "old", 100, NO_LIMITS, "web", "2026-11-20");

  it.each([
    ["the whole workspace", undefined, 6.5],
    ["one repository", "web", 2.5],
    ["another", "api", 4],
    ["a repository with nothing", "docs", 0],
  ] as const)("usedToday for %s", (_name, repository, expected) => {
    expect(usedToday(ledger, DAY, repository)).toBe(expected);
  });

  it("usedToday of an empty day is 0", () => {
    expect(usedToday(ledger, NEXT_DAY)).toBe(0);
  });

  it.each([
    ["the workspace", undefined, 13.5],
    ["web: its own limit is tighter", "web", 2.5],
    ["api: only the workspace's", "api", 13.5],
  ] as const)("remainingToday for %s (the per-task limit is not a daily one)", (_name, repository, expected) => {
    expect(remainingToday(ledger, DAY, limits, repository)).toBe(expected);
  });

  it("remainingToday is null with no daily limit, and never negative", () => {
    expect(remainingToday(ledger, DAY, { maxPerDayUsd: null, maxPerTaskUsd: 3 })).toBeNull();
    expect(remainingToday(ledger, DAY, { maxPerDayUsd: 1, maxPerTaskUsd: null })).toBe(0);
  });
});

describe("validation", () => {
  it.each([
    ["an empty id", { id: "", amountUsd: 1, day: DAY }, NO_LIMITS],
    ["a negative amount", { id: "r", amountUsd: -1, day: DAY }, NO_LIMITS],
    ["a NaN amount", { id: "r", amountUsd: Number.NaN, day: DAY }, NO_LIMITS],
    ["a day that is not YYYY-MM-DD", { id: "r", amountUsd: 1, day: "2026-11-21T00:00:00Z" }, NO_LIMITS],
    ["a negative daily limit", { id: "r", amountUsd: 1, day: DAY }, { maxPerDayUsd: -1, maxPerTaskUsd: null }],
    ["a NaN per-task limit", { id: "r", amountUsd: 1, day: DAY }, { maxPerDayUsd: null, maxPerTaskUsd: Number.NaN }],
    ["a negative repository limit", { id: "r", amountUsd: 1, day: DAY }, { ...NO_LIMITS, perRepository: { web: { maxPerDayUsd: -5 } } }],
  ])("tryReserve rejects %s", (_name, request, limits) => {
    expect(() => tryReserve(emptyLedger(), request, limits)).toThrow(RangeError);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("settle rejects %s", (amount) => {
    expect(() => settle(reserved(emptyLedger(), "r1", 1), "r1", amount)).toThrow(RangeError);
  });
});

describe("the ledger's promise, for any sequence of operations", () => {
  const limits: BudgetLimits = { maxPerDayUsd: 10, maxPerTaskUsd: 4, perRepository: { web: { maxPerDayUsd: 5 } } };
  const repositories = [undefined, "web", "api"] as const;
  const operation = fc.oneof(
    fc.record({
      op: fc.constant("reserve" as const),
      id: fc.integer({ min: 0, max: 12 }),
      cents: fc.integer({ min: 0, max: 600 }),
      day: fc.constantFrom(DAY, NEXT_DAY),
      repository: fc.constantFrom(...repositories),
    }),
    fc.record({ op: fc.constant("settle" as const), id: fc.integer({ min: 0, max: 12 }), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ op: fc.constant("release" as const), id: fc.integer({ min: 0, max: 12 }) }),
  );

  function within(ledger: Ledger) {
    for (const day of [DAY, NEXT_DAY]) {
      expect(usedToday(ledger, day)).toBeLessThanOrEqual(10);
      expect(usedToday(ledger, day, "web")).toBeLessThanOrEqual(5);
    }
    for (const r of ledger.reservations) expect(r.amountUsd).toBeLessThanOrEqual(4);
    expect(new Set(ledger.reservations.map((r) => r.id)).size).toBe(ledger.reservations.length);
  }

  it("reserved-or-settled never exceeds a limit when runs cost at most their reservation", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (operations) => {
        let ledger = emptyLedger();
        for (const o of operations) {
          const id = `r${o.id}`;
          if (o.op === "reserve") {
            const result = tryReserve(ledger, { id, amountUsd: o.cents / 100, day: o.day, repository: o.repository }, limits);
            if (result.ok) ledger = result.ledger;
            else expect(result.remainingUsd).toBeLessThan(o.cents / 100);
          } else if (o.op === "settle") {
            const reservation = ledger.reservations.find((r) => r.id === id);
            // The worst case bounds the actual cost: that is what makes it a worst case.
            ledger = settle(ledger, id, reservation ? reservation.amountUsd * o.fraction : 0);
          } else {
            ledger = release(ledger, id);
          }
          within(ledger);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("a new reservation is granted only when the day's usage with it fits, even after overshooting settlements", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (operations) => {
        let ledger = emptyLedger();
        for (const o of operations) {
          const id = `r${o.id}`;
          if (o.op === "reserve") {
            const isNew = !ledger.reservations.some((r) => r.id === id);
            const result = tryReserve(ledger, { id, amountUsd: o.cents / 100, day: o.day, repository: o.repository }, limits);
            if (result.ok && isNew) {
              expect(usedToday(result.ledger, o.day)).toBeLessThanOrEqual(10);
              if (o.repository === "web") expect(usedToday(result.ledger, o.day, "web")).toBeLessThanOrEqual(5);
            }
            if (result.ok) ledger = result.ledger;
          } else if (o.op === "settle") {
            // Up to three times the reservation: a run that overshot.
            ledger = settle(ledger, id, o.fraction * 12);
          } else {
            ledger = release(ledger, id);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("tryReserve: wait for room, or refuse for good", () => {
  const PER_REPO: BudgetLimits = { maxPerDayUsd: 20, maxPerTaskUsd: 8, perRepository: { web: { maxPerDayUsd: 5 } } };
  it.each([
    // name, already used today (in web), request, repository, wait?, reason
    ["today's spend leaves too little: waits", 15, 6, undefined, true, "$6.00 does not fit today's limit of $20.00 ($15.00 used or reserved)"],
    ["over the per-task limit: never", 0, 9, undefined, false, "$9.00 is over the per-task limit of $8.00 on its own"],
    ["over the per-task limit on a full day: never (waiting would not help)", 19, 9, undefined, false, "$9.00 is over the per-task limit of $8.00 on its own"],
    ["the repository's day is full: waits", 4, 2, "web", true, "$2.00 does not fit web's daily limit of $5.00 ($4.00 used or reserved)"],
    ["over the repository's whole daily limit: never", 0, 6, "web", false, "$6.00 is over web's daily limit of $5.00 on its own"],
  ] as const)("%s", (_name, used, amount, repository, wait, reason) => {
    const ledger = used > 0 ? reserved(emptyLedger(), "earlier", used, NO_LIMITS, repository) : emptyLedger();
    expect(tryReserve(ledger, { id: "new", amountUsd: amount, day: DAY, repository }, PER_REPO)).toMatchObject({ ok: false, wait, reason });
  });

  it("over the whole daily limit: never", () => {
    expect(tryReserve(emptyLedger(), { id: "r", amountUsd: 10.01, day: DAY }, DAILY_10)).toMatchObject({
      ok: false,
      wait: false,
      reason: "$10.01 is over the daily limit of $10.00 on its own",
    });
  });

  it("a run that waited fits on the next day, with the same ledger", () => {
    const ledger = reserved(emptyLedger(), "r1", 8);
    expect(tryReserve(ledger, { id: "r2", amountUsd: 3, day: DAY }, DAILY_10)).toMatchObject({ ok: false, wait: true });
    expect(tryReserve(ledger, { id: "r2", amountUsd: 3, day: NEXT_DAY }, DAILY_10).ok).toBe(true);
  });
});

describe("waitersToWake", () => {
  const NOW = Date.UTC(2026, 10, 21, 15);
  const waiter = (id: string, amountUsd: number, wokenAt: number | null = null, repository: string | null = null): Waiter => ({ id, amountUsd, repository, wokenAt });
  const limits = (maxPerDayUsd: number | null) => () => ({ maxPerDayUsd, maxPerTaskUsd: null });
  const used = (usd: number, day = DAY) => (usd > 0 ? reserved(emptyLedger(), "running", usd, NO_LIMITS, undefined, day) : emptyLedger());

  it.each([
    // name, used today, daily limit, waiters, woken
    ["no room: nobody", 8, 10, [waiter("a", 3), waiter("b", 3)], []],
    ["room for one: the first to arrive only", 4, 10, [waiter("a", 4), waiter("b", 4)], ["a"]],
    ["room for both: both, in arrival order", 2, 10, [waiter("a", 4), waiter("b", 4)], ["a", "b"]],
    ["the first does not fit: a smaller one behind it does", 5, 10, [waiter("a", 6), waiter("b", 4)], ["b"]],
    ["one woken a moment ago still holds its room", 4, 10, [waiter("a", 4, NOW - 1000), waiter("b", 4)], []],
    ["one woken long ago without answering is woken again", 4, 10, [waiter("a", 4, NOW - WAKE_ANSWER_MS), waiter("b", 4)], ["a"]],
    ["a limit lowered below one's worst case: woken, to end with an error", 0, 3, [waiter("a", 4), waiter("b", 2)], ["a", "b"]],
    ["the limit removed: everyone", 100, null, [waiter("a", 40), waiter("b", 40)], ["a", "b"]],
  ] as const)("%s", (_name, usedUsd, limit, waiters, woken) => {
    expect(waitersToWake(used(usedUsd), waiters, limits(limit), DAY, NOW)).toEqual(woken);
  });

  it("the day rolling over frees yesterday's spend: the same ledger wakes them the next day", () => {
    const ledger = used(9, DAY);
    const waiters = [waiter("a", 4), waiter("b", 4)];
    expect(waitersToWake(ledger, waiters, limits(10), DAY, NOW)).toEqual([]);
    expect(waitersToWake(ledger, waiters, limits(10), NEXT_DAY, NOW + 86_400_000)).toEqual(["a", "b"]);
  });

  it("holds each waiter to its repository's limit", () => {
    const ledger = reserved(emptyLedger(), "w", 4, NO_LIMITS, "web");
    const perRepo = (repository: string | null): BudgetLimits => ({ maxPerDayUsd: 20, maxPerTaskUsd: null, perRepository: repository ? { [repository]: { maxPerDayUsd: 5 } } : {} });
    expect(waitersToWake(ledger, [waiter("web-task", 2, null, "web"), waiter("api-task", 2, null, "api")], perRepo, DAY, NOW)).toEqual(["api-task"]);
  });
});

describe("dailyLimitOf and nextUtcMidnight", () => {
  it.each([
    [{ maxPerDayUsd: null, maxPerTaskUsd: null }, "web", null],
    [{ maxPerDayUsd: 20, maxPerTaskUsd: 1 }, "web", 20],
    [{ maxPerDayUsd: 20, maxPerTaskUsd: null, perRepository: { web: { maxPerDayUsd: 5 } } }, "web", 5],
    [{ maxPerDayUsd: null, maxPerTaskUsd: null, perRepository: { web: { maxPerDayUsd: 5 } } }, "api", null],
    [{ maxPerDayUsd: 3, maxPerTaskUsd: null, perRepository: { web: { maxPerDayUsd: 5 } } }, "web", 3],
  ] as const)("%j in %s: %s", (limits, repository, expected) => {
    expect(dailyLimitOf(limits, repository)).toBe(expected);
  });

  it.each([
    [Date.UTC(2026, 10, 21, 15, 30), Date.UTC(2026, 10, 22)],
    [Date.UTC(2026, 10, 21), Date.UTC(2026, 10, 22)],
    [Date.UTC(2026, 10, 30, 23, 59, 59, 999), Date.UTC(2026, 11, 1)],
    [Date.UTC(2026, 11, 31, 12), Date.UTC(2027, 0, 1)],
  ])("after %d: %d", (now, midnight) => {
    expect(nextUtcMidnight(now)).toBe(midnight);
  });
});
