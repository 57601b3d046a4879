import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EXECUTION_STRATEGIES, type ExecutionStrategy } from "../../../src/config";
import { selectExecutor, type ExecutionSituation, type ExecutorTask } from "../../../src/domain/select-executor";

const MIN = 60_000;

function task(overrides: Partial<ExecutorTask> = {}): ExecutorTask {
  return {
    agentType: "builder",
    complexity: "medium",
    needsIsolation: false,
    parallelizable: false,
    executorOverride: null,
    repository: "web",
    priority: 3,
    ...overrides,
  };
}

const FREE = { agentsOnline: 1, freeSlots: 1, expectedWaitMs: null };
const BUSY = { agentsOnline: 2, freeSlots: 0, expectedWaitMs: 10 * MIN };
const BUSY_LONG = { agentsOnline: 2, freeSlots: 0, expectedWaitMs: 45 * MIN };
const BUSY_UNKNOWN = { agentsOnline: 2, freeSlots: 0, expectedWaitMs: null };
const OFFLINE = { agentsOnline: 0, freeSlots: 0, expectedWaitMs: null };

const HEALTHY = { configured: true, healthy: true };
const UNHEALTHY = { configured: true, healthy: false };
const UNCONFIGURED = { configured: false, healthy: false };

const UNLIMITED = { remainingTodayUsd: null, maxPerTaskUsd: null, localCountsAgainstBudget: true };
/** Cloud worst case 1.70 does not fit; local worst case 6.00 does not fit either. */
const BROKE = { remainingTodayUsd: 1, maxPerTaskUsd: null, localCountsAgainstBudget: true };
/** Only the cloud's worst case (1.70) fits what is left. */
const CLOUD_ONLY_FITS = { remainingTodayUsd: 2, maxPerTaskUsd: null, localCountsAgainstBudget: true };
/** Only the local worst case (6.00) fits: the cloud's is raised to 9.00 in these cases. */
const LOCAL_ONLY_FITS = { remainingTodayUsd: 7, maxPerTaskUsd: null, localCountsAgainstBudget: true };
const BROKE_SUBSCRIPTION = { remainingTodayUsd: 1, maxPerTaskUsd: null, localCountsAgainstBudget: false };

const ESTIMATE = { localUsd: 1.5, cloudUsd: 1, cloudWorstCaseUsd: 1.7, localWorstCaseUsd: 6 };
const EXPENSIVE_CLOUD = { ...ESTIMATE, cloudWorstCaseUsd: 9 };

function situation(overrides: Partial<ExecutionSituation> = {}): ExecutionSituation {
  return { local: FREE, localWaitLimitMs: 30 * MIN, cloud: HEALTHY, budget: UNLIMITED, estimate: ESTIMATE, ...overrides };
}

interface Case {
  name: string;
  task?: Partial<ExecutorTask>;
  strategy: ExecutionStrategy;
  situation?: Partial<ExecutionSituation>;
  executor: "local" | "cloud" | null;
  wait?: boolean;
  fallback: "local" | "cloud" | null;
  /** With a null executor: what would run it once today's budget has room (absent: nothing; it never fits). */
  budgetWait?: "local" | "cloud";
  /** The whole reason, or fragments it must contain. */
  reason?: string | string[];
}

function check(c: Case) {
  const decision = selectExecutor(task(c.task), c.strategy, situation(c.situation));
  expect(decision.executor).toBe(c.executor);
  expect(decision.waitForLocal).toBe(c.wait ?? false);
  expect(decision.fallback).toBe(c.fallback);
  expect(decision.waitForBudget?.executor ?? null).toBe(c.budgetWait ?? null);
  if (typeof c.reason === "string") expect(decision.reason).toBe(c.reason);
  else for (const fragment of c.reason ?? []) expect(decision.reason).toContain(fragment);
}

