/**
 * What the IssueSession's alarm does with each due job (the dispatcher: the
 * context and outcome every job shares are in job-context.ts). Every runner is
 * idempotent, because alarms fire at least once and a job may be cut off after
 * its effect and before it is marked done:
 * - an activity carries its own UUID; after an answer we never saw, we look the
 *   id up before sending again, and "already exists" counts as delivered;
 * - preparation re-reads the issue, so a state already moved is not moved twice;
 * - the D1 mirror upserts and inserts by key.
 */
import { backoffDelay } from "../../../src/domain/backoff";
import { startedStateToMoveTo } from "../../../src/domain/issue-start";
import { noRepositoryMessage, routeIssue } from "../../../src/domain/routing";
import { planExecution } from "./orchestrate";
import type { EdgeConfig } from "../../../src/config";
import { listRepositories } from "../../../src/db/queries/repositories";
import { syncSessions } from "../../../src/db/queries/sessions";
import type { IssueDetails, LinearApi } from "../../../src/linear/linear-api";
import { describeError } from "../../../src/log";
import {
  checkCloudRun,
  cloudDeadline,
  finishCloudRun,
  forwardCloudLogs,
  watchCloudRun,
} from "./cloud-jobs";
import { executorFor } from "./executors";
import { flushToolCalls } from "./local-jobs";
import { fallBack } from "./fallback-job";
import { recordMetrics } from "./metrics-job";
import type { AgentSessionRecord, JobOf, JobRecord } from "./store";
import type { JobContext, JobOutcome } from "./job-context";
import { workspaceStub } from "../stubs";
import { withLinear } from "./linear-job";
import { createSubIssues, planValidation, reportToParent, startChild, stopChild } from "./parallel-jobs";
import { planHelperTask } from "./helper-task";
import { parallelIntent, subIssuesFromRefs } from "../../../src/domain/parallel/intent";
import { depthRole } from "../../../src/domain/parallel/caps";
import { subIssueRefs } from "../../../src/linear/issue-details";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import { issueSessionName, issueSessionStub } from "../stubs";
import { applyEvent, loadParallel, loadParentLink } from "./apply-step";
import { parallelRunRow } from "./parallel-mirror";
import { alertAgentsOffline } from "./alert-checks";
import type { PlannedExecution } from "../../../src/domain/session";
import { nextAttemptKey } from "../../../src/domain/attempt-key";
import { parseIssueSnapshot } from "../../../src/domain/issue-snapshot";

/** Past this, a job is abandoned and the failure recorded: the conversation in Linear has moved on. */
export const JOB_GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
const MAX_RETRY_DELAY_MS = 5 * 60 * 1000;
const SYNC_BATCH = 50;

