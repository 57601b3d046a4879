/**
 * What a task will probably cost on each executor, and the most it can cost.
 *
 * The probable cost chooses the executor; the worst case is what the budget
 * reserves. The estimate is the median cost of similar past runs on that
 * executor — the median, because one runaway run should not move it. "Similar"
 * starts narrow (same repository, agent type and complexity) and widens when
 * fewer than {@link MIN_SIMILAR_RUNS} runs match: first any repository, then
 * any agent type. When even the widest has a run or two, those are used (real
 * runs beat a guess) and the basis says how few; with none at all, the price
 * model answers.
 */
import type { AgentType, Complexity, ExecutorKind } from "./task-analysis";

export interface RunRecord {
  repository: string;
  agentType: AgentType;
  complexity: Complexity;
  executor: ExecutorKind;
  costUsd: number;
  durationMs: number;
}

export interface PriceModel {
  /** A cloud run's price: per run plus per minute (Codegen reports no cost). */
  perRunUsd: number;
  perMinuteUsd: number;
  /** How long a cloud run of each complexity typically takes, in minutes. */
  typicalMinutes?: Partial<Record<Complexity, number>>;
  /** What a local run of each complexity costs when there is no history. */
  localDefaultUsd?: Partial<Record<Complexity, number>>;
}

export interface CostEstimate {
  localUsd: number;
  cloudUsd: number;
  /** "history (n=…, …)" or "price model", per executor. */
  basis: { local: string; cloud: string };
}

export const MIN_SIMILAR_RUNS = 3;
export const DEFAULT_TYPICAL_MINUTES: Readonly<Record<Complexity, number>> = { low: 10, medium: 25, high: 50 };
export const DEFAULT_LOCAL_USD: Readonly<Record<Complexity, number>> = { low: 0.5, medium: 1.5, high: 4 };
export const DEFAULT_MARGIN_FRACTION = 0.2;

type Similar = Pick<RunRecord, "repository" | "agentType" | "complexity">;

const WIDENING: readonly { label: string; matches: (run: RunRecord, task: Similar) => boolean }[] = [
  {
    label: "same repository, agent type and complexity",
    matches: (r, t) => r.repository === t.repository && r.agentType === t.agentType && r.complexity === t.complexity,
  },
  { label: "same agent type and complexity, any repository", matches: (r, t) => r.agentType === t.agentType && r.complexity === t.complexity },
  { label: "same complexity, any repository and agent type", matches: (r, t) => r.complexity === t.complexity },
];

export function estimateCost(history: readonly RunRecord[], task: Similar, priceModel: PriceModel): CostEstimate {
  checkPriceModel(priceModel);
  const local = fromHistory(history, task, "local") ?? { usd: priceModel.localDefaultUsd?.[task.complexity] ?? DEFAULT_LOCAL_USD[task.complexity], basis: "price model" };
  const minutes = priceModel.typicalMinutes?.[task.complexity] ?? DEFAULT_TYPICAL_MINUTES[task.complexity];
  const cloud = fromHistory(history, task, "cloud") ?? { usd: priceModel.perRunUsd + priceModel.perMinuteUsd * minutes, basis: "price model" };
  return { localUsd: roundUsd(local.usd), cloudUsd: roundUsd(cloud.usd), basis: { local: local.basis, cloud: cloud.basis } };
}

function fromHistory(history: readonly RunRecord[], task: Similar, executor: ExecutorKind): { usd: number; basis: string } | null {
  // A cost that is not a number or is negative is a bad row, not a free run.
  const runs = history.filter((r) => r.executor === executor && Number.isFinite(r.costUsd) && r.costUsd >= 0);
  let widest: { costs: number[]; label: string } | null = null;
  for (const level of WIDENING) {
    const costs = runs.filter((r) => level.matches(r, task)).map((r) => r.costUsd);
    if (costs.length >= MIN_SIMILAR_RUNS) return { usd: median(costs), basis: `history (n=${costs.length}, ${level.label})` };
    widest = { costs, label: level.label };
  }
  if (!widest || widest.costs.length === 0) return null;
  return { usd: median(widest.costs), basis: `history (n=${widest.costs.length}, ${widest.label}; fewer than ${MIN_SIMILAR_RUNS} similar runs)` };
}

export interface WorstCaseInput {
  executor: ExecutorKind;
  /** The local run's `maxBudgetUsd` for the Claude Agent SDK. */
  maxBudgetUsd: number;
  priceModel: Pick<PriceModel, "perRunUsd" | "perMinuteUsd">;
  /** CODEGEN_RUN_TIMEOUT_MS: a cloud run older than this is ended. */
  runTimeoutMs: number;
  /** How far past its budget a local run may go before the SDK stops it. Default 0.2. */
  marginFraction?: number;
}

