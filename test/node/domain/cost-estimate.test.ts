import { describe, expect, it } from "vitest";
import { estimateCost, median, medianAbsoluteError, runBudget, worstCase, type RunRecord } from "../../../src/domain/cost-estimate";

const PRICES = { perRunUsd: 0.5, perMinuteUsd: 0.02 };
const TASK = { repository: "web", agentType: "builder", complexity: "medium" } as const;

function run(costUsd: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { repository: "web", agentType: "builder", complexity: "medium", executor: "cloud", costUsd, durationMs: 60_000, ...overrides };
}

describe("estimateCost: the price model when there is no history", () => {
  it.each([
    // complexity, cloud = 0.50 + 0.02 × typical minutes (10, 25, 50), local default
    ["low", 0.7, 0.5],
    ["medium", 1, 1.5],
    ["high", 1.5, 4],
  ] as const)("%s: cloud %s, local %s", (complexity, cloudUsd, localUsd) => {
    expect(estimateCost([], { ...TASK, complexity }, PRICES)).toEqual({ localUsd, cloudUsd, basis: { local: "price model", cloud: "price model" } });
  });

  it("uses the configured typical minutes and local defaults", () => {
    const estimate = estimateCost([], { ...TASK, complexity: "high" }, { ...PRICES, typicalMinutes: { high: 100 }, localDefaultUsd: { high: 7 } });
    expect(estimate.cloudUsd).toBe(2.5);
    expect(estimate.localUsd).toBe(7);
  });

  it("falls back to the defaults for a complexity the configuration leaves out", () => {
    const estimate = estimateCost([], { ...TASK, complexity: "low" }, { ...PRICES, typicalMinutes: { high: 100 }, localDefaultUsd: { high: 7 } });
    expect(estimate).toMatchObject({ cloudUsd: 0.7, localUsd: 0.5 });
  });

  it("ignores history of other complexities", () => {
    const history = [run(9, { complexity: "high" }), run(9, { complexity: "low" }), run(9, { complexity: "high", executor: "local" })];
    expect(estimateCost(history, TASK, PRICES).basis).toEqual({ local: "price model", cloud: "price model" });
  });

  it("ignores rows whose cost is not a number or is negative", () => {
    const history = [run(Number.NaN), run(-1), run(Number.POSITIVE_INFINITY)];
    expect(estimateCost(history, TASK, PRICES)).toMatchObject({ cloudUsd: 1, basis: { cloud: "price model" } });
  });

  it.each([
    ["perRunUsd", { perRunUsd: -0.5, perMinuteUsd: 0.02 }],
    ["perMinuteUsd", { perRunUsd: 0.5, perMinuteUsd: Number.NaN }],
    ["typicalMinutes", { ...PRICES, typicalMinutes: { low: -1 } }],
    ["localDefaultUsd", { ...PRICES, localDefaultUsd: { medium: Number.POSITIVE_INFINITY } }],
  ])("rejects a bad %s eagerly", (_name, model) => {
    expect(() => estimateCost([], TASK, model)).toThrow(RangeError);
  });
});

