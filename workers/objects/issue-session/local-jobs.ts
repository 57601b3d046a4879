/**
 * The local executor's I/O, seen from the IssueSession: the task is queued in
 * the Workspace hub, a connected `cyrus` agent runs it with Claude Code, and
 * its events come back through `onLocalTaskUpdate`. Each job calls the hub and
 * hands what it learned to the session's `step` as an event; what that means is
 * decided there (src/domain/session/local.ts).
 */
import { branchNameFor } from "../../../src/prompts/cloud-run";
import { buildLocalTaskPrompt } from "../../../src/prompts/local-task";
import type { FollowUpRequest, StartRequest, StopRequest } from "../../../src/domain/executor";
import type { TaskSpec } from "../../../src/protocol/messages";
import { canPassFollowUp, executionPurpose, parallelRunning, toolBatchAction, type SessionEvent, type SessionState } from "../../../src/domain/session";
import { proposedPlanJsonSchema } from "../../../src/domain/parallel/proposed-plan";
import { buildPlannerPrompt, buildValidationPrompt, dependencyNote } from "../../../src/prompts/parallel-tasks";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import type { RequeueNotice } from "../../../src/domain/task-assignment";
import type { LocalTaskUpdate } from "../contracts";
import type { JobContext, JobOutcome } from "./job-context";
import type { AgentSessionRecord, JobOf } from "./store";
import { workspaceStub } from "../stubs";
import { attemptNumber } from "../../../src/domain/attempt-key";
import { issueHeadline, parseIssueSnapshot } from "../../../src/domain/issue-snapshot";
import { applyEvent, loadState } from "./apply-step";


/** Grace between interrupt() and abort on the agent. */
const STOP_GRACE_MS = 30_000;

function workspaceOf(ctx: JobContext) {
  return workspaceStub(ctx.env, ctx.organizationId);
}

function event(ctx: JobContext, exec: { agentSessionId: string; attemptKey: string }, e: SessionEvent | (() => SessionEvent | null)) {
  return applyEvent(ctx, exec.agentSessionId, { attemptKey: exec.attemptKey }, e);
}

export async function startLocalTask(ctx: JobContext, request: StartRequest): Promise<JobOutcome> {
  const { agentSessionId, attemptKey, resumeFrom, maxBudgetUsd } = request;
  event(ctx, request, { type: "start.requested", attemptKey, attempt: attemptNumber(attemptKey), executor: "local", resumeFrom: resumeFrom ?? null });
  const exec = ctx.store.getExecution(attemptKey);
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!exec || !session || exec.taskId) return { kind: "done" };
  const previous = resumeFrom ? ctx.store.getExecution(resumeFrom) : null;
  const issue = issueHeadline(parseIssueSnapshot(ctx.store.getMeta("issue")), session);
  const state = loadState(ctx, agentSessionId, { attemptKey })!;
  const purpose = executionPurpose(state, attemptKey);
  const { prompt, append } = await localPrompt(ctx, session, issue, state, purpose);
  const mergeBranches = purpose === "work" ? (state.parentLink?.mergeBranches ?? []) : [];
  // The task id is the attempt key: enqueueing it twice (a replayed job, or a crash before the answer was stored) is a no-op in the hub.
  const spec: Omit<TaskSpec, "leaseId"> = {
    taskId: attemptKey,
    organizationId: ctx.organizationId,
    agentSessionId,
    issue,
    repository: { name: session.repositoryName ?? "", baseBranch: session.baseBranch ?? "main" },
    branchName: branchNameFor(issue.identifier),
    prompt,
    systemPromptAppend: append,
    maxBudgetUsd: maxBudgetUsd ?? ctx.config.MAX_COST_PER_TASK_USD ?? null,
    resumeClaudeSessionId: previous?.claudeSessionId ?? null,
    previousTotalCostUsd: previous?.claudeSessionId ? ctx.store.lastClaudeTotal(previous.claudeSessionId) : null,
    outputSchema: purpose === "planner" ? proposedPlanJsonSchema() : null,
    mergeBranches,
  };
  const queued = await workspaceOf(ctx).enqueueLocalTask({ sessionObject: ctx.objectName, spec, requiredAgentId: previous?.agentId ?? null });
  event(ctx, request, {
    type: "local.queued",
    agentsOnline: queued.agentsOnline,
    freshSession: queued.freshSession,
    resumeFrom: resumeFrom ?? null,
    resumedClaudeSessionId: previous?.claudeSessionId ?? null,
  });
  return { kind: "done" };
}

/** The task's prompt: a parallel parent's planning or validation task, or the issue's work (a dependent child's starting branches named). */
async function localPrompt(ctx: JobContext, session: AgentSessionRecord, issue: ReturnType<typeof issueHeadline>, state: SessionState, purpose: ReturnType<typeof executionPurpose>) {
  const repository = { name: session.repositoryName ?? "", baseBranch: session.baseBranch ?? "main" };
  const followUps = ctx.store.listPrompts(session.id).filter((p) => !p.signal && p.body).map((p) => p.body);
  const append = `You work in a git worktree of ${repository.name}.`;
  if (purpose === "planner") return { prompt: buildPlannerPrompt(issue, repository, { answerAsTextJson: false, schema: proposedPlanJsonSchema() }), append };
  if (purpose === "validation") {
    const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), session.repositoryName);
    return { prompt: buildValidationPrompt(issue, state.parallel!, repository, { mergeInOrder: settings.mergeInDependencyOrder, followUps }), append };
  }
  const built = buildLocalTaskPrompt({ issue, promptContext: session.promptContext, initialComment: session.initialComment, followUps, guidance: session.guidance, repository });
  const note = dependencyNote(state.parentLink?.mergeBranches ?? [], repository.baseBranch);
  return note ? { prompt: `${built.prompt}\n\n${note} (Your worktree already has them merged.)`, append: built.append } : built;
}

