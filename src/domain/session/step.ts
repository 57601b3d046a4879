/**
 * The session's lifecycle after intake, as one pure function: given what the
 * session is, what happened, and the clock, it answers what the session becomes
 * and what must be done. The IssueSession loads the state, calls `step`, and in
 * one storage transaction stores the new state and queues the effects as jobs;
 * the jobs perform the I/O and feed what they learn back here as events.
 */
import * as cloud from "./cloud";
import * as control from "./control";
import * as local from "./local";
import * as planning from "./planning";
import * as parallel from "./parallel";
import { withParentReports } from "./child";
import type { SessionEvent } from "./events";
import type { SessionState, StepContext } from "./state";
import type { StepResult } from "./transition";

export function step(state: SessionState, event: SessionEvent, context: StepContext): StepResult {
  return withParentReports(state, event, decide(state, event, context), context);
}

function decide(state: SessionState, event: SessionEvent, context: StepContext): StepResult {
  switch (event.type) {
    case "prepared":
      return planning.prepared(state, event, context);
    case "replanned":
      return planning.replanned(state, event, context);
    case "budget.room":
      return planning.budgetRoom(state, event, context);
    case "fallback.reserved":
      return planning.fallbackReserved(state, event, context);
    case "stop.requested":
      return control.stopRequested(state, event, context);
    case "retry.requested":
      return control.retryRequested(state, event, context);
    case "stop.nothing-running":
      return control.stopFoundNothing(state, event, context);
    case "start.requested":
      return control.startRequested(state, event, context);
    case "cloud.gate-chosen":
      return cloud.gateChosen(state, event, context);
    case "cloud.create-sent":
      return cloud.createSent(state, event, context);
    case "cloud.create-not-made":
      return cloud.createNotMade(state, event, context);
    case "cloud.run-adopted":
      return cloud.runAdopted(state, event, context);
    case "cloud.start-failed":
      return cloud.startFailed(state, event, context);
    case "cloud.observed":
      return cloud.observed(state, event, context);
    case "cloud.finish-due":
      return cloud.finishDue(state, event, context);
    case "cloud.deadline-passed":
      return cloud.deadlinePassed(state, event, context);
    case "cloud.logs-read":
      return cloud.logsRead(state, event, context);
    case "cloud.checked":
      return cloud.checked(state, event, context);
    case "cloud.resumed":
      return cloud.resumed(state, event, context);
    case "cloud.resume-failed":
      return cloud.resumeFailed(state, event, context);
    case "cloud.stopped":
      return cloud.stopped(state, event, context);
    case "local.queued":
      return local.queued(state, event, context);
    case "local.accepted":
      return local.accepted(state, event, context);
    case "local.event":
      return local.taskEvent(state, event, context);
    case "local.result":
      return local.result(state, event, context);
    case "local.requeued":
      return local.requeued(state, event, context);
    case "local.rejected":
      return local.rejected(state, event, context);
    case "local.queue-timeout":
      return local.queueTimeout(state, event, context);
    case "local.tools-flushed":
      return local.toolsFlushed(state, event, context);
    case "local.prompt-delivered":
      return local.promptDelivered(state, event, context);
    case "local.prompt-not-running":
      return local.promptNotRunning(state, event, context);
    case "local.stopped-before-start":
      return local.stoppedBeforeStart(state, event, context);
    case "parallel.sub-issues-created":
      return parallel.subIssuesCreated(state, event, context);
    case "parallel.child-report":
      return parallel.childReport(state, event, context);
    case "parallel.validation-planned":
      return parallel.validationPlanned(state, event, context);
    case "parallel.child-start-overdue":
      return parallel.childStartOverdue(state, event, context);
    case "parallel.follow-up":
      return parallel.followUp(state, event, context);
  }
}
