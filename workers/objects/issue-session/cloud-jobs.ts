/**
 * The cloud executor, driven from the IssueSession's alarm: start a Codegen
 * run (idempotently), have the credential's CodegenGate watch it, forward its
 * progress, and report how it ended. No request waits on Codegen; nothing sleeps.
 *
 * Creating is as idempotent as Codegen allows: the intent and its attempt key are
 * stored before the call, the key rides in the run's metadata, and each create is
 * recorded as sent before it leaves. Whenever a create may have gone out without
 * its answer being recorded (the answer was lost, or the process died waiting for
 * it), the next attempt looks the run up before creating again
 * (src/domain/cloud-create.ts has the rules).
 */
import { buildCodegenPrompt, branchNameFor, runMetadata } from "../../../src/prompts/cloud-run";
import { classifyRunStatus } from "../../../src/codegen/status";
import { createMayHaveLanded, nextCloudCreateStep } from "../../../src/domain/cloud-create";
import { activityJob, type JobSpec } from "../../../src/domain/job-specs";
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
} from "../../../src/domain/linear-copy";
import { describeError } from "../../../src/log";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import type { CloudRunObservation, CodegenFailure, GateResult } from "../contracts";
import type { CodegenCredentialRef } from "../../codegen-credentials";
import type { FollowUpRequest, StartRequest, StopRequest } from "../../../src/domain/executor";
import type { JobContext, JobOutcome } from "./job-context";
import type { ExecutionRecord, JobRecord } from "./store";
import { codegenGateStub } from "../stubs";
import { attemptNumber } from "../../../src/domain/attempt-key";
import { issueHeadline, parseIssueSnapshot } from "../../../src/domain/issue-snapshot";

/** Codegen failures are retried at most this many times before the session says it gave up. */
export const MAX_CLOUD_RETRIES = 3;

type Payload<K extends JobSpec["kind"]> = Extract<JobSpec, { kind: K }>["payload"];

function gateOf(ctx: JobContext, exec: ExecutionRecord) {
  return codegenGateStub(ctx.env, exec.gateName!);
}

function refOf(exec: ExecutionRecord): CodegenCredentialRef {
  return JSON.parse(exec.credential!) as CodegenCredentialRef;
}

/** The retry state of the step being run: how many attempts failed, and whether the last one may have landed. */
type StepInfo = { attempts: number; uncertain: boolean };

/** Turns a gate answer that is not `ok` into a job outcome, counting retries toward MAX_CLOUD_RETRIES. */
function notOk(job: StepInfo, ctx: JobContext, result: Exclude<GateResult<unknown>, { status: "ok" }>, giveUp: (message: string) => JobOutcome): JobOutcome {
  switch (result.status) {
    case "deferred":
      return { kind: "retry", error: "waiting for the Codegen rate budget", at: result.retryAt, countAttempt: false };
    case "unconfigured":
      return giveUp(result.message);
    case "failed":
      return retryOrGiveUp(job, ctx, result.failure, giveUp);
  }
}

function retryOrGiveUp(job: StepInfo, ctx: JobContext, failure: CodegenFailure, giveUp: (message: string) => JobOutcome): JobOutcome {
  if (failure.kind === "final") return giveUp(failure.message);
  if (job.attempts >= MAX_CLOUD_RETRIES) return giveUp(`${failure.message} (gave up after ${job.attempts + 1} attempts)`);
  const at = failure.retryAfterMs !== null ? ctx.now() + failure.retryAfterMs : undefined;
  return { kind: "retry", error: failure.message, uncertain: failure.outcomeUnknown, ...(at ? { at } : {}) };
}

