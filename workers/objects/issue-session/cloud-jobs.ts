/**
 * The cloud executor's I/O, driven from the IssueSession's alarm: start a
 * Codegen run (idempotently), have the credential's CodegenGate watch it, read
 * its log, resume it, stop it. Each job calls Codegen (through the gate) and
 * hands what it learned to the session's `step` as an event; what that means
 * for the session is decided there (src/domain/session/cloud.ts).
 *
 * Creating is as idempotent as Codegen allows: the intent and its attempt key are
 * stored before the call, the key rides in the run's metadata, and each create is
 * recorded as sent before it leaves. Whenever a create may have gone out without
 * its answer being recorded (the answer was lost, or the process died waiting for
 * it), the next attempt looks the run up before creating again
 * (src/domain/cloud-create.ts has the rules).
 */
import { buildCodegenPrompt, branchNameFor, runMetadata } from "../../../src/prompts/cloud-run";
import { createMayHaveLanded, nextCloudCreateStep } from "../../../src/domain/cloud-create";
import { cloudFailureOutcome } from "../../../src/domain/cloud-retry";
import { executionPurpose, parallelRunning, stopNeedsPrRemoval, type SessionEvent } from "../../../src/domain/session";
import { proposedPlanJsonSchema } from "../../../src/domain/parallel/proposed-plan";
import { buildPlannerPrompt, buildValidationPrompt, dependencyNote } from "../../../src/prompts/parallel-tasks";
import { describeError } from "../../../src/log";
import { endWindow, type EndWindow } from "../../../src/domain/run-end-window";
import { similarCloudDurations } from "../../../src/domain/similar-runs";
import { recentRunHistory } from "../../../src/db/queries/history";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import type { CloudRunObservation, GateResult } from "../contracts";
import type { CodegenCredentialRef } from "../../codegen-credentials";
import type { FollowUpRequest, StartRequest, StopRequest } from "../../../src/domain/executor";
import type { JobContext, JobOutcome } from "./job-context";
import type { AgentSessionRecord, ExecutionRecord, JobOf } from "./store";
import { codegenGateStub } from "../stubs";
import { attemptNumber } from "../../../src/domain/attempt-key";
import { issueHeadline, parseIssueSnapshot } from "../../../src/domain/issue-snapshot";
import { applyEvent, loadState } from "./apply-step";



function gateOf(ctx: JobContext, exec: ExecutionRecord) {
  return codegenGateStub(ctx.env, exec.gateName!);
}

function refOf(exec: ExecutionRecord): CodegenCredentialRef {
  return JSON.parse(exec.credential!) as CodegenCredentialRef;
}

/** The retry state of the step being run: how many attempts failed, and whether the last one may have landed. */
type StepInfo = { attempts: number; uncertain: boolean };

/** A gate answer that is not `ok`, as the job's outcome: wait, retry, or (by `giveUp`) tell the session. */
function notOk(job: StepInfo, ctx: JobContext, result: Exclude<GateResult<unknown>, { status: "ok" }>, giveUp: (message: string) => JobOutcome): JobOutcome {
  const outcome = cloudFailureOutcome(result.status === "failed" ? { status: "failed", failure: result.failure } : result, job.attempts, ctx.now());
  switch (outcome.kind) {
    case "wait":
      return { kind: "retry", error: outcome.error, at: outcome.at, countAttempt: false };
    case "retry":
      return { kind: "retry", error: outcome.error, uncertain: outcome.uncertain, ...(outcome.at ? { at: outcome.at } : {}) };
    case "give-up":
      return giveUp(outcome.message);
  }
}

function event(ctx: JobContext, exec: { agentSessionId: string; attemptKey: string }, e: SessionEvent) {
  return applyEvent(ctx, exec.agentSessionId, { attemptKey: exec.attemptKey }, e);
}

