/**
 * The cost report and the stats, from `execution_metrics` (one row per run
 * attempt; `started_at` decides its day and its period).
 *
 * Both read daily rollups that triggers on `execution_metrics` keep in the
 * same statement as every write of a run (migrations 0005 and 0007), so a
 * report over 90 days adds up a few thousand rollup rows instead of sorting a
 * hundred thousand runs:
 * - `execution_metrics_daily`: runs, outcomes and cost per day, executor,
 *   repository and agent type (the cost report; the stats' counts);
 * - `execution_durations_daily`: runs per day and duration bucket, where the
 *   stats find the bucket of a percentile before reading its exact value from
 *   that bucket's runs alone;
 * - `execution_peaks_daily`: the peak parallelism of each day.
 * The stats' periods are rolling, so their part-days at either end are read
 * from the runs (a day of them at most).
 *
 * The stats also average the hybrid-parallel parents that completed in the
 * current period, from `parallel_runs` (see parallel-runs.ts).
 */
import { sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import type { ParallelStats } from "../../domain/parallel/figures";
import { parallelAverages } from "./parallel-runs";

export const DAY_MS = 86_400_000;

export const EXECUTORS = ["local", "cloud"] as const;
export type Executor = (typeof EXECUTORS)[number];

export const COST_REPORT_GROUPINGS = ["day", "repository", "agentType", "executor"] as const;
export type CostReportGrouping = (typeof COST_REPORT_GROUPINGS)[number];

export const STATS_PERIODS = { day: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS } as const;
export type StatsPeriod = keyof typeof STATS_PERIODS;

/** Money is reported to 4 decimals; sums are rounded once, at the end. */
export const roundUsd = (value: number): number => Math.round(value * 10_000) / 10_000;
const roundRatio = (value: number): number => Math.round(value * 10_000) / 10_000;

/** `YYYY-MM-DD` of a UTC day number (days since the epoch). */
export const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

const dialect = new SQLiteAsyncDialect();

/**
 * Raw SELECTs in one D1 batch: one round trip for a whole report. Straight to
 * the binding, because drizzle's batch cannot take raw `db.all(sql)` queries.
 */
async function selectAll(db: Db, queries: SQL[]): Promise<unknown[][]> {
  const results = await d1Of(db).batch(queries.map((query) => prepare(db, query)));
  return results.map((result) => result.results);
}

/** drizzle(d1) keeps its binding as `$client`; the Db alias just does not name it. */
const d1Of = (db: Db): D1Database => (db as Db & { $client: D1Database }).$client;

function prepare(db: Db, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return d1Of(db).prepare(text).bind(...params);
}

// ---------------------------------------------------------------------------
// Cost report

/** The figures every group carries; the sections show the contract's subset, `groups` all of them. */
export interface GroupFigures {
  costUsd: number;
  tasks: number;
  succeeded: number;
  failed: number;
  stopped: number;
  timedOut: number;
  estimatedCostUsd: number;
}

export interface CostReport {
  from: string;
  to: string;
  currency: "USD";
  groupBy?: CostReportGrouping;
  groups?: ({ key: string | null } & GroupFigures)[];
  totals: GroupFigures;
  byExecutor: Record<Executor, { costUsd: number; tasks: number; estimatedCostUsd: number; estimated: boolean }>;
  byDay: { date: string; costUsd: number; tasks: number }[];
  byRepository: { repository: string | null; costUsd: number; tasks: number }[];
  byAgentType: { agentType: string | null; costUsd: number; tasks: number }[];
  budget: { maxCostPerDayUsd: number | null; usedTodayUsd: number; remainingTodayUsd: number | null };
}

export interface CostReportQuery {
  workspaceId: string;
  /** First and last UTC day (days since the epoch), both inclusive. */
  fromDay: number;
  toDay: number;
  groupBy?: CostReportGrouping;
  /** Any instant of "today" (UTC), for the budget. */
  now: number;
  maxCostPerDayUsd?: number;
}

interface GroupRow {
  key: string | number | null;
  tasks: number;
  succeeded: number;
  failed: number;
  stopped: number;
  timedOut: number;
  estimatedTasks: number;
  cost: number;
  estimatedCost: number;
}

/** One aggregate of the daily rollup over days [fromDay, toDay], grouped by `key` (or not at all). */
function rollup(workspaceId: string, fromDay: number, toDay: number, key: SQL | null): SQL {
  return sql`SELECT ${key ?? sql`NULL`} AS key,
      total(tasks) AS tasks,
      total(succeeded) AS succeeded,
      total(failed) AS failed,
      total(stopped) AS stopped,
      total(timed_out) AS timedOut,
      total(estimated_tasks) AS estimatedTasks,
      total(cost_usd) AS cost,
      total(estimated_cost_usd) AS estimatedCost
    FROM execution_metrics_daily
    WHERE workspace_id = ${workspaceId} AND day >= ${fromDay} AND day <= ${toDay}
    ${key ? sql`GROUP BY 1 HAVING total(tasks) > 0` : sql``}`;
}

function figures(row: GroupRow | undefined): GroupFigures {
  return {
    costUsd: roundUsd(row?.cost ?? 0),
    tasks: Number(row?.tasks ?? 0),
    succeeded: Number(row?.succeeded ?? 0),
    failed: Number(row?.failed ?? 0),
    stopped: Number(row?.stopped ?? 0),
    timedOut: Number(row?.timedOut ?? 0),
    estimatedCostUsd: roundUsd(row?.estimatedCost ?? 0),
  };
}

/** Most expensive first; ties by more tasks, then by name (nulls last). */
function byCost(a: { key: string | null } & GroupFigures, b: { key: string | null } & GroupFigures): number {
  if (b.costUsd !== a.costUsd) return b.costUsd - a.costUsd;
  if (b.tasks !== a.tasks) return b.tasks - a.tasks;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

export async function costReport(db: Db, query: CostReportQuery): Promise<CostReport> {
  const { workspaceId, fromDay, toDay } = query;
  const today = Math.floor(query.now / DAY_MS);
  const [executorRows, dayRows, repositoryRows, agentTypeRows, todayRows] = (await selectAll(db, [
    rollup(workspaceId, fromDay, toDay, sql`executor`),
    rollup(workspaceId, fromDay, toDay, sql`day`),
    // The rollup keeps '' for "none", so its key has no NULLs; the report says null.
    rollup(workspaceId, fromDay, toDay, sql`nullif(repository_name, '')`),
    rollup(workspaceId, fromDay, toDay, sql`nullif(agent_type, '')`),
    rollup(workspaceId, today, today, null),
  ])) as [GroupRow[], GroupRow[], GroupRow[], GroupRow[], GroupRow[]];

  const keyed = (rows: GroupRow[]) => rows.map((row) => ({ key: row.key === null ? null : String(row.key), ...figures(row) }));
  const executors = keyed(executorRows);
  const totals = executors.reduce<GroupFigures>(
    (sum, row) => ({
      costUsd: sum.costUsd + row.costUsd,
      tasks: sum.tasks + row.tasks,
      succeeded: sum.succeeded + row.succeeded,
      failed: sum.failed + row.failed,
      stopped: sum.stopped + row.stopped,
      timedOut: sum.timedOut + row.timedOut,
      estimatedCostUsd: sum.estimatedCostUsd + row.estimatedCostUsd,
    }),
    figures(undefined),
  );
  // Totals come from unrounded sums, so they are not the sum of rounded parts.
  totals.costUsd = roundUsd(executorRows.reduce((sum, row) => sum + row.cost, 0));
  totals.estimatedCostUsd = roundUsd(executorRows.reduce((sum, row) => sum + row.estimatedCost, 0));

  const executorGroups = EXECUTORS.map((name) => executors.find((row) => row.key === name) ?? { key: name, ...figures(undefined) });
  const dayByNumber = new Map(dayRows.map((row) => [Number(row.key), row]));
  const dayGroups = [];
  for (let day = fromDay; day <= toDay; day++) dayGroups.push({ key: isoDay(day), ...figures(dayByNumber.get(day)) });
  const repositoryGroups = keyed(repositoryRows).sort(byCost);
  const agentTypeGroups = keyed(agentTypeRows).sort(byCost);

  const usedTodayUsd = roundUsd(todayRows[0]?.cost ?? 0);
  const max = query.maxCostPerDayUsd;
  const report: CostReport = {
    from: isoDay(fromDay),
    to: isoDay(toDay),
    currency: "USD",
    totals,
    byExecutor: Object.fromEntries(
      executorGroups.map((row) => [
        row.key,
        { costUsd: row.costUsd, tasks: row.tasks, estimatedCostUsd: row.estimatedCostUsd, estimated: Number(executorRows.find((r) => r.key === row.key)?.estimatedTasks ?? 0) > 0 },
      ]),
    ) as CostReport["byExecutor"],
    byDay: dayGroups.map((row) => ({ date: row.key, costUsd: row.costUsd, tasks: row.tasks })),
    byRepository: repositoryGroups.map((row) => ({ repository: row.key, costUsd: row.costUsd, tasks: row.tasks })),
    byAgentType: agentTypeGroups.map((row) => ({ agentType: row.key, costUsd: row.costUsd, tasks: row.tasks })),
    budget: {
      maxCostPerDayUsd: max ?? null,
      usedTodayUsd,
      remainingTodayUsd: max === undefined ? null : roundUsd(Math.max(0, max - usedTodayUsd)),
    },
  };
  if (!query.groupBy) return report;
  const groups = { day: dayGroups, repository: repositoryGroups, agentType: agentTypeGroups, executor: executorGroups }[query.groupBy];
  // The chosen grouping first, then every section as without it.
  const { from, to, currency, ...sections } = report;
  return { from, to, currency, groupBy: query.groupBy, groups, ...sections };
}

// ---------------------------------------------------------------------------
// Stats

export interface PeriodFigures {
  from: string;
  to: string;
  tasks: number;
  succeeded: number;
  failed: number;
  stopped: number;
  timedOut: number;
  /** succeeded / tasks; null with no tasks. */
  successRate: number | null;
  /** Nearest-rank percentiles of the runs' durations; null with no duration recorded. */
  durationMs: { p50: number | null; p95: number | null };
  executors: Record<Executor, { tasks: number; share: number | null }>;
  costUsd: number;
  costPerTaskUsd: number | null;
  /**
   * The most runs open at one instant of the period. A run spans [started_at, end], end being
   * ended_at, else start + duration, else the start itself, and at most 24 h after the start.
   */
  peakParallelism: number;
}

export interface Trend {
  difference: number | null;
  /** current / previous; null when the previous figure is 0 or missing. */
  ratio: number | null;
}

export const TREND_FIGURES = ["tasks", "succeeded", "failed", "successRate", "durationP50Ms", "durationP95Ms", "costUsd", "costPerTaskUsd", "peakParallelism"] as const;

export interface Stats {
  period: StatsPeriod;
  currency: "USD";
  current: PeriodFigures;
  previous: PeriodFigures;
  trend: Record<(typeof TREND_FIGURES)[number], Trend>;
  /** Hybrid-parallel parents that completed in the current period, and their figures' averages. */
  parallel: ParallelStats;
}

interface CountsRow {
  tasks: number;
  succeeded: number;
  failed: number;
  stopped: number;
  timedOut: number;
  cost: number;
  local: number;
  cloud: number;
}

/**
 * A period is read in pieces: the whole UTC days inside it from the daily
 * rollups, and the part-days at its ends from the runs themselves (a day's
 * runs at most). Every figure of a period is a sum (counts, histograms) or a
 * maximum (peaks) over its pieces.
 */
type Piece = { kind: "days"; fromDay: number; toDay: number } | { kind: "runs"; fromMs: number; toMs: number };

export function piecesOf(fromMs: number, toMs: number): Piece[] {
  const firstWholeDay = Math.ceil(fromMs / DAY_MS);
  const endWholeDays = Math.floor(toMs / DAY_MS);
  if (firstWholeDay >= endWholeDays) return [{ kind: "runs", fromMs, toMs }];
  const pieces: Piece[] = [];
  if (fromMs < firstWholeDay * DAY_MS) pieces.push({ kind: "runs", fromMs, toMs: firstWholeDay * DAY_MS });
  pieces.push({ kind: "days", fromDay: firstWholeDay, toDay: endWholeDays - 1 });
  if (endWholeDays * DAY_MS < toMs) pieces.push({ kind: "runs", fromMs: endWholeDays * DAY_MS, toMs });
  return pieces;
}

// The same definitions as the triggers of migration 0007, for the part-days read from the runs.
/** A run's end for parallelism: ended_at, else start + duration, else the start; never before the start, at most 24 h after. */
const RUN_END = sql.raw(`max(started_at, min(coalesce(ended_at, started_at + duration_ms, started_at), started_at + ${DAY_MS}))`);
const DURATION = "CAST(duration_ms AS INTEGER)";
/** d for d < 100 (0 for anything <= 0), else two significant digits: 100 + (digits - 3) * 90 + (first two digits - 10). */
const DURATION_BUCKET = sql.raw(
  `CASE WHEN ${DURATION} < 100 THEN max(${DURATION}, 0) ELSE 100 + (length(CAST(${DURATION} AS TEXT)) - 3) * 90 + CAST(substr(CAST(${DURATION} AS TEXT), 1, 2) AS INTEGER) - 10 END`,
);

/** The durations [lo, hi) a bucket holds. */
export function bucketBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [Number.MIN_SAFE_INTEGER, 1];
  if (bucket < 100) return [bucket, bucket + 1];
  const digits = 3 + Math.floor((bucket - 100) / 90);
  const unit = 10 ** (digits - 2);
  const lead = 10 + ((bucket - 100) % 90);
  return [lead * unit, (lead + 1) * unit];
}

function pieceCounts(workspaceId: string, piece: Piece): SQL {
  if (piece.kind === "days") {
    return sql`SELECT total(tasks) AS tasks, total(succeeded) AS succeeded, total(failed) AS failed, total(stopped) AS stopped, total(timed_out) AS timedOut,
        total(cost_usd) AS cost, total(CASE WHEN executor = 'local' THEN tasks ELSE 0 END) AS local, total(CASE WHEN executor = 'cloud' THEN tasks ELSE 0 END) AS cloud
      FROM execution_metrics_daily
      WHERE workspace_id = ${workspaceId} AND day >= ${piece.fromDay} AND day <= ${piece.toDay}`;
  }
  return sql`SELECT count(*) AS tasks, total(outcome IS 'succeeded') AS succeeded, total(outcome IS 'failed') AS failed, total(outcome IS 'stopped') AS stopped,
      total(outcome IS 'timed_out') AS timedOut, total(cost_usd) AS cost, total(executor = 'local') AS local, total(executor = 'cloud') AS cloud
    FROM execution_metrics
    WHERE workspace_id = ${workspaceId} AND started_at >= ${piece.fromMs} AND started_at < ${piece.toMs}`;
}

function pieceHistogram(workspaceId: string, piece: Piece): SQL {
  if (piece.kind === "days") {
    return sql`SELECT bucket, total(runs) AS runs FROM execution_durations_daily
      WHERE workspace_id = ${workspaceId} AND day >= ${piece.fromDay} AND day <= ${piece.toDay} GROUP BY 1`;
  }
  return sql`SELECT ${DURATION_BUCKET} AS bucket, count(*) AS runs FROM execution_metrics
    WHERE workspace_id = ${workspaceId} AND started_at >= ${piece.fromMs} AND started_at < ${piece.toMs} AND duration_ms IS NOT NULL GROUP BY 1`;
}

/**
 * The peak of a part-day: a sweep over the start (+1) and end (-1) points of
 * the runs open in it, clipped to it, as a running sum (O(n log n), n the runs
 * of about a day). Intervals are closed: at one instant starts count before
 * ends, so a run that starts as another ends overlaps it.
 */
function piecePeak(workspaceId: string, piece: Piece): SQL {
  if (piece.kind === "days") {
    return sql`SELECT coalesce(max(peak), 0) AS peak FROM execution_peaks_daily
      WHERE workspace_id = ${workspaceId} AND day >= ${piece.fromDay} AND day <= ${piece.toDay}`;
  }
  const { fromMs, toMs } = piece;
  return sql`WITH runs AS (
      SELECT max(started_at, ${fromMs}) AS s, min(${RUN_END}, ${toMs}) AS e
      FROM execution_metrics
      WHERE workspace_id = ${workspaceId} AND started_at >= ${fromMs - DAY_MS} AND started_at < ${toMs} AND ${RUN_END} >= ${fromMs}
    ),
    points AS (SELECT s AS t, 1 AS d FROM runs UNION ALL SELECT e AS t, -1 AS d FROM runs)
    SELECT coalesce(max(level), 0) AS peak
    FROM (SELECT sum(d) OVER (ORDER BY t, d DESC ROWS UNBOUNDED PRECEDING) AS level FROM points)`;
}

interface PercentileTarget {
  p: number;
  /** The rank within the bucket, from 0. */
  index: number;
  lo: number;
  hi: number;
}

/** Nearest rank: the value at rank ceil(p/100 * n) of the n durations; where it lies, from the histogram. */
function percentileTargets(histogram: Map<number, number>): PercentileTarget[] {
  const buckets = [...histogram.entries()].filter(([, runs]) => runs > 0).sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((sum, [, runs]) => sum + runs, 0);
  if (n === 0) return [];
  return [50, 95].map((p) => {
    const rank = Math.ceil((p * n) / 100);
    let below = 0;
    for (const [bucket, runs] of buckets) {
      if (below + runs >= rank) {
        const [lo, hi] = bucketBounds(bucket);
        return { p, index: rank - below - 1, lo, hi };
      }
      below += runs;
    }
    throw new Error("unreachable: the rank is within the histogram");
  });
}

/** The runs of the periods' percentile buckets, and only those, in duration order: a percent or two of the period's runs. */
function bucketDurations(workspaceId: string, fromMs: number, toMs: number, targets: PercentileTarget[]): SQL {
  const ranges = sql.join(
    targets.map((t) => sql`(duration_ms >= ${t.lo} AND duration_ms < ${t.hi})`),
    sql` OR `,
  );
  return sql`SELECT duration_ms AS d FROM execution_metrics
    WHERE workspace_id = ${workspaceId} AND started_at >= ${fromMs} AND started_at < ${toMs} AND (${ranges})
    ORDER BY duration_ms`;
}

function periodFigures(fromMs: number, toMs: number, counts: CountsRow, durations: { p50: number | null; p95: number | null }, peak: number): PeriodFigures {
  const tasks = counts.tasks;
  const share = (n: number) => (tasks === 0 ? null : roundRatio(n / tasks));
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    tasks,
    succeeded: counts.succeeded,
    failed: counts.failed,
    stopped: counts.stopped,
    timedOut: counts.timedOut,
    successRate: share(counts.succeeded),
    durationMs: durations,
    executors: { local: { tasks: counts.local, share: share(counts.local) }, cloud: { tasks: counts.cloud, share: share(counts.cloud) } },
    costUsd: roundUsd(counts.cost),
    costPerTaskUsd: tasks === 0 ? null : roundUsd(counts.cost / tasks),
    peakParallelism: peak,
  };
}