describe("selectExecutor: local-only", () => {
  const cases: Case[] = [
    {
      name: "a free agent runs it",
      strategy: "local-only",
      executor: "local",
      fallback: null,
      reason: "Running locally: the strategy is local-only, and a local agent has a free slot.",
    },
    {
      name: "busy agents: it queues",
      strategy: "local-only",
      situation: { local: BUSY },
      executor: "local",
      wait: true,
      fallback: null,
      reason: "Queued for a local agent: the strategy is local-only, and every local agent for web is busy (expected wait 10 min).",
    },
    {
      name: "no agent online: it queues and says how to connect one",
      strategy: "local-only",
      situation: { local: OFFLINE },
      executor: "local",
      wait: true,
      fallback: null,
      reason: ["no local agent for web is online", "cyrus connect --repo web=<path>"],
    },
    {
      name: "high-complexity work stays local, with no cloud fallback",
      strategy: "local-only",
      task: { complexity: "high", needsIsolation: true, parallelizable: true },
      executor: "local",
      fallback: null,
    },
    {
      name: "a local worst case over today's budget: not started",
      strategy: "local-only",
      situation: { budget: LOCAL_ONLY_FITS, estimate: { ...ESTIMATE, localWorstCaseUsd: 8 } },
      executor: null,
      fallback: null,
      budgetWait: "local",
      reason:
        "Not started: the strategy is local-only and a local run's worst case ($8.00) is more than the $7.00 left in today's budget; it waits for budget until today's spend settles lower, the day ends (UTC), or an admin raises the daily limit.",
    },
    {
      name: "a local worst case over the per-task limit: not started, and waiting does not help",
      strategy: "local-only",
      situation: { budget: { remainingTodayUsd: null, maxPerTaskUsd: 5, localCountsAgainstBudget: true } },
      executor: null,
      fallback: null,
      reason:
        "Not started: the strategy is local-only and a local run's worst case ($6.00) is over the $5.00 per-task limit; an admin can raise the per-task limit (MAX_COST_PER_TASK_USD or the workspace's settings).",
    },
    {
      name: "over budget, but local work does not count against it",
      strategy: "local-only",
      situation: { budget: BROKE_SUBSCRIPTION },
      executor: "local",
      fallback: null,
    },
  ];
  it.each(cases)("$name", check);
});

describe("selectExecutor: waiting for budget, or never fitting", () => {
  const cases: Case[] = [
    {
      name: "local-only, the local worst case over the whole daily limit: never, and says to raise it",
      strategy: "local-only",
      situation: { budget: { remainingTodayUsd: 5, maxPerTaskUsd: null, dayLimitUsd: 5, localCountsAgainstBudget: true } },
      executor: null,
      fallback: null,
      reason:
        "Not started: the strategy is local-only and a local run's worst case ($6.00) is over the whole daily limit of $5.00; an admin can raise the daily limit (MAX_COST_PER_DAY_USD or the workspace's settings).",
    },
    {
      name: "cloud-only, over what is left but within the daily limit: waits for the cloud",
      strategy: "cloud-only",
      situation: { budget: { remainingTodayUsd: 1, maxPerTaskUsd: null, dayLimitUsd: 3, localCountsAgainstBudget: true } },
      executor: null,
      fallback: null,
      budgetWait: "cloud",
    },
    {
      name: "cloud-only, over the whole daily limit: never",
      strategy: "cloud-only",
      situation: { budget: { remainingTodayUsd: 1, maxPerTaskUsd: null, dayLimitUsd: 1.5, localCountsAgainstBudget: true } },
      executor: null,
      fallback: null,
    },
    {
      name: "hybrid, the cloud over the daily limit and local over what is left: waits for a local run",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { budget: { remainingTodayUsd: 1, maxPerTaskUsd: null, dayLimitUsd: 6, localCountsAgainstBudget: true }, estimate: EXPENSIVE_CLOUD },
      executor: null,
      fallback: null,
      budgetWait: "local",
    },
    {
      name: "hybrid, the cloud over the per-task limit and local over what is left: waits for a local run",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { budget: { remainingTodayUsd: 1, maxPerTaskUsd: 8, localCountsAgainstBudget: true }, estimate: EXPENSIVE_CLOUD },
      executor: null,
      fallback: null,
      budgetWait: "local",
    },
    {
      name: "something fits now: it runs, nothing waits",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { budget: { remainingTodayUsd: 7, maxPerTaskUsd: null, dayLimitUsd: 10, localCountsAgainstBudget: true }, estimate: EXPENSIVE_CLOUD },
      executor: "local",
      fallback: null,
    },
  ];
  it.each(cases)("$name", check);

  it("says what would run it once there is room", () => {
    const decision = selectExecutor(task({ complexity: "high" }), "hybrid-smart", situation({ budget: BROKE }));
    expect(decision.waitForBudget).toEqual({ executor: "cloud", reason: "Running in the cloud: builder work of high complexity, and Codegen is healthy." });
  });
});

