/**
 * The local executor, seen from the IssueSession: the task is queued in the
 * Workspace hub, a connected `cyrus` agent runs it with Claude Code, and its
 * events come back through `onLocalTaskUpdate` to become Linear activities.
 * Text becomes thoughts; tool calls are batched into one ephemeral action
 * every few seconds, so a long run does not spend Linear's API budget.
 */
import { activityJob, type JobSpec } from "../../../src/domain/job-specs";
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
  STOPPED_NOTHING_RUNNING,
} from "../../../src/domain/linear-copy";
import { branchNameFor } from "../../../src/prompts/cloud-run";
import { buildLocalTaskPrompt } from "../../../src/prompts/local-task";
import type { FollowUpRequest, StartRequest, StopRequest } from "../../../src/domain/executor";
import type { TaskSpec } from "../../../src/protocol/messages";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import { shouldPostRequeueNotice, type RequeueNotice } from "../../../src/domain/task-assignment";
import { checkAgentsOffline } from "./alert-checks";
import type { LocalTaskUpdate } from "../contracts";
import type { JobContext, JobOutcome } from "./job-context";
import type { JobRecord } from "./store";
import { workspaceStub } from "../stubs";
import { attemptNumber, nextAttemptKey } from "../../../src/domain/attempt-key";
import { isExecutionLive } from "../../../src/domain/execution-state";
import { issueHeadline, parseIssueSnapshot } from "../../../src/domain/issue-snapshot";

type Payload<K extends JobSpec["kind"]> = Extract<JobSpec, { kind: K }>["payload"];

/** How long tool calls are gathered before one action goes to Linear. */
const TOOL_BATCH_MS = 5_000;
/** Grace between interrupt() and abort on the agent. */
const STOP_GRACE_MS = 30_000;

function workspaceOf(ctx: JobContext) {
  return workspaceStub(ctx.env, ctx.organizationId);
}

export async function startLocalTask(ctx: JobContext, request: StartRequest): Promise<JobOutcome> {
  const { agentSessionId, attemptKey, resumeFrom, maxBudgetUsd } = request;
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!session || (session.stopRequestedAt && !resumeFrom)) return { kind: "done" };
  let exec = ctx.store.getExecution(attemptKey);
  if (!exec) {
    ctx.transaction(() => ctx.store.createExecution({ attemptKey, agentSessionId, attempt: attemptNumber(attemptKey), executor: "local", intentAt: ctx.now() }));
    exec = ctx.store.getExecution(attemptKey)!;
  }
  if (exec.taskId) return { kind: "done" };
  const previous = resumeFrom ? ctx.store.getExecution(resumeFrom) : null;
  const issue = issueHeadline(parseIssueSnapshot(ctx.store.getMeta("issue")), session);
  const identifier = issue.identifier;
  const { prompt, append } = buildLocalTaskPrompt({
    issue,
    promptContext: session.promptContext,
    initialComment: session.initialComment,
    followUps: ctx.store.listPrompts(agentSessionId).filter((p) => !p.signal && p.body).map((p) => p.body),
    guidance: session.guidance,
    repository: { name: session.repositoryName ?? "", baseBranch: session.baseBranch ?? "main" },
  });
  // The task id is the attempt key: enqueueing it twice (a replayed job) is a no-op in the hub.
  const spec: Omit<TaskSpec, "leaseId"> = {
    taskId: attemptKey,
    organizationId: ctx.organizationId,
    agentSessionId,
    issue,
    repository: { name: session.repositoryName ?? "", baseBranch: session.baseBranch ?? "main" },
    branchName: branchNameFor(identifier),
    prompt,
    systemPromptAppend: append,
    maxBudgetUsd: maxBudgetUsd ?? ctx.config.MAX_COST_PER_TASK_USD ?? null,
    resumeClaudeSessionId: previous?.claudeSessionId ?? null,
    previousTotalCostUsd: previous?.claudeSessionId ? ctx.store.lastClaudeTotal(previous.claudeSessionId) : null,
  };
  const queued = await workspaceOf(ctx).enqueueLocalTask({ sessionObject: ctx.objectName, spec, requiredAgentId: previous?.agentId ?? null });
  if (queued.agentsOnline === 0) {
    const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), session.repositoryName);
    await checkAgentsOffline(ctx, settings, session.repositoryName ?? "", session.issueIdentifier);
  }
  const now = ctx.now();
  ctx.transaction(() => {
    ctx.store.updateExecution(attemptKey, { taskId: attemptKey, startedAt: now, claudeSessionId: queued.freshSession ? null : (previous?.claudeSessionId ?? null) });
    ctx.store.updateAgentSession(agentSessionId, { status: "active", endedAt: null, error: null }, now);
    ctx.store.appendTimeline({ agentSessionId, kind: "local.queued", summary: `Queued local task ${attemptKey}`, data: { agentsOnline: queued.agentsOnline } }, now);
    if (queued.freshSession) ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: localFreshSession() }), now);
    if (!resumeFrom) ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: localQueued(session.repositoryName ?? "", queued.agentsOnline) }), now);
  });
  return { kind: "done" };
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