export async function startCloudRun(ctx: JobContext, request: StartRequest, job: StepInfo): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = request;
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!session || session.stopRequestedAt) return { kind: "done" };
  let exec = ctx.store.getExecution(attemptKey);
  if (!exec) {
    // The intent is stored before the first call, so a lost answer can be reconciled.
    ctx.transaction(() =>
      ctx.store.createExecution({ attemptKey, agentSessionId, attempt: attemptNumber(attemptKey), executor: "cloud", intentAt: ctx.now() }),
    );
    exec = ctx.store.getExecution(attemptKey)!;
  }
  const step = nextCloudCreateStep(exec, job.uncertain);
  if (step === "nothing") return { kind: "done" };

  const giveUp = (message: string): JobOutcome => {
    failStart(ctx, exec!, message);
    return { kind: "done" };
  };
  const credential = await ctx.codegenCredential();
  if (!credential) return giveUp("no Codegen credentials are configured: set CODEGEN_ORG_ID and CODEGEN_API_TOKEN, or the workspace's own through the API");
  if (!exec.gateName) {
    ctx.store.updateExecution(attemptKey, { credential: JSON.stringify(credential.ref), gateName: credential.gateName });
    exec = ctx.store.getExecution(attemptKey)!;
  }
  const gate = gateOf(ctx, exec);
  const ref = refOf(exec);

  if (step === "look-up-then-create") {
    const found = await gate.findRun(ref, { attemptKey, intentAt: exec.intentAt });
    if (found.status !== "ok") return notOk(job, ctx, found, giveUp);
    if (found.value.run) {
      adoptRun(ctx, exec, found.value.run, found.value.twins);
      return { kind: "done" };
    }
  }

  const issue = issueHeadline(parseIssueSnapshot(ctx.store.getMeta("issue")), session);
  const prompt = buildCodegenPrompt({
    issue: { identifier: issue.identifier, title: issue.title, description: issue.description, url: issue.url },
    promptContext: session.promptContext,
    guidance: session.guidance,
    initialComment: session.initialComment,
    followUps: ctx.store.listPrompts(agentSessionId).filter((p) => !p.signal && p.body).map((p) => p.body),
    repository: { name: session.repositoryName ?? "", gitUrl: session.repositoryGitUrl, baseBranch: session.baseBranch ?? "main" },
    branchName: branchNameFor(issue.identifier),
  });
  // Stored before the call leaves: if the answer never comes back (a lost answer, a
  // crash before it is recorded), whoever runs this job next looks the run up first.
  ctx.store.updateExecution(attemptKey, { createSentAt: ctx.now() });
  const created = await gate.createRun(ref, {
    prompt,
    metadata: runMetadata({ linearSessionId: agentSessionId, linearIssueId: session.issueId, attemptKey }),
    repoId: session.codegenRepoId,
  });
  if (created.status !== "ok") {
    const answer = created.status === "failed" ? { status: created.status, outcomeUnknown: created.failure.outcomeUnknown } : { status: created.status };
    if (!createMayHaveLanded(answer)) ctx.store.updateExecution(attemptKey, { createSentAt: null });
    return notOk(job, ctx, created, giveUp);
  }
  adoptRun(ctx, exec, created.value, []);
  return { kind: "done" };
}

function adoptRun(ctx: JobContext, exec: ExecutionRecord, run: CloudRunObservation, twins: number[]): void {
  const now = ctx.now();
  const session = ctx.store.getAgentSession(exec.agentSessionId)!;
  const { agentSessionId, attemptKey } = exec;
  const identifier = session.issueIdentifier ?? "issue";
  ctx.transaction(() => {
    ctx.store.updateExecution(attemptKey, {
      state: "running",
      runId: run.runId,
      webUrl: run.webUrl,
      codegenStatus: run.status,
      startedAt: now,
      deadlineAt: now + ctx.config.CODEGEN_RUN_TIMEOUT_MS,
      ...(twins.length ? { twins } : {}),
    });
    ctx.store.updateAgentSession(agentSessionId, { status: "active" }, now);
    ctx.store.appendTimeline({ agentSessionId, kind: "cloud.started", summary: `Codegen run ${run.runId} started`, data: { runId: run.runId, webUrl: run.webUrl } }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: cloudStarted(run.webUrl, session.repositoryName ?? "", branchNameFor(identifier)) }), now);
    if (run.webUrl) {
      ctx.store.enqueueJob({ kind: "linear.session-update", payload: { agentSessionId, update: { externalUrls: [{ label: "Codegen run", url: run.webUrl }] } } }, now);
    }
    if (twins.length) {
      const summary = `Codegen has ${twins.length} more run(s) started by this same request (${twins.join(", ")}); I'm following run ${run.runId} only.`;
      ctx.store.appendTimeline({ agentSessionId, kind: "cloud.twins", summary, data: { twins } }, now);
      ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: summary }), now);
    }
    scheduleRunTimers(ctx, agentSessionId, attemptKey, now, now + ctx.config.CODEGEN_RUN_TIMEOUT_MS);
  });
  applyObservation(ctx, ctx.store.getExecution(attemptKey)!, run);
}

function scheduleRunTimers(ctx: JobContext, agentSessionId: string, attemptKey: string, now: number, deadlineAt: number): void {
  ctx.store.enqueueJob({ kind: "cloud.watch", payload: { agentSessionId, attemptKey } }, now);
  ctx.store.enqueueJob({ kind: "cloud.deadline", payload: { agentSessionId, attemptKey, deadlineAt } }, now, deadlineAt);
  ctx.store.enqueueJob({ kind: "cloud.logs", payload: { agentSessionId, attemptKey } }, now, now + logsInterval(ctx));
  ctx.store.enqueueJob({ kind: "cloud.check", payload: { agentSessionId, attemptKey } }, now, now + checkInterval(ctx));
}

