import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acquire,
  CLOSED_BREAKER,
  DEFAULT_BREAKER_OPTIONS,
  isAvailable,
  recordFailure,
  recordSuccess,
  resolveBreakerOptions,
  type BreakerState,
} from "../../../src/domain/circuit-breaker";

const OPTIONS = { threshold: 3, cooldownMs: 1_000 };
const open = (openedAt: number, failures = 3): BreakerState => ({ state: "open", failures, openedAt });
const halfOpen = (trialAt: number, failures = 3): BreakerState => ({ state: "half-open", failures, openedAt: trialAt });

describe("circuit breaker: transitions", () => {
  it.each([
    ["closed: a failure below the threshold counts", CLOSED_BREAKER, { state: "closed", failures: 1, openedAt: null }],
    ["closed: the failure before the threshold stays closed", { state: "closed", failures: 1, openedAt: null }, { state: "closed", failures: 2, openedAt: null }],
    ["closed: the threshold-th failure opens it now", { state: "closed", failures: 2, openedAt: null }, { state: "open", failures: 3, openedAt: 100 }],
    ["half-open: the trial failing reopens it now", halfOpen(40), { state: "open", failures: 4, openedAt: 100 }],
    ["open: a late failure counts but keeps the cooldown", open(50), { state: "open", failures: 4, openedAt: 50 }],
  ] as const)("recordFailure, %s", (_name, state, expected) => {
    expect(recordFailure(state, 100, OPTIONS)).toEqual(expected);
  });

  it.each([
    ["closed with failures", { state: "closed", failures: 2, openedAt: null }],
    ["half-open (the trial worked)", halfOpen(40)],
    ["open (a late success is still evidence)", open(50)],
  ] as const)("recordSuccess closes it from %s", (_name, state) => {
    expect(recordSuccess(state, 100)).toEqual({ state: "closed", failures: 0, openedAt: null });
  });

  it("a success between failures restarts the count", () => {
    let state = recordFailure(CLOSED_BREAKER, 1, OPTIONS);
    state = recordFailure(state, 2, OPTIONS);
    state = recordSuccess(state, 3);
    state = recordFailure(state, 4, OPTIONS);
    state = recordFailure(state, 5, OPTIONS);
    expect(state.state).toBe("closed");
    expect(recordFailure(state, 6, OPTIONS).state).toBe("open");
  });

  it("a threshold of 1 opens on the first failure", () => {
    expect(recordFailure(CLOSED_BREAKER, 7, { threshold: 1 })).toEqual({ state: "open", failures: 1, openedAt: 7 });
  });
});

describe("circuit breaker: availability and the one trial", () => {
  it.each([
    ["closed", CLOSED_BREAKER, 0, true],
    ["open, just opened", open(1_000), 1_000, false],
    ["open, one ms before the cooldown ends", open(1_000), 1_999, false],
    ["open, the cooldown just ended", open(1_000), 2_000, true],
    ["open, long after", open(1_000), 99_000, true],
    ["half-open, trial in flight", halfOpen(2_000), 2_500, false],
    ["half-open, trial silent for a whole cooldown", halfOpen(2_000), 3_000, true],
  ] as const)("isAvailable: %s", (_name, state, now, expected) => {
    expect(isAvailable(state, now, OPTIONS)).toBe(expected);
  });

  it("after the cooldown, the first caller takes the trial and the next is refused", () => {
    const first = acquire(open(1_000), 2_000, OPTIONS);
    expect(first).toEqual({ allowed: true, state: { state: "half-open", failures: 3, openedAt: 2_000 } });
    const second = acquire(first.state, 2_001, OPTIONS);
    expect(second).toEqual({ allowed: false, state: first.state });
  });

  it("closed lets everyone through without changing the state", () => {
    const state: BreakerState = { state: "closed", failures: 2, openedAt: null };
    const result = acquire(state, 5, OPTIONS);
    expect(result.allowed).toBe(true);
    expect(result.state).toBe(state);
  });

  it("isAvailable does not take the trial", () => {
    const state = open(1_000);
    expect(isAvailable(state, 2_000, OPTIONS)).toBe(true);
    expect(state).toEqual(open(1_000));
    expect(acquire(state, 2_000, OPTIONS).allowed).toBe(true);
  });

  it("a stale trial is replaced by a new one", () => {
    const retried = acquire(halfOpen(2_000), 3_000, OPTIONS);
    expect(retried).toEqual({ allowed: true, state: halfOpen(3_000) });
  });

  it("a failed trial restarts the whole cooldown", () => {
    const { state: trial } = acquire(open(1_000), 2_000, OPTIONS);
    const reopened = recordFailure(trial, 2_100, OPTIONS);
    expect(isAvailable(reopened, 3_099, OPTIONS)).toBe(false);
    expect(isAvailable(reopened, 3_100, OPTIONS)).toBe(true);
  });

  it("a zero cooldown allows a trial at once", () => {
    expect(isAvailable(open(1_000), 1_000, { cooldownMs: 0 })).toBe(true);
  });

  it("defaults to 3 failures and 5 minutes", () => {
    expect(DEFAULT_BREAKER_OPTIONS).toEqual({ threshold: 3, cooldownMs: 300_000 });
    let state = CLOSED_BREAKER;
    for (let i = 0; i < 2; i++) state = recordFailure(state, 0);
    expect(state.state).toBe("closed");
    state = recordFailure(state, 0);
    expect(state.state).toBe("open");
    expect(isAvailable(state, 299_999)).toBe(false);
    expect(isAvailable(state, 300_000)).toBe(true);
  });

  it("does not mutate the state it is given", () => {
    const state = open(1_000);
    acquire(state, 5_000, OPTIONS);
    recordFailure(state, 5_000, OPTIONS);
    recordSuccess(state, 5_000);
    expect(state).toEqual(open(1_000));
    const closed = recordSuccess(state, 1);
    closed.failures = 9;
    expect(CLOSED_BREAKER.failures).toBe(0);
  });
});

