import { describe, expect, it } from "vitest";
import { cloudFailureOutcome, MAX_CLOUD_RETRIES, type CloudFailure } from "../../../src/domain/cloud-retry";

const failure = (overrides: Partial<CloudFailure> = {}): CloudFailure => ({ kind: "retryable", message: "503 from Codegen", retryAfterMs: null, outcomeUnknown: false, ...overrides });

describe("cloudFailureOutcome", () => {
  it.each([
    ["our own rate budget held it back: wait, uncounted", { status: "deferred" as const, retryAt: 5000 }, 0, { kind: "wait", at: 5000, error: "waiting for the Codegen rate budget" }],
    ["no credential: give up", { status: "unconfigured" as const, message: "no credentials" }, 0, { kind: "give-up", message: "no credentials" }],
    ["a final refusal: give up at once", { status: "failed" as const, failure: failure({ kind: "final", message: "402" }) }, 0, { kind: "give-up", message: "402" }],
    ["a retryable failure: again", { status: "failed" as const, failure: failure() }, 0, { kind: "retry", error: "503 from Codegen", uncertain: false, at: null }],
    ["Codegen's Retry-After is honoured", { status: "failed" as const, failure: failure({ retryAfterMs: 30_000 }) }, 1, { kind: "retry", error: "503 from Codegen", uncertain: false, at: 1030_000 }],
    ["a failure that may have landed is marked uncertain (looked up next time)", { status: "failed" as const, failure: failure({ outcomeUnknown: true }) }, 2, { kind: "retry", error: "503 from Codegen", uncertain: true, at: null }],
    ["retries exhausted: give up, saying how many", { status: "failed" as const, failure: failure() }, MAX_CLOUD_RETRIES, { kind: "give-up", message: `503 from Codegen (gave up after ${MAX_CLOUD_RETRIES + 1} attempts)` }],
  ])("%s", (_, answer, attempts, expected) => {
    expect(cloudFailureOutcome(answer, attempts, 1_000_000)).toEqual(expected);
  });
});