describe("selectExecutor: cloud-only", () => {
  const cases: Case[] = [
    {
      name: "healthy Codegen runs it, with no local fallback",
      strategy: "cloud-only",
      situation: { local: FREE },
      task: { complexity: "low" },
      executor: "cloud",
      fallback: null,
      reason: "Running in the cloud: the strategy is cloud-only, and Codegen is healthy.",
    },
    {
      name: "unconfigured: not started, and says which credentials to set",
      strategy: "cloud-only",
      situation: { cloud: UNCONFIGURED },
      executor: null,
      fallback: null,
      reason:
        "Not started: the strategy is cloud-only and Codegen is not configured; set CODEGEN_ORG_ID and CODEGEN_API_TOKEN (or the workspace's own Codegen credentials) to use the cloud.",
    },
    {
      name: "unhealthy: not started, and will retry",
      strategy: "cloud-only",
      situation: { cloud: UNHEALTHY },
      executor: null,
      fallback: null,
      reason: "Not started: the strategy is cloud-only and Codegen is unhealthy right now; I'll retry when Codegen is healthy again.",
    },
    {
      name: "over today's budget: waits for budget",
      strategy: "cloud-only",
      situation: { budget: BROKE },
      executor: null,
      fallback: null,
      budgetWait: "cloud",
      reason: ["a cloud run's worst case ($1.70) is more than the $1.00 left in today's budget", "it waits for budget"],
    },
    {
      name: "local not counting against the budget does not rescue a cloud-only task",
      strategy: "cloud-only",
      situation: { budget: BROKE_SUBSCRIPTION },
      executor: null,
      fallback: null,
      budgetWait: "cloud",
    },
    {
      name: "no local agent does not matter",
      strategy: "cloud-only",
      situation: { local: OFFLINE },
      executor: "cloud",
      fallback: null,
    },
  ];
  it.each(cases)("$name", check);
});