/** Applies what the hub reports about a local task. Everything is stored before this returns (the hub then acks the agent). */
export function applyLocalUpdate(ctx: JobContext, update: LocalTaskUpdate): void {
  const exec = ctx.store.executionForTask(update.taskId);
  if (!exec) return;
  const { agentSessionId, attemptKey } = exec;
  const now = ctx.now();
  ctx.transaction(() => {
    switch (update.kind) {
      case "accepted":
        if (exec.state !== "creating") return;
        ctx.store.updateExecution(attemptKey, { state: "running", agentId: update.agentId, hostname: update.hostname });
        ctx.store.appendTimeline({ agentSessionId, kind: "local.accepted", summary: `Running on ${update.hostname}`, data: { agentId: update.agentId } }, now);
        ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: localStarted(update.hostname) }), now);
        return;
      case "event": {
        if (!ctx.store.claimLocalMessage(update.taskId, update.seq)) return;
        const event = update.event;
        if (event.kind === "started") {
          ctx.store.updateExecution(attemptKey, { claudeSessionId: event.claudeSessionId ?? exec.claudeSessionId });
          ctx.store.appendTimeline({ agentSessionId, kind: "local.started", summary: `Claude Code started in ${event.worktreePath}` }, now);
        } else if (event.kind === "text" || event.kind === "status") {
          const body = event.kind === "text" ? event.text : event.message;
          if (body.trim()) ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: body.slice(0, 4000) }), now);
        } else {
          const pending = [...exec.pendingTools, { tool: event.tool, input: event.input.slice(0, 200) }].slice(-20);
          ctx.store.updateExecution(attemptKey, { pendingTools: pending });
          if (!ctx.store.hasPendingJobInLane("local.flush-tools", `linear:${agentSessionId}`)) {
            ctx.store.enqueueJob({ kind: "local.flush-tools", payload: { agentSessionId, attemptKey } }, now, now + TOOL_BATCH_MS);
          }
        }
        return;
      }
      case "result": {
        if (!ctx.store.claimLocalMessage(update.taskId, update.seq)) return;
        if (exec.state === "ended" || exec.state === "stopped") return;
        const result = update.result;
        // The SDK's total is a running total for the Claude session: this run's cost is the difference from the last one we recorded.
        const baseline = result.claudeSessionId ? (ctx.store.lastClaudeTotal(result.claudeSessionId) ?? 0) : 0;
        const costUsd = result.totalCostUsd !== null ? Math.max(0, result.totalCostUsd - baseline) : (result.costUsd ?? 0);
        const state = result.status === "stopped" ? "stopped" : "ended";
        ctx.store.updateExecution(attemptKey, {
          state,
          outcome: result.status,
          endedAt: now,
          error: result.error,
          agentId: update.agentId,
          claudeSessionId: result.claudeSessionId ?? exec.claudeSessionId,
          totalCostUsd: result.totalCostUsd,
          costUsd,
          inputTokens: result.inputTokens,
          outputTokens: result.outputTokens,
          pullRequests: result.prUrls.map((url) => ({ url, title: null })),
        });
        const body =
          result.status === "succeeded" ? localSucceeded(result.text, result.prUrls) : result.status === "stopped" ? localStopped(result.text) : localFailed(result.error ?? result.text);
        ctx.store.enqueueJob(activityJob(agentSessionId, { type: result.status === "failed" ? "error" : "response", body }), now);
        const session = ctx.store.getAgentSession(agentSessionId);
        for (const url of result.prUrls) {
          if (session?.issueId) ctx.store.enqueueJob({ kind: "linear.attachment", payload: { agentSessionId, issueId: session.issueId, url, title: "Pull request" } }, now);
        }
        ctx.store.updateAgentSession(agentSessionId, { status: result.status === "failed" ? "error" : result.status === "stopped" ? "stopped" : "complete", endedAt: now, error: result.error }, now);
        ctx.store.appendTimeline({ agentSessionId, kind: `local.${result.status}`, summary: `Local run ${result.status}, cost $${costUsd.toFixed(4)}`, data: { costUsd, durationMs: result.durationMs } }, now);
        ctx.store.enqueueJob({ kind: "metrics.record", payload: { agentSessionId, attemptKey } }, now);
        // Follow-ups that reached the agent as the run was ending did not go in: run them now, resuming the session.
        const missed = exec.sentPrompts.filter((p) => !result.promptIds.includes(p.id));
        if (missed.length && result.status !== "stopped") {
          ctx.store.enqueueJob(
            { kind: "execution.followup", payload: { executor: "local", agentSessionId, attemptKey, prompt: missed.map((p) => p.text).join("\n\n") } },
            now,
          );
        }
        return;
      }
      case "requeued": {
        ctx.store.updateExecution(attemptKey, { state: "creating", agentId: null, hostname: null });
        // Told in Linear once per task and agent in a while; every re-queue stays on the timeline.
        const notice = { taskId: update.taskId, agentId: update.agentId ?? null, at: now };
        const post = shouldPostRequeueNotice(lastRequeueNotice(ctx, agentSessionId), notice);
        ctx.store.appendTimeline({ agentSessionId, kind: "local.requeued", summary: update.reason, data: { ...notice, posted: post } }, now);
        if (post) ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: localRequeued(update.reason) }), now);
        return;
      }
      case "rejected":
        ctx.store.appendTimeline({ agentSessionId, kind: "local.rejected", summary: update.reason }, now);
        return;
      case "queue_timeout": {
        if (exec.state === "ended" || exec.state === "stopped") return;
        const session = ctx.store.getAgentSession(agentSessionId);
        const minutes = Math.round(update.waitedMs / 60_000);
        ctx.store.updateExecution(attemptKey, { state: "ended", outcome: "failed", endedAt: now, error: "no local agent took the task" });
        if (session?.fallback === "cloud") {
          const reason = `no local agent that serves \`${session.repositoryName}\` took it within ${minutes} minutes`;
          ctx.store.enqueueJob({ kind: "session.fallback", payload: { agentSessionId, fromAttemptKey: attemptKey, to: "cloud", reason } }, now);
          return;
        }
        ctx.store.updateAgentSession(agentSessionId, { status: "error", endedAt: now, error: "no local agent took the task" }, now);
        ctx.store.appendTimeline({ agentSessionId, kind: "local.queue_timeout", summary: `No agent within ${minutes} min` }, now);
        ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: localQueueTimeout(session?.repositoryName ?? "", minutes) }), now);
        return;
      }
    }
  });
}

