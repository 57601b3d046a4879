/**
 * A workspace's own configuration, set through `PUT /api/config` and applied
 * to the next task with no redeploy. Every field is optional: what is not set
 * falls back to the edge's vars (EXECUTION_STRATEGY, MAX_COST_PER_*_USD,
 * CODEGEN_PRICE_PER_*_USD). A repository may override the strategy and limits.
 */
import { z } from "zod";
import { EXECUTION_STRATEGIES, type EdgeConfig, type ExecutionStrategy } from "../config";

export const AGENT_TYPES = ["orchestrator", "builder", "debugger", "scoper"] as const;

const dollars = z.number().nonnegative().max(100_000);

const RepositoryOverrideSchema = z.strictObject({
  strategy: z.enum(EXECUTION_STRATEGIES).optional(),
  maxCostPerTaskUsd: dollars.nullable().optional(),
  maxCostPerDayUsd: dollars.nullable().optional(),
});

export const WorkspaceSettingsSchema = z.strictObject({
  strategy: z.enum(EXECUTION_STRATEGIES).optional(),
  /** null removes a limit that the edge's vars would otherwise set. */
  maxCostPerTaskUsd: dollars.nullable().optional(),
  maxCostPerDayUsd: dollars.nullable().optional(),
  priceModel: z.strictObject({ perRunUsd: dollars.optional(), perMinuteUsd: dollars.optional() }).optional(),
  labelMap: z.record(z.string().min(1).max(100), z.enum(AGENT_TYPES)).optional(),
  /** A workspace on a Claude subscription can count local work as $0 against its budget (the figure is still recorded). */
  localCountsAgainstBudget: z.boolean().optional(),
  /** When a cloud run passes its time limit: ask in Linear before starting a competing local run, or go ahead. */
  cloudTimeoutAction: z.enum(["ask", "fallback"]).optional(),
  /** Hybrid-parallel: the validation task merges the children's pull requests in dependency order when they pass (off by default). */
  mergeInDependencyOrder: z.boolean().optional(),
  alerts: z
    .strictObject({
      webhookUrl: z.url({ protocol: /^https?$/ }).nullable().optional(),
      budgetFraction: z.number().gt(0).max(1).optional(),
      successRateBelow: z.number().min(0).max(1).optional(),
    })
    .optional(),
  repositories: z.record(z.string().min(1).max(100), RepositoryOverrideSchema).optional(),
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;

export interface EffectiveSettings {
  strategy: ExecutionStrategy;
  maxCostPerTaskUsd: number | null;
  maxCostPerDayUsd: number | null;
  priceModel: { perRunUsd: number; perMinuteUsd: number };
  labelMap: Record<string, (typeof AGENT_TYPES)[number]>;
  localCountsAgainstBudget: boolean;
  cloudTimeoutAction: "ask" | "fallback";
  mergeInDependencyOrder: boolean;
  alerts: { webhookUrl: string | null; budgetFraction: number; successRateBelow: number };
}

/** Merges a stored change into the stored settings: objects merge key by key, `null` in `alerts.webhookUrl` or a limit clears it. */
export function mergeSettings(current: WorkspaceSettings, change: WorkspaceSettings): WorkspaceSettings {
  return {
    ...current,
    ...change,
    priceModel: change.priceModel ? { ...current.priceModel, ...change.priceModel } : current.priceModel,
    labelMap: change.labelMap ? { ...current.labelMap, ...change.labelMap } : current.labelMap,
    alerts: change.alerts ? { ...current.alerts, ...change.alerts } : current.alerts,
    repositories: change.repositories ? { ...current.repositories, ...change.repositories } : current.repositories,
  };
}

/** What applies to one task: the edge's vars, then the workspace's settings, then the repository's overrides. */
export function effectiveSettings(config: EdgeConfig, stored: WorkspaceSettings, repository?: string | null): EffectiveSettings {
  const override = repository ? stored.repositories?.[repository] : undefined;
  const pick = <T>(...values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);
  return {
    strategy: pick(override?.strategy, stored.strategy) ?? config.EXECUTION_STRATEGY,
    maxCostPerTaskUsd: pick(override?.maxCostPerTaskUsd, stored.maxCostPerTaskUsd) ?? config.MAX_COST_PER_TASK_USD ?? null,
    maxCostPerDayUsd: pick(override?.maxCostPerDayUsd, stored.maxCostPerDayUsd) ?? config.MAX_COST_PER_DAY_USD ?? null,
    priceModel: {
      perRunUsd: stored.priceModel?.perRunUsd ?? config.CODEGEN_PRICE_PER_RUN_USD,
      perMinuteUsd: stored.priceModel?.perMinuteUsd ?? config.CODEGEN_PRICE_PER_MINUTE_USD,
    },
    labelMap: stored.labelMap ?? {},
    localCountsAgainstBudget: stored.localCountsAgainstBudget ?? true,
    cloudTimeoutAction: stored.cloudTimeoutAction ?? "ask",
    mergeInDependencyOrder: stored.mergeInDependencyOrder ?? false,
    alerts: {
      webhookUrl: stored.alerts?.webhookUrl ?? null,
      budgetFraction: stored.alerts?.budgetFraction ?? 0.9,
      successRateBelow: stored.alerts?.successRateBelow ?? 0.5,
    },
  };
}

/**
 * The ledger's limits for a task in `repository`: the workspace's daily limit,
 * the repository's own daily limit on top of it (when it sets one), and the
 * per-task limit that applies there.
 */
export function budgetLimitsFor(config: EdgeConfig, stored: WorkspaceSettings, repository: string | null | undefined) {
  const workspace = effectiveSettings(config, stored);
  const repoDaily = repository ? stored.repositories?.[repository]?.maxCostPerDayUsd : undefined;
  return {
    maxPerDayUsd: workspace.maxCostPerDayUsd,
    maxPerTaskUsd: effectiveSettings(config, stored, repository).maxCostPerTaskUsd,
    ...(repository && repoDaily !== undefined ? { perRepository: { [repository]: { maxPerDayUsd: repoDaily } } } : {}),
  };
}