describe("selectExecutor: hybrid-smart", () => {
  const cases: Case[] = [
    {
      name: "orchestrator work stays local even when high and parallel",
      strategy: "hybrid-smart",
      task: { agentType: "orchestrator", complexity: "high", parallelizable: true },
      executor: "local",
      fallback: "cloud",
      reason: "Running locally: orchestrator work (coordination and validation) stays local, and a local agent has a free slot.",
    },
    {
      name: "scoper work stays local even when it needs isolation",
      strategy: "hybrid-smart",
      task: { agentType: "scoper", complexity: "high", needsIsolation: true },
      executor: "local",
      fallback: "cloud",
      reason: "Running locally: scoper work (analysis) stays local, and a local agent has a free slot.",
    },
    {
      name: "low complexity: local",
      strategy: "hybrid-smart",
      task: { complexity: "low" },
      executor: "local",
      fallback: "cloud",
      reason: "Running locally: builder work of low complexity, and a local agent has a free slot.",
    },
    {
      name: "low complexity that can run in parallel: still local",
      strategy: "hybrid-smart",
      task: { complexity: "low", parallelizable: true },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "low complexity that needs isolation: cloud",
      strategy: "hybrid-smart",
      task: { complexity: "low", needsIsolation: true },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: builder work of low complexity needs an isolated sandbox, and Codegen is healthy.",
    },
    {
      name: "high-complexity builder: cloud",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: builder work of high complexity, and Codegen is healthy.",
    },
    {
      name: "high-complexity debugger: cloud",
      strategy: "hybrid-smart",
      task: { agentType: "debugger", complexity: "high" },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: debugger work of high complexity, and Codegen is healthy.",
    },
    {
      name: "medium that can run beside other work: cloud even with a free agent",
      strategy: "hybrid-smart",
      task: { parallelizable: true },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: builder work of medium complexity can run beside other work, and Codegen is healthy.",
    },
    {
      name: "medium with a free agent: local",
      strategy: "hybrid-smart",
      executor: "local",
      fallback: "cloud",
      reason: "Running locally: builder work of medium complexity, and a local agent has a free slot.",
    },
    {
      name: "medium with busy agents and healthy Codegen: cloud",
      strategy: "hybrid-smart",
      situation: { local: BUSY },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: builder work of medium complexity and no local agent is free now, and Codegen is healthy.",
    },
    {
      name: "medium with no agent online and healthy Codegen: cloud",
      strategy: "hybrid-smart",
      situation: { local: OFFLINE },
      executor: "cloud",
      fallback: "local",
    },
    {
      name: "medium with busy agents and unhealthy Codegen: queues, cloud is the fallback",
      strategy: "hybrid-smart",
      situation: { local: BUSY, cloud: UNHEALTHY },
      executor: "local",
      wait: true,
      fallback: "cloud",
      reason:
        "Queued for a local agent: builder work of medium complexity and Codegen is unhealthy right now, and every local agent for web is busy (expected wait 10 min).",
    },
    {
      name: "medium with busy agents and a cloud run over budget: queues, no fallback",
      strategy: "hybrid-smart",
      situation: { local: BUSY, budget: LOCAL_ONLY_FITS, estimate: EXPENSIVE_CLOUD },
      executor: "local",
      wait: true,
      fallback: null,
      reason: ["a cloud run's worst case ($9.00) is more than the $7.00 left in today's budget"],
    },
    {
      name: "medium with busy agents and no Codegen: queues, no fallback",
      strategy: "hybrid-smart",
      situation: { local: BUSY, cloud: UNCONFIGURED },
      executor: "local",
      wait: true,
      fallback: null,
      reason: ["Codegen is not configured"],
    },
    {
      name: "high with unhealthy Codegen: local, says why",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { cloud: UNHEALTHY },
      executor: "local",
      fallback: "cloud",
      reason:
        "Running locally: the cloud was preferred (builder work of high complexity), but Codegen is unhealthy right now, and a local agent has a free slot.",
    },
    {
      name: "high with no Codegen: local, no fallback",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { cloud: UNCONFIGURED, local: BUSY },
      executor: "local",
      wait: true,
      fallback: null,
    },
    {
      name: "high with the cloud over budget, local on a subscription: local",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { budget: BROKE_SUBSCRIPTION },
      executor: "local",
      fallback: null,
      reason: ["the cloud was preferred", "a cloud run's worst case ($1.70) is more than the $1.00 left in today's budget"],
    },
    {
      name: "high with the cloud over budget and the local worst case fitting: local",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { budget: LOCAL_ONLY_FITS, estimate: EXPENSIVE_CLOUD },
      executor: "local",
      fallback: null,
    },
    {
      name: "high with nothing fitting the budget: waits for budget",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { budget: BROKE },
      executor: null,
      fallback: null,
      budgetWait: "cloud",
      reason:
        "Not started: a cloud run's worst case ($1.70) is more than the $1.00 left in today's budget, and a local run's worst case ($6.00) is more than the $1.00 left in today's budget; it waits for budget until today's spend settles lower, the day ends (UTC), or an admin raises the daily limit.",
    },
    {
      name: "high with unhealthy Codegen and local over budget: not started, both said",
      strategy: "hybrid-smart",
      task: { complexity: "high" },
      situation: { cloud: UNHEALTHY, budget: BROKE },
      executor: null,
      fallback: null,
      budgetWait: "local",
      reason: ["Codegen is unhealthy right now", "a local run's worst case ($6.00)", "it waits for budget", "I'll retry when Codegen is healthy again"],
    },
    {
      name: "low with the local worst case over budget: cloud, says why",
      strategy: "hybrid-smart",
      task: { complexity: "low" },
      situation: { budget: CLOUD_ONLY_FITS },
      executor: "cloud",
      fallback: null,
      reason:
        "Running in the cloud: a local run was preferred (builder work of low complexity), but a local run's worst case ($6.00) is more than the $2.00 left in today's budget, and Codegen is healthy.",
    },
    {
      name: "low, local over the per-task limit, no Codegen: not started, per-task advice",
      strategy: "hybrid-smart",
      task: { complexity: "low" },
      situation: { cloud: UNCONFIGURED, budget: { remainingTodayUsd: null, maxPerTaskUsd: 5, localCountsAgainstBudget: true } },
      executor: null,
      fallback: null,
      reason: ["over the $5.00 per-task limit", "raise the per-task limit", "set CODEGEN_ORG_ID"],
    },
    {
      name: "urgent and every agent busy: the cloud starts it now",
      strategy: "hybrid-smart",
      task: { complexity: "low", priority: 1 },
      situation: { local: BUSY },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: the issue is urgent and every local agent for web is busy (expected wait 10 min), and Codegen is healthy.",
    },
    {
      name: "urgent orchestrator with no agent online: the cloud starts it now",
      strategy: "hybrid-smart",
      task: { agentType: "orchestrator", priority: 1 },
      situation: { local: OFFLINE },
      executor: "cloud",
      fallback: "local",
    },
    {
      name: "urgent with a free agent: local",
      strategy: "hybrid-smart",
      task: { complexity: "low", priority: 1 },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "urgent, busy, unhealthy Codegen: queues",
      strategy: "hybrid-smart",
      task: { complexity: "low", priority: 1 },
      situation: { local: BUSY, cloud: UNHEALTHY },
      executor: "local",
      wait: true,
      fallback: "cloud",
    },
    {
      name: "urgent, busy, cloud over budget: queues",
      strategy: "hybrid-smart",
      task: { complexity: "low", priority: 1 },
      situation: { local: BUSY, budget: LOCAL_ONLY_FITS, estimate: EXPENSIVE_CLOUD },
      executor: "local",
      wait: true,
      fallback: null,
    },
    {
      name: "high priority (2) is not urgent: queues",
      strategy: "hybrid-smart",
      task: { complexity: "low", priority: 2 },
      situation: { local: BUSY },
      executor: "local",
      wait: true,
      fallback: "cloud",
    },
  ];
  it.each(cases)("$name", check);
});

