/** The session lifecycle after intake: one pure `step` and the shapes it reads and answers. */
export { step } from "./step";
export type { SessionEvent, RunObservation, ReservationAnswer, PlannedExecution, RoutedRepository } from "./events";
export type { Effect } from "./effects";
export { jobsOf, timelineOf } from "./effects";
export type { SessionState, SessionFacts, ExecutionFacts, StepContext, SessionChanges, ExecutionChanges, PullRequest, ParallelFacts, ParentLink, ParallelStatus } from "./state";
export { childBrief, executionPurpose, parallelRunning } from "./parallel";
export type { StepResult } from "./transition";
export { retryRefusal } from "./control";
export { stopNeedsPrRemoval } from "./cloud";
export { canPassFollowUp, toolBatchAction } from "./local";
