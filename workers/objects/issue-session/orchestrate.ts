/**
 * The TaskOrchestrator's inputs, gathered for one routed task: the workspace's
 * settings for the repository, the task's analysis, estimates from the run
 * history, the situation (agents free, the cloud configured and healthy, the
 * budget left), and the decision with its reason. Everything awaited happens
 * here, before the session's transaction; the reservation itself is one
 * synchronous transaction in the Workspace object.
 */
import { dailyLimitOf, type BudgetLimits } from "../../../src/domain/budget";
import { estimateCost, runBudget, type RunRecord } from "../../../src/domain/cost-estimate";
import { selectExecutor, type ExecutorDecision } from "../../../src/domain/select-executor";
import { analyzeTask, type TaskAnalysis } from "../../../src/domain/task-analysis";
import { budgetLimitsFor, effectiveSettings, type EffectiveSettings } from "../../../src/domain/workspace-settings";
import { recentRunHistory } from "../../../src/db/queries/history";
import type { IssueDetails } from "../../../src/linear/linear-api";
import type { JobContext } from "./job-context";
import type { AgentSessionRecord } from "./store";
import { codegenGateStub, workspaceStub } from "../stubs";

export interface ExecutionPlan {
  decision: ExecutorDecision;
  analysis: TaskAnalysis;
  settings: EffectiveSettings;
  limits: BudgetLimits;
  /** What the ledger reserves for the chosen executor (or the one a task waiting for budget waits for). */
  worstCaseUsd: number;
  /** The local run's `maxBudgetUsd` (null: no cap). */
  localMaxBudgetUsd: number | null;
  estimate: { localUsd: number; cloudUsd: number };
}

/** `childOfParallelRun`: the task is one part of a hybrid-parallel plan, so it can run beside other work (the cloud is preferred). */
export async function planExecution(
  ctx: JobContext,
  session: AgentSessionRecord,
  issue: IssueDetails,
  repository: string,
  options: { childOfParallelRun?: boolean } = {},
): Promise<ExecutionPlan> {
  const workspace = workspaceStub(ctx.env, ctx.organizationId);
  const stored = await ctx.workspaceSettings();
  const settings = effectiveSettings(ctx.config, stored, repository);
  const analysis = analyzeTask(
    {
      title: issue.title,
      description: issue.description ?? null,
      labels: issue.labels.nodes.map((l) => l.name),
      estimate: issue.estimate ?? null,
      priority: issue.priority ?? 0,
      subIssueCount: issue.children.nodes.length,
      guidance: session.guidance,
      promptText: session.initialComment,
    },
    { labelMap: settings.labelMap },
  );
  const history = (await recentRunHistory(ctx.db, ctx.organizationId)).filter(
    (r): r is RunRecord => r.repository !== null && r.agentType !== null && r.complexity !== null && (r.executor === "local" || r.executor === "cloud"),
  );
  const priceModel = { perRunUsd: settings.priceModel.perRunUsd, perMinuteUsd: settings.priceModel.perMinuteUsd };
  const estimate = estimateCost(history, { repository, agentType: analysis.agentType, complexity: analysis.complexity }, priceModel);
  const limits: BudgetLimits = budgetLimitsFor(ctx.config, stored, repository);
  const budgetOf = (executor: "local" | "cloud") =>
    runBudget({ executor, localEstimateUsd: estimate.localUsd, limits: settings, priceModel, runTimeoutMs: ctx.config.CODEGEN_RUN_TIMEOUT_MS });
  const local = budgetOf("local");
  const cloud = budgetOf("cloud");

  const credential = await ctx.codegenCredential();
  const cloudHealthy = credential ? (await codegenGateStub(ctx.env, credential.gateName).health()).available : false;
  const agents = await workspace.localAvailability(repository);
  const budget = await workspace.budgetStatus(limits, repository);
  const decision = selectExecutor(
    { ...analysis, parallelizable: analysis.parallelizable || options.childOfParallelRun === true, repository, priority: issue.priority ?? 0 },
    settings.strategy,
    {
      local: { agentsOnline: agents.agentsOnline, freeSlots: agents.freeSlots, expectedWaitMs: agents.freeSlots > 0 ? 0 : null },
      localWaitLimitMs: ctx.config.LOCAL_QUEUE_TIMEOUT_MS,
      cloud: { configured: credential !== null, healthy: cloudHealthy },
      budget: {
        remainingTodayUsd: budget.remainingTodayUsd,
        maxPerTaskUsd: settings.maxCostPerTaskUsd,
        dayLimitUsd: dailyLimitOf(limits, repository),
        localCountsAgainstBudget: settings.localCountsAgainstBudget,
      },
      estimate: { localUsd: estimate.localUsd, cloudUsd: estimate.cloudUsd, cloudWorstCaseUsd: cloud.worstCaseUsd, localWorstCaseUsd: local.worstCaseUsd },
    },
  );
  // A task that waits for budget reserves what the executor it waits for would.
  const executor = decision.executor ?? decision.waitForBudget?.executor ?? null;
  const worst = executor === "cloud" ? cloud.reserveUsd : local.reserveUsd;
  return { decision, analysis, settings, limits, worstCaseUsd: worst, localMaxBudgetUsd: local.maxBudgetUsd, estimate: { localUsd: estimate.localUsd, cloudUsd: estimate.cloudUsd } };
}
