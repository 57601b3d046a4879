/**
 * What the settings and repository pages say about a setting beyond its
 * value: where the value comes from (a repository's override, the workspace's
 * own setting, the edge's vars, or the built-in default), how healthy the
 * workspace's Linear install is, and how a secret is shown once stored.
 * Values always come from `effectiveSettings`, so a page never disagrees with
 * what the next task does; only the source is worked out here.
 */
import type { EdgeConfig } from "../../config";
import { effectiveSettings, type EffectiveSettings, type WorkspaceSettings } from "../workspace-settings";

export type SettingSource =
  | { kind: "repository" }
  | { kind: "workspace" }
  /** The edge's var, named. */
  | { kind: "edge"; variable: string }
  | { kind: "built-in" };

export interface Sourced<T> {
  value: T;
  source: SettingSource;
}

const workspace: SettingSource = { kind: "workspace" };
const builtIn: SettingSource = { kind: "built-in" };
const edge = (variable: string): SettingSource => ({ kind: "edge", variable });

/** A var-backed setting: the stored value wins when set, else the var. */
const fromVar = <T>(stored: T | undefined, value: T, variable: string): Sourced<T> => ({ value, source: stored !== undefined ? workspace : edge(variable) });
const fromDefault = <T>(stored: T | undefined, value: T): Sourced<T> => ({ value, source: stored !== undefined ? workspace : builtIn });

/**
 * A limit as `effectiveSettings` reads it: the first of (override, stored) that
 * is set decides, unless it is null, in which case the edge's var applies when
 * it has one; a null with no var behind it is "no limit", set where the null is.
 */
function limitSource(override: number | null | undefined, stored: number | null | undefined, configValue: number | undefined, variable: string): SettingSource {
  const first = override !== undefined ? { value: override, source: { kind: "repository" } as const } : stored !== undefined ? { value: stored, source: workspace } : null;
  if (first && first.value !== null) return first.source;
  if (configValue !== undefined) return edge(variable);
  return first ? first.source : builtIn;
}

export interface SettingsWithSources {
  strategy: Sourced<EffectiveSettings["strategy"]>;
  maxCostPerTaskUsd: Sourced<number | null>;
  maxCostPerDayUsd: Sourced<number | null>;
  perRunUsd: Sourced<number>;
  perMinuteUsd: Sourced<number>;
  labelMap: Sourced<EffectiveSettings["labelMap"]>;
  localCountsAgainstBudget: Sourced<boolean>;
  cloudTimeoutAction: Sourced<EffectiveSettings["cloudTimeoutAction"]>;
  webhookUrl: Sourced<string | null>;
  budgetFraction: Sourced<number>;
  successRateBelow: Sourced<number>;
}

/** The workspace's effective settings, each with where it comes from (GET /api/config's logic: the vars, then the workspace). */
export function workspaceSettingsWithSources(config: EdgeConfig, stored: WorkspaceSettings): SettingsWithSources {
  const effective = effectiveSettings(config, stored);
  return {
    strategy: fromVar(stored.strategy, effective.strategy, "EXECUTION_STRATEGY"),
    maxCostPerTaskUsd: { value: effective.maxCostPerTaskUsd, source: limitSource(undefined, stored.maxCostPerTaskUsd, config.MAX_COST_PER_TASK_USD, "MAX_COST_PER_TASK_USD") },
    maxCostPerDayUsd: { value: effective.maxCostPerDayUsd, source: limitSource(undefined, stored.maxCostPerDayUsd, config.MAX_COST_PER_DAY_USD, "MAX_COST_PER_DAY_USD") },
    perRunUsd: fromVar(stored.priceModel?.perRunUsd, effective.priceModel.perRunUsd, "CODEGEN_PRICE_PER_RUN_USD"),
    perMinuteUsd: fromVar(stored.priceModel?.perMinuteUsd, effective.priceModel.perMinuteUsd, "CODEGEN_PRICE_PER_MINUTE_USD"),
    labelMap: fromDefault(stored.labelMap, effective.labelMap),
    localCountsAgainstBudget: fromDefault(stored.localCountsAgainstBudget, effective.localCountsAgainstBudget),
    cloudTimeoutAction: fromDefault(stored.cloudTimeoutAction, effective.cloudTimeoutAction),
    webhookUrl: fromDefault(stored.alerts?.webhookUrl ?? undefined, effective.alerts.webhookUrl),
    budgetFraction: fromDefault(stored.alerts?.budgetFraction, effective.alerts.budgetFraction),
    successRateBelow: fromDefault(stored.alerts?.successRateBelow, effective.alerts.successRateBelow),
  };
}