describe("selectExecutor: hybrid-parallel", () => {
  const cases: Case[] = [
    {
      name: "low work that can run beside other work: cloud",
      strategy: "hybrid-parallel",
      task: { complexity: "low", parallelizable: true },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: builder work of low complexity can run beside other work, and Codegen is healthy.",
    },
    {
      name: "medium with a free agent: still the cloud",
      strategy: "hybrid-parallel",
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: builder work of medium complexity, and Codegen is healthy.",
    },
    {
      name: "medium with unhealthy Codegen: local",
      strategy: "hybrid-parallel",
      situation: { cloud: UNHEALTHY },
      executor: "local",
      fallback: "cloud",
      reason: ["the cloud was preferred (builder work of medium complexity), but Codegen is unhealthy right now"],
    },
    {
      name: "parallel low with no Codegen: local",
      strategy: "hybrid-parallel",
      task: { complexity: "low", parallelizable: true },
      situation: { cloud: UNCONFIGURED },
      executor: "local",
      fallback: null,
    },
    {
      name: "the orchestrator stays local",
      strategy: "hybrid-parallel",
      task: { agentType: "orchestrator", parallelizable: true },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "the scoper stays local",
      strategy: "hybrid-parallel",
      task: { agentType: "scoper", parallelizable: true },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "low, not parallel: local",
      strategy: "hybrid-parallel",
      task: { complexity: "low" },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "high: cloud",
      strategy: "hybrid-parallel",
      task: { complexity: "high", agentType: "debugger" },
      executor: "cloud",
      fallback: "local",
    },
    {
      name: "isolation: cloud",
      strategy: "hybrid-parallel",
      task: { complexity: "low", needsIsolation: true },
      executor: "cloud",
      fallback: "local",
      reason: ["needs an isolated sandbox"],
    },
    {
      name: "parallel work with the cloud over budget: local",
      strategy: "hybrid-parallel",
      task: { parallelizable: true },
      situation: { budget: BROKE_SUBSCRIPTION },
      executor: "local",
      fallback: null,
    },
  ];
  it.each(cases)("$name", check);
});

