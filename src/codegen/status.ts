/**
 * What a Codegen run's `status` means for us. The field is a free string with no
 * enum: Codegen's CLI handles uppercase values, its docs and SDK compare lowercase
 * "completed". A finished run we fail to recognise would look like one that never
 * ends, so every spelling we know of is mapped, and anything else is still running
 * (the poller's own deadline, not this function, decides when to give up).
 */
export type RunPhase =
  | { phase: "running" }
  | { phase: "succeeded" }
  /** `status` is Codegen's value trimmed, uppercased, spaces and dashes as `_`; `reason` is for the user. */
  | { phase: "failed"; status: string; reason: string };

const SUCCEEDED = new Set(["COMPLETE", "COMPLETED", "SUCCESS", "SUCCEEDED"]);

const FAILED: Readonly<Record<string, string>> = {
  FAILED: "the run failed",
  ERROR: "the run stopped on an error",
  CANCELLED: "the run was cancelled",
  CANCELED: "the run was cancelled",
  STOPPED: "the run was stopped before it finished",
  TIMEOUT: "the run timed out",
  MAX_ITERATIONS_REACHED: "Codegen stopped the run after its maximum number of iterations",
  OUT_OF_TOKENS: "the run ran out of tokens",
};

export function classifyRunStatus(status: string | null | undefined): RunPhase {
  if (typeof status !== "string") return { phase: "running" };
  // "max iterations reached" and "out-of-tokens" are the same statuses spelled loosely.
  const key = status.trim().toUpperCase().replace(/[\s-]+/g, "_");
  if (SUCCEEDED.has(key)) return { phase: "succeeded" };
  // Own keys only: nothing inherited from Object.prototype may ever count as a status.
  if (Object.hasOwn(FAILED, key)) return { phase: "failed", status: key, reason: FAILED[key]! };
  return { phase: "running" };
}