function trendOf(current: number | null, previous: number | null, round: (n: number) => number): Trend {
  if (current === null || previous === null) return { difference: null, ratio: null };
  return { difference: round(current - previous), ratio: previous === 0 ? null : roundRatio(current / previous) };
}

export interface StatsQuery {
  workspaceId: string;
  period: StatsPeriod;
  /** The current period is [end - length, end); the previous one the same length before it. */
  end: number;
}

/**
 * Two round trips: the pieces of every period (counts, duration histograms,
 * peaks) in one batch, then the runs of the buckets that hold each period's
 * p50 and p95, for their exact values.
 */
async function figuresOfPeriods(db: Db, workspaceId: string, spans: { fromMs: number; toMs: number }[]): Promise<PeriodFigures[]> {
  const periods = spans.map((period) => ({ ...period, pieces: piecesOf(period.fromMs, period.toMs) }));

  const statements = periods.flatMap((period) => period.pieces.flatMap((piece) => [pieceCounts(workspaceId, piece), pieceHistogram(workspaceId, piece), piecePeak(workspaceId, piece)]));
  const results = await selectAll(db, statements);
  let next = 0;
  const summed = periods.map((period) => {
    const counts: CountsRow = { tasks: 0, succeeded: 0, failed: 0, stopped: 0, timedOut: 0, cost: 0, local: 0, cloud: 0 };
    const histogram = new Map<number, number>();
    let peak = 0;
    for (const _piece of period.pieces) {
      const row = (results[next++]![0] ?? {}) as Partial<CountsRow>;
      for (const key of Object.keys(counts) as (keyof CountsRow)[]) counts[key] += Number(row[key] ?? 0);
      for (const { bucket, runs } of results[next++] as { bucket: number; runs: number }[]) histogram.set(Number(bucket), (histogram.get(Number(bucket)) ?? 0) + Number(runs));
      peak = Math.max(peak, Number((results[next++]![0] as { peak?: number } | undefined)?.peak ?? 0));
    }
    return { ...period, counts, targets: percentileTargets(histogram), peak };
  });

  const refined = summed.filter((period) => period.targets.length > 0);
  const values = refined.length ? await selectAll(db, refined.map((period) => bucketDurations(workspaceId, period.fromMs, period.toMs, period.targets))) : [];
  return summed.map((period) => {
    const durations = { p50: null as number | null, p95: null as number | null };
    const rows = values[refined.indexOf(period)] as { d: number }[] | undefined;
    for (const target of period.targets) {
      const inBucket = (rows ?? []).map((row) => Number(row.d)).filter((d) => d >= target.lo && d < target.hi);
      // The rollup and the runs agree by construction; were they ever apart, the nearest value still answers.
      const value = inBucket[Math.min(target.index, inBucket.length - 1)] ?? null;
      if (target.p === 50) durations.p50 = value;
      else durations.p95 = value;
    }
    return periodFigures(period.fromMs, period.toMs, period.counts, durations, period.peak);
  });
}

