/**
 * What a parallel run bought, per parent and averaged for /api/stats: the
 * parent's wall time, the sum of its children's times (what running them one
 * after another would take), its critical path (the longest chain of dependent
 * children by their actual durations: the floor no scheduler can beat), the
 * peak number of children running at once, and the speedup (sum / wall).
 * Wall minus critical path is the orchestration's own overhead.
 */
import type { ChildState } from "./child-state";
import type { GraphItem } from "./plan-graph";

/** One child's measured run: from its first start report to its final end. */
export interface ChildRun {
  key: string;
  startedAt: number;
  endedAt: number;
}

export interface ParentFigures {
  /** Children that ran (and were measured). */
  children: number;
  wallMs: number;
  childMsSum: number;
  criticalPathMs: number;
  /** The keys along the critical path, first to last. */
  criticalPath: string[];
  peakConcurrency: number;
  /** childMsSum / wallMs; null when the wall time is 0. */
  speedup: number | null;
}

/** The measured runs among the children: those with both a start and an end. */
export function childRuns(children: readonly ChildState[]): ChildRun[] {
  return children.flatMap((child) =>
    child.startedAt !== null && child.endedAt !== null ? [{ key: child.key, startedAt: child.startedAt, endedAt: child.endedAt }] : [],
  );
}

/**
 * Figures of one parent. `window` is the parent's own span (delegation to its
 * answer, planning and validation included); without it the wall time is the
 * span of the children's runs.
 */
export function parentFigures(
  items: readonly GraphItem[],
  runs: readonly ChildRun[],
  window: { startedAt: number; endedAt: number } | null = null,
): ParentFigures {
  const durations = new Map(runs.map((run) => [run.key, Math.max(0, run.endedAt - run.startedAt)]));
  const childMsSum = [...durations.values()].reduce((sum, ms) => sum + ms, 0);
  const wallMs = window
    ? Math.max(0, window.endedAt - window.startedAt)
    : runs.length === 0
      ? 0
      : Math.max(0, Math.max(...runs.map((run) => run.endedAt)) - Math.min(...runs.map((run) => run.startedAt)));
  const { ms: criticalPathMs, path: criticalPath } = longestChain(items, durations);
  return {
    children: durations.size,
    wallMs,
    childMsSum,
    criticalPathMs,
    criticalPath,
    peakConcurrency: peakConcurrency(runs),
    speedup: wallMs > 0 ? childMsSum / wallMs : null,
  };
}

/** The heaviest chain of dependencies by measured duration; an unmeasured child weighs nothing and is left out. */
function longestChain(items: readonly GraphItem[], durations: Map<string, number>): { ms: number; path: string[] } {
  const deps = new Map(items.map((item) => [item.key, item.dependsOn]));
  const memo = new Map<string, { ms: number; path: string[] }>();
  const visiting = new Set<string>();
  const chainTo = (key: string): { ms: number; path: string[] } => {
    const known = memo.get(key);
    if (known) return known;
    if (visiting.has(key)) return { ms: 0, path: [] }; // a cycle: validated plans have none
    visiting.add(key);
    let before = { ms: 0, path: [] as string[] };
    for (const dep of deps.get(key) ?? []) {
      const chain = chainTo(dep);
      if (chain.ms > before.ms) before = chain;
    }
    visiting.delete(key);
    const own = durations.get(key);
    const chain = own === undefined ? before : { ms: before.ms + own, path: [...before.path, key] };
    memo.set(key, chain);
    return chain;
  };
  let best = { ms: 0, path: [] as string[] };
  for (const item of items) {
    const chain = chainTo(item.key);
    if (chain.ms > best.ms) best = chain;
  }
  return best;
}

/** Most runs overlapping at once; a run ending when another starts does not overlap it. */
function peakConcurrency(runs: readonly ChildRun[]): number {
  const edges = runs.flatMap((run) => [
    { at: run.startedAt, delta: 1 },
    { at: Math.max(run.startedAt, run.endedAt), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const edge of edges) {
    running += edge.delta;
    peak = Math.max(peak, running);
  }
  // A zero-long run ends "before" it starts in this order; it still ran.
  return runs.length > 0 ? Math.max(1, peak) : 0;
}

export interface ParallelStats {
  parents: number;
  avgWallMs: number | null;
  avgChildMsSum: number | null;
  avgCriticalPathMs: number | null;
  avgPeakConcurrency: number | null;
  /** Over the parents that have a speedup (a wall time above 0). */
  avgSpeedup: number | null;
}

/** Averages over parents for /api/stats: milliseconds rounded to whole ones, the rest to two decimals. */
export function averageParentFigures(figures: readonly ParentFigures[]): ParallelStats {
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length);
  const ms = (values: number[]) => {
    const m = mean(values);
    return m === null ? null : Math.round(m);
  };
  const hundredths = (values: number[]) => {
    const m = mean(values);
    return m === null ? null : Math.round(m * 100) / 100;
  };
  return {
    parents: figures.length,
    avgWallMs: ms(figures.map((f) => f.wallMs)),
    avgChildMsSum: ms(figures.map((f) => f.childMsSum)),
    avgCriticalPathMs: ms(figures.map((f) => f.criticalPathMs)),
    avgPeakConcurrency: hundredths(figures.map((f) => f.peakConcurrency)),
    avgSpeedup: hundredths(figures.flatMap((f) => (f.speedup === null ? [] : [f.speedup]))),
  };
}
