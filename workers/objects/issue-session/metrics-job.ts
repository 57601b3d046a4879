/**
 * Each execution's row in D1: what it cost, how long it took, how it ended.
 * Keyed by attempt and resume, so a replayed job (alarms fire at least once)
 * writes the same row again rather than a second one.
 */
import { cloudRunCost } from "../../../src/domain/cloud-cost";
import { recordExecutionMetrics } from "../../../src/db/queries/metrics";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import { checkBudgetAndSuccess } from "./alert-checks";
import type { JobContext, JobOutcome } from "./job-context";
import type { JobOf } from "./store";
import { workspaceStub } from "../stubs";
import { metricsRowId } from "../../../src/domain/attempt-key";


export async function recordMetrics(job: JobOf<"metrics.record">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, attemptKey } = job.payload;
  const exec = ctx.store.getExecution(attemptKey);
  if (!exec?.startedAt) return { kind: "done" };
  const session = ctx.store.getAgentSession(agentSessionId);
  const endedAt = exec.endedAt ?? ctx.now();
  const durationMs = Math.max(0, endedAt - exec.startedAt);
  const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), session?.repositoryName);
  // Local: the run's share of the Claude session's running total, as reported. Cloud: the price model, an estimate.
  const costUsd =
    exec.executor === "local"
      ? (exec.costUsd ?? 0)
      : cloudRunCost({ pricePerRunUsd: settings.priceModel.perRunUsd, pricePerMinuteUsd: settings.priceModel.perMinuteUsd, durationMs: durationMs * ctx.config.CODEGEN_TIME_SCALE });
  await recordExecutionMetrics(ctx.db, {
    id: metricsRowId(attemptKey, exec.resumes),
    workspaceId: ctx.organizationId,
    sessionId: agentSessionId,
    repositoryName: session?.repositoryName ?? null,
    executor: exec.executor,
    agentType: session?.agentType ?? null,
    complexity: session?.complexity ?? null,
    codegenRunId: exec.runId,
    localTaskId: exec.taskId,
    startedAt: exec.startedAt,
    endedAt,
    durationMs,
    outcome: exec.outcome ?? "failed",
    costUsd,
    costEstimated: exec.executor !== "local",
    inputTokens: exec.inputTokens,
    outputTokens: exec.outputTokens,
    prUrls: exec.pullRequests.map((p) => p.url),
  });
  // The reservation settles at what the run cost; local work on a subscription counts as $0 (the figure above is kept).
  const counted = exec.executor === "local" && !settings.localCountsAgainstBudget ? 0 : costUsd;
  await workspaceStub(ctx.env, ctx.organizationId).settleBudget(attemptKey, counted);
  await checkBudgetAndSuccess(ctx, settings);
  return { kind: "done" };
}