/** Log reads have their own, smaller budget: read each run's log a few times an hour, not at every poll. */
function logsInterval(ctx: JobContext): number {
  return ctx.config.CODEGEN_POLL_MAX_MS * 3;
}

/** The session's own look at the gate's last observation, in case a notification was lost. Costs no Codegen call. */
function checkInterval(ctx: JobContext): number {
  return ctx.config.CODEGEN_POLL_MAX_MS * 2;
}

/**
 * The run could not start (a final refusal, retries exhausted, no credentials).
 * This is the seam for the orchestrator's fallback to a local agent; until then
 * the session ends here with an error that says why.
 */
function failStart(ctx: JobContext, exec: ExecutionRecord, message: string): void {
  const now = ctx.now();
  const session = ctx.store.getAgentSession(exec.agentSessionId);
  if (session?.fallback === "local") {
    ctx.transaction(() => {
      ctx.store.updateExecution(exec.attemptKey, { state: "ended", outcome: "failed", error: message, endedAt: now });
      ctx.store.enqueueJob({ kind: "session.fallback", payload: { agentSessionId: exec.agentSessionId, fromAttemptKey: exec.attemptKey, to: "local", reason: `the cloud run could not start (${message})` } }, now);
    });
    return;
  }
  ctx.transaction(() => {
    ctx.store.updateExecution(exec.attemptKey, { state: "ended", outcome: "failed", error: message, endedAt: now });
    ctx.store.updateAgentSession(exec.agentSessionId, { status: "error", error: message, endedAt: now }, now);
    ctx.store.appendTimeline({ agentSessionId: exec.agentSessionId, kind: "cloud.start_failed", summary: message }, now);
    ctx.store.enqueueJob(activityJob(exec.agentSessionId, { type: "error", body: cloudCouldNotStart(message) }), now);
  });
  ctx.log.warn("cloud run could not start", { attemptKey: exec.attemptKey, error: message });
}

/**
 * Records what Codegen says about the run. A run that has ended gets one
 * `cloud.finish`, however many times the news arrives.
 */
export function applyObservation(ctx: JobContext, exec: ExecutionRecord, run: CloudRunObservation): void {
  if (exec.state === "ended" || exec.state === "stopped" || exec.state === "creating") return;
  const now = ctx.now();
  ctx.transaction(() => {
    ctx.store.updateExecution(exec.attemptKey, {
      codegenStatus: run.status,
      webUrl: run.webUrl ?? exec.webUrl,
      result: run.result ?? run.summary ?? exec.result,
      pullRequests: run.pullRequests.length ? run.pullRequests : exec.pullRequests,
    });
    if (classifyRunStatus(run.status).phase !== "running" && !ctx.store.hasPendingJobInLane("cloud.finish", `run:${exec.agentSessionId}`)) {
      ctx.store.enqueueJob({ kind: "cloud.finish", payload: { agentSessionId: exec.agentSessionId, attemptKey: exec.attemptKey } }, now);
    }
  });
}

export async function watchCloudRun(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  const exec = ctx.store.getExecution((job.payload as Payload<"cloud.watch">).attemptKey);
  if (!exec?.runId || exec.state === "ended" || exec.state === "stopped") return { kind: "done" };
  await gateOf(ctx, exec).watchRun(refOf(exec), { runId: exec.runId, sessionObject: ctx.objectName, runCreatedAt: exec.startedAt });
  return { kind: "done" };
}