export async function runJob(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  switch (job.kind) {
    case "linear.activity":
      return withLinear(ctx, (api) => deliverActivity(job, api));
    case "linear.session-update":
      return withLinear(ctx, (api) => updateSession(job, api));
    case "linear.attachment":
      return withLinear(ctx, (api) => linkAttachment(job, api));
    case "linear.comment":
      return withLinear(ctx, (api) => postComment(job, api));
    case "session.prepare":
      return withLinear(ctx, (api, appUserId) => prepareSession(job, api, appUserId, ctx));
    case "session.plan":
      return planAgain(job, ctx);
    case "execution.start": {
      const { executor, ...request } = job.payload;
      return executorFor(executor).start(ctx, request, job);
    }
    case "execution.followup": {
      const { executor, ...request } = job.payload;
      return executorFor(executor).followUp(ctx, request, job);
    }
    case "execution.stop": {
      const { executor, ...request } = job.payload;
      return executorFor(executor).stop(ctx, request, job);
    }
    case "cloud.watch":
      return watchCloudRun(job, ctx);
    case "cloud.finish":
      return finishCloudRun(job, ctx);
    case "cloud.deadline":
      return cloudDeadline(job, ctx);
    case "cloud.logs":
      return forwardCloudLogs(job, ctx);
    case "cloud.check":
      return checkCloudRun(job, ctx);
    case "local.flush-tools": {
      const { agentSessionId } = job.payload;
      // The job's own UUID is the activity's: a retried flush cannot post twice.
      const activityId = job.id.split(":").pop()!;
      return withLinear(ctx, (api) =>
        flushToolCalls(job, ctx, (content) => api.createAgentActivity({ id: activityId, agentSessionId, content: { type: "action", ...content }, ephemeral: true })),
      );
    }
    case "session.fallback":
      return fallBack(job, ctx);
    case "metrics.record":
      return recordMetrics(job, ctx);
    case "budget.release": {
      const { attemptKey } = job.payload;
      await workspaceStub(ctx.env, ctx.organizationId).releaseBudget(attemptKey);
      return { kind: "done" };
    }
    case "budget.leave-queue": {
      const { agentSessionId } = job.payload;
      await workspaceStub(ctx.env, ctx.organizationId).cancelBudgetWait(agentSessionId);
      return { kind: "done" };
    }
    case "alert.agents-offline":
      return alertAgentsOffline(job, ctx);
    case "parallel.create-sub-issues":
      return createSubIssues(job, ctx);
    case "parallel.start-child":
      return startChild(job, ctx);
    case "parallel.stop-child":
      return stopChild(job, ctx);
    case "parallel.validate":
      return planValidation(job, ctx);
    case "parallel.report":
      return reportToParent(job, ctx);
    case "parallel.child-deadline": {
      const { agentSessionId, key, attempt } = job.payload;
      applyEvent(ctx, agentSessionId, "latest", { type: "parallel.child-start-overdue", key, attempt });
      return { kind: "done" };
    }
    case "d1.sync":
      return syncToD1(ctx);
    default:
      // A kind this version does not know (queued by a later one, then rolled back): said on the timeline, never retried.
      return { kind: "failed", error: `unknown job kind ${(job as { kind: string }).kind}` };
  }
}

/** When a failed job should run again: exponential backoff with jitter, capped. */
export function retryAt(job: JobRecord, config: EdgeConfig, now: number): number {
  const base = config.RETRY_BASE_MS;
  return now + backoffDelay(job.attempts + 1, { baseMs: base, maxMs: Math.max(base, MAX_RETRY_DELAY_MS) });
}

async function deliverActivity(job: JobOf<"linear.activity">, api: LinearApi): Promise<JobOutcome> {
  const payload = job.payload;
  // An earlier attempt may have landed with its answer lost: never post twice.
  if (job.uncertain && (await api.agentActivityExists(payload.activityId))) return { kind: "done" };
  await api.createAgentActivity({
    id: payload.activityId,
    agentSessionId: payload.agentSessionId,
    content: payload.content,
    ephemeral: payload.ephemeral,
  });
  return { kind: "done" };
}

async function updateSession(job: JobOf<"linear.session-update">, api: LinearApi): Promise<JobOutcome> {
  const { agentSessionId, update } = job.payload;
  await api.updateAgentSession(agentSessionId, update);
  return { kind: "done" };
}

async function linkAttachment(job: JobOf<"linear.attachment">, api: LinearApi): Promise<JobOutcome> {
  const { issueId, url, title } = job.payload;
  await api.linkUrl(issueId, url, title);
  return { kind: "done" };
}

/** A comment in the session's thread (a message from the panel); like an activity, never posted twice. */
async function postComment(job: JobOf<"linear.comment">, api: LinearApi): Promise<JobOutcome> {
  const payload = job.payload;
  if (job.uncertain && (await api.commentExists(payload.commentId))) return { kind: "done" };
  await api.createComment({ id: payload.commentId, issueId: payload.issueId, parentId: payload.parentId, body: payload.body, createAsUser: payload.createAsUser });
  return { kind: "done" };
}

