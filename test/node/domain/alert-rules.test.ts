import { describe, expect, it } from "vitest";
import { agentsOfflineAlert, budgetAlert, successRateAlert, testAlert, webhookBody } from "../../../src/domain/alert-rules";

describe("budgetAlert", () => {
  it.each([
    [{ usedTodayUsd: 44.9, maxPerDayUsd: 50, fraction: 0.9 }, null],
    [{ usedTodayUsd: 45, maxPerDayUsd: 50, fraction: 0.9 }, "90%"],
    [{ usedTodayUsd: 60, maxPerDayUsd: 50, fraction: 0.9 }, "120%"],
    [{ usedTodayUsd: 100, maxPerDayUsd: null, fraction: 0.9 }, null],
  ] as const)("%o → %s", (input, share) => {
    const alert = budgetAlert({ day: "2026-11-21", ...input });
    if (share === null) expect(alert).toBeNull();
    else expect(alert).toMatchObject({ kind: "budget", periodKey: "2026-11-21", text: expect.stringContaining(share) });
  });
});

describe("successRateAlert", () => {
  it("needs enough runs to mean something", () => {
    expect(successRateAlert({ day: "d", tasks: 4, succeeded: 0, threshold: 0.5 })).toBeNull();
  });
  it("alerts below the threshold, not at it", () => {
    expect(successRateAlert({ day: "d", tasks: 10, succeeded: 5, threshold: 0.5 })).toBeNull();
    expect(successRateAlert({ day: "d", tasks: 10, succeeded: 4, threshold: 0.5 })).toMatchObject({ kind: "success_rate", text: expect.stringContaining("40%") });
  });
});

describe("agentsOfflineAlert", () => {
  it("is keyed by hour and repository, so it repeats at most hourly per repository", () => {
    const at = Date.parse("2026-11-21T08:15:00Z");
    expect(agentsOfflineAlert({ at, repository: "web", issueIdentifier: "ENG-1" }).periodKey).toBe("2026-11-21T08:web");
    expect(agentsOfflineAlert({ at: at + 30 * 60_000, repository: "web", issueIdentifier: "ENG-2" }).periodKey).toBe("2026-11-21T08:web");
    expect(agentsOfflineAlert({ at: at + 60 * 60_000, repository: "web", issueIdentifier: null }).periodKey).toBe("2026-11-21T09:web");
  });
  it("posts a Slack-compatible body", () => {
    const body = webhookBody("org", agentsOfflineAlert({ at: 0, repository: "web", issueIdentifier: null }));
    expect(body).toMatchObject({ text: expect.stringContaining("cyrus connect"), kind: "agents_offline", workspace: "org" });
  });
});

describe("testAlert", () => {
  it("says it is a test and who sent it, and is never the same period twice", () => {
    const at = Date.parse("2026-11-21T08:15:00Z");
    const first = testAlert({ at, actor: "Ada (Linear user u1)", nonce: "a" });
    expect(first).toMatchObject({ kind: "test", text: expect.stringContaining("[TEST]") });
    expect(first.text).toContain("Ada (Linear user u1)");
    expect(testAlert({ at, actor: "Ada", nonce: "b" }).periodKey).not.toBe(first.periodKey);
  });
});
