/**
 * The TaskOrchestrator's decision: where an analysed task runs, given the
 * workspace's strategy and the situation right now (agents, Codegen's health,
 * budget, cost estimates). It also says what to try if that choice fails, and
 * gives one sentence for Linear that says why.
 *
 * Feasibility comes before preference, everywhere:
 *   - the cloud can run a task only when Codegen is configured, healthy, and
 *     the run's worst case fits both what is left of today's budget and the
 *     per-task limit;
 *   - a local run can always queue (it waits for an agent, with a deadline),
 *     but its worst case must fit the budget too when local work counts
 *     against it (a workspace on a Claude subscription may say it does not).
 * When neither can run it, the executor is null and the reason says what
 * would unblock it. When only what is left of today's budget stands in the
 * way (not the per-task limit, not a whole daily limit), `waitForBudget` says
 * which executor would run it once there is room: the task waits for budget.
 *
 * Preference, in order:
 *   1. An `[executor=…]` override wins when that executor can run the task,
 *      whatever the strategy; when it cannot, the strategy decides and the
 *      reason says the override could not be honoured.
 *   2. `local-only` and `cloud-only` pin their executor, with no fallback.
 *   3. `hybrid-smart`: orchestrator and scoper work (coordination, analysis,
 *      validation) local; work that needs isolation in the cloud — isolation
 *      is about where the work is safe, not its size, so it is checked before
 *      complexity; low complexity local; high complexity (builder, debugger)
 *      in the cloud; medium work that can run beside other work in the cloud;
 *      other medium work local if an agent is free now, else the cloud if it
 *      can run it, else the local queue.
 *   4. `hybrid-parallel`: as hybrid-smart, but work that can run beside other
 *      work goes to the cloud whatever its size, and so does all medium work.
 *      (When the orchestrator splits issues into sub-issues, those will run in
 *      the cloud and the orchestrator, still local, validates them.)
 *   5. `cost-optimized`: local, unless no agent can take it within the wait
 *      limit (none free now, and the expected wait unknown or too long): then
 *      the cloud. It weighs cost over isolation; an issue that must not run
 *      on a laptop can say `[executor=cloud]`.
 *   In the flexible strategies (3-5) a preferred executor that cannot run the
 *   task gives way to the other, and an urgent issue (priority 1) that would
 *   queue locally goes to the cloud when the cloud can start it now.
 */
import type { ExecutionStrategy } from "../config";
import type { ExecutorKind, TaskAnalysis } from "./task-analysis";

export type ExecutorTask = Pick<TaskAnalysis, "agentType" | "complexity" | "needsIsolation" | "parallelizable" | "executorOverride"> & {
  repository: string;
  /** Linear priority: 0 none, 1 urgent, 2 high, 3 medium, 4 low. */
  priority: number;
};

export interface ExecutionSituation {
  /** The agents that serve the task's repository. */
  local: { agentsOnline: number; freeSlots: number; expectedWaitMs: number | null };
  /** How long a task may wait for a local agent before the cost-optimized strategy uses the cloud. */
  localWaitLimitMs: number;
  cloud: { configured: boolean; healthy: boolean };
  budget: {
    /** null: no daily limit. */
    remainingTodayUsd: number | null;
    /** null: no per-task limit. */
    maxPerTaskUsd: number | null;
    /** The whole daily limit (what a day with nothing spent leaves); null or absent: none. */
    dayLimitUsd?: number | null;
    localCountsAgainstBudget: boolean;
  };
  estimate: { localUsd: number; cloudUsd: number; cloudWorstCaseUsd: number; localWorstCaseUsd: number };
}

export interface ExecutorDecision {
  /** null only when nothing can run the task now; the reason says what would. */
  executor: ExecutorKind | null;
  /** One sentence for Linear. */
  reason: string;
  /** Local was chosen while no agent is free: the task queues with a deadline. */
  waitForLocal: boolean;
  /**
   * What to try if the choice fails (a queue deadline, exhausted retries).
   * Only executors the strategy allows and the budget admits; whether it is
   * possible then (an agent online, Codegen healthy) is checked at that time.
   */
  fallback: ExecutorKind | null;
  /**
   * Only with a null executor: what would run the task if today's budget had
   * room (the choice the strategy makes once it has). The task waits for budget.
   */
  waitForBudget: { executor: ExecutorKind; reason: string } | null;
}

type ProblemKind = "unconfigured" | "unhealthy" | "day-budget" | "day-limit" | "task-budget";
interface Problem {
  kind: ProblemKind;
  text: string;
}

interface Facts {
  localFree: boolean;
  /** Free now, or expected to be free within the wait limit. */
  localWithinLimit: boolean;
  localState: string;
  localProblem: Problem | null;
  cloudProblem: Problem | null;
  cloudBudgetProblem: Problem | null;
  urgent: boolean;
  waitLimit: string;
}

interface Choice {
  executor: ExecutorKind | null;
  /** Without the final period: a note may follow. */
  reason: string;
}

interface Preference {
  executor: ExecutorKind;
  why: string;
}

