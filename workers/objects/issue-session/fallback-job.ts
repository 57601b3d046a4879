/**
 * Moves a task to its fallback executor when the chosen one failed (a cloud
 * run that could not start, a local task no agent took in time): the old
 * reservation is released and the new executor's worst case reserved (the
 * same cap and worst case as when the orchestrator chose it first); what that
 * means — start, or end with the reason — is the session's `step`.
 */
import { estimateCost, runBudget, type RunRecord } from "../../../src/domain/cost-estimate";
import { AGENT_TYPES, type AgentType, type Complexity } from "../../../src/domain/task-analysis";
import { budgetLimitsFor, effectiveSettings } from "../../../src/domain/workspace-settings";
import { recentRunHistory } from "../../../src/db/queries/history";
import type { JobContext, JobOutcome } from "./job-context";
import type { JobOf } from "./store";
import { workspaceStub } from "../stubs";
import { nextAttemptKey } from "../../../src/domain/attempt-key";
import { applyEvent } from "./apply-step";

export async function fallBack(job: JobOf<"session.fallback">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, fromAttemptKey, to, reason } = job.payload;
  const session = ctx.store.getAgentSession(agentSessionId);
  const from = ctx.store.getExecution(fromAttemptKey);
  if (!session || !from || session.stopRequestedAt) return { kind: "done" };
  const next = nextAttemptKey(agentSessionId, from.attempt);
  if (ctx.store.getExecution(next)) return { kind: "done" };
  const stored = await ctx.workspaceSettings();
  const settings = effectiveSettings(ctx.config, stored, session.repositoryName);
  const priceModel = { perRunUsd: settings.priceModel.perRunUsd, perMinuteUsd: settings.priceModel.perMinuteUsd };
  // The same cap and worst case as when the orchestrator chose this executor first: the estimate is taken again from the run history.
  const localEstimateUsd = to === "local" ? await localEstimate(ctx, session.repositoryName, session.agentType, session.complexity, priceModel) : 0;
  const budget = runBudget({ executor: to, localEstimateUsd, limits: settings, priceModel, runTimeoutMs: ctx.config.CODEGEN_RUN_TIMEOUT_MS });
  const amount = budget.reserveUsd;
  const localMaxBudgetUsd = budget.maxBudgetUsd;
  const workspace = workspaceStub(ctx.env, ctx.organizationId);
  await workspace.releaseBudget(fromAttemptKey);
  const reservation = await workspace.reserveBudget(
    { id: next, amountUsd: amount, repository: session.repositoryName },
    budgetLimitsFor(ctx.config, stored, session.repositoryName),
  );
  applyEvent(ctx, agentSessionId, { attemptKey: fromAttemptKey }, {
    type: "fallback.reserved",
    fromAttemptKey,
    to,
    reason,
    attemptKey: next,
    amountUsd: amount,
    localMaxBudgetUsd,
    reservation: reservation.ok ? { ok: true } : reservation,
  });
  return { kind: "done" };
}

export async function localEstimate(
  ctx: JobContext,
  repository: string | null,
  agentType: string | null,
  complexity: string | null,
  priceModel: { perRunUsd: number; perMinuteUsd: number },
): Promise<number> {
  const history = (await recentRunHistory(ctx.db, ctx.organizationId)).filter(
    (r): r is RunRecord => r.repository !== null && r.agentType !== null && r.complexity !== null && (r.executor === "local" || r.executor === "cloud"),
  );
  const task = {
    repository: repository ?? "",
    agentType: (AGENT_TYPES as readonly string[]).includes(agentType ?? "") ? (agentType as AgentType) : "builder",
    complexity: (["low", "medium", "high"] as const).find((c) => c === complexity) ?? ("medium" as Complexity),
  };
  return estimateCost(history, task, priceModel).localUsd;
}