describe("selectExecutor: cost-optimized", () => {
  const cases: Case[] = [
    {
      name: "a free agent: local",
      strategy: "cost-optimized",
      task: { complexity: "high" },
      executor: "local",
      fallback: "cloud",
      reason: "Running locally: the strategy is cost-optimized, and a local agent has a free slot.",
    },
    {
      name: "busy but expected within the limit: queues, cloud is the fallback",
      strategy: "cost-optimized",
      situation: { local: BUSY },
      executor: "local",
      wait: true,
      fallback: "cloud",
      reason: "Queued for a local agent: the strategy is cost-optimized, and every local agent for web is busy (expected wait 10 min).",
    },
    {
      name: "expected wait exactly at the limit: queues",
      strategy: "cost-optimized",
      situation: { local: { agentsOnline: 1, freeSlots: 0, expectedWaitMs: 30 * MIN } },
      executor: "local",
      wait: true,
      fallback: "cloud",
    },
    {
      name: "expected wait over the limit: cloud",
      strategy: "cost-optimized",
      situation: { local: BUSY_LONG },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: the strategy is cost-optimized and no local agent can take it within 30 min, and Codegen is healthy.",
    },
    {
      name: "expected wait unknown: cloud",
      strategy: "cost-optimized",
      situation: { local: BUSY_UNKNOWN },
      executor: "cloud",
      fallback: "local",
    },
    {
      name: "no agent online: cloud",
      strategy: "cost-optimized",
      situation: { local: OFFLINE },
      executor: "cloud",
      fallback: "local",
    },
    {
      name: "isolation and high complexity do not matter: local",
      strategy: "cost-optimized",
      task: { complexity: "high", needsIsolation: true, parallelizable: true },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "over the limit and Codegen unhealthy: queues",
      strategy: "cost-optimized",
      situation: { local: BUSY_LONG, cloud: UNHEALTHY },
      executor: "local",
      wait: true,
      fallback: "cloud",
      reason: [
        "Queued for a local agent: the cloud was preferred (the strategy is cost-optimized and no local agent can take it within 30 min), but Codegen is unhealthy right now",
      ],
    },
    {
      name: "over the limit and the cloud over budget: queues on a subscription",
      strategy: "cost-optimized",
      situation: { local: BUSY_LONG, budget: BROKE_SUBSCRIPTION },
      executor: "local",
      wait: true,
      fallback: null,
    },
    {
      name: "over the limit and nothing fits the budget: not started",
      strategy: "cost-optimized",
      situation: { local: BUSY_LONG, budget: BROKE },
      executor: null,
      fallback: null,
      budgetWait: "cloud",
      reason: ["it waits for budget"],
    },
    {
      name: "urgent and busy within the limit: the cloud starts it now",
      strategy: "cost-optimized",
      task: { priority: 1 },
      situation: { local: BUSY },
      executor: "cloud",
      fallback: "local",
      reason: ["the issue is urgent"],
    },
    {
      name: "the wait limit is shown in hours when long",
      strategy: "cost-optimized",
      situation: { local: BUSY_UNKNOWN, localWaitLimitMs: 3 * 60 * MIN },
      executor: "cloud",
      fallback: "local",
      reason: ["within 3 h"],
    },
    {
      name: "the wait limit is shown in seconds when short",
      strategy: "cost-optimized",
      situation: { local: BUSY_UNKNOWN, localWaitLimitMs: 45_000 },
      executor: "cloud",
      fallback: "local",
      reason: ["within 45 s"],
    },
  ];
  it.each(cases)("$name", check);
});