const URGENT = 1;

export function selectExecutor(task: ExecutorTask, strategy: ExecutionStrategy, situation: ExecutionSituation): ExecutorDecision {
  const facts = factsOf(task, situation);
  const override = task.executorOverride;
  const overrideProblem = override === "cloud" ? facts.cloudProblem : override === "local" ? facts.localProblem : null;
  const choice =
    override && !overrideProblem ? run(facts, override, `the issue asks for it with [executor=${override}]`) : byStrategy(task, strategy, facts);
  // Say when the override could not be honoured, unless the reason already names why.
  const note = !overrideProblem
    ? ""
    : choice.reason.includes(overrideProblem.text)
      ? ` (the issue asks for [executor=${override}])`
      : ` (the issue asks for [executor=${override}], but ${overrideProblem.text})`;
  return {
    executor: choice.executor,
    reason: `${choice.reason}${note}.`,
    waitForLocal: choice.executor === "local" && !facts.localFree,
    fallback: fallbackFor(choice.executor, strategy, override, situation, facts),
    waitForBudget: choice.executor === null ? onceBudgetAllows(task, strategy, facts) : null,
  };
}

/** The choice with today's spend set aside: only problems that waiting for budget can solve are dropped. */
function onceBudgetAllows(task: ExecutorTask, strategy: ExecutionStrategy, facts: Facts): ExecutorDecision["waitForBudget"] {
  const waitable = (p: Problem | null) => p?.kind === "day-budget";
  if (!waitable(facts.localProblem) && !waitable(facts.cloudProblem)) return null;
  const relaxed: Facts = {
    ...facts,
    localProblem: waitable(facts.localProblem) ? null : facts.localProblem,
    cloudProblem: waitable(facts.cloudProblem) ? null : facts.cloudProblem,
    cloudBudgetProblem: waitable(facts.cloudBudgetProblem) ? null : facts.cloudBudgetProblem,
  };
  const override = task.executorOverride;
  const overrideProblem = override === "cloud" ? relaxed.cloudProblem : override === "local" ? relaxed.localProblem : null;
  const choice = override && !overrideProblem ? run(relaxed, override, `the issue asks for it with [executor=${override}]`) : byStrategy(task, strategy, relaxed);
  return choice.executor === null ? null : { executor: choice.executor, reason: `${choice.reason}.` };
}

function factsOf(task: ExecutorTask, s: ExecutionSituation): Facts {
  const localFree = s.local.freeSlots > 0;
  const expected = s.local.expectedWaitMs;
  const cloudBudgetProblem = budgetProblem("a cloud run", s.estimate.cloudWorstCaseUsd, s.budget);
  const cloudProblem: Problem | null = !s.cloud.configured
    ? { kind: "unconfigured", text: "Codegen is not configured" }
    : !s.cloud.healthy
      ? { kind: "unhealthy", text: "Codegen is unhealthy right now" }
      : cloudBudgetProblem;
  return {
    localFree,
    localWithinLimit: localFree || (expected !== null && expected <= s.localWaitLimitMs),
    localState: localStateOf(task.repository, s.local),
    localProblem: s.budget.localCountsAgainstBudget ? budgetProblem("a local run", s.estimate.localWorstCaseUsd, s.budget) : null,
    cloudProblem,
    cloudBudgetProblem,
    urgent: task.priority === URGENT,
    waitLimit: duration(s.localWaitLimitMs),
  };
}

function localStateOf(repository: string, local: ExecutionSituation["local"]): string {
  if (local.freeSlots > 0) return "a local agent has a free slot";
  if (local.agentsOnline > 0) {
    const wait = local.expectedWaitMs === null ? "" : ` (expected wait ${duration(local.expectedWaitMs)})`;
    return `every local agent for ${repository} is busy${wait}`;
  }
  return `no local agent for ${repository} is online, so it waits for one to connect (\`cyrus connect --repo ${repository}=<path>\`)`;
}

/** The per-task limit and the whole daily limit first: waiting for tomorrow does not help a task that is over them. */
function budgetProblem(what: string, worstUsd: number, budget: ExecutionSituation["budget"]): Problem | null {
  if (budget.maxPerTaskUsd !== null && worstUsd > budget.maxPerTaskUsd) {
    return { kind: "task-budget", text: `${what}'s worst case (${usd(worstUsd)}) is over the ${usd(budget.maxPerTaskUsd)} per-task limit` };
  }
  if (budget.dayLimitUsd != null && worstUsd > budget.dayLimitUsd) {
    return { kind: "day-limit", text: `${what}'s worst case (${usd(worstUsd)}) is over the whole daily limit of ${usd(budget.dayLimitUsd)}` };
  }
  if (budget.remainingTodayUsd !== null && worstUsd > budget.remainingTodayUsd) {
    return {
      kind: "day-budget",
      text: `${what}'s worst case (${usd(worstUsd)}) is more than the ${usd(budget.remainingTodayUsd)} left in today's budget`,
    };
  }
  return null;
}