export interface RepositorySettingsWithSources {
  strategy: Sourced<EffectiveSettings["strategy"]>;
  maxCostPerTaskUsd: Sourced<number | null>;
  maxCostPerDayUsd: Sourced<number | null>;
}

/** What applies to a task in `repository`: its overrides, then the workspace's settings, then the vars. */
export function repositorySettingsWithSources(config: EdgeConfig, stored: WorkspaceSettings, repository: string): RepositorySettingsWithSources {
  const effective = effectiveSettings(config, stored, repository);
  const override = stored.repositories?.[repository];
  const strategySource: SettingSource =
    override?.strategy !== undefined ? { kind: "repository" } : stored.strategy !== undefined ? workspace : edge("EXECUTION_STRATEGY");
  return {
    strategy: { value: effective.strategy, source: strategySource },
    maxCostPerTaskUsd: {
      value: effective.maxCostPerTaskUsd,
      source: limitSource(override?.maxCostPerTaskUsd, stored.maxCostPerTaskUsd, config.MAX_COST_PER_TASK_USD, "MAX_COST_PER_TASK_USD"),
    },
    maxCostPerDayUsd: {
      value: effective.maxCostPerDayUsd,
      source: limitSource(override?.maxCostPerDayUsd, stored.maxCostPerDayUsd, config.MAX_COST_PER_DAY_USD, "MAX_COST_PER_DAY_USD"),
    },
  };
}

export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case "repository":
      return "this repository's override";
    case "workspace":
      return "this workspace's setting";
    case "edge":
      return `the edge's default (${source.variable})`;
    case "built-in":
      return "the built-in default";
  }
}

export type LinearInstallState = "valid" | "refreshes" | "expiring" | "expired" | "refresh_failed" | "revoked";

export interface LinearInstallHealth {
  state: LinearInstallState;
  /** True when the fix is to install the app again. */
  reinstall: boolean;
  text: string;
}

/** Within this long of its expiry, a token without a refresh token is worth a warning. */
const EXPIRY_WARNING_MS = 3 * 24 * 60 * 60 * 1000;

/**
 * How the workspace's Linear token stands. A token with a refresh token is
 * renewed by the edge before it expires; one without lasts until it expires,
 * and then only a re-install helps. A refresh that failed since the tokens
 * were last stored (`refreshFailedAt`) needs a re-install too.
 */
export function linearInstallHealth(
  install: { revokedAt: number | null; tokenExpiresAt: number; hasRefreshToken: boolean; refreshFailedAt: number | null },
  now: number,
): LinearInstallHealth {
  const expires = new Date(install.tokenExpiresAt).toISOString().replace("T", " ").slice(0, 16);
  if (install.revokedAt !== null) {
    return { state: "revoked", reinstall: true, text: "Linear revoked the app's access (it was uninstalled, or its token was revoked): install it again to resume." };
  }
  if (install.refreshFailedAt !== null) {
    return { state: "refresh_failed", reinstall: true, text: "The edge could not refresh the Linear token (see the audit log): install the app again." };
  }
  if (install.hasRefreshToken) {
    return { state: "refreshes", reinstall: false, text: `Valid; the token (current one until ${expires} UTC) refreshes automatically.` };
  }
  if (install.tokenExpiresAt <= now) {
    return { state: "expired", reinstall: true, text: `The token expired at ${expires} UTC and Linear gave no refresh token: install the app again.` };
  }
  if (install.tokenExpiresAt - now <= EXPIRY_WARNING_MS) {
    return { state: "expiring", reinstall: true, text: `Valid until ${expires} UTC, with no refresh token: install the app again before then.` };
  }
  return { state: "valid", reinstall: false, text: `Valid until ${expires} UTC.` };
}

/**
 * A stored webhook URL as a page shows it: the origin only. Slack's incoming
 * webhook URLs are bearer secrets (whoever has one may post), so the path is
 * never rendered after it was entered.
 */
export function maskWebhookUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "(set)";
  }
}