describe("estimateCost: history, widening when it is thin", () => {
  it("uses the median of 3+ runs of the same repository, agent type and complexity", () => {
    const history = [run(1), run(2), run(30), run(100, { repository: "api" })];
    expect(estimateCost(history, TASK, PRICES)).toMatchObject({
      cloudUsd: 2,
      basis: { cloud: "history (n=3, same repository, agent type and complexity)", local: "price model" },
    });
  });

  it("widens to any repository when the repository has fewer than 3", () => {
    const history = [run(1), run(2), run(4, { repository: "api" }), run(8, { repository: "docs" }), run(100, { agentType: "debugger" })];
    expect(estimateCost(history, TASK, PRICES)).toMatchObject({
      cloudUsd: 3,
      basis: { cloud: "history (n=4, same agent type and complexity, any repository)" },
    });
  });

  it("widens to any agent type when that is still fewer than 3", () => {
    const history = [run(1), run(2, { agentType: "debugger", repository: "api" }), run(6, { agentType: "scoper" }), run(50, { complexity: "high" })];
    expect(estimateCost(history, TASK, PRICES)).toMatchObject({
      cloudUsd: 2,
      basis: { cloud: "history (n=3, same complexity, any repository and agent type)" },
    });
  });

  it("uses a run or two when that is all there is, and says so", () => {
    const history = [run(1, { repository: "api", agentType: "scoper" }), run(2, { agentType: "debugger" })];
    expect(estimateCost(history, TASK, PRICES)).toMatchObject({
      cloudUsd: 1.5,
      basis: { cloud: "history (n=2, same complexity, any repository and agent type; fewer than 3 similar runs)" },
    });
  });

  it("keeps the executors apart", () => {
    const history = [run(1), run(1), run(1), run(0.2, { executor: "local" }), run(0.4, { executor: "local" }), run(0.9, { executor: "local" })];
    expect(estimateCost(history, TASK, PRICES)).toEqual({
      cloudUsd: 1,
      localUsd: 0.4,
      basis: {
        cloud: "history (n=3, same repository, agent type and complexity)",
        local: "history (n=3, same repository, agent type and complexity)",
      },
    });
  });

  it("is not moved by one runaway run", () => {
    const history = [run(1), run(1.2), run(0.9), run(1.1), run(500)];
    expect(estimateCost(history, TASK, PRICES).cloudUsd).toBe(1.1);
  });

  it("drops float noise", () => {
    const history = [run(0.1 + 0.2), run(0.1 + 0.2), run(0.1 + 0.2)];
    expect(estimateCost(history, TASK, PRICES).cloudUsd).toBe(0.3);
  });

  it("free local runs (on a subscription) are real history, not missing data", () => {
    const history = [run(0, { executor: "local" }), run(0, { executor: "local" }), run(0, { executor: "local" })];
    expect(estimateCost(history, TASK, PRICES)).toMatchObject({ localUsd: 0, basis: { local: "history (n=3, same repository, agent type and complexity)" } });
  });
});

describe("worstCase", () => {
  it.each([
    ["local: the budget plus the default 20% margin", { executor: "local", maxBudgetUsd: 5 }, 6],
    ["local: a custom margin", { executor: "local", maxBudgetUsd: 5, marginFraction: 0.5 }, 7.5],
    ["local: no margin", { executor: "local", maxBudgetUsd: 5, marginFraction: 0 }, 5],
    ["cloud: per run plus per minute over the timeout (1 h)", { executor: "cloud" }, 1.7],
    ["cloud: a 30-minute timeout", { executor: "cloud", runTimeoutMs: 1_800_000 }, 1.1],
    ["cloud: the local budget does not matter", { executor: "cloud", maxBudgetUsd: 1_000 }, 1.7],
    ["local: the cloud's prices do not matter", { executor: "local", maxBudgetUsd: 2, priceModel: { perRunUsd: 99, perMinuteUsd: 99 } }, 2.4],
  ] as const)("%s", (_name, overrides, expected) => {
    expect(worstCase({ maxBudgetUsd: 5, priceModel: PRICES, runTimeoutMs: 3_600_000, ...overrides })).toBe(expected);
  });

  it.each([
    ["a negative local budget", { executor: "local", maxBudgetUsd: -1 }],
    ["a NaN local budget", { executor: "local", maxBudgetUsd: Number.NaN }],
    ["a negative margin", { executor: "local", marginFraction: -0.1 }],
    ["a negative timeout", { executor: "cloud", runTimeoutMs: -1 }],
    ["an infinite timeout", { executor: "cloud", runTimeoutMs: Number.POSITIVE_INFINITY }],
    ["a negative price", { executor: "cloud", priceModel: { perRunUsd: -1, perMinuteUsd: 0 } }],
  ] as const)("rejects %s", (_name, overrides) => {
    expect(() => worstCase({ maxBudgetUsd: 5, priceModel: PRICES, runTimeoutMs: 3_600_000, ...overrides })).toThrow(RangeError);
  });
});