export async function finishCloudRun(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  const exec = ctx.store.getExecution((job.payload as Payload<"cloud.finish">).attemptKey);
  if (!exec || exec.state === "ended" || exec.state === "stopped") return { kind: "done" };
  const phase = classifyRunStatus(exec.codegenStatus);
  if (phase.phase === "running") return { kind: "done" };
  const session = ctx.store.getAgentSession(exec.agentSessionId);
  const now = ctx.now();
  const { agentSessionId, attemptKey } = exec;
  ctx.transaction(() => {
    if (phase.phase === "succeeded") {
      ctx.store.enqueueJob(activityJob(agentSessionId, { type: "response", body: cloudSucceeded(exec.result, exec.pullRequests, exec.webUrl) }), now);
      for (const pr of exec.pullRequests) {
        if (session?.issueId) {
          ctx.store.enqueueJob({ kind: "linear.attachment", payload: { agentSessionId, issueId: session.issueId, url: pr.url, title: pr.title ?? "Pull request" } }, now);
        }
      }
      if (exec.pullRequests.length) {
        ctx.store.enqueueJob(
          { kind: "linear.session-update", payload: { agentSessionId, update: { addedExternalUrls: exec.pullRequests.map((pr) => ({ label: pr.title ?? "Pull request", url: pr.url })) } } },
          now,
        );
      }
      ctx.store.updateAgentSession(agentSessionId, { status: "complete", endedAt: now, error: null }, now);
    } else {
      ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: cloudFailed(phase.reason, exec.webUrl) }), now);
      ctx.store.updateAgentSession(agentSessionId, { status: "error", endedAt: now, error: phase.reason }, now);
    }
    const outcome = phase.phase === "succeeded" ? "succeeded" : "failed";
    ctx.store.updateExecution(attemptKey, { state: "ended", outcome, endedAt: now, error: phase.phase === "failed" ? phase.reason : null });
    ctx.store.appendTimeline(
      { agentSessionId, kind: `cloud.${outcome}`, summary: `Codegen run ${exec.runId} ended: ${exec.codegenStatus}`, data: { prs: exec.pullRequests.map((p) => p.url) } },
      now,
    );
    ctx.store.enqueueJob({ kind: "metrics.record", payload: { agentSessionId, attemptKey } }, now);
  });
  return { kind: "done" };
}

export async function cloudDeadline(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  const { attemptKey, deadlineAt } = job.payload as Payload<"cloud.deadline">;
  const exec = ctx.store.getExecution(attemptKey);
  // A resumed run has a new deadline, with its own timer; this one is stale.
  if (!exec || exec.state !== "running" || exec.deadlineAt !== deadlineAt) return { kind: "done" };
  const session = ctx.store.getAgentSession(exec.agentSessionId);
  const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), session?.repositoryName);
  const minutes = Math.round(ctx.config.CODEGEN_RUN_TIMEOUT_MS / 60_000);
  // The run may still be working: a local run is started only when the workspace said to go ahead; otherwise we ask.
  const canFallBack = session?.fallback === "local";
  const now = ctx.now();
  ctx.transaction(() => {
    ctx.store.updateExecution(attemptKey, { state: "timed_out", outcome: "timed_out", endedAt: now });
    ctx.store.updateAgentSession(exec.agentSessionId, { status: "error", error: "time limit passed" }, now);
    ctx.store.appendTimeline({ agentSessionId: exec.agentSessionId, kind: "cloud.timed_out", summary: `Codegen run ${exec.runId} passed its time limit; still watching it` }, now);
    if (canFallBack && settings.cloudTimeoutAction === "fallback") {
      ctx.store.enqueueJob(activityJob(exec.agentSessionId, { type: "thought", body: cloudTimedOut(minutes, exec.webUrl) }), now);
      ctx.store.enqueueJob(
        { kind: "session.fallback", payload: { agentSessionId: exec.agentSessionId, fromAttemptKey: attemptKey, to: "local", reason: `the cloud run passed its ${minutes}-minute limit` } },
        now,
      );
    } else if (canFallBack) {
      ctx.store.updateAgentSession(exec.agentSessionId, { status: "awaiting_input" }, now);
      ctx.store.enqueueJob(activityJob(exec.agentSessionId, { type: "elicitation", body: cloudTimedOutAsk(minutes, exec.webUrl) }), now);
    } else {
      ctx.store.enqueueJob(activityJob(exec.agentSessionId, { type: "error", body: cloudTimedOut(minutes, exec.webUrl) }), now);
    }
    ctx.store.enqueueJob({ kind: "metrics.record", payload: { agentSessionId: exec.agentSessionId, attemptKey } }, now);
  });
  return { kind: "done" };
}

export async function forwardCloudLogs(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = job.payload as Payload<"cloud.logs">;
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec?.runId || exec.state !== "running") return { kind: "done" };
  const read = await gateOf(ctx, exec).readLogs(refOf(exec), { runId: exec.runId, skip: exec.logsSeen });
  const now = ctx.now();
  if (read.status === "deferred") return { kind: "retry", error: "waiting for the Codegen log budget", at: read.retryAt, countAttempt: false };
  ctx.transaction(() => {
    if (read.status === "ok") {
      const fresh = read.value.entries.filter((e) => e.text);
      // One activity per read, however chatty the run: Linear's API budget is shared.
      if (fresh.length) ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: cloudProgress(fresh.slice(-5).map((e) => e.text)) }), now);
      ctx.store.updateExecution(attemptKey, { logsSeen: Math.max(exec.logsSeen, read.value.total) });
    } else {
      ctx.log.warn("could not read the run's log", { attemptKey, detail: read.status === "failed" ? read.failure.message : read.message });
    }
    ctx.store.enqueueJob({ kind: "cloud.logs", payload: { agentSessionId, attemptKey } }, now, now + logsInterval(ctx));
  });
  return { kind: "done" };
}

