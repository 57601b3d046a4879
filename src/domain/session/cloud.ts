/**
 * A Codegen run's life in the session: the run adopted (created, or found
 * after an answer that may have been lost), what Codegen says of it, its
 * deadline, its log, a follow-up that resumes it, a stop, and how it ends.
 * A run that ends gets one finish, however many times the news arrives.
 */
import { classifyRunStatus } from "../../codegen/status";
import { branchNameFor } from "../../prompts/cloud-run";
import {
  cloudCouldNotStart,
  cloudFailed,
  cloudProgress,
  cloudResumed,
  cloudStarted,
  cloudStoppedWithoutPr,
  cloudStoppedWithPr,
  cloudSucceeded,
  cloudTimedOut,
  cloudTimedOutAsk,
  STOPPED_NOTHING_RUNNING,
} from "../linear-copy";
import type { RunObservation, SessionEvent } from "./events";
import { planFromProposal } from "../parallel/proposed-plan";
import { plannerAnswerFromText } from "../parallel/planner-answer";
import { executionPurpose, plannerFinished, validationFinished } from "./parallel";
import type { SessionState, StepContext } from "./state";
import { Transition, unchanged, type StepResult } from "./transition";

type Event<T extends SessionEvent["type"]> = Extract<SessionEvent, { type: T }>;

/** Log reads have their own, smaller budget: a run's log is read a few times an hour, not at every poll. */
export function logsInterval(context: StepContext): number {
  return context.config.pollMaxMs * 3;
}

/** The session's own look at the gate's last observation, in case a notification was lost. Costs no Codegen call. */
export function checkInterval(context: StepContext): number {
  return context.config.pollMaxMs * 2;
}

const creating = (state: SessionState) => state.execution?.executor === "cloud" && state.execution.state === "creating" && state.execution.runId === null;

export function gateChosen(state: SessionState, event: Event<"cloud.gate-chosen">, context: StepContext): StepResult {
  if (!creating(state) || state.execution!.gateName) return unchanged(state);
  return new Transition(state, context).updateExecution({ gateName: event.gateName, credential: event.credential }).result();
}

/** Written before the create leaves: whoever finds it set after a crash looks the run up before creating again. */
export function createSent(state: SessionState, _event: Event<"cloud.create-sent">, context: StepContext): StepResult {
  if (!creating(state)) return unchanged(state);
  return new Transition(state, context).updateExecution({ createSentAt: context.now }).result();
}

export function createNotMade(state: SessionState, _event: Event<"cloud.create-not-made">, context: StepContext): StepResult {
  if (!creating(state)) return unchanged(state);
  return new Transition(state, context).updateExecution({ createSentAt: null }).result();
}

export function runAdopted(state: SessionState, event: Event<"cloud.run-adopted">, context: StepContext): StepResult {
  if (!creating(state)) return unchanged(state);
  const { run, twins } = event;
  const t = new Transition(state, context);
  const deadlineAt = t.now + context.config.runTimeoutMs;
  t.updateExecution({ state: "running", runId: run.runId, webUrl: run.webUrl, codegenStatus: run.status, startedAt: t.now, deadlineAt, ...(twins.length ? { twins } : {}) });
  t.updateSession({ status: "active" });
  t.record("cloud.started", `Codegen run ${run.runId} started`, { runId: run.runId, webUrl: run.webUrl });
  t.thought(cloudStarted(run.webUrl, t.session.repositoryName ?? "", branchNameFor(t.session.issueIdentifier ?? "issue")));
  if (run.webUrl) t.updateLinearSession({ externalUrls: [{ label: "Codegen run", url: run.webUrl }] });
  if (twins.length) {
    const summary = `Codegen has ${twins.length} more run(s) started by this same request (${twins.join(", ")}); I'm following run ${run.runId} only.`;
    t.record("cloud.twins", summary, { twins });
    t.thought(summary);
  }
  scheduleRunTimers(t, deadlineAt);
  observe(t, run);
  return t.result();
}

function scheduleRunTimers(t: Transition, deadlineAt: number): void {
  const { attemptKey } = t.execution!;
  const agentSessionId = t.sessionId;
  t.queue({ kind: "cloud.watch", payload: { agentSessionId, attemptKey } });
  t.queue({ kind: "cloud.deadline", payload: { agentSessionId, attemptKey, deadlineAt } }, deadlineAt);
  t.queue({ kind: "cloud.logs", payload: { agentSessionId, attemptKey } }, t.now + logsInterval(t.context));
  t.queue({ kind: "cloud.check", payload: { agentSessionId, attemptKey } }, t.now + checkInterval(t.context));
}

/**
 * The run could not start (a final refusal, retries exhausted, no credentials):
 * the orchestrator's fallback to a local agent when it named one, else the
 * session ends with an error that says why.
 */