describe("median and medianAbsoluteError", () => {
  it.each([
    [[3], 3],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5, 5, 1], 5],
  ])("median of %j is %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it("median does not sort its input in place", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("median of nothing throws", () => {
    expect(() => median([])).toThrow(RangeError);
  });

  it("is the median of the absolute errors", () => {
    const pairs = [
      { estimatedUsd: 1, actualUsd: 2 },
      { estimatedUsd: 3, actualUsd: 3 },
      { estimatedUsd: 5, actualUsd: 1 },
    ];
    expect(medianAbsoluteError(pairs)).toBe(1);
  });

  it("averages the middle two of an even count, and drops float noise", () => {
    const pairs = [
      { estimatedUsd: 0.1, actualUsd: 0.3 },
      { estimatedUsd: 0.7, actualUsd: 0.3 },
    ];
    expect(medianAbsoluteError(pairs)).toBe(0.3);
  });

  it("is zero for perfect estimates", () => {
    expect(medianAbsoluteError([{ estimatedUsd: 2, actualUsd: 2 }])).toBe(0);
  });

  it("needs at least one pair", () => {
    expect(() => medianAbsoluteError([])).toThrow(RangeError);
  });
});

describe("runBudget: one cap and worst case per executor, whichever path started the run", () => {
  const NO_LIMITS = { maxCostPerTaskUsd: null, maxCostPerDayUsd: null, localCountsAgainstBudget: true };
  it.each([
    // name, executor, local estimate, limits, → maxBudgetUsd, worstCaseUsd, reserveUsd
    ["local: the per-task limit is the cap, plus 20% margin", "local", 1.5, { ...NO_LIMITS, maxCostPerTaskUsd: 5 }, 5, 6, 6],
    ["local: the per-task limit wins over the daily one", "local", 1.5, { ...NO_LIMITS, maxCostPerTaskUsd: 5, maxCostPerDayUsd: 50 }, 5, 6, 6],
    ["local: only a daily limit: 3× the estimate", "local", 1.5, { ...NO_LIMITS, maxCostPerDayUsd: 50 }, 4.5, 5.4, 5.4],
    ["local: only a daily limit: never under $1", "local", 0.2, { ...NO_LIMITS, maxCostPerDayUsd: 50 }, 1, 1.2, 1.2],
    ["local: no limit at all: no cap, the estimate is the worst case", "local", 1.5, NO_LIMITS, null, 1.5, 1.5],
    ["local: not counted against the budget reserves nothing", "local", 1.5, { ...NO_LIMITS, maxCostPerTaskUsd: 5, localCountsAgainstBudget: false }, 5, 6, 0],
    ["cloud: priced over the timeout (1 h)", "cloud", 1.5, NO_LIMITS, null, 1.7, 1.7],
    ["cloud: limits and the local estimate do not matter", "cloud", 99, { maxCostPerTaskUsd: 5, maxCostPerDayUsd: 50, localCountsAgainstBudget: false }, null, 1.7, 1.7],
  ] as const)("%s", (_name, executor, localEstimateUsd, limits, maxBudgetUsd, worstCaseUsd, reserveUsd) => {
    expect(runBudget({ executor, localEstimateUsd, limits, priceModel: PRICES, runTimeoutMs: 3_600_000 })).toEqual({ maxBudgetUsd, worstCaseUsd, reserveUsd });
  });

  it("rejects a negative local estimate", () => {
    expect(() => runBudget({ executor: "local", localEstimateUsd: -1, limits: NO_LIMITS, priceModel: PRICES, runTimeoutMs: 0 })).toThrow(RangeError);
  });
});