export async function startCloudRun(ctx: JobContext, request: StartRequest, job: StepInfo): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = request;
  // The intent is stored before the first call, so a lost answer can be reconciled.
  event(ctx, request, { type: "start.requested", attemptKey, attempt: attemptNumber(attemptKey), executor: "cloud", resumeFrom: null });
  let exec = ctx.store.getExecution(attemptKey);
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!exec || !session) return { kind: "done" };
  const next = nextCloudCreateStep(exec, job.uncertain);
  if (next === "nothing") return { kind: "done" };

  const giveUp = (message: string): JobOutcome => {
    event(ctx, request, { type: "cloud.start-failed", message });
    ctx.log.warn("cloud run could not start", { attemptKey, error: message });
    return { kind: "done" };
  };
  const credential = await ctx.codegenCredential();
  if (!credential) return giveUp("no Codegen credentials are configured: set CODEGEN_ORG_ID and CODEGEN_API_TOKEN, or the workspace's own through the API");
  if (!exec.gateName) {
    event(ctx, request, { type: "cloud.gate-chosen", gateName: credential.gateName, credential: JSON.stringify(credential.ref) });
    exec = ctx.store.getExecution(attemptKey)!;
  }
  const gate = gateOf(ctx, exec);
  const ref = refOf(exec);

  if (next === "look-up-then-create") {
    const found = await gate.findRun(ref, { attemptKey, intentAt: exec.intentAt });
    if (found.status !== "ok") return notOk(job, ctx, found, giveUp);
    if (found.value.run) {
      event(ctx, request, { type: "cloud.run-adopted", run: found.value.run, twins: found.value.twins });
      return { kind: "done" };
    }
  }

  const prompt = await cloudPrompt(ctx, session, attemptKey);
  // Stored before the call leaves: if the answer never comes back (a lost answer, a
  // crash before it is recorded), whoever runs this job next looks the run up first.
  event(ctx, request, { type: "cloud.create-sent" });
  const created = await gate.createRun(ref, {
    prompt,
    metadata: runMetadata({ linearSessionId: agentSessionId, linearIssueId: session.issueId, attemptKey }),
    repoId: session.codegenRepoId,
  });
  if (created.status !== "ok") {
    const answer = created.status === "failed" ? { status: created.status, outcomeUnknown: created.failure.outcomeUnknown } : { status: created.status };
    if (!createMayHaveLanded(answer)) event(ctx, request, { type: "cloud.create-not-made" });
    return notOk(job, ctx, created, giveUp);
  }
  event(ctx, request, { type: "cloud.run-adopted", run: created.value, twins: [] });
  return { kind: "done" };
}

/** The run's prompt: the planning or validation task of a parallel parent, or the issue's work (a dependent child's starting branches named). */
async function cloudPrompt(ctx: JobContext, session: AgentSessionRecord, attemptKey: string): Promise<string> {
  const state = loadState(ctx, session.id, { attemptKey })!;
  const issue = issueHeadline(parseIssueSnapshot(ctx.store.getMeta("issue")), session);
  const repository = { name: session.repositoryName ?? "", gitUrl: session.repositoryGitUrl, baseBranch: session.baseBranch ?? "main" };
  const followUps = ctx.store.listPrompts(session.id).filter((p) => !p.signal && p.body).map((p) => p.body);
  switch (executionPurpose(state, attemptKey)) {
    case "planner":
      return buildPlannerPrompt(issue, repository, { answerAsTextJson: true, schema: proposedPlanJsonSchema() });
    case "validation": {
      const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), session.repositoryName);
      return buildValidationPrompt(issue, state.parallel!, repository, { mergeInOrder: settings.mergeInDependencyOrder, followUps });
    }
    case "work":
      return buildCodegenPrompt({
        issue: { identifier: issue.identifier, title: issue.title, description: issue.description, url: issue.url },
        promptContext: session.promptContext,
        guidance: session.guidance,
        initialComment: session.initialComment,
        followUps,
        repository,
        branchName: branchNameFor(issue.identifier),
        startFrom: dependencyNote(state.parentLink?.mergeBranches ?? [], repository.baseBranch),
      });
  }
}

/** What the CodegenGate observed of one of this session's runs. */
export function receiveObservation(ctx: JobContext, run: CloudRunObservation): void {
  const exec = ctx.store.executionForRun(run.runId);
  if (exec) event(ctx, exec, { type: "cloud.observed", run });
}

export async function watchCloudRun(job: JobOf<"cloud.watch">, ctx: JobContext): Promise<JobOutcome> {
  const exec = ctx.store.getExecution((job.payload).attemptKey);
  if (!exec?.runId || exec.state === "ended" || exec.state === "stopped") return { kind: "done" };
  await gateOf(ctx, exec).watchRun(refOf(exec), { runId: exec.runId, sessionObject: ctx.objectName, runCreatedAt: exec.startedAt, expectedEnd: await expectedEnd(ctx, exec.agentSessionId) });
  return { kind: "done" };
}

/** When runs like this one ended, from the run history in D1: the gate looks more often then. Unknown (null) when D1 cannot say. */
async function expectedEnd(ctx: JobContext, agentSessionId: string): Promise<EndWindow | null> {
  const session = ctx.store.getAgentSession(agentSessionId);
  try {
    const history = await recentRunHistory(ctx.db, ctx.organizationId);
    return endWindow(similarCloudDurations(history, { repository: session?.repositoryName ?? null, agentType: session?.agentType ?? null, complexity: session?.complexity ?? null }));
  } catch (error) {
    ctx.log.warn("could not read the run history for the expected end", { error: describeError(error) });
    return null;
  }
}

