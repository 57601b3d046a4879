/**
 * A local task's life in the session: queued in the Workspace hub, taken by a
 * `cyrus` agent, its events (text becomes thoughts; tool calls are batched into
 * one ephemeral action every few seconds, so a long run does not spend Linear's
 * API budget), re-queued when an agent is lost, timed out in the queue, its
 * result, a follow-up passed to it or resumed after it, and a stop.
 */
import { nextAttemptKey } from "../attempt-key";
import { isExecutionLive } from "../execution-state";
import {
  localContinuing,
  localFailed,
  localFollowUpPassed,
  localFreshSession,
  localQueued,
  localQueueTimeout,
  localRequeued,
  localStarted,
  localStopped,
  localSucceeded,
} from "../linear-copy";
import { shouldPostRequeueNotice } from "../task-assignment";
import type { SessionEvent } from "./events";
import { planFromProposal } from "../parallel/proposed-plan";
import { plannerAnswerFromText } from "../parallel/planner-answer";
import { executionPurpose, plannerFinished, validationFinished } from "./parallel";
import type { SessionState, StepContext } from "./state";
import { Transition, unchanged, type StepResult } from "./transition";

type Event<T extends SessionEvent["type"]> = Extract<SessionEvent, { type: T }>;

/** How long tool calls are gathered before one action goes to Linear. */
const TOOL_BATCH_MS = 5_000;
/** At most this many tool calls wait for the next batch; older ones are dropped from it. */
const PENDING_TOOLS_KEPT = 20;

const isOver = (state: SessionState) => state.execution?.state === "ended" || state.execution?.state === "stopped";

export function queued(state: SessionState, event: Event<"local.queued">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec || exec.taskId) return unchanged(state);
  const t = new Transition(state, context);
  // A follow-up resumes the Claude session it continues, unless the hub says that machine is gone (a fresh session).
  const claudeSessionId = event.resumeFrom && !event.freshSession ? event.resumedClaudeSessionId : null;
  t.updateExecution({ taskId: exec.attemptKey, startedAt: t.now, claudeSessionId });
  t.updateSession({ status: "active", endedAt: null, error: null });
  t.record("local.queued", `Queued local task ${exec.attemptKey}`, { agentsOnline: event.agentsOnline });
  if (event.freshSession) t.thought(localFreshSession());
  if (!event.resumeFrom) t.thought(localQueued(t.session.repositoryName ?? "", event.agentsOnline));
  if (event.agentsOnline === 0) {
    t.queue({ kind: "alert.agents-offline", payload: { agentSessionId: t.sessionId, repository: t.session.repositoryName ?? "", issueIdentifier: t.session.issueIdentifier } });
  }
  return t.result();
}

export function accepted(state: SessionState, event: Event<"local.accepted">, context: StepContext): StepResult {
  if (state.execution?.state !== "creating") return unchanged(state);
  const t = new Transition(state, context);
  t.updateExecution({ state: "running", agentId: event.agentId, hostname: event.hostname });
  t.record("local.accepted", `Running on ${event.hostname}`, { agentId: event.agentId });
  t.thought(localStarted(event.hostname));
  return t.result();
}

export function taskEvent(state: SessionState, event: Event<"local.event">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec) return unchanged(state);
  const t = new Transition(state, context);
  const e = event.event;
  switch (e.kind) {
    case "started":
      t.updateExecution({ claudeSessionId: e.claudeSessionId ?? exec.claudeSessionId });
      t.record("local.started", `Claude Code started in ${e.worktreePath}`);
      break;
    case "text":
    case "status": {
      const body = e.kind === "text" ? e.text : e.message;
      if (body.trim()) t.thought(body.slice(0, 4000));
      break;
    }
    case "tool":
      t.updateExecution({ pendingTools: [...exec.pendingTools, { tool: e.tool, input: e.input.slice(0, 200) }].slice(-PENDING_TOOLS_KEPT) });
      if (!event.flushQueued) t.queue({ kind: "local.flush-tools", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } }, t.now + TOOL_BATCH_MS);
      break;
  }
  return t.result();
}