async function prepareSession(job: JobOf<"session.prepare">, api: LinearApi, appUserId: string, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId } = job.payload;
  const session = ctx.store.getAgentSession(agentSessionId);
  // Routed already (a repeated job after a lost completion): nothing to redo, and nothing to say twice.
  if (!session?.issueId || session.stopRequestedAt || session.routedAt) return { kind: "done" };

  const issue = await api.issueDetails(session.issueId);
  const target = startedStateToMoveTo(
    { delegateId: issue.delegate?.id, stateType: issue.state?.type, teamStates: issue.team.states.nodes },
    appUserId,
  );
  if (target) await api.updateIssue(issue.id, { stateId: target.id });

  const repositories = await listRepositories(ctx.db, ctx.organizationId);
  const decision = routeIssue(
    {
      description: issue.description,
      labels: issue.labels.nodes.map((l) => l.name),
      project: issue.project,
      teamKey: issue.team.key,
    },
    repositories,
  );

  // Hybrid-parallel: a root issue splits (its sub-issues, or a planner's proposal); a sub-issue asks its parent whether it is part of a running plan.
  const strategy = decision.matched ? effectiveSettings(ctx.config, await ctx.workspaceSettings(), decision.repository.name).strategy : ctx.config.EXECUTION_STRATEGY;
  const ancestry = { id: issue.id, parent: issue.parent ? { id: issue.parent.id, parent: issue.parent.parent ?? null } : null };
  const parallel = parallelIntent({ strategy, issue: ancestry, subIssues: subIssuesFromRefs(subIssueRefs(issue)), moreSubIssues: issue.children.pageInfo?.hasNextPage ?? false });
  const parentLink = depthRole(ancestry) === "child" ? await issueSessionStub(ctx.env, issueSessionName(ctx.organizationId, issue.parent!.id)).childBrief(issue.id) : null;

  // Where the work runs, decided before the session's transaction (it reads D1); nothing is awaited inside it.
  // A plan that runs in parallel needs no run of its own; a planning task does.
  const runsInParallel = parallel?.kind === "plan" && parallel.decision.kind === "parallel";
  const planned = !decision.matched || runsInParallel
    ? null
    : parallel?.kind === "needs-planner"
      ? await planHelperTask(ctx, session, decision.repository.name, "planning")
      : await planAndReserve(ctx, session, issue, decision.repository.name, { childOfParallelRun: parentLink !== null });
  ctx.transaction(() => ctx.store.setMeta("issue", JSON.stringify(issue)));
  const route = decision.matched
    ? {
        matched: true as const,
        repository: {
          id: decision.repository.id,
          name: decision.repository.name,
          gitUrl: decision.repository.gitUrl,
          codegenRepoId: decision.repository.codegenRepoId,
          baseBranch: decision.repository.baseBranch,
        },
        rule: decision.rule,
        reason: decision.reason,
      }
    : { matched: false as const, reason: decision.reason, message: noRepositoryMessage(decision.reason, repositories) };
  applyEvent(ctx, agentSessionId, "latest", {
    type: "prepared",
    issue: { identifier: issue.identifier, title: issue.title },
    movedTo: target?.name ?? null,
    route,
    plan: planned,
    parallel,
    parentLink,
  });
  return { kind: "done" };
}

/**
 * Decides where the work runs and reserves its worst case, before the
 * session's transaction. A refusal that waiting can cure is queued in the
 * Workspace in the same transaction that refused it, naming this session to
 * wake (`IssueSession.resumeAfterBudget`).
 */