/** A `cloud.finish` job (queued by an earlier version of the session, which finished runs from a job). */
export async function finishCloudRun(job: JobOf<"cloud.finish">, ctx: JobContext): Promise<JobOutcome> {
  event(ctx, job.payload, { type: "cloud.finish-due" });
  return { kind: "done" };
}

export async function cloudDeadline(job: JobOf<"cloud.deadline">, ctx: JobContext): Promise<JobOutcome> {
  const payload = job.payload;
  const session = ctx.store.getAgentSession(payload.agentSessionId);
  const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), session?.repositoryName);
  event(ctx, payload, { type: "cloud.deadline-passed", deadlineAt: payload.deadlineAt, timeoutAction: settings.cloudTimeoutAction === "fallback" ? "fallback" : "ask" });
  return { kind: "done" };
}

export async function forwardCloudLogs(job: JobOf<"cloud.logs">, ctx: JobContext): Promise<JobOutcome> {
  const payload = job.payload;
  const exec = ctx.store.getExecution(payload.attemptKey);
  if (!exec?.runId || exec.state !== "running") return { kind: "done" };
  const read = await gateOf(ctx, exec).readLogs(refOf(exec), { runId: exec.runId, skip: exec.logsSeen });
  if (read.status === "deferred") return { kind: "retry", error: "waiting for the Codegen log budget", at: read.retryAt, countAttempt: false };
  if (read.status !== "ok") ctx.log.warn("could not read the run's log", { attemptKey: payload.attemptKey, detail: read.status === "failed" ? read.failure.message : read.message });
  const texts = read.status === "ok" ? read.value.entries.map((e) => e.text).filter((text): text is string => !!text) : [];
  event(ctx, payload, { type: "cloud.logs-read", read: read.status === "ok" ? { ok: true, texts, total: read.value.total } : { ok: false } });
  return { kind: "done" };
}

export async function checkCloudRun(job: JobOf<"cloud.check">, ctx: JobContext): Promise<JobOutcome> {
  const payload = job.payload;
  const exec = ctx.store.getExecution(payload.attemptKey);
  if (!exec?.runId || (exec.state !== "running" && exec.state !== "timed_out")) return { kind: "done" };
  const gate = gateOf(ctx, exec);
  const seen = await gate.lastObservation(exec.runId);
  // Re-registering is idempotent and heals a gate that lost the run.
  await gate.watchRun(refOf(exec), { runId: exec.runId, sessionObject: ctx.objectName, runCreatedAt: exec.startedAt });
  event(ctx, payload, { type: "cloud.checked", seen });
  return { kind: "done" };
}

export async function resumeCloudRun(ctx: JobContext, request: FollowUpRequest, job: StepInfo): Promise<JobOutcome> {
  const { attemptKey, prompt } = request;
  // A parallel parent's follow-up goes to the parent, not to a planning or validation run.
  if (parallelRunning(loadState(ctx, request.agentSessionId, { attemptKey }) ?? { parallel: null })) {
    event(ctx, request, { type: "parallel.follow-up" });
    return { kind: "done" };
  }
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec?.runId || exec.state === "stopped") return { kind: "done" };
  const result = await gateOf(ctx, exec).resumeRun(refOf(exec), { runId: exec.runId, prompt });
  const giveUp = (message: string): JobOutcome => {
    event(ctx, request, { type: "cloud.resume-failed", message });
    return { kind: "done" };
  };
  if (result.status !== "ok") return notOk(job, ctx, result, giveUp);
  event(ctx, request, { type: "cloud.resumed", status: result.value.status });
  return { kind: "done" };
}

export async function stopCloudRun(ctx: JobContext, request: StopRequest): Promise<JobOutcome> {
  const exec = ctx.store.getExecution(request.attemptKey);
  if (!exec || exec.state === "ended" || exec.state === "stopped") {
    applyEvent(ctx, request.agentSessionId, "latest", { type: "stop.nothing-running" });
    return { kind: "done" };
  }
  let removal: Extract<SessionEvent, { type: "cloud.stopped" }>["removal"] = { asked: false };
  if (stopNeedsPrRemoval({ session: ctx.store.getAgentSession(request.agentSessionId)!, execution: exec })) {
    const removed = await gateOf(ctx, exec).removeFromPr(refOf(exec), { runId: exec.runId! });
    if (removed.status === "deferred") return { kind: "retry", error: "waiting for the Codegen rate budget", at: removed.retryAt, countAttempt: false };
    removal = removed.status === "ok" ? { asked: true, ok: true } : { asked: true, ok: false, message: removed.status === "failed" ? removed.failure.message : removed.message };
  }
  if (exec.runId) {
    await gateOf(ctx, exec)
      .unwatchRun(exec.runId)
      .catch((error: unknown) => ctx.log.warn("could not unwatch the run", { error: describeError(error) }));
  }
  event(ctx, request, { type: "cloud.stopped", removal });
  return { kind: "done" };
}
