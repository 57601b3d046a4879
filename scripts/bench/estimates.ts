/**
 * How good the cost estimates are: on a seeded history of runs whose cost
 * depends on repository, agent type, complexity and executor (with noise),
 * each run is estimated from the runs before it, as the edge does, and the
 * median absolute error is reported, beside the price model alone for comparison.
 */
import { estimateCost, medianAbsoluteError, type PriceModel, type RunRecord } from "../../src/domain/cost-estimate";
import type { AgentType, Complexity } from "../../src/domain/task-analysis";
import { round } from "../lib/load";

const RUNS = Number(process.env.BENCH_ESTIMATE_RUNS ?? 5_000);
const REPOSITORIES = ["web", "api", "mobile", "infra"];
const TYPES: AgentType[] = ["builder", "debugger", "scoper", "orchestrator"];
const COMPLEXITIES: Complexity[] = ["low", "medium", "high"];

/** A deterministic generator, so two runs of the benchmark see the same history. */
function random(seed = 7) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

export async function benchEstimates() {
  const next = random();
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const priceModel: PriceModel = { perRunUsd: 0.5, perMinuteUsd: 0.02 };
  const runs: RunRecord[] = [];
  for (let i = 0; i < RUNS; i++) {
    const repository = pick(REPOSITORIES);
    const agentType = pick(TYPES);
    const complexity = pick(COMPLEXITIES);
    const executor = next() < 0.5 ? "local" : "cloud";
    // The "true" cost: a base by complexity, scaled by repository and type, with ±40% noise.
    const base = { low: 0.6, medium: 1.8, high: 4.5 }[complexity];
    const repoFactor = 1 + REPOSITORIES.indexOf(repository) * 0.25;
    const typeFactor = { builder: 1.2, debugger: 1, scoper: 0.5, orchestrator: 0.8 }[agentType];
    const executorFactor = executor === "cloud" ? 1.3 : 1;
    const costUsd = round(base * repoFactor * typeFactor * executorFactor * (0.6 + 0.8 * next()), 4);
    runs.push({ repository, agentType, complexity, executor, costUsd, durationMs: Math.round(costUsd * 400_000) });
  }
  const fromHistory: { estimatedUsd: number; actualUsd: number }[] = [];
  const fromPriceModel: { estimatedUsd: number; actualUsd: number }[] = [];
  // Each run is estimated from the 500 runs before it (what the edge reads), after a warm-up.
  for (let i = 200; i < runs.length; i++) {
    const run = runs[i]!;
    const history = runs.slice(Math.max(0, i - 500), i);
    const estimate = estimateCost(history, run, priceModel);
    const blind = estimateCost([], run, priceModel);
    const pickFor = (e: typeof estimate) => (run.executor === "local" ? e.localUsd : e.cloudUsd);
    fromHistory.push({ estimatedUsd: pickFor(estimate), actualUsd: run.costUsd });
    fromPriceModel.push({ estimatedUsd: pickFor(blind), actualUsd: run.costUsd });
  }
  const medianActual = [...runs.map((r) => r.costUsd)].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  return {
    runs: RUNS,
    estimated: fromHistory.length,
    medianActualCostUsd: medianActual,
    medianAbsoluteErrorUsd: { fromHistory: round(medianAbsoluteError(fromHistory), 4), priceModelOnly: round(medianAbsoluteError(fromPriceModel), 4) },
  };
}