/**
 * The most a run can cost, which is what the budget reserves. The SDK checks
 * `maxBudgetUsd` only after a turn, so a local run can pass it: hence the
 * margin. A cloud run is priced by time, and its time is capped by the timeout.
 */
export function worstCase(input: WorstCaseInput): number {
  const margin = input.marginFraction ?? DEFAULT_MARGIN_FRACTION;
  if (input.executor === "local") {
    nonNegative("maxBudgetUsd", input.maxBudgetUsd);
    nonNegative("marginFraction", margin);
    return roundUsd(input.maxBudgetUsd * (1 + margin));
  }
  checkPriceModel(input.priceModel);
  nonNegative("runTimeoutMs", input.runTimeoutMs);
  return roundUsd(input.priceModel.perRunUsd + input.priceModel.perMinuteUsd * (input.runTimeoutMs / 60_000));
}

/** How far estimates were from what runs cost, the median of |estimated - actual|: the benchmark's accuracy figure. */
export function medianAbsoluteError(pairs: readonly { estimatedUsd: number; actualUsd: number }[]): number {
  if (pairs.length === 0) throw new RangeError("medianAbsoluteError needs at least one pair");
  return roundUsd(median(pairs.map((p) => Math.abs(p.estimatedUsd - p.actualUsd))));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  // noUncheckedIndexedAccess: the indexes are in range by construction.
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Micro-dollars: fine enough for any price, coarse enough to drop float noise (0.1 + 0.2). */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

function checkPriceModel(model: PriceModel): void {
  nonNegative("priceModel.perRunUsd", model.perRunUsd);
  nonNegative("priceModel.perMinuteUsd", model.perMinuteUsd);
  for (const table of ["typicalMinutes", "localDefaultUsd"] as const) {
    for (const [k, v] of Object.entries(model[table] ?? {})) if (v !== undefined) nonNegative(`priceModel.${table}.${k}`, v);
  }
}

function nonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
}

/** When no per-task limit is set but a daily one is, a local run is capped at this multiple of its estimate (never under $1). */
export const LOCAL_BUDGET_HEADROOM = 3;

export interface RunBudgetInput {
  executor: ExecutorKind;
  /** The local run's estimate (median of similar runs, or the price model's default). */
  localEstimateUsd: number;
  limits: { maxCostPerTaskUsd: number | null; maxCostPerDayUsd: number | null; localCountsAgainstBudget: boolean };
  priceModel: Pick<PriceModel, "perRunUsd" | "perMinuteUsd">;
  /** CODEGEN_RUN_TIMEOUT_MS. */
  runTimeoutMs: number;
}

export interface RunBudget {
  /** The local run's `maxBudgetUsd` for the Claude Agent SDK (null: no cap; always null for the cloud). */
  maxBudgetUsd: number | null;
  /** The most the run can cost: what the orchestrator compares with the budget left. */
  worstCaseUsd: number;
  /** What the ledger reserves for it: the worst case, or 0 for a local run that does not count against the budget. */
  reserveUsd: number;
}

/**
 * One run's cap and worst case, the same whichever path started it (chosen
 * first or as a fallback). A local run is capped at the per-task limit; with
 * none but a daily limit, at {@link LOCAL_BUDGET_HEADROOM}× its estimate; with
 * no limit at all it has no cap and its worst case is its estimate (no limit
 * applies to it anyway). A cloud run's worst case is its price over the timeout.
 */
export function runBudget(input: RunBudgetInput): RunBudget {
  const { limits, priceModel, runTimeoutMs } = input;
  if (input.executor === "cloud") {
    const worst = worstCase({ executor: "cloud", maxBudgetUsd: 0, priceModel, runTimeoutMs });
    return { maxBudgetUsd: null, worstCaseUsd: worst, reserveUsd: worst };
  }
  nonNegative("localEstimateUsd", input.localEstimateUsd);
  const maxBudgetUsd =
    limits.maxCostPerTaskUsd ?? (limits.maxCostPerDayUsd !== null ? Math.max(1, roundUsd(input.localEstimateUsd * LOCAL_BUDGET_HEADROOM)) : null);
  const worst = maxBudgetUsd !== null ? worstCase({ executor: "local", maxBudgetUsd, priceModel, runTimeoutMs: 0 }) : input.localEstimateUsd;
  return { maxBudgetUsd, worstCaseUsd: worst, reserveUsd: limits.localCountsAgainstBudget ? worst : 0 };
}