/**
 * The figures of one period of any length, [fromMs, toMs): the panel's
 * analytics over 7, 30 or 90 whole UTC days, which the rollups answer alone
 * (plus the runs of the two percentile buckets, through the report index).
 */
export async function statsBetween(db: Db, query: { workspaceId: string; fromMs: number; toMs: number }): Promise<PeriodFigures> {
  const [figures] = await figuresOfPeriods(db, query.workspaceId, [{ fromMs: query.fromMs, toMs: query.toMs }]);
  return figures!;
}

export async function stats(db: Db, query: StatsQuery): Promise<Stats> {
  const { workspaceId, end } = query;
  const length = STATS_PERIODS[query.period];
  const [[current, previous], parallel] = (await Promise.all([
    figuresOfPeriods(db, workspaceId, [
      { fromMs: end - length, toMs: end },
      { fromMs: end - 2 * length, toMs: end - length },
    ]),
    parallelAverages(db, { workspaceId, fromMs: end - length, toMs: end }),
  ])) as [[PeriodFigures, PeriodFigures], ParallelStats];

  const identity = (n: number) => n;
  return {
    period: query.period,
    currency: "USD",
    current,
    previous,
    trend: {
      tasks: trendOf(current.tasks, previous.tasks, identity),
      succeeded: trendOf(current.succeeded, previous.succeeded, identity),
      failed: trendOf(current.failed, previous.failed, identity),
      successRate: trendOf(current.successRate, previous.successRate, roundRatio),
      durationP50Ms: trendOf(current.durationMs.p50, previous.durationMs.p50, identity),
      durationP95Ms: trendOf(current.durationMs.p95, previous.durationMs.p95, identity),
      costUsd: trendOf(current.costUsd, previous.costUsd, roundUsd),
      costPerTaskUsd: trendOf(current.costPerTaskUsd, previous.costPerTaskUsd, roundUsd),
      peakParallelism: trendOf(current.peakParallelism, previous.peakParallelism, identity),
    },
    parallel,
  };
}
