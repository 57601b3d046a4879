/**
 * The alert conditions checked as a session's work moves on: after a run's cost
 * is settled (budget and success rate) and when a local task waits with no
 * agent online. Raising is idempotent per period; failures are only logged.
 */
import { agentsOfflineAlert, budgetAlert, successRateAlert } from "../../../src/domain/alert-rules";
import { effectiveSettings, type EffectiveSettings } from "../../../src/domain/workspace-settings";
import type { JobOf } from "./store";
import { outcomesSince } from "../../../src/db/queries/metrics";
import { describeError } from "../../../src/log";
import { raiseAlert } from "../../raise-alert";
import type { JobContext, JobOutcome } from "./job-context";
import { workspaceStub } from "../stubs";

export async function checkBudgetAndSuccess(ctx: JobContext, settings: EffectiveSettings): Promise<void> {
  try {
    const workspace = workspaceStub(ctx.env, ctx.organizationId);
    const status = await workspace.budgetStatus({ maxPerDayUsd: settings.maxCostPerDayUsd, maxPerTaskUsd: null });
    const budget = budgetAlert({ day: status.day, usedTodayUsd: status.usedTodayUsd, maxPerDayUsd: settings.maxCostPerDayUsd, fraction: settings.alerts.budgetFraction });
    if (budget) await raiseAlert(ctx.db, ctx.log, ctx.organizationId, settings.alerts.webhookUrl, budget);
    const outcomes = await outcomesSince(ctx.db, ctx.organizationId, Date.parse(`${status.day}T00:00:00Z`));
    const rate = successRateAlert({ day: status.day, ...outcomes, threshold: settings.alerts.successRateBelow });
    if (rate) await raiseAlert(ctx.db, ctx.log, ctx.organizationId, settings.alerts.webhookUrl, rate);
  } catch (error) {
    ctx.log.warn("alert check failed", { error: describeError(error) });
  }
}

/** `alert.agents-offline`: a local task was queued while no agent serving its repository was online. */
export async function alertAgentsOffline(job: JobOf<"alert.agents-offline">, ctx: JobContext): Promise<JobOutcome> {
  const { repository, issueIdentifier, agentSessionId } = job.payload;
  try {
    const settings = effectiveSettings(ctx.config, await ctx.workspaceSettings(), ctx.store.getAgentSession(agentSessionId)?.repositoryName);
    await raiseAlert(ctx.db, ctx.log, ctx.organizationId, settings.alerts.webhookUrl, agentsOfflineAlert({ at: ctx.now(), repository, issueIdentifier }));
  } catch (error) {
    ctx.log.warn("alert check failed", { error: describeError(error) });
  }
  return { kind: "done" };
}