describe("circuit breaker: options are validated eagerly", () => {
  it.each([
    ["threshold 0", { threshold: 0 }],
    ["threshold 1.5", { threshold: 1.5 }],
    ["threshold NaN", { threshold: Number.NaN }],
    ["cooldown -1", { cooldownMs: -1 }],
    ["cooldown NaN", { cooldownMs: Number.NaN }],
    ["cooldown Infinity", { cooldownMs: Number.POSITIVE_INFINITY }],
  ])("%s throws everywhere, whatever the state", (_name, options) => {
    expect(() => resolveBreakerOptions(options)).toThrow(RangeError);
    // Even where the option would not be used: a bad config should fail on the first call, not the first outage.
    expect(() => recordFailure(CLOSED_BREAKER, 0, options)).toThrow(RangeError);
    expect(() => isAvailable(CLOSED_BREAKER, 0, options)).toThrow(RangeError);
    expect(() => acquire(CLOSED_BREAKER, 0, options)).toThrow(RangeError);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])("now = %s throws", (now) => {
    expect(() => recordFailure(CLOSED_BREAKER, now)).toThrow(RangeError);
    expect(() => recordSuccess(CLOSED_BREAKER, now)).toThrow(RangeError);
    expect(() => isAvailable(CLOSED_BREAKER, now)).toThrow(RangeError);
  });
});

describe("circuit breaker: invariants", () => {
  it("holds its shape and lets at most one trial through per cooldown, for any sequence of events", () => {
    const event = fc.record({ kind: fc.constantFrom("success", "failure", "acquire"), dt: fc.integer({ min: 0, max: 1_500 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(event, { maxLength: 60 }), (threshold, events) => {
        const options = { threshold, cooldownMs: 1_000 };
        let state = CLOSED_BREAKER;
        let now = 0;
        for (const e of events) {
          now += e.dt;
          const before = state;
          if (e.kind === "success") state = recordSuccess(state, now);
          else if (e.kind === "failure") state = recordFailure(state, now, options);
          else {
            const result = acquire(state, now, options);
            // Outside closed, a call is allowed only by taking (or renewing) the trial.
            if (before.state !== "closed" && result.allowed) expect(result.state).toEqual({ state: "half-open", failures: before.failures, openedAt: now });
            if (before.state === "half-open" && now - (before.openedAt ?? 0) < 1_000) expect(result.allowed).toBe(false);
            state = result.state;
          }
          if (state.state === "closed") {
            expect(state.openedAt).toBeNull();
            expect(state.failures).toBeLessThan(threshold);
          } else {
            expect(state.openedAt).not.toBeNull();
            expect(state.openedAt).toBeLessThanOrEqual(now);
          }
          if (e.kind === "success") expect(state).toEqual({ state: "closed", failures: 0, openedAt: null });
        }
      }),
    );
  });
});
