/**
 * The two executors behind the one interface (src/domain/executor.ts). The
 * session's jobs name an executor kind; everything else goes through here.
 */
import type { ExecutorKind, TaskExecutor } from "../../../src/domain/executor";
import type { LocalTaskUpdate } from "../contracts";
import type { CloudRunObservation } from "../contracts";
import { receiveObservation, resumeCloudRun, startCloudRun, stopCloudRun } from "./cloud-jobs";
import type { JobContext, JobOutcome } from "./job-context";
import { receiveLocalUpdate, followUpLocal, startLocalTask, stopLocal } from "./local-jobs";

export const cloudExecutor: TaskExecutor<JobContext, JobOutcome, CloudRunObservation> = {
  kind: "cloud",
  start: (ctx, request, step) => startCloudRun(ctx, request, step),
  followUp: (ctx, request, step) => resumeCloudRun(ctx, request, step),
  stop: (ctx, request) => stopCloudRun(ctx, request),
  receive: (ctx, observation) => receiveObservation(ctx, observation),
};

export const localExecutor: TaskExecutor<JobContext, JobOutcome, LocalTaskUpdate> = {
  kind: "local",
  start: (ctx, request) => startLocalTask(ctx, request),
  followUp: (ctx, request) => followUpLocal(ctx, request),
  stop: (ctx, request) => stopLocal(ctx, request),
  receive: (ctx, update) => receiveLocalUpdate(ctx, update),
};

export function executorFor(kind: ExecutorKind): TaskExecutor<JobContext, JobOutcome, never> {
  return (kind === "cloud" ? cloudExecutor : localExecutor) as TaskExecutor<JobContext, JobOutcome, never>;
}
