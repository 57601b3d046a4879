import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyRunStatus } from "../../../src/codegen/status";

const SUCCEEDED = ["COMPLETE", "COMPLETED", "SUCCESS", "SUCCEEDED"];

const FAILED: [string, string][] = [
  ["FAILED", "the run failed"],
  ["ERROR", "the run stopped on an error"],
  ["CANCELLED", "the run was cancelled"],
  ["CANCELED", "the run was cancelled"],
  ["STOPPED", "the run was stopped before it finished"],
  ["TIMEOUT", "the run timed out"],
  ["MAX_ITERATIONS_REACHED", "Codegen stopped the run after its maximum number of iterations"],
  ["OUT_OF_TOKENS", "the run ran out of tokens"],
];

const RUNNING = ["ACTIVE", "RUNNING", "PENDING", "EVALUATION", "PAUSED", "QUEUED", "COMPLETING", "FAILED_OVER", "constructor", "__proto__", "toString", "", "   "];

/** The spellings Codegen's CLI, docs and SDK use, and a few careless ones. */
function spellings(status: string): string[] {
  const lower = status.toLowerCase();
  return [status, lower, lower[0]!.toUpperCase() + lower.slice(1), `  ${status}\n`, `\t${lower} `];
}

describe("classifyRunStatus", () => {
  it.each(SUCCEEDED.flatMap((s) => spellings(s)))("%j succeeded", (status) => {
    expect(classifyRunStatus(status)).toEqual({ phase: "succeeded" });
  });

  it.each(FAILED.flatMap(([s, reason]) => spellings(s).map((spelling) => [spelling, s, reason] as const)))(
    "%j failed as %s",
    (status, canonical, reason) => {
      expect(classifyRunStatus(status)).toEqual({ phase: "failed", status: canonical, reason });
    },
  );

  it.each(RUNNING.flatMap((s) => (s.trim() ? spellings(s) : [s])))("%j is still running", (status) => {
    expect(classifyRunStatus(status)).toEqual({ phase: "running" });
  });

  it.each([null, undefined])("%s is still running", (status) => {
    expect(classifyRunStatus(status)).toEqual({ phase: "running" });
  });

  it("reads loosely spelled multi-word statuses", () => {
    expect(classifyRunStatus("max iterations reached")).toMatchObject({ phase: "failed", status: "MAX_ITERATIONS_REACHED", reason: "Codegen stopped the run after its maximum number of iterations" });
    expect(classifyRunStatus("out-of-tokens")).toMatchObject({ phase: "failed", status: "OUT_OF_TOKENS", reason: "the run ran out of tokens" });
  });

  it("property: never throws, and always answers one of the three phases", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom(null, undefined)), (status) => {
        const result = classifyRunStatus(status);
        expect(["running", "succeeded", "failed"]).toContain(result.phase);
        if (result.phase === "failed") expect(result.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it("property: any casing and surrounding whitespace of a known status gives the same answer", () => {
    const known = fc.constantFrom(...SUCCEEDED, ...FAILED.map(([s]) => s), "ACTIVE", "RUNNING", "PENDING", "EVALUATION");
    const space = fc.constantFrom("", " ", "\t", "\n ");
    fc.assert(
      fc.property(fc.mixedCase(known), space, space, (mixed, before, after) => {
        expect(classifyRunStatus(`${before}${mixed}${after}`)).toEqual(classifyRunStatus(mixed.toUpperCase()));
      }),
    );
  });
});
