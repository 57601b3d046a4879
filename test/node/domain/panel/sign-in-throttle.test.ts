import { describe, expect, it } from "vitest";
import { claimAttempt, recordFailure, SIGN_IN_THROTTLE, signInGate, type FailureRecord } from "../../../../src/domain/panel/sign-in-throttle";

const T = 1_000_000;

function failTimes(n: number, at = T): FailureRecord | null {
  let record: FailureRecord | null = null;
  for (let i = 0; i < n; i++) record = recordFailure(record, at);
  return record;
}

describe("sign-in throttle", () => {
  it("lets a client in that never failed", () => {
    expect(signInGate(null, T)).toEqual({ allowed: true });
  });

  it.each([
    [1, 0],
    [3, 0],
    [4, SIGN_IN_THROTTLE.firstBlockMs],
    [5, SIGN_IN_THROTTLE.firstBlockMs * 2],
    [6, SIGN_IN_THROTTLE.firstBlockMs * 4],
    [30, SIGN_IN_THROTTLE.maxBlockMs],
  ])("after %i failures the client waits %i ms", (failures, blockedMs) => {
    const record = failTimes(failures)!;
    expect(record.failures).toBe(failures);
    expect(record.blockedUntil - T).toBe(blockedMs);
    expect(signInGate(record, T)).toEqual(blockedMs === 0 ? { allowed: true } : { allowed: false, retryAfterMs: blockedMs });
    expect(signInGate(record, T + blockedMs)).toEqual({ allowed: true });
  });

  it("starts over after a day without failures", () => {
    const record = failTimes(10)!;
    const later = recordFailure(record, T + SIGN_IN_THROTTLE.forgetAfterMs);
    expect(later.failures).toBe(1);
    expect(later.blockedUntil).toBe(T + SIGN_IN_THROTTLE.forgetAfterMs);
  });
});

describe("claimAttempt", () => {
  it("counts an allowed attempt before its key is checked", () => {
    expect(claimAttempt(null, T)).toEqual({ allowed: true, record: { failures: 1, lastFailedAt: T, blockedUntil: T } });
  });

  it("refuses a blocked client and changes nothing", () => {
    const blocked = failTimes(4)!;
    expect(claimAttempt(blocked, T + 1)).toEqual({ allowed: false, retryAfterMs: SIGN_IN_THROTTLE.firstBlockMs - 1 });
  });

  it("lets the client try again once the block is over, and blocks longer after", () => {
    const blocked = failTimes(4)!;
    const later = claimAttempt(blocked, blocked.blockedUntil);
    expect(later).toEqual({ allowed: true, record: { failures: 5, lastFailedAt: blocked.blockedUntil, blockedUntil: blocked.blockedUntil + SIGN_IN_THROTTLE.firstBlockMs * 2 } });
  });
});
