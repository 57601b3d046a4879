/**
 * Where an execution attempt stands, and the one rule for "is it live":
 * `creating` (being started), `running` and `timed_out` (a cloud run past its
 * deadline may still be working and can be stopped or continued locally) are
 * live; `ended` and `stopped` are not. A stop sends `execution.stop` only to a
 * live execution; a retry is refused while one is live.
 */
export const EXECUTION_STATES = ["creating", "running", "timed_out", "ended", "stopped"] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

const LIVE: ReadonlySet<ExecutionState> = new Set(["creating", "running", "timed_out"]);

export function isExecutionLive<T extends { state: ExecutionState }>(execution: T | null | undefined): execution is T {
  return execution != null && LIVE.has(execution.state);
}