export async function flushToolCalls(job: JobRecord, ctx: JobContext, send: (content: { action: string; parameter: string }) => Promise<void>): Promise<JobOutcome> {
  const { attemptKey } = job.payload as Payload<"local.flush-tools">;
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec || exec.pendingTools.length === 0) return { kind: "done" };
  const tools = exec.pendingTools;
  const names = [...new Set(tools.map((t) => t.tool))];
  const last = tools[tools.length - 1]!;
  await send({ action: tools.length === 1 ? last.tool : `${tools.length} tool calls (${names.join(", ")})`, parameter: last.input });
  ctx.transaction(() => {
    const now = ctx.store.getExecution(attemptKey)!;
    // Only what was sent is cleared; calls that arrived meanwhile wait for the next batch.
    ctx.store.updateExecution(attemptKey, { pendingTools: now.pendingTools.slice(tools.length) });
  });
  return { kind: "done" };
}

export async function followUpLocal(ctx: JobContext, request: FollowUpRequest): Promise<JobOutcome> {
  const { agentSessionId, attemptKey, prompt } = request;
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec) return { kind: "done" };
  // A local execution is never `timed_out`: live means its task is queued or running.
  if (exec.taskId && isExecutionLive(exec)) {
    const sent = await workspaceOf(ctx).sendLocalPrompt(exec.taskId, prompt);
    if (sent.status !== "not_running") {
      ctx.transaction(() => {
        if (sent.status === "sent") {
          const current = ctx.store.getExecution(attemptKey)!;
          ctx.store.updateExecution(attemptKey, { sentPrompts: [...current.sentPrompts, { id: sent.messageId, text: prompt }] });
        }
        ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: localFollowUpPassed() }), ctx.now());
      });
      return { kind: "done" };
    }
  }
  // The task has ended: a new attempt resumes its Claude session, on the machine that has it.
  const next = nextAttemptKey(agentSessionId, exec.attempt);
  ctx.transaction(() => {
    ctx.store.enqueueJob({ kind: "execution.start", payload: { executor: "local", agentSessionId, attemptKey: next, resumeFrom: attemptKey } }, ctx.now());
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: localContinuing() }), ctx.now());
  });
  return { kind: "done" };
}

export async function stopLocal(ctx: JobContext, request: StopRequest): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = request;
  const exec = ctx.store.getExecution(attemptKey);
  const now = ctx.now();
  if (!exec?.taskId || exec.state === "ended" || exec.state === "stopped") {
    ctx.transaction(() => ctx.store.enqueueJob(activityJob(agentSessionId, { type: "response", body: STOPPED_NOTHING_RUNNING }), now));
    return { kind: "done" };
  }
  const outcome = await workspaceOf(ctx).stopLocalTask(exec.taskId, STOP_GRACE_MS);
  if (outcome === "sent") return { kind: "done" }; // the agent interrupts; its result (status stopped) ends the session
  ctx.transaction(() => {
    ctx.store.updateExecution(attemptKey, { state: "stopped", outcome: "stopped", endedAt: now });
    ctx.store.appendTimeline({ agentSessionId, kind: "local.stopped", summary: "Stopped before an agent took the task" }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "response", body: "Stopped before any local agent started on it." }), now);
  });
  return { kind: "done" };
}