/** The batched tool calls that went to Linear: only those are cleared; calls that arrived meanwhile wait for the next batch. */
export function toolsFlushed(state: SessionState, event: Event<"local.tools-flushed">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec || event.count === 0) return unchanged(state);
  return new Transition(state, context).updateExecution({ pendingTools: exec.pendingTools.slice(event.count) }).result();
}

/** What a batch of tool calls says in Linear: one ephemeral action. Null when nothing waits. */
export function toolBatchAction(pendingTools: { tool: string; input: string }[]): { action: string; parameter: string } | null {
  const last = pendingTools.at(-1);
  if (!last) return null;
  const names = [...new Set(pendingTools.map((t) => t.tool))];
  return { action: pendingTools.length === 1 ? last.tool : `${pendingTools.length} tool calls (${names.join(", ")})`, parameter: last.input };
}

export function result(state: SessionState, event: Event<"local.result">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec || isOver(state)) return unchanged(state);
  const t = new Transition(state, context);
  const { result } = event;
  // The SDK's total is a running total for the Claude session: this run's cost is the difference from the last one recorded.
  const costUsd = result.totalCostUsd !== null ? Math.max(0, result.totalCostUsd - (event.baselineTotalUsd ?? 0)) : (result.costUsd ?? 0);
  t.updateExecution({
    state: result.status === "stopped" ? "stopped" : "ended",
    outcome: result.status,
    endedAt: t.now,
    error: result.error,
    agentId: event.agentId,
    claudeSessionId: result.claudeSessionId ?? exec.claudeSessionId,
    totalCostUsd: result.totalCostUsd,
    costUsd,
    inputTokens: result.inputTokens,
    outputTokens: result.outputTokens,
    pullRequests: result.prUrls.map((url) => ({ url, title: null })),
  });
  const purpose = executionPurpose(t, exec.attemptKey);
  if (purpose !== "work" && result.status !== "stopped") {
    t.record(`local.${result.status}`, `Local ${purpose} run ${result.status}, cost $${costUsd.toFixed(4)}`, { costUsd, durationMs: result.durationMs, purpose });
    t.queue({ kind: "metrics.record", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } });
    const ok = result.status === "succeeded";
    const structured = (result as { structuredOutput?: unknown }).structuredOutput;
    if (purpose === "planner") {
      plannerFinished(t, ok ? { ok: true, decision: planFromProposal(structured ?? plannerAnswerFromText(result.text)) } : { ok: false, error: result.error ?? result.text });
    } else {
      validationFinished(t, { ok, verdict: result.text, error: ok ? null : (result.error ?? result.text) });
    }
    return t.result();
  }
  const body = result.status === "succeeded" ? localSucceeded(result.text, result.prUrls) : result.status === "stopped" ? localStopped(result.text) : localFailed(result.error ?? result.text);
  t.say({ type: result.status === "failed" ? "error" : "response", body });
  if (t.session.issueId) {
    for (const url of result.prUrls) t.queue({ kind: "linear.attachment", payload: { agentSessionId: t.sessionId, issueId: t.session.issueId, url, title: "Pull request" } });
  }
  t.updateSession({ status: result.status === "failed" ? "error" : result.status === "stopped" ? "stopped" : "complete", endedAt: t.now, error: result.error });
  t.record(`local.${result.status}`, `Local run ${result.status}, cost $${costUsd.toFixed(4)}`, { costUsd, durationMs: result.durationMs });
  t.queue({ kind: "metrics.record", payload: { agentSessionId: t.sessionId, attemptKey: exec.attemptKey } });
  // Follow-ups that reached the agent as the run was ending did not go in: run them now, resuming the session.
  const missed = exec.sentPrompts.filter((p) => !result.promptIds.includes(p.id));
  if (missed.length && result.status !== "stopped") {
    t.queue({ kind: "execution.followup", payload: { executor: "local", agentSessionId: t.sessionId, attemptKey: exec.attemptKey, prompt: missed.map((p) => p.text).join("\n\n") } });
  }
  return t.result();
}