/** The last re-queue of this agent session that was told in Linear, from the timeline. */
function lastRequeueNotice(ctx: JobContext, agentSessionId: string): RequeueNotice | null {
  const entry = ctx.store
    .listTimeline()
    .filter((e) => e.agentSessionId === agentSessionId && e.kind === "local.requeued" && e.data?.posted === true)
    .at(-1);
  if (!entry?.data) return null;
  const { taskId, agentId } = entry.data;
  return { taskId: typeof taskId === "string" ? taskId : "", agentId: typeof agentId === "string" ? agentId : null, at: entry.at };
}

/**
 * What the hub reports about a local task, as an event. Everything is stored
 * before this returns (the hub then acks the agent). Messages that carry a
 * sequence number are applied once: a redelivery finds its number claimed.
 */
export function receiveLocalUpdate(ctx: JobContext, update: LocalTaskUpdate): void {
  const exec = ctx.store.executionForTask(update.taskId);
  if (!exec) return;
  switch (update.kind) {
    case "accepted":
      event(ctx, exec, { type: "local.accepted", agentId: update.agentId, hostname: update.hostname });
      return;
    case "event":
      event(ctx, exec, () =>
        ctx.store.claimLocalMessage(update.taskId, update.seq)
          ? { type: "local.event", event: update.event, flushQueued: ctx.store.hasPendingJobInLane("local.flush-tools", `linear:${exec.agentSessionId}`) }
          : null,
      );
      return;
    case "result": {
      const claudeSessionId = update.result.claudeSessionId;
      event(ctx, exec, () =>
        ctx.store.claimLocalMessage(update.taskId, update.seq)
          ? { type: "local.result", agentId: update.agentId, result: update.result, baselineTotalUsd: claudeSessionId ? ctx.store.lastClaudeTotal(claudeSessionId) : null }
          : null,
      );
      return;
    }
    case "requeued":
      event(ctx, exec, { type: "local.requeued", taskId: update.taskId, agentId: update.agentId ?? null, reason: update.reason, lastNotice: lastRequeueNotice(ctx, exec.agentSessionId) });
      return;
    case "rejected":
      event(ctx, exec, { type: "local.rejected", reason: update.reason });
      return;
    case "queue_timeout":
      event(ctx, exec, { type: "local.queue-timeout", waitedMs: update.waitedMs });
      return;
  }
}

/** One ephemeral action for the tool calls gathered since the last; `send` posts it with the job's own id, so a retried flush cannot post twice. */
export async function flushToolCalls(job: JobOf<"local.flush-tools">, ctx: JobContext, send: (content: { action: string; parameter: string }) => Promise<void>): Promise<JobOutcome> {
  const payload = job.payload;
  const exec = ctx.store.getExecution(payload.attemptKey);
  const action = exec ? toolBatchAction(exec.pendingTools) : null;
  if (!exec || !action) return { kind: "done" };
  const count = exec.pendingTools.length;
  await send(action);
  event(ctx, payload, { type: "local.tools-flushed", count });
  return { kind: "done" };
}

export async function followUpLocal(ctx: JobContext, request: FollowUpRequest): Promise<JobOutcome> {
  const { agentSessionId, attemptKey, prompt } = request;
  const exec = ctx.store.getExecution(attemptKey);
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!exec || !session) return { kind: "done" };
  // A parallel parent's follow-up goes to the parent, not to a planning or validation run.
  if (parallelRunning(loadState(ctx, agentSessionId, { attemptKey }) ?? { parallel: null })) {
    event(ctx, request, { type: "parallel.follow-up" });
    return { kind: "done" };
  }
  if (canPassFollowUp({ session, execution: exec })) {
    const sent = await workspaceOf(ctx).sendLocalPrompt(exec.taskId!, prompt);
    if (sent.status !== "not_running") {
      event(ctx, request, { type: "local.prompt-delivered", sent: sent.status === "sent" ? { messageId: sent.messageId, text: prompt } : null });
      return { kind: "done" };
    }
  }
  event(ctx, request, { type: "local.prompt-not-running" });
  return { kind: "done" };
}

export async function stopLocal(ctx: JobContext, request: StopRequest): Promise<JobOutcome> {
  const exec = ctx.store.getExecution(request.attemptKey);
  if (!exec?.taskId || exec.state === "ended" || exec.state === "stopped") {
    applyEvent(ctx, request.agentSessionId, "latest", { type: "stop.nothing-running" });
    return { kind: "done" };
  }
  const outcome = await workspaceOf(ctx).stopLocalTask(exec.taskId, STOP_GRACE_MS);
  if (outcome === "sent") return { kind: "done" }; // the agent interrupts; its result (status stopped) ends the session
  event(ctx, request, { type: "local.stopped-before-start" });
  return { kind: "done" };
}
