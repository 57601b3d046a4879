/**
 * Creating a Codegen run cannot be made idempotent at Codegen (it has no
 * idempotency key), so the edge makes it idempotent on its side: the intent is
 * stored before the first call, the attempt key rides in the run's metadata, and
 * the moment a create is sent is written down before it leaves. Whoever then
 * finds the execution still in `creating` with no run id and a create that may
 * have gone out (the answer was lost, the call failed in a way that may have
 * landed, or the process died between the call and its answer) does not know
 * the outcome: it looks the run up by its attempt key and adopts it, and only
 * when none is found creates one. These are the rules, apart from the I/O.
 */
import type { ExecutionState } from "./execution-state";
export type CloudCreateStep =
  /** The run was adopted already, or the execution ended: nothing to create. */
  | "nothing"
  /** No create can have reached Codegen: create. */
  | "create"
  /** A create may have reached Codegen: look the run up by its attempt key, adopt it if found, else create. */
  | "look-up-then-create";

export interface CreatingExecution {
  state: ExecutionState;
  runId: number | null;
  /** When a create was last sent whose answer never said "not created"; null when none is outstanding. */
  createSentAt: number | null;
}

/**
 * What to do with an execution found when its start job runs.
 * `lastAttemptUncertain`: the job's previous attempt failed in a way that may have taken effect.
 */
export function nextCloudCreateStep(execution: CreatingExecution, lastAttemptUncertain: boolean): CloudCreateStep {
  if (execution.state !== "creating" || execution.runId !== null) return "nothing";
  if (execution.createSentAt !== null || lastAttemptUncertain) return "look-up-then-create";
  return "create";
}

/** How a create call ended, as far as the caller could tell. */
export type CreateAnswer =
  | { status: "ok" }
  /** Our own rate budget held the call back: it was never sent. */
  | { status: "deferred" }
  /** No credential to send it with: it was never sent. */
  | { status: "unconfigured" }
  | { status: "failed"; outcomeUnknown: boolean };

/**
 * Whether a create that got this answer may still have created a run, so the
 * record of the sent create must stay until a look-up settles it. A call that
 * threw before any answer (the process or the gate went away) never gets here:
 * its record stays, which is the same as answering true.
 */
export function createMayHaveLanded(answer: CreateAnswer): boolean {
  switch (answer.status) {
    case "ok":
      return true;
    case "deferred":
    case "unconfigured":
      return false;
    case "failed":
      return answer.outcomeUnknown;
  }
}
