import { describe, expect, it } from "vitest";
import { auditedSettingsChange } from "../../../src/domain/settings-audit";

describe("auditedSettingsChange", () => {
  it("keeps the new values", () => {
    expect(auditedSettingsChange({ strategy: "cloud-only", maxCostPerDayUsd: null, labelMap: { bug: "debugger" } })).toEqual({ strategy: "cloud-only", maxCostPerDayUsd: null, labelMap: { bug: "debugger" } });
  });
  it.each([
    ["https://hooks.slack.com/services/T0/B0/secret", "set"],
    [null, "cleared"],
  ] as const)("records a webhook URL %s only as %s", (webhookUrl, shown) => {
    const audited = auditedSettingsChange({ alerts: { webhookUrl, budgetFraction: 0.8 } });
    expect(audited).toEqual({ alerts: { webhookUrl: shown, budgetFraction: 0.8 } });
    expect(JSON.stringify(audited)).not.toContain("secret");
  });
});