describe("selectExecutor: overrides", () => {
  const cases: Case[] = [
    {
      name: "[executor=cloud] moves low work to the cloud",
      strategy: "hybrid-smart",
      task: { complexity: "low", executorOverride: "cloud" },
      executor: "cloud",
      fallback: "local",
      reason: "Running in the cloud: the issue asks for it with [executor=cloud], and Codegen is healthy.",
    },
    {
      name: "[executor=local] keeps high work local",
      strategy: "hybrid-smart",
      task: { complexity: "high", executorOverride: "local" },
      executor: "local",
      fallback: "cloud",
      reason: "Running locally: the issue asks for it with [executor=local], and a local agent has a free slot.",
    },
    {
      name: "[executor=local] queues when agents are busy, even when urgent",
      strategy: "hybrid-smart",
      task: { executorOverride: "local", priority: 1 },
      situation: { local: BUSY },
      executor: "local",
      wait: true,
      fallback: "cloud",
    },
    {
      name: "[executor=cloud] beats local-only, which stays the fallback",
      strategy: "local-only",
      task: { executorOverride: "cloud" },
      executor: "cloud",
      fallback: "local",
    },
    {
      name: "[executor=local] beats cloud-only, which stays the fallback",
      strategy: "cloud-only",
      task: { executorOverride: "local" },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "[executor=local] beats cost-optimized's cloud",
      strategy: "cost-optimized",
      task: { executorOverride: "local" },
      situation: { local: OFFLINE },
      executor: "local",
      wait: true,
      fallback: "cloud",
    },
    {
      name: "[executor=cloud] with unhealthy Codegen: the strategy decides, and the reason says so",
      strategy: "hybrid-smart",
      task: { complexity: "low", executorOverride: "cloud" },
      situation: { cloud: UNHEALTHY },
      executor: "local",
      fallback: "cloud",
      reason:
        "Running locally: builder work of low complexity, and a local agent has a free slot (the issue asks for [executor=cloud], but Codegen is unhealthy right now).",
    },
    {
      name: "[executor=cloud] under local-only with no Codegen: local, no fallback",
      strategy: "local-only",
      task: { executorOverride: "cloud" },
      situation: { cloud: UNCONFIGURED },
      executor: "local",
      fallback: null,
      reason:
        "Running locally: the strategy is local-only, and a local agent has a free slot (the issue asks for [executor=cloud], but Codegen is not configured).",
    },
    {
      name: "[executor=cloud] under local-only with unhealthy Codegen: local, the cloud may be the fallback",
      strategy: "local-only",
      task: { executorOverride: "cloud" },
      situation: { cloud: UNHEALTHY },
      executor: "local",
      fallback: "cloud",
    },
    {
      name: "[executor=cloud] over budget under cloud-only: not started, the problem said once",
      strategy: "cloud-only",
      task: { executorOverride: "cloud" },
      situation: { budget: BROKE },
      executor: null,
      fallback: null,
      budgetWait: "cloud",
      reason:
        "Not started: the strategy is cloud-only and a cloud run's worst case ($1.70) is more than the $1.00 left in today's budget; it waits for budget until today's spend settles lower, the day ends (UTC), or an admin raises the daily limit (the issue asks for [executor=cloud]).",
    },
    {
      name: "[executor=local] over budget: the strategy sends it to the cloud",
      strategy: "hybrid-smart",
      task: { complexity: "low", executorOverride: "local" },
      situation: { budget: CLOUD_ONLY_FITS },
      executor: "cloud",
      fallback: null,
      reason:
        "Running in the cloud: a local run was preferred (builder work of low complexity), but a local run's worst case ($6.00) is more than the $2.00 left in today's budget, and Codegen is healthy (the issue asks for [executor=local]).",
    },
    {
      name: "[executor=local] over budget under cloud-only: the cloud, no local fallback",
      strategy: "cloud-only",
      task: { executorOverride: "local" },
      situation: { budget: CLOUD_ONLY_FITS },
      executor: "cloud",
      fallback: null,
      reason: ["(the issue asks for [executor=local], but a local run's worst case ($6.00) is more than the $2.00 left in today's budget)"],
    },
  ];
  it.each(cases)("$name", check);
});

describe("selectExecutor: budget edges", () => {
  it("a worst case exactly equal to what is left fits", () => {
    const decision = selectExecutor(task({ complexity: "high" }), "hybrid-smart", situation({ budget: { ...UNLIMITED, remainingTodayUsd: 1.7 } }));
    expect(decision.executor).toBe("cloud");
  });

  it("a worst case exactly at the per-task limit fits", () => {
    const decision = selectExecutor(task({ complexity: "high" }), "cloud-only", situation({ budget: { ...UNLIMITED, maxPerTaskUsd: 1.7 } }));
    expect(decision.executor).toBe("cloud");
  });

  it("the per-task limit is named before the daily one when both are exceeded", () => {
    const decision = selectExecutor(task(), "cloud-only", situation({ budget: { remainingTodayUsd: 1, maxPerTaskUsd: 1, localCountsAgainstBudget: true } }));
    expect(decision.reason).toContain("per-task limit");
    expect(decision.reason).not.toContain("waits for budget");
  });

  it("no limits admit any worst case", () => {
    const decision = selectExecutor(task({ complexity: "high" }), "hybrid-smart", situation({ estimate: { ...ESTIMATE, cloudWorstCaseUsd: 1e6 } }));
    expect(decision.executor).toBe("cloud");
  });
});

