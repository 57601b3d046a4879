/**
 * Moves a task to its fallback executor when the chosen one failed (a cloud
 * run that could not start, a local task no agent took in time): the old
 * reservation is released, the new executor's worst case reserved, Linear told
 * why, and the next attempt started. Recorded in the timeline; never silent.
 */
import { worstCase } from "../../../src/domain/cost-estimate";
import { activityJob, type JobSpec } from "../../../src/domain/job-specs";
import { budgetRefused, fallingBack } from "../../../src/domain/linear-copy";
import { budgetLimitsFor, effectiveSettings } from "../../../src/domain/workspace-settings";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import type { JobContext, JobOutcome } from "./job-context";
import type { JobRecord } from "./store";
import { workspaceStub } from "../stubs";

export async function fallBack(job: JobRecord, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, fromAttemptKey, to, reason } = job.payload as Extract<JobSpec, { kind: "session.fallback" }>["payload"];
  const session = ctx.store.getAgentSession(agentSessionId);
  const from = ctx.store.getExecution(fromAttemptKey);
  if (!session || !from || session.stopRequestedAt) return { kind: "done" };
  const next = `${agentSessionId}:${from.attempt + 1}`;
  if (ctx.store.getExecution(next)) return { kind: "done" };
  const stored = await loadWorkspaceSettings(ctx.db, ctx.organizationId);
  const settings = effectiveSettings(ctx.config, stored, session.repositoryName);
  const priceModel = { perRunUsd: settings.priceModel.perRunUsd, perMinuteUsd: settings.priceModel.perMinuteUsd };
  const localMaxBudgetUsd = settings.maxCostPerTaskUsd;
  const amount =
    to === "cloud"
      ? worstCase({ executor: "cloud", maxBudgetUsd: 0, priceModel, runTimeoutMs: ctx.config.CODEGEN_RUN_TIMEOUT_MS })
      : settings.localCountsAgainstBudget && localMaxBudgetUsd !== null
        ? worstCase({ executor: "local", maxBudgetUsd: localMaxBudgetUsd, priceModel, runTimeoutMs: 0 })
        : 0;
  const workspace = workspaceStub(ctx.env, ctx.organizationId);
  await workspace.releaseBudget(fromAttemptKey);
  const reservation = await workspace.reserveBudget(
    { id: next, amountUsd: amount, repository: session.repositoryName },
    budgetLimitsFor(ctx.config, stored, session.repositoryName),
  );
  const now = ctx.now();
  ctx.transaction(() => {
    ctx.store.appendTimeline({ agentSessionId, kind: "session.fallback", summary: `Fell back to ${to}: ${reason}`, data: { from: from.executor, to, reservationOk: reservation.ok } }, now);
    if (!reservation.ok) {
      ctx.store.updateAgentSession(agentSessionId, { status: "error", error: reservation.reason, endedAt: now }, now);
      ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: budgetRefused(reservation.reason, amount, reservation.remainingUsd) }), now);
      return;
    }
    ctx.store.updateAgentSession(agentSessionId, { executor: to, fallback: null, status: "active" }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: fallingBack(to, reason) }), now);
    ctx.store.enqueueJob({ kind: "execution.start", payload: { executor: to, agentSessionId, attemptKey: next, resumeFrom: null, maxBudgetUsd: localMaxBudgetUsd } }, now);
  });
  return { kind: "done" };
}
