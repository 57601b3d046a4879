import { describe, expect, it } from "vitest";
import { EdgeConfigSchema } from "../../../../src/config";
import { linearInstallHealth, maskWebhookUrl, repositorySettingsWithSources, workspaceSettingsWithSources } from "../../../../src/domain/panel/settings-view";
import { effectiveSettings, type WorkspaceSettings } from "../../../../src/domain/workspace-settings";

const config = (vars: Record<string, string> = {}) => EdgeConfigSchema.parse(vars);

describe("workspaceSettingsWithSources", () => {
  it("says the edge's var or the built-in default until the workspace sets its own", () => {
    const s = workspaceSettingsWithSources(config({ MAX_COST_PER_DAY_USD: "20" }), {});
    expect(s.strategy).toEqual({ value: "hybrid-smart", source: { kind: "edge", variable: "EXECUTION_STRATEGY" } });
    expect(s.maxCostPerDayUsd).toEqual({ value: 20, source: { kind: "edge", variable: "MAX_COST_PER_DAY_USD" } });
    expect(s.maxCostPerTaskUsd).toEqual({ value: null, source: { kind: "built-in" } });
    expect(s.perRunUsd.source).toEqual({ kind: "edge", variable: "CODEGEN_PRICE_PER_RUN_USD" });
    expect(s.cloudTimeoutAction).toEqual({ value: "ask", source: { kind: "built-in" } });
    expect(s.webhookUrl).toEqual({ value: null, source: { kind: "built-in" } });
  });

  it("says the workspace once it sets a value", () => {
    const s = workspaceSettingsWithSources(config(), { strategy: "cloud-only", priceModel: { perMinuteUsd: 0.05 }, alerts: { budgetFraction: 0.5 }, localCountsAgainstBudget: false });
    expect(s.strategy).toEqual({ value: "cloud-only", source: { kind: "workspace" } });
    expect(s.perMinuteUsd).toEqual({ value: 0.05, source: { kind: "workspace" } });
    expect(s.perRunUsd.source.kind).toBe("edge");
    expect(s.budgetFraction).toEqual({ value: 0.5, source: { kind: "workspace" } });
    expect(s.localCountsAgainstBudget).toEqual({ value: false, source: { kind: "workspace" } });
  });
});

describe("repositorySettingsWithSources", () => {
  const stored: WorkspaceSettings = { strategy: "cost-optimized", maxCostPerDayUsd: 50, repositories: { web: { strategy: "cloud-only", maxCostPerTaskUsd: 3 } } };
  it("names the repository's override, then the workspace, then the edge", () => {
    const web = repositorySettingsWithSources(config({ MAX_COST_PER_TASK_USD: "9" }), stored, "web");
    expect(web.strategy).toEqual({ value: "cloud-only", source: { kind: "repository" } });
    expect(web.maxCostPerTaskUsd).toEqual({ value: 3, source: { kind: "repository" } });
    expect(web.maxCostPerDayUsd).toEqual({ value: 50, source: { kind: "workspace" } });
    const api = repositorySettingsWithSources(config({ MAX_COST_PER_TASK_USD: "9" }), stored, "api");
    expect(api.strategy.source).toEqual({ kind: "workspace" });
    expect(api.maxCostPerTaskUsd).toEqual({ value: 9, source: { kind: "edge", variable: "MAX_COST_PER_TASK_USD" } });
  });

  // The values are effectiveSettings' own; this pins the sources to the way it reads a null limit.
  it.each([
    [{ maxCostPerTaskUsd: null }, {}, { kind: "workspace" }],
    [{ maxCostPerTaskUsd: null }, { MAX_COST_PER_TASK_USD: "4" }, { kind: "edge", variable: "MAX_COST_PER_TASK_USD" }],
    [{ maxCostPerTaskUsd: 2, repositories: { web: { maxCostPerTaskUsd: null } } }, {}, { kind: "repository" }],
    [{ repositories: { web: { maxCostPerTaskUsd: 1 } } }, { MAX_COST_PER_TASK_USD: "4" }, { kind: "repository" }],
  ] as const)("a limit of %o with vars %o comes from %o, with effectiveSettings' value", (settings, vars, source) => {
    const result = repositorySettingsWithSources(config(vars), settings as WorkspaceSettings, "web");
    expect(result.maxCostPerTaskUsd.source).toEqual(source);
    expect(result.maxCostPerTaskUsd.value).toBe(effectiveSettings(config(vars), settings as WorkspaceSettings, "web").maxCostPerTaskUsd);
  });
});

describe("linearInstallHealth", () => {
  const now = Date.parse("2026-11-21T12:00:00Z");
  const hour = 3_600_000;
  it.each([
    [{ revokedAt: now - hour, tokenExpiresAt: now + hour, hasRefreshToken: true, refreshFailedAt: null }, "revoked", true],
    [{ revokedAt: null, tokenExpiresAt: now + hour, hasRefreshToken: true, refreshFailedAt: now - hour }, "refresh_failed", true],
    [{ revokedAt: null, tokenExpiresAt: now - hour, hasRefreshToken: true, refreshFailedAt: null }, "refreshes", false],
    [{ revokedAt: null, tokenExpiresAt: now - hour, hasRefreshToken: false, refreshFailedAt: null }, "expired", true],
    [{ revokedAt: null, tokenExpiresAt: now + 24 * hour, hasRefreshToken: false, refreshFailedAt: null }, "expiring", true],
    [{ revokedAt: null, tokenExpiresAt: now + 30 * 24 * hour, hasRefreshToken: false, refreshFailedAt: null }, "valid", false],
  ] as const)("%o is %s (re-install: %s)", (install, state, reinstall) => {
    const health = linearInstallHealth(install, now);
    expect(health.state).toBe(state);
    expect(health.reinstall).toBe(reinstall);
    expect(health.text.length).toBeGreaterThan(10);
  });
});

describe("maskWebhookUrl", () => {
  it.each([
    ["https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"],
    ["http://127.0.0.1:9999/hook?token=abc", "http://127.0.0.1:9999/…"],
    [null, null],
  ])("%s → %s", (url, shown) => {
    expect(maskWebhookUrl(url)).toBe(shown);
  });
});
