import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/domain/backoff";

const ALMOST_ONE = 1 - Number.EPSILON;

describe("backoffDelay", () => {
  it.each([
    // attempt, lowest (random 0), highest (random ~1)
    [1, 500, 1_000],
    [2, 1_000, 2_000],
    [3, 2_000, 4_000],
    [4, 4_000, 8_000],
    [5, 8_000, 16_000],
    [6, 16_000, 32_000],
    [7, 30_000, 60_000], // ceiling 64 s is capped at 60 s first, so the floor is 30 s
    [8, 30_000, 60_000],
    [20, 30_000, 60_000],
  ])("attempt %i with base 1 s, max 60 s is within [%i, %i]", (attempt, low, high) => {
    const options = { baseMs: 1_000, maxMs: 60_000 };
    expect(backoffDelay(attempt, { ...options, random: () => 0 })).toBe(low);
    expect(backoffDelay(attempt, { ...options, random: () => ALMOST_ONE })).toBe(high);
    expect(backoffDelay(attempt, { ...options, random: () => 0.5 })).toBe(Math.round(low + (high - low) / 2));
  });

  it("never exceeds maxMs however many attempts", () => {
    for (const attempt of [31, 32, 100, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, { baseMs: 1_000, maxMs: 300_000, random: () => ALMOST_ONE });
      expect(delay).toBe(300_000);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it("stops doubling at 2^30 times baseMs when maxMs allows more", () => {
    // 2^30 is the largest multiplier: attempt 31 and beyond stay there.
    const options = { baseMs: 1, maxMs: Number.MAX_SAFE_INTEGER, random: () => 0 };
    expect(backoffDelay(31, options)).toBe(2 ** 29);
    expect(backoffDelay(1_000, options)).toBe(2 ** 29);
  });

  it("is zero when baseMs is zero", () => {
    expect(backoffDelay(5, { baseMs: 0, maxMs: 0, random: () => ALMOST_ONE })).toBe(0);
  });

  it("uses Math.random when no random is given, and stays in range", () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(3, { baseMs: 100, maxMs: 10_000 });
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("throws RangeError for attempt %s", (attempt) => {
    expect(() => backoffDelay(attempt, { baseMs: 100, maxMs: 1_000 })).toThrow(RangeError);
  });

  it.each([
    [-1, 1_000],
    [Number.NaN, 1_000],
    [100, Number.NaN],
    [1_000, 100],
  ])("throws RangeError for baseMs %s and maxMs %s", (baseMs, maxMs) => {
    expect(() => backoffDelay(1, { baseMs, maxMs })).toThrow(RangeError);
  });

  it("property: the delay lies in [ceiling/2, ceiling] with ceiling = min(maxMs, baseMs * 2^(attempt-1))", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, extra, r) => {
          const maxMs = baseMs + extra;
          const delay = backoffDelay(attempt, { baseMs, maxMs, random: () => r });
          const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeLessThanOrEqual(maxMs);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("property: a larger random never gives a shorter delay", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const options = { baseMs: 250, maxMs: 120_000 };
          expect(backoffDelay(attempt, { ...options, random: () => lo })).toBeLessThanOrEqual(
            backoffDelay(attempt, { ...options, random: () => hi }),
          );
        },
      ),
    );
  });
});
