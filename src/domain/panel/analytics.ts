/**
 * The analytics page's decisions: which days a period covers, and the shape
 * of the numbers its charts draw (public/assets/charts.js reads them from a
 * JSON block, the page's tables show the same numbers).
 */
import { z } from "zod";
import type { DurationBin } from "../duration-bins";

const DAY_MS = 86_400_000;

export const ANALYTICS_PERIOD_DAYS = [7, 30, 90] as const;
export type AnalyticsPeriodDays = (typeof ANALYTICS_PERIOD_DAYS)[number];
export const DEFAULT_ANALYTICS_DAYS: AnalyticsPeriodDays = 30;

const PeriodDaysSchema = z.enum(ANALYTICS_PERIOD_DAYS.map(String) as ["7", "30", "90"]).transform((value) => Number(value) as AnalyticsPeriodDays);

/** `?days=` as the page got it: a period it offers, else the default and a word about why. */
export function choosePeriodDays(raw: string | undefined): { days: AnalyticsPeriodDays; problem: string | null } {
  if (raw === undefined || raw === "") return { days: DEFAULT_ANALYTICS_DAYS, problem: null };
  const parsed = PeriodDaysSchema.safeParse(raw);
  if (parsed.success) return { days: parsed.data, problem: null };
  return { days: DEFAULT_ANALYTICS_DAYS, problem: `There is no ${raw.slice(0, 20)}-day period: showing ${DEFAULT_ANALYTICS_DAYS} days (choose 7, 30 or 90).` };
}

export interface AnalyticsPeriod {
  days: AnalyticsPeriodDays;
  /** First and last UTC day (days since the epoch), both inclusive: today and the days before it. */
  fromDay: number;
  toDay: number;
  /** The same days as instants, [fromMs, toMs): whole days, so every figure comes from the daily rollups. */
  fromMs: number;
  toMs: number;
  /** `YYYY-MM-DD` of the first and last day. */
  from: string;
  to: string;
}

const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The last `days` UTC days, today included (as the cost report's default range counts them). */
export function analyticsPeriod(days: AnalyticsPeriodDays, now: number): AnalyticsPeriod {
  const toDay = Math.floor(now / DAY_MS);
  const fromDay = toDay - (days - 1);
  return { days, fromDay, toDay, fromMs: fromDay * DAY_MS, toMs: (toDay + 1) * DAY_MS, from: isoDay(fromDay), to: isoDay(toDay) };
}

// ---------------------------------------------------------------------------
// Chart data

/** What the charts need of the cost report grouped by agent type (`CostReport` fits it). */
export interface AnalyticsReport {
  groups?: { key: string | null; tasks: number; succeeded: number; failed: number; costUsd: number }[];
  byExecutor: Record<"local" | "cloud", { costUsd: number; tasks: number }>;
  byDay: { date: string; costUsd: number; tasks: number }[];
  byRepository: { repository: string | null; costUsd: number; tasks: number }[];
}

/** The bar chart of repositories shows the most expensive few; the table under it lists them all. */
export const REPOSITORY_CHART_LIMIT = 10;
export const NO_AGENT_TYPE = "(none)";
export const NO_REPOSITORY = "(no repository)";

export interface ChartData {
  period: { days: number; from: string; to: string };
  costByDay: { dates: string[]; costUsd: number[]; tasks: number[] };
  executors: { labels: ["Local", "Cloud"]; tasks: [number, number]; costUsd: [number, number]; taskShare: [number, number] | null; costShare: [number, number] | null };
  durations: { labels: string[]; runs: number[] };
  agentTypes: { labels: string[]; tasks: number[]; succeeded: number[]; failed: number[]; successRate: (number | null)[] };
  repositories: { labels: string[]; costUsd: number[]; tasks: number[]; total: number };
}

const ratio = (part: number, whole: number): number => Math.round((part / whole) * 10_000) / 10_000;
const usd = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Local and cloud as shares of a whole that adds up to 1; null when there is nothing to share. */
function shares(local: number, cloud: number): [number, number] | null {
  const whole = local + cloud;
  if (!(whole > 0)) return null;
  const first = ratio(local, whole);
  return [first, Math.round((1 - first) * 10_000) / 10_000];
}

export function analyticsChartData(period: Pick<AnalyticsPeriod, "days" | "from" | "to">, report: AnalyticsReport, durations: readonly DurationBin[]): ChartData {
  const { local, cloud } = report.byExecutor;
  const agentTypes = report.groups ?? [];
  const repositories = report.byRepository.slice(0, REPOSITORY_CHART_LIMIT);
  return {
    period: { days: period.days, from: period.from, to: period.to },
    costByDay: { dates: report.byDay.map((d) => d.date), costUsd: report.byDay.map((d) => d.costUsd), tasks: report.byDay.map((d) => d.tasks) },
    executors: {
      labels: ["Local", "Cloud"],
      tasks: [local.tasks, cloud.tasks],
      costUsd: [usd(local.costUsd), usd(cloud.costUsd)],
      taskShare: shares(local.tasks, cloud.tasks),
      costShare: shares(local.costUsd, cloud.costUsd),
    },
    durations: { labels: durations.map((bin) => bin.label), runs: durations.map((bin) => bin.runs) },
    agentTypes: {
      labels: agentTypes.map((g) => g.key ?? NO_AGENT_TYPE),
      tasks: agentTypes.map((g) => g.tasks),
      succeeded: agentTypes.map((g) => g.succeeded),
      failed: agentTypes.map((g) => g.failed),
      // As the stats count it: succeeded over every run (stopped and timed out included).
      successRate: agentTypes.map((g) => (g.tasks > 0 ? ratio(g.succeeded, g.tasks) : null)),
    },
    repositories: {
      labels: repositories.map((r) => r.repository ?? NO_REPOSITORY),
      costUsd: repositories.map((r) => r.costUsd),
      tasks: repositories.map((r) => r.tasks),
      total: report.byRepository.length,
    },
  };
}

/**
 * JSON to put inside `<script type="application/json">`. The browser never
 * runs it (so the CSP allows it), but the HTML parser still ends the element
 * at the first `</script`, so `<` (and `>`, `&`, and the two line separators
 * old parsers choke on) are written as JSON's \u escapes: the same string
 * once parsed, and never markup.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
