/**
 * What a person asks of a session outside Linear's thread (stop, retry from
 * the API or the panel), and the start of each execution attempt.
 */
import { isExecutionLive } from "../execution-state";
import { RETRYING, STOPPED_NOTHING_RUNNING } from "../linear-copy";
import type { SessionEvent } from "./events";
import type { ExecutionFacts, SessionState, StepContext } from "./state";
import { Transition, unchanged, type StepResult } from "./transition";
import { parallelRunning, stopParallel } from "./parallel";

type Event<T extends SessionEvent["type"]> = Extract<SessionEvent, { type: T }>;

/** A stop through the API: the same as the stop button in Linear. A session waiting for budget leaves the Workspace's queue. */
export function stopRequested(state: SessionState, _event: Event<"stop.requested">, context: StepContext): StepResult {
  const t = new Transition(state, context);
  const wasWaiting = state.session.status === "waiting_for_budget";
  t.updateSession({ status: "stopped", stopRequestedAt: t.now, endedAt: t.now });
  t.record("session.stop_requested", "Stopped through the API");
  stopParallel(t);
  const execution = state.execution;
  if (isExecutionLive(execution)) {
    t.queue({ kind: "execution.stop", payload: { executor: execution.executor, agentSessionId: t.sessionId, attemptKey: execution.attemptKey } });
  } else if (!state.parallel?.plan) {
    t.say({ type: "response", body: STOPPED_NOTHING_RUNNING });
  } else {
    t.say({ type: "response", body: "Stopped. Every sub-task still running was stopped, and the rest will not start." });
  }
  if (wasWaiting) t.queue({ kind: "budget.leave-queue", payload: { agentSessionId: t.sessionId } });
  return t.result();
}

/** A retry routes and decides again, and starts a new attempt. Refused while an execution is live: stop it first. */
export function retryRequested(state: SessionState, _event: Event<"retry.requested">, context: StepContext): StepResult {
  if (retryRefusal(state)) return unchanged(state);
  const t = new Transition(state, context);
  t.updateSession({ status: "pending", stopRequestedAt: null, endedAt: null, error: null, routedAt: null });
  t.record("session.retry", "Retried through the API");
  t.thought(RETRYING);
  t.queue({ kind: "session.prepare", payload: { agentSessionId: t.sessionId } });
  return t.result();
}

/** Whether a retry would be refused, for the API's answer. */
export function retryRefusal(state: SessionState): string | null {
  // A parallel parent between its runs has no live execution, but its children run: a retry would start a second plan beside them.
  return isExecutionLive(state.execution) || parallelRunning(state) ? "the session is still running; stop it first" : null;
}

/** A stop that found nothing running says so. */
export function stopFoundNothing(state: SessionState, _event: Event<"stop.nothing-running">, context: StepContext): StepResult {
  return new Transition(state, context).say({ type: "response", body: STOPPED_NOTHING_RUNNING }).result();
}

/**
 * An attempt is about to start: its intent is stored before any call, so a
 * lost answer or a crash can be reconciled. A stopped session starts nothing,
 * except a local follow-up that resumes a stopped run (the user asked for it).
 */
export function startRequested(state: SessionState, event: Event<"start.requested">, context: StepContext): StepResult {
  const { session } = state;
  if (session.stopRequestedAt && !(event.executor === "local" && event.resumeFrom)) return unchanged(state);
  if (state.execution?.attemptKey === event.attemptKey) return unchanged(state);
  const t = new Transition(state, context);
  t.execution = newExecution(event, session.id, t.now);
  return t.result();
}

/** An attempt whose intent is being recorded: `creating`, nothing known of its run or task yet. */
export function newExecution(identity: Pick<ExecutionFacts, "attemptKey" | "attempt" | "executor">, agentSessionId: string, now: number): ExecutionFacts {
  return {
    attemptKey: identity.attemptKey,
    agentSessionId,
    attempt: identity.attempt,
    executor: identity.executor,
    state: "creating",
    gateName: null,
    credential: null,
    intentAt: now,
    createSentAt: null,
    runId: null,
    webUrl: null,
    codegenStatus: null,
    result: null,
    pullRequests: [],
    startedAt: null,
    endedAt: null,
    deadlineAt: null,
    resumes: 0,
    logsSeen: 0,
    outcome: null,
    error: null,
    taskId: null,
    agentId: null,
    hostname: null,
    claudeSessionId: null,
    totalCostUsd: null,
    costUsd: null,
    inputTokens: null,
    outputTokens: null,
    pendingTools: [],
    sentPrompts: [],
  };
}