export function startFailed(state: SessionState, event: Event<"cloud.start-failed">, context: StepContext): StepResult {
  if (!creating(state)) return unchanged(state);
  const t = new Transition(state, context);
  const { attemptKey } = t.execution!;
  t.updateExecution({ state: "ended", outcome: "failed", error: event.message, endedAt: t.now });
  if (t.session.fallback === "local") {
    t.queue({ kind: "session.fallback", payload: { agentSessionId: t.sessionId, fromAttemptKey: attemptKey, to: "local", reason: `the cloud run could not start (${event.message})` } });
    return t.result();
  }
  t.updateSession({ status: "error", error: event.message, endedAt: t.now });
  t.record("cloud.start_failed", event.message);
  t.say({ type: "error", body: cloudCouldNotStart(event.message) });
  return t.result();
}

/** What Codegen says about the run, recorded; a run that has ended is finished at once. */
export function observed(state: SessionState, event: Event<"cloud.observed">, context: StepContext): StepResult {
  const t = new Transition(state, context);
  observe(t, event.run);
  return t.result();
}

function observe(t: Transition, run: RunObservation): void {
  const exec = t.execution;
  if (!exec || exec.runId !== run.runId || exec.state === "ended" || exec.state === "stopped" || exec.state === "creating") return;
  t.updateExecution({
    codegenStatus: run.status,
    webUrl: run.webUrl ?? exec.webUrl,
    result: run.result ?? run.summary ?? exec.result,
    pullRequests: run.pullRequests.length ? run.pullRequests : exec.pullRequests,
  });
  if (classifyRunStatus(run.status).phase !== "running") finish(t);
}

/** A `cloud.finish` job queued by an earlier version: finish from what is stored. */
export function finishDue(state: SessionState, _event: Event<"cloud.finish-due">, context: StepContext): StepResult {
  const t = new Transition(state, context);
  finish(t);
  return t.result();
}

function finish(t: Transition): void {
  const exec = t.execution;
  if (!exec || exec.executor !== "cloud" || exec.state === "ended" || exec.state === "stopped" || exec.state === "creating") return;
  const phase = classifyRunStatus(exec.codegenStatus);
  if (phase.phase === "running") return;
  const purpose = executionPurpose(t, exec.attemptKey);
  if (purpose !== "work") {
    const ok = phase.phase === "succeeded";
    t.updateExecution({ state: "ended", outcome: ok ? "succeeded" : "failed", endedAt: t.now, error: phase.phase === "failed" ? phase.reason : null });
    t.record(`cloud.${ok ? "succeeded" : "failed"}`, `Codegen ${purpose} run ${exec.runId} ended: ${exec.codegenStatus}`, { purpose });
    t.queue({ kind: "metrics.record", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } });
    if (purpose === "planner") plannerFinished(t, phase.phase === "succeeded" ? { ok: true, decision: planFromProposal(plannerAnswerFromText(exec.result)) } : { ok: false, error: phase.reason });
    else validationFinished(t, { ok, verdict: exec.result, error: phase.phase === "failed" ? phase.reason : null });
    return;
  }
  const { session } = t;
  if (phase.phase === "succeeded") {
    t.say({ type: "response", body: cloudSucceeded(exec.result, exec.pullRequests, exec.webUrl) });
    if (session.issueId) {
      for (const pr of exec.pullRequests) {
        t.queue({ kind: "linear.attachment", payload: { agentSessionId: t.sessionId, issueId: session.issueId, url: pr.url, title: pr.title ?? "Pull request" } });
      }
    }
    if (exec.pullRequests.length) t.updateLinearSession({ addedExternalUrls: exec.pullRequests.map((pr) => ({ label: pr.title ?? "Pull request", url: pr.url })) });
    t.updateSession({ status: "complete", endedAt: t.now, error: null });
  } else {
    t.say({ type: "error", body: cloudFailed(phase.reason, exec.webUrl) });
    t.updateSession({ status: "error", endedAt: t.now, error: phase.reason });
  }
  const outcome = phase.phase === "succeeded" ? "succeeded" : "failed";
  t.updateExecution({ state: "ended", outcome, endedAt: t.now, error: phase.phase === "failed" ? phase.reason : null });
  t.record(`cloud.${outcome}`, `Codegen run ${exec.runId} ended: ${exec.codegenStatus}`, { prs: exec.pullRequests.map((p) => p.url) });
  t.queue({ kind: "metrics.record", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } });
}

/**
 * The run passed its time limit. It may still be working: it is still watched,
 * and a local run starts only when the workspace said to go ahead; otherwise we ask.
 */