async function planAndReserve(
  ctx: JobContext,
  session: AgentSessionRecord,
  issue: IssueDetails,
  repository: string,
  options: { childOfParallelRun?: boolean } = {},
): Promise<PlannedExecution> {
  const plan = await planExecution(ctx, session, issue, repository, options);
  // A retried session starts a new attempt after its last one; a task woken from a wait for budget keeps its attempt.
  const attemptKey = nextAttemptKey(session.id, ctx.store.latestExecution(session.id)?.attempt);
  const executor = plan.decision.executor ?? plan.decision.waitForBudget?.executor ?? null;
  // The worst case is reserved before anything starts; a replayed job meets its own reservation.
  const reservation = executor
    ? await workspaceStub(ctx.env, ctx.organizationId).reserveBudget(
        { id: attemptKey, amountUsd: plan.worstCaseUsd, repository },
        plan.limits,
        { agentSessionId: session.id, sessionObject: ctx.objectName, organizationId: ctx.organizationId },
      )
    : null;
  return {
    attemptKey,
    decision: plan.decision,
    analysis: { agentType: plan.analysis.agentType, complexity: plan.analysis.complexity, signals: plan.analysis.signals },
    estimate: plan.estimate,
    worstCaseUsd: plan.worstCaseUsd,
    localMaxBudgetUsd: plan.localMaxBudgetUsd,
    reservation: reservation === null ? null : reservation.ok ? { ok: true } : { ok: false, wait: reservation.wait, reason: reservation.reason, remainingUsd: reservation.remainingUsd },
  };
}

/**
 * `session.plan`: the Workspace says the budget may have room for a session
 * waiting for it. Routing stands (the issue as read when it was prepared); the
 * executor is chosen and the worst case reserved again, atomically as ever: it
 * starts, waits on (quietly: it said so already), or ends with an error when a
 * lowered limit means it can never fit.
 */
async function planAgain(job: JobOf<"session.plan">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, afterPlanning } = job.payload;
  const session = ctx.store.getAgentSession(agentSessionId);
  const expected = afterPlanning ? "ready" : "waiting_for_budget";
  if (!session || session.status !== expected || session.stopRequestedAt || !session.repositoryName) return { kind: "done" };
  // Written by prepareSession from the Linear client's parsed answer.
  const issue = parseIssueSnapshot(ctx.store.getMeta("issue"));
  if (!issue) return { kind: "failed", error: "the issue read when the session was prepared is missing or unreadable" };
  const plan = await planAndReserve(ctx, session, issue, session.repositoryName);
  applyEvent(ctx, agentSessionId, "latest", { type: "replanned", plan, afterPlanning: afterPlanning ?? false });
  return { kind: "done" };
}

async function syncToD1(ctx: JobContext): Promise<JobOutcome> {
  const sessions = ctx.store.unsyncedSessions();
  const events = ctx.store.unsyncedTimeline(SYNC_BATCH);
  const all = ctx.store.listAgentSessions();
  const fallbackSessionId = all[all.length - 1]?.id;
  try {
    await syncSessions(
      ctx.db,
      sessions.map((s) => ({
        id: s.id,
        workspaceId: ctx.organizationId,
        issueId: s.issueId,
        issueIdentifier: s.issueIdentifier,
        issueTitle: s.issueTitle,
        repositoryId: s.repositoryId,
        repositoryName: s.repositoryName,
        status: s.status,
        executor: s.executor,
        agentType: s.agentType,
        complexity: s.complexity,
        outcome: null,
        error: s.error,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        endedAt: s.endedAt,
        parentSessionId: loadParentLink(ctx, s.id)?.parentSessionId ?? null,
      })),
      events
        .filter((e) => e.agentSessionId ?? fallbackSessionId)
        .map((e) => ({
          id: `${ctx.objectName}:${e.seq}`,
          sessionId: (e.agentSessionId ?? fallbackSessionId)!,
          workspaceId: ctx.organizationId,
          kind: e.kind,
          summary: e.summary,
          data: e.data,
          createdAt: e.at,
        })),
      // A parallel parent's run is small (at most 15 children) and rewritten whole, so every sync carries it.
      all.flatMap((s) => {
        const run = loadParallel(ctx, s.id);
        return run ? [parallelRunRow(s.id, ctx.organizationId, run, ctx.now())] : [];
      }),
    );
  } catch (error) {
    return { kind: "retry", error: `could not write to D1: ${describeError(error)}` };
  }
  ctx.transaction(() => {
    ctx.store.markSessionsSynced(sessions.map((s) => ({ id: s.id, version: s.version })));
    const last = events[events.length - 1];
    if (last) ctx.store.markTimelineSynced(last.seq);
  });
  return { kind: "done" };
}