export async function checkCloudRun(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = job.payload as Payload<"cloud.check">;
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec?.runId || (exec.state !== "running" && exec.state !== "timed_out")) return { kind: "done" };
  const gate = gateOf(ctx, exec);
  const seen = await gate.lastObservation(exec.runId);
  if (seen) applyObservation(ctx, exec, seen);
  // Re-registering is idempotent and heals a gate that lost the run.
  await gate.watchRun(refOf(exec), { runId: exec.runId, sessionObject: ctx.objectName, runCreatedAt: exec.startedAt });
  ctx.transaction(() => ctx.store.enqueueJob({ kind: "cloud.check", payload: { agentSessionId, attemptKey } }, ctx.now(), ctx.now() + checkInterval(ctx)));
  return { kind: "done" };
}

export async function resumeCloudRun(ctx: JobContext, request: FollowUpRequest, job: StepInfo): Promise<JobOutcome> {
  const { agentSessionId, attemptKey, prompt } = request;
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec?.runId || exec.state === "stopped") return { kind: "done" };
  const result = await gateOf(ctx, exec).resumeRun(refOf(exec), { runId: exec.runId, prompt });
  const giveUp = (message: string): JobOutcome => {
    const now = ctx.now();
    ctx.transaction(() => ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: `Codegen could not take your message: ${message}` }), now));
    return { kind: "done" };
  };
  if (result.status !== "ok") return notOk(job, ctx, result, giveUp);
  const now = ctx.now();
  const deadlineAt = now + ctx.config.CODEGEN_RUN_TIMEOUT_MS;
  ctx.transaction(() => {
    // A finished run's metrics row stays; the resumed work gets its own (keyed by `resumes`).
    ctx.store.updateExecution(attemptKey, {
      state: "running",
      outcome: null,
      endedAt: null,
      error: null,
      codegenStatus: result.value.status,
      startedAt: now,
      deadlineAt,
      resumes: exec.resumes + 1,
    });
    ctx.store.updateAgentSession(agentSessionId, { status: "active", endedAt: null, error: null }, now);
    ctx.store.appendTimeline({ agentSessionId, kind: "cloud.resumed", summary: `Codegen run ${exec.runId} resumed with a follow-up` }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: cloudResumed(exec.webUrl) }), now);
    scheduleRunTimers(ctx, agentSessionId, attemptKey, now, deadlineAt);
  });
  return { kind: "done" };
}

export async function stopCloudRun(ctx: JobContext, request: StopRequest): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = request;
  const exec = ctx.store.getExecution(attemptKey);
  const now = ctx.now();
  if (!exec || exec.state === "ended" || exec.state === "stopped") {
    ctx.transaction(() => ctx.store.enqueueJob(activityJob(agentSessionId, { type: "response", body: STOPPED_NOTHING_RUNNING }), now));
    return { kind: "done" };
  }
  let body: string;
  const pr = exec.pullRequests[0];
  if (exec.runId && pr) {
    const removed = await gateOf(ctx, exec).removeFromPr(refOf(exec), { runId: exec.runId });
    if (removed.status === "deferred") return { kind: "retry", error: "waiting for the Codegen rate budget", at: removed.retryAt, countAttempt: false };
    body =
      removed.status === "ok"
        ? cloudStoppedWithPr(pr.url, exec.webUrl)
        : `I stopped watching the Codegen run, but Codegen did not take its agent off ${pr.url}: ${removed.status === "failed" ? removed.failure.message : removed.message}.${exec.webUrl ? ` Run: ${exec.webUrl}` : ""}`;
  } else {
    body = cloudStoppedWithoutPr(exec.webUrl);
  }
  if (exec.runId) {
    await gateOf(ctx, exec)
      .unwatchRun(exec.runId)
      .catch((error: unknown) => ctx.log.warn("could not unwatch the run", { error: describeError(error) }));
  }
  ctx.transaction(() => {
    ctx.store.updateExecution(attemptKey, { state: "stopped", outcome: "stopped", endedAt: now });
    ctx.store.appendTimeline({ agentSessionId, kind: "cloud.stopped", summary: `Stopped Codegen run ${exec.runId ?? "(not started)"}` }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "response", body }), now);
    if (exec.runId) ctx.store.enqueueJob({ kind: "metrics.record", payload: { agentSessionId, attemptKey } }, now);
  });
  return { kind: "done" };
}