export function deadlinePassed(state: SessionState, event: Event<"cloud.deadline-passed">, context: StepContext): StepResult {
  const exec = state.execution;
  // A resumed run has a new deadline, with its own timer; this one is stale.
  if (!exec || exec.state !== "running" || exec.deadlineAt !== event.deadlineAt) return unchanged(state);
  const t = new Transition(state, context);
  const minutes = Math.round(context.config.runTimeoutMs / 60_000);
  const canFallBack = state.session.fallback === "local";
  t.updateExecution({ state: "timed_out", outcome: "timed_out", endedAt: t.now });
  t.updateSession({ status: "error", error: "time limit passed" });
  t.record("cloud.timed_out", `Codegen run ${exec.runId} passed its time limit; still watching it`);
  if (canFallBack && event.timeoutAction === "fallback") {
    t.thought(cloudTimedOut(minutes, exec.webUrl));
    t.queue({ kind: "session.fallback", payload: { agentSessionId: t.sessionId, fromAttemptKey: exec.attemptKey, to: "local", reason: `the cloud run passed its ${minutes}-minute limit` } });
  } else if (canFallBack) {
    t.updateSession({ status: "awaiting_input" });
    t.say({ type: "elicitation", body: cloudTimedOutAsk(minutes, exec.webUrl) });
  } else {
    t.say({ type: "error", body: cloudTimedOut(minutes, exec.webUrl) });
  }
  t.queue({ kind: "metrics.record", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } });
  return t.result();
}

/** A read of the run's log: one thought per read however chatty the run (Linear's API budget is shared), and the next read. */
export function logsRead(state: SessionState, event: Event<"cloud.logs-read">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec?.runId || exec.state !== "running") return unchanged(state);
  const t = new Transition(state, context);
  if (event.read.ok) {
    if (event.read.texts.length) t.thought(cloudProgress(event.read.texts.slice(-5)));
    t.updateExecution({ logsSeen: Math.max(exec.logsSeen, event.read.total) });
  }
  t.queue({ kind: "cloud.logs", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } }, t.now + logsInterval(context));
  return t.result();
}

/** The periodic look at the gate's last observation: applied as if notified, and the next look. */
export function checked(state: SessionState, event: Event<"cloud.checked">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec?.runId || (exec.state !== "running" && exec.state !== "timed_out")) return unchanged(state);
  const t = new Transition(state, context);
  if (event.seen) observe(t, event.seen);
  t.queue({ kind: "cloud.check", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } }, t.now + checkInterval(context));
  return t.result();
}

/** A follow-up resumed the run: a new deadline and timers; the finished run's metrics row stays (the resumed work is keyed by `resumes`). */
export function resumed(state: SessionState, event: Event<"cloud.resumed">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec?.runId || exec.state === "stopped") return unchanged(state);
  const t = new Transition(state, context);
  const deadlineAt = t.now + context.config.runTimeoutMs;
  t.updateExecution({ state: "running", outcome: null, endedAt: null, error: null, codegenStatus: event.status, startedAt: t.now, deadlineAt, resumes: exec.resumes + 1 });
  t.updateSession({ status: "active", endedAt: null, error: null });
  t.record("cloud.resumed", `Codegen run ${exec.runId} resumed with a follow-up`);
  t.thought(cloudResumed(exec.webUrl));
  scheduleRunTimers(t, deadlineAt);
  return t.result();
}

export function resumeFailed(state: SessionState, event: Event<"cloud.resume-failed">, context: StepContext): StepResult {
  return new Transition(state, context).say({ type: "error", body: `Codegen could not take your message: ${event.message}` }).result();
}

/** The run was stopped (and, with a pull request, Codegen asked to take its agent off it): said once in Linear. */
export function stopped(state: SessionState, event: Event<"cloud.stopped">, context: StepContext): StepResult {
  const exec = state.execution;
  const t = new Transition(state, context);
  if (!exec || exec.state === "ended" || exec.state === "stopped") return t.say({ type: "response", body: STOPPED_NOTHING_RUNNING }).result();
  const pr = exec.pullRequests[0];
  const { removal } = event;
  const body = !removal.asked || !pr
    ? cloudStoppedWithoutPr(exec.webUrl)
    : removal.ok
      ? cloudStoppedWithPr(pr.url, exec.webUrl)
      : `I stopped watching the Codegen run, but Codegen did not take its agent off ${pr.url}: ${removal.message}.${exec.webUrl ? ` Run: ${exec.webUrl}` : ""}`;
  t.updateExecution({ state: "stopped", outcome: "stopped", endedAt: t.now });
  t.record("cloud.stopped", `Stopped Codegen run ${exec.runId ?? "(not started)"}`);
  t.say({ type: "response", body });
  if (exec.runId) t.queue({ kind: "metrics.record", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } });
  return t.result();
}

/** Whether stopping the run means asking Codegen to take its agent off a pull request first. */
export function stopNeedsPrRemoval(state: SessionState): boolean {
  const exec = state.execution;
  return !!exec?.runId && exec.pullRequests.length > 0;
}