function byStrategy(task: ExecutorTask, strategy: ExecutionStrategy, facts: Facts): Choice {
  switch (strategy) {
    case "local-only":
      return facts.localProblem ? blocked([facts.localProblem], "the strategy is local-only") : run(facts, "local", "the strategy is local-only");
    case "cloud-only":
      return facts.cloudProblem ? blocked([facts.cloudProblem], "the strategy is cloud-only") : run(facts, "cloud", "the strategy is cloud-only");
    case "hybrid-smart":
    case "hybrid-parallel":
    case "cost-optimized":
      return settle(facts, prefer(task, strategy, facts));
  }
}

function prefer(task: ExecutorTask, strategy: "hybrid-smart" | "hybrid-parallel" | "cost-optimized", facts: Facts): Preference {
  const cloud = (why: string): Preference => ({ executor: "cloud", why });
  const local = (why: string): Preference => ({ executor: "local", why });
  const work = `${task.agentType} work of ${task.complexity} complexity`;
  if (strategy === "cost-optimized") {
    return facts.localWithinLimit
      ? local("the strategy is cost-optimized")
      : cloud(`the strategy is cost-optimized and no local agent can take it within ${facts.waitLimit}`);
  }
  if (task.agentType === "orchestrator") return local("orchestrator work (coordination and validation) stays local");
  if (task.agentType === "scoper") return local("scoper work (analysis) stays local");
  if (task.needsIsolation) return cloud(`${work} needs an isolated sandbox`);
  const parallelFirst = strategy === "hybrid-parallel";
  if (parallelFirst && task.parallelizable) return cloud(`${work} can run beside other work`);
  if (task.complexity === "low") return local(work);
  if (task.complexity === "high") return cloud(work);
  if (task.parallelizable) return cloud(`${work} can run beside other work`);
  if (parallelFirst) return cloud(work);
  if (facts.localFree) return local(work);
  if (!facts.cloudProblem) return cloud(`${work} and no local agent is free now`);
  return local(`${work} and ${facts.cloudProblem.text}`);
}

/** The preferred executor if it can run the task, else the other, else nothing. */
function settle(facts: Facts, preference: Preference): Choice {
  if (preference.executor === "cloud") {
    if (!facts.cloudProblem) return run(facts, "cloud", preference.why);
    if (!facts.localProblem) return run(facts, "local", `the cloud was preferred (${preference.why}), but ${facts.cloudProblem.text}`);
    return blocked([facts.cloudProblem, facts.localProblem]);
  }
  if (!facts.localProblem) {
    if (facts.urgent && !facts.localFree && !facts.cloudProblem) return run(facts, "cloud", `the issue is urgent and ${facts.localState}`);
    return run(facts, "local", preference.why);
  }
  if (!facts.cloudProblem) return run(facts, "cloud", `a local run was preferred (${preference.why}), but ${facts.localProblem.text}`);
  return blocked([facts.localProblem, facts.cloudProblem]);
}

function run(facts: Facts, executor: ExecutorKind, why: string): Choice {
  if (executor === "cloud") return { executor, reason: `Running in the cloud: ${why}, and Codegen is healthy` };
  return { executor, reason: `${facts.localFree ? "Running locally" : "Queued for a local agent"}: ${why}, and ${facts.localState}` };
}

const ADVICE: Record<ProblemKind, string> = {
  "day-budget": "it waits for budget until today's spend settles lower, the day ends (UTC), or an admin raises the daily limit",
  "day-limit": "an admin can raise the daily limit (MAX_COST_PER_DAY_USD or the workspace's settings)",
  "task-budget": "an admin can raise the per-task limit (MAX_COST_PER_TASK_USD or the workspace's settings)",
  unhealthy: "I'll retry when Codegen is healthy again",
  unconfigured: "set CODEGEN_ORG_ID and CODEGEN_API_TOKEN (or the workspace's own Codegen credentials) to use the cloud",
};

function blocked(problems: Problem[], context?: string): Choice {
  const what = problems.map((p) => p.text).join(", and ");
  const advice = [...new Set(problems.map((p) => ADVICE[p.kind]))].join("; ");
  return { executor: null, reason: `Not started: ${context ? `${context} and ` : ""}${what}; ${advice}` };
}

function fallbackFor(
  executor: ExecutorKind | null,
  strategy: ExecutionStrategy,
  override: ExecutorKind | null,
  s: ExecutionSituation,
  facts: Facts,
): ExecutorKind | null {
  if (executor === null) return null;
  const other: ExecutorKind = executor === "local" ? "cloud" : "local";
  const pinned = strategy === "local-only" ? "local" : strategy === "cloud-only" ? "cloud" : null;
  const allowed = pinned === null || pinned === other || override === other;
  // Health can come back before the fallback is needed, so only configuration and budget rule the cloud out here.
  const admitted = other === "local" ? !facts.localProblem : s.cloud.configured && !facts.cloudBudgetProblem;
  return allowed && admitted ? other : null;
}

function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Number((ms / 3_600_000).toFixed(1))} h`;
}