describe("selectExecutor: invariants over every situation", () => {
  const arbitraryTask = fc.record({
    agentType: fc.constantFrom("orchestrator", "builder", "debugger", "scoper" as const),
    complexity: fc.constantFrom("low", "medium", "high" as const),
    needsIsolation: fc.boolean(),
    parallelizable: fc.boolean(),
    executorOverride: fc.constantFrom(null, "local", "cloud" as const),
    repository: fc.constantFrom("web", "api"),
    priority: fc.integer({ min: 0, max: 4 }),
  });
  const money = fc.double({ min: 0, max: 20, noNaN: true });
  const arbitrarySituation = fc.record({
    local: fc.record({
      agentsOnline: fc.integer({ min: 0, max: 3 }),
      freeSlots: fc.integer({ min: 0, max: 3 }),
      expectedWaitMs: fc.option(fc.integer({ min: 0, max: 120 * MIN })),
    }),
    localWaitLimitMs: fc.integer({ min: 0, max: 120 * MIN }),
    cloud: fc.record({ configured: fc.boolean(), healthy: fc.boolean() }),
    budget: fc.record({ remainingTodayUsd: fc.option(money), maxPerTaskUsd: fc.option(money), localCountsAgainstBudget: fc.boolean() }),
    estimate: fc.record({ localUsd: money, cloudUsd: money, cloudWorstCaseUsd: money, localWorstCaseUsd: money }),
  });

  it("never picks an executor that cannot run the task, and is null only when none can", () => {
    fc.assert(
      fc.property(arbitraryTask, fc.constantFrom(...EXECUTION_STRATEGIES), arbitrarySituation, (t, strategy, s) => {
        const fits = (worst: number) =>
          (s.budget.remainingTodayUsd === null || worst <= s.budget.remainingTodayUsd) && (s.budget.maxPerTaskUsd === null || worst <= s.budget.maxPerTaskUsd);
        const cloudCan = s.cloud.configured && s.cloud.healthy && fits(s.estimate.cloudWorstCaseUsd);
        const localCan = !s.budget.localCountsAgainstBudget || fits(s.estimate.localWorstCaseUsd);
        const decision = selectExecutor(t, strategy, s);

        if (decision.executor === "cloud") expect(cloudCan).toBe(true);
        if (decision.executor === "local") expect(localCan).toBe(true);
        // Pinned strategies use only their executor, unless the issue asks for the other.
        if (strategy === "local-only" && t.executorOverride !== "cloud") expect(decision.executor).not.toBe("cloud");
        if (strategy === "cloud-only" && t.executorOverride !== "local") expect(decision.executor).not.toBe("local");
        // An override that can be honoured is.
        if (t.executorOverride === "cloud" && cloudCan) expect(decision.executor).toBe("cloud");
        if (t.executorOverride === "local" && localCan) expect(decision.executor).toBe("local");
        if (decision.executor === null) {
          const allowedCan =
            strategy === "local-only" ? localCan || (t.executorOverride === "cloud" && cloudCan)
            : strategy === "cloud-only" ? cloudCan || (t.executorOverride === "local" && localCan)
            : localCan || cloudCan;
          expect(allowedCan).toBe(false);
          expect(decision.reason.startsWith("Not started: ")).toBe(true);
        }

        expect(decision.waitForLocal).toBe(decision.executor === "local" && s.local.freeSlots === 0);
        if (decision.executor === null) expect(decision.fallback).toBeNull();
        else expect(decision.fallback).not.toBe(decision.executor);
        if (decision.fallback === "cloud") expect(s.cloud.configured && fits(s.estimate.cloudWorstCaseUsd)).toBe(true);
        if (decision.fallback === "local") expect(localCan).toBe(true);
        // One sentence for Linear.
        expect(decision.reason).toMatch(/^[A-Z].*\.$/);
        expect(decision.reason).not.toMatch(/\.\s/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("does not mutate its inputs", () => {
    const t = task({ executorOverride: "cloud" });
    const s = situation({ local: BUSY, budget: BROKE });
    const copies = structuredClone({ t, s });
    selectExecutor(t, "hybrid-smart", s);
    expect({ t, s }).toEqual(copies);
  });
});
