/**
 * A hybrid-parallel parent's own helper task — the planning task or the
 * validation task: where it runs (src/domain/parallel/helper-task.ts decides
 * from the situation gathered here) and its worst case reserved, like any run.
 */
import { nextAttemptKey } from "../../../src/domain/attempt-key";
import { runBudget } from "../../../src/domain/cost-estimate";
import { chooseHelperExecutor } from "../../../src/domain/parallel/helper-task";
import type { PlannedExecution } from "../../../src/domain/session";
import { budgetLimitsFor, effectiveSettings } from "../../../src/domain/workspace-settings";
import { codegenGateStub, workspaceStub } from "../stubs";
import { localEstimate } from "./fallback-job";
import type { JobContext } from "./job-context";
import type { AgentSessionRecord } from "./store";

export async function planHelperTask(ctx: JobContext, session: AgentSessionRecord, repository: string, purpose: "planning" | "validation"): Promise<PlannedExecution> {
  const stored = await ctx.workspaceSettings();
  const settings = effectiveSettings(ctx.config, stored, repository);
  const workspace = workspaceStub(ctx.env, ctx.organizationId);
  const agents = await workspace.localAvailability(repository);
  const credential = await ctx.codegenCredential();
  const healthy = credential ? (await codegenGateStub(ctx.env, credential.gateName).health()).available : false;
  const choice = chooseHelperExecutor(purpose, { local: agents, cloud: { configured: credential !== null, healthy } });
  const attemptKey = nextAttemptKey(session.id, ctx.store.latestExecution(session.id)?.attempt);
  const agentType = purpose === "planning" ? "scoper" : "debugger";
  const priceModel = { perRunUsd: settings.priceModel.perRunUsd, perMinuteUsd: settings.priceModel.perMinuteUsd };
  const localUsd = await localEstimate(ctx, repository, agentType, "low", priceModel);
  const budget = choice.executor ? runBudget({ executor: choice.executor, localEstimateUsd: localUsd, limits: settings, priceModel, runTimeoutMs: ctx.config.CODEGEN_RUN_TIMEOUT_MS }) : null;
  const reservation = budget
    ? await workspace.reserveBudget({ id: attemptKey, amountUsd: budget.reserveUsd, repository }, budgetLimitsFor(ctx.config, stored, repository))
    : null;
  return {
    attemptKey,
    decision: { executor: choice.executor, reason: choice.reason, waitForLocal: false, fallback: null, waitForBudget: null },
    analysis: { agentType, complexity: "low", signals: [`${purpose} task of a parallel run`] },
    estimate: { localUsd, cloudUsd: budget && choice.executor === "cloud" ? budget.worstCaseUsd : 0 },
    worstCaseUsd: budget?.reserveUsd ?? 0,
    localMaxBudgetUsd: budget?.maxBudgetUsd ?? null,
    reservation: reservation === null ? null : reservation.ok ? { ok: true } : { ok: false, wait: reservation.wait, reason: reservation.reason, remainingUsd: reservation.remainingUsd },
  };
}