/** The agent was lost: the task waits for another. Told in Linear once per task and agent in a while; every re-queue stays on the timeline. */
export function requeued(state: SessionState, event: Event<"local.requeued">, context: StepContext): StepResult {
  if (!state.execution) return unchanged(state);
  const t = new Transition(state, context);
  t.updateExecution({ state: "creating", agentId: null, hostname: null });
  const notice = { taskId: event.taskId, agentId: event.agentId, at: t.now };
  const post = shouldPostRequeueNotice(event.lastNotice, notice);
  t.record("local.requeued", event.reason, { ...notice, posted: post });
  if (post) t.thought(localRequeued(event.reason));
  return t.result();
}

export function rejected(state: SessionState, event: Event<"local.rejected">, context: StepContext): StepResult {
  if (!state.execution) return unchanged(state);
  return new Transition(state, context).record("local.rejected", event.reason).result();
}

/** No agent took the task in time: the cloud when the orchestrator named it as the fallback, else an error that says so. */
export function queueTimeout(state: SessionState, event: Event<"local.queue-timeout">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec || isOver(state)) return unchanged(state);
  const t = new Transition(state, context);
  const minutes = Math.round(event.waitedMs / 60_000);
  t.updateExecution({ state: "ended", outcome: "failed", endedAt: t.now, error: "no local agent took the task" });
  if (t.session.fallback === "cloud") {
    const reason = `no local agent that serves \`${t.session.repositoryName}\` took it within ${minutes} minutes`;
    t.queue({ kind: "session.fallback", payload: { agentSessionId: t.sessionId, fromAttemptKey: exec.attemptKey, to: "cloud", reason } });
    return t.result();
  }
  t.updateSession({ status: "error", endedAt: t.now, error: "no local agent took the task" });
  t.record("local.queue_timeout", `No agent within ${minutes} min`);
  t.say({ type: "error", body: localQueueTimeout(t.session.repositoryName ?? "", minutes) });
  return t.result();
}

/** Whether a follow-up can go to the running task (else it starts a new attempt that resumes the Claude session). */
export function canPassFollowUp(state: SessionState): boolean {
  // A local execution is never `timed_out`: live means its task is queued or running.
  return !!state.execution?.taskId && isExecutionLive(state.execution);
}

/** The follow-up reached the running task (`sent`: as a message whose result will say whether it went in). */
export function promptDelivered(state: SessionState, event: Event<"local.prompt-delivered">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec) return unchanged(state);
  const t = new Transition(state, context);
  if (event.sent) t.updateExecution({ sentPrompts: [...exec.sentPrompts, { id: event.sent.messageId, text: event.sent.text }] });
  t.thought(localFollowUpPassed());
  return t.result();
}

/** The task has ended: a new attempt resumes its Claude session, on the machine that has it. */
export function promptNotRunning(state: SessionState, _event: Event<"local.prompt-not-running">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec) return unchanged(state);
  const t = new Transition(state, context);
  const next = nextAttemptKey(t.sessionId, exec.attempt);
  t.queue({ kind: "execution.start", payload: { executor: "local", agentSessionId: t.sessionId, attemptKey: next, resumeFrom: exec.attemptKey } });
  t.thought(localContinuing());
  return t.result();
}

/** The task was cancelled in the queue before any agent took it. */
export function stoppedBeforeStart(state: SessionState, _event: Event<"local.stopped-before-start">, context: StepContext): StepResult {
  const exec = state.execution;
  if (!exec || isOver(state)) return unchanged(state);
  const t = new Transition(state, context);
  t.updateExecution({ state: "stopped", outcome: "stopped", endedAt: t.now });
  t.record("local.stopped", "Stopped before an agent took the task");
  t.say({ type: "response", body: "Stopped before any local agent started on it." });
  return t.result();
}
