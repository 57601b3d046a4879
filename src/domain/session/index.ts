/** The session lifecycle after intake: one pure `step` and the shapes it reads and answers. */
export { step } from "./step";
export type { SessionEvent, RunObservation, ReservationAnswer, PlannedExecution, RoutedRepository } from "./events";
export type { Effect } from "./effects";
export { jobsOf, timelineOf } from "./effects";
export type { SessionState, SessionFacts, ExecutionFacts, StepContext, SessionChanges, ExecutionChanges, PullRequest } from "./state";
export type { StepResult } from "./transition";
export { retryRefusal } from "./control";
export { stopNeedsPrRemoval } from "./cloud";
export { canPassFollowUp, toolBatchAction, TOOL_BATCH_MS } from "./local";
