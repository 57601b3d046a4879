/**
 * GET /api/cost-report and GET /api/stats against rows seeded straight into
 * D1. Every expected figure is computed here from the seeded rows with plain
 * array arithmetic (or written out by hand), never by the code under test.
 * Each test uses workspaces of its own, plus a noisy second workspace whose
 * rows must never show.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { recordExecutionMetrics, type ExecutionMetricsRow } from "../../src/db/queries/metrics";
import { app } from "../../workers/app";
import { API_KEY, api, env, seededWorkspace } from "./support";

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Run {
  workspaceId: string;
  startedAt: number;
  endedAt?: number | null;
  durationMs?: number | null;
  executor: "local" | "cloud";
  repository?: string | null;
  agentType?: string | null;
  outcome?: "succeeded" | "failed" | "stopped" | "timed_out" | null;
  costUsd?: number;
  estimated?: boolean;
}


async function seed(runs: Run[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO execution_metrics (id, workspace_id, session_id, repository_name, executor, agent_type, started_at, ended_at, duration_ms, outcome, cost_usd, cost_estimated)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    runs.map((run) => {
      const durationMs = run.durationMs === undefined ? 60_000 : run.durationMs;
      const endedAt = run.endedAt === undefined ? (durationMs === null ? null : run.startedAt + durationMs) : run.endedAt;
      return insert.bind(
        `${crypto.randomUUID()}:1:0`,
        run.workspaceId,
        `session-${crypto.randomUUID()}`,
        run.repository === undefined ? "web" : run.repository,
        run.executor,
        run.agentType === undefined ? "builder" : run.agentType,
        run.startedAt,
        endedAt,
        durationMs,
        run.outcome === undefined ? "succeeded" : run.outcome,
        run.costUsd ?? 0,
        run.estimated ? 1 : 0,
      );
    }),
  );
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const sum = (runs: Run[]) => round4(runs.reduce((total, run) => total + (run.costUsd ?? 0), 0));
const at = (iso: string) => Date.parse(iso);

/** The Worker with other vars, for a budget the test pool's wrangler.toml does not set. */
async function apiWithVars(path: string, vars: Record<string, string>): Promise<Response> {
  return app.request(path, { headers: { authorization: `Bearer ${API_KEY}` } }, { ...env, ...vars });
}

interface CostReportBody {
  from: string;
  to: string;
  currency: string;
  groupBy?: string;
  groups?: { key: string | null; costUsd: number; tasks: number; succeeded: number; failed: number; stopped: number; timedOut: number; estimatedCostUsd: number }[];
  totals: { costUsd: number; tasks: number; succeeded: number; failed: number; stopped: number; timedOut: number; estimatedCostUsd: number };
  byExecutor: Record<"local" | "cloud", { costUsd: number; tasks: number; estimatedCostUsd: number; estimated: boolean }>;
  byDay: { date: string; costUsd: number; tasks: number }[];
  byRepository: { repository: string | null; costUsd: number; tasks: number }[];
  byAgentType: { agentType: string | null; costUsd: number; tasks: number }[];
  budget: { maxCostPerDayUsd: number | null; usedTodayUsd: number; remainingTodayUsd: number | null };
}

/** A week of runs in March 2026, with runs a millisecond outside each end, and a noisy neighbour. */
async function marchWeek() {
  const ws = await seededWorkspace("March");
  const other = await seededWorkspace("Neighbour");
  const inside: Run[] = [
    { workspaceId: ws, startedAt: at("2026-03-01T00:00:00.000Z"), executor: "local", repository: "web", agentType: "builder", outcome: "succeeded", costUsd: 0.12345 },
    { workspaceId: ws, startedAt: at("2026-03-03T12:00:00.000Z"), executor: "cloud", repository: "web", agentType: "debugger", outcome: "succeeded", costUsd: 0.54, estimated: true },
    { workspaceId: ws, startedAt: at("2026-03-03T23:59:59.999Z"), executor: "cloud", repository: "api", agentType: "builder", outcome: "failed", costUsd: 0.5, estimated: true },
    { workspaceId: ws, startedAt: at("2026-03-05T08:00:00.000Z"), executor: "local", repository: "api", agentType: null, outcome: "stopped", costUsd: 0.33337 },
    { workspaceId: ws, startedAt: at("2026-03-05T09:00:00.000Z"), executor: "local", repository: "web", agentType: "builder", outcome: "succeeded", costUsd: 0.00001 },
    { workspaceId: ws, startedAt: at("2026-03-07T23:59:59.999Z"), executor: "cloud", repository: null, agentType: "scoper", outcome: "timed_out", costUsd: 1.2, estimated: true },
  ];
  const outside: Run[] = [
    { workspaceId: ws, startedAt: at("2026-02-28T23:59:59.999Z"), executor: "cloud", costUsd: 100, estimated: true },
    { workspaceId: ws, startedAt: at("2026-03-08T00:00:00.000Z"), executor: "local", costUsd: 50 },
    { workspaceId: other, startedAt: at("2026-03-02T10:00:00.000Z"), executor: "local", repository: "web", costUsd: 1000 },
    { workspaceId: other, startedAt: at("2026-03-04T10:00:00.000Z"), executor: "cloud", repository: "secret", agentType: "orchestrator", costUsd: 2000, estimated: true },
  ];
  await seed([...inside, ...outside]);
  return { ws, other, inside };
}

describe("GET /api/cost-report", () => {
  it("adds up one workspace's runs by executor, day, repository and agent type, UTC days inclusive at both ends", async () => {
    const { ws, inside } = await marchWeek();
    const response = await api(`/api/cost-report?workspace=${ws}&from=2026-03-01&to=2026-03-07`);
    expect(response.status).toBe(200);
    const report = await response.json<CostReportBody>();

    expect(report).toMatchObject({ from: "2026-03-01", to: "2026-03-07", currency: "USD" });
    expect(report.groupBy).toBeUndefined();
    expect(report.groups).toBeUndefined();
    const count = (outcome: string) => inside.filter((r) => r.outcome === outcome).length;
    expect(report.totals).toEqual({
      costUsd: sum(inside),
      tasks: inside.length,
      succeeded: count("succeeded"),
      failed: count("failed"),
      stopped: count("stopped"),
      timedOut: count("timed_out"),
      estimatedCostUsd: sum(inside.filter((r) => r.estimated)),
    });
    // By hand too, so a shared mistake in the arithmetic above cannot hide: 0.12345+0.54+0.5+0.33337+0.00001+1.2.
    expect(report.totals.costUsd).toBe(2.6968);
    expect(report.totals.tasks).toBe(6);

    for (const executor of ["local", "cloud"] as const) {
      const runs = inside.filter((r) => r.executor === executor);
      expect(report.byExecutor[executor]).toEqual({
        costUsd: sum(runs),
        tasks: runs.length,
        estimatedCostUsd: sum(runs.filter((r) => r.estimated)),
        estimated: runs.some((r) => r.estimated),
      });
    }
    expect(report.byExecutor.local.estimated).toBe(false);
    expect(report.byExecutor.cloud.estimated).toBe(true);

    const days = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07"];
    expect(report.byDay).toEqual(
      days.map((date) => {
        const runs = inside.filter((r) => new Date(r.startedAt).toISOString().startsWith(date));
        return { date, costUsd: sum(runs), tasks: runs.length };
      }),
    );
    expect(report.byDay.filter((d) => d.tasks === 0).map((d) => d.date)).toEqual(["2026-03-02", "2026-03-04", "2026-03-06"]);

    const grouped = <K extends "repository" | "agentType">(field: K) => {
      const names = [...new Set(inside.map((r) => r[field] ?? null))];
      return names
        .map((name) => {
          const runs = inside.filter((r) => (r[field] ?? null) === name);
          return { [field]: name, costUsd: sum(runs), tasks: runs.length };
        })
        .sort((a, b) => b.costUsd - a.costUsd);
    };
    expect(report.byRepository).toEqual(grouped("repository"));
    expect(report.byRepository.map((r) => r.repository)).toEqual([null, "api", "web"]);
    expect(report.byAgentType).toEqual(grouped("agentType"));
    expect(JSON.stringify(report)).not.toMatch(/secret|orchestrator|1000|2000/);
  });

  it("puts the chosen grouping first, in `groups`, with every section still there", async () => {
    const { ws, inside } = await marchWeek();
    const q = `?workspace=${ws}&from=2026-03-01&to=2026-03-07`;

    const byRepo = await (await api(`/api/cost-report${q}&groupBy=repository`)).json<CostReportBody>();
    expect(Object.keys(byRepo).slice(0, 5)).toEqual(["from", "to", "currency", "groupBy", "groups"]);
    expect(byRepo.groupBy).toBe("repository");
    const web = inside.filter((r) => r.repository === "web");
    expect(byRepo.groups!.find((g) => g.key === "web")).toEqual({
      key: "web",
      costUsd: sum(web),
      tasks: web.length,
      succeeded: web.filter((r) => r.outcome === "succeeded").length,
      failed: 0,
      stopped: 0,
      timedOut: 0,
      estimatedCostUsd: sum(web.filter((r) => r.estimated)),
    });
    expect(byRepo.groups!.map((g) => g.key)).toEqual(byRepo.byRepository.map((r) => r.repository));
    expect(byRepo.byDay).toHaveLength(7);

    const byDay = await (await api(`/api/cost-report${q}&groupBy=day`)).json<CostReportBody>();
    expect(byDay.groups!.map((g) => [g.key, g.tasks])).toEqual(byDay.byDay.map((d) => [d.date, d.tasks]));
    expect(byDay.groups!.find((g) => g.key === "2026-03-03")).toMatchObject({ succeeded: 1, failed: 1, estimatedCostUsd: 1.04 });

    const byExecutor = await (await api(`/api/cost-report${q}&groupBy=executor`)).json<CostReportBody>();
    expect(byExecutor.groups!.map((g) => [g.key, g.tasks, g.stopped, g.timedOut])).toEqual([
      ["local", 3, 1, 0],
      ["cloud", 3, 0, 1],
    ]);

    const byAgent = await (await api(`/api/cost-report${q}&groupBy=agentType`)).json<CostReportBody>();
    expect(byAgent.groups!.find((g) => g.key === null)).toMatchObject({ tasks: 1, stopped: 1, costUsd: 0.3334 });
  });

  it("defaults to the last 30 days through today and reports today's spend against the daily budget", async () => {
    const ws = await seededWorkspace("Budget");
    const other = await seededWorkspace("Budget neighbour");
    const now = Date.now();
    const todayStart = Math.floor(now / DAY) * DAY;
    const today: Run[] = [
      { workspaceId: ws, startedAt: todayStart, executor: "local", costUsd: 1.25 },
      { workspaceId: ws, startedAt: Math.max(todayStart, now - 1000), executor: "cloud", costUsd: 0.5, estimated: true },
    ];
    await seed([
      ...today,
      { workspaceId: ws, startedAt: todayStart - 1, executor: "cloud", costUsd: 7, estimated: true }, // yesterday, last millisecond
      { workspaceId: ws, startedAt: todayStart - 29 * DAY, executor: "local", costUsd: 0.75 }, // first day of the default range
      { workspaceId: ws, startedAt: todayStart - 28 * DAY - 1, executor: "local", costUsd: 0.25 }, // its last millisecond
      { workspaceId: ws, startedAt: todayStart - 29 * DAY - 1, executor: "local", costUsd: 3 }, // the day before it
      { workspaceId: other, startedAt: todayStart + 1, executor: "local", costUsd: 40 },
    ]);
    const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

    const unlimited = await (await api(`/api/cost-report?workspace=${ws}`)).json<CostReportBody>();
    expect(unlimited.from).toBe(isoDay(todayStart - 29 * DAY));
    expect(unlimited.to).toBe(isoDay(todayStart));
    expect(unlimited.byDay).toHaveLength(30);
    expect(unlimited.byDay[0]).toEqual({ date: isoDay(todayStart - 29 * DAY), costUsd: 1, tasks: 2 });
    expect(unlimited.byDay[29]).toEqual({ date: isoDay(todayStart), costUsd: 1.75, tasks: 2 });
    expect(unlimited.byDay[28]).toEqual({ date: isoDay(todayStart - DAY), costUsd: 7, tasks: 1 });
    expect(unlimited.totals.costUsd).toBe(9.75);
    expect(unlimited.budget).toEqual({ maxCostPerDayUsd: null, usedTodayUsd: sum(today), remainingTodayUsd: null });

    const limited = await (await apiWithVars(`/api/cost-report?workspace=${ws}`, { MAX_COST_PER_DAY_USD: "5" })).json<CostReportBody>();
    expect(limited.budget).toEqual({ maxCostPerDayUsd: 5, usedTodayUsd: 1.75, remainingTodayUsd: 3.25 });

    // Today's budget is today's, whatever range the report covers; and it never goes below zero.
    const past = await (await apiWithVars(`/api/cost-report?workspace=${ws}&from=2026-01-01&to=2026-01-02`, { MAX_COST_PER_DAY_USD: "1.5" })).json<CostReportBody>();
    expect(past.totals.tasks).toBe(0);
    expect(past.byExecutor).toEqual({ local: { costUsd: 0, tasks: 0, estimatedCostUsd: 0, estimated: false }, cloud: { costUsd: 0, tasks: 0, estimatedCostUsd: 0, estimated: false } });
    expect(past.byRepository).toEqual([]);
    expect(past.budget).toEqual({ maxCostPerDayUsd: 1.5, usedTodayUsd: 1.75, remainingTodayUsd: 0 });

    // The workspace's own daily limit (PUT /api/config) is the one the ledger enforces, over the var.
    expect((await api(`/api/config?workspace=${ws}`, { method: "PUT", body: JSON.stringify({ maxCostPerDayUsd: 2 }) })).status).toBe(200);
    const own = await (await apiWithVars(`/api/cost-report?workspace=${ws}`, { MAX_COST_PER_DAY_USD: "5" })).json<CostReportBody>();
    expect(own.budget).toEqual({ maxCostPerDayUsd: 2, usedTodayUsd: 1.75, remainingTodayUsd: 0.25 });

    // Only `to` given: the 30 days that end there.
    const onlyTo = await (await api(`/api/cost-report?workspace=${ws}&to=2026-03-30`)).json<CostReportBody>();
    expect([onlyTo.from, onlyTo.to, onlyTo.byDay.length]).toEqual(["2026-03-01", "2026-03-30", 30]);
  });

  it.each([
    ["from=2026-03-08&to=2026-03-01", "after"],
    ["from=2026-02-30", "not a date"],
    ["to=2026-13-01", "not a date"],
    ["from=03/01/2026", "YYYY-MM-DD"],
    ["from=2026-03-01T00:00:00Z", "YYYY-MM-DD"],
    ["from=2020-01-01&to=2026-01-01", "at most"],
    ["groupBy=week", "groupBy"],
  ])("answers 400 with a message for %s", async (query, message) => {
    const ws = await seededWorkspace("Bad query");
    const response = await api(`/api/cost-report?workspace=${ws}&${query}`);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toContain(message);
  });

  it("answers 400 when a `from` after today is given without `to`", async () => {
    const ws = await seededWorkspace("Future");
    const tomorrow = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
    expect((await api(`/api/cost-report?workspace=${ws}&from=${tomorrow}`)).status).toBe(400);
  });

  it("needs the API key and a known workspace", async () => {
    expect((await app.request("/api/cost-report", {}, env)).status).toBe(401);
    expect((await api("/api/cost-report?workspace=nope")).status).toBe(404);
  });
});

interface PeriodBody {
  from: string;
  to: string;
  tasks: number;
  succeeded: number;
  failed: number;
  stopped: number;
  timedOut: number;
  successRate: number | null;
  durationMs: { p50: number | null; p95: number | null };
  executors: Record<"local" | "cloud", { tasks: number; share: number | null }>;
  costUsd: number;
  costPerTaskUsd: number | null;
  peakParallelism: number;
}

interface StatsBody {
  period: string;
  currency: string;
  current: PeriodBody;
  previous: PeriodBody;
  trend: Record<string, { difference: number | null; ratio: number | null }>;
}

/** Nearest rank: the value at rank ceil(p/100 * n). */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** A run's span for parallelism: to its end, else start + duration, else an instant; at most 24 h. */
function spanOf(run: Run): [number, number] {
  const durationMs = run.durationMs === undefined ? 60_000 : run.durationMs;
  const end = run.endedAt ?? (durationMs === null ? run.startedAt : run.startedAt + durationMs);
  return [run.startedAt, Math.max(run.startedAt, Math.min(end, run.startedAt + DAY))];
}

/** Brute force: at each start point, how many closed spans (clipped to the period) cover it. */
function bruteForcePeak(runs: Run[], from: number, to: number): number {
  const clipped = runs
    .map(spanOf)
    .filter(([s, e]) => s < to && e >= from)
    .map(([s, e]) => [Math.max(s, from), Math.min(e, to)] as const);
  let peak = 0;
  for (const [point] of clipped) peak = Math.max(peak, clipped.filter(([s, e]) => s <= point && point <= e).length);
  return peak;
}

/** Every figure of one period, from the seeded runs of the workspace. */
function expectedPeriod(all: Run[], from: number, to: number): PeriodBody {
  const runs = all.filter((r) => r.startedAt >= from && r.startedAt < to);
  const tasks = runs.length;
  const count = (outcome: string) => runs.filter((r) => (r.outcome === undefined ? "succeeded" : r.outcome) === outcome).length;
  const local = runs.filter((r) => r.executor === "local").length;
  const durations = runs.map((r) => (r.durationMs === undefined ? 60_000 : r.durationMs)).filter((d): d is number => d !== null);
  const cost = runs.reduce((t, r) => t + (r.costUsd ?? 0), 0);
  const share = (n: number) => (tasks === 0 ? null : round4(n / tasks));
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    tasks,
    succeeded: count("succeeded"),
    failed: count("failed"),
    stopped: count("stopped"),
    timedOut: count("timed_out"),
    successRate: share(count("succeeded")),
    durationMs: { p50: nearestRank(durations, 50), p95: nearestRank(durations, 95) },
    executors: { local: { tasks: local, share: share(local) }, cloud: { tasks: tasks - local, share: share(tasks - local) } },
    costUsd: round4(cost),
    costPerTaskUsd: tasks === 0 ? null : round4(cost / tasks),
    peakParallelism: bruteForcePeak(all, from, to),
  };
}

const MIN = 60_000;

describe("GET /api/stats", () => {
  /**
   * A week that ends mid-morning, so it has a part-day at each end and whole days between (read
   * from the rollups): runs in each, runs across their boundaries, one from the previous week
   * still going into this one, and a neighbour whose busy hour must not count.
   */
  async function busyWeeks() {
    const ws = await seededWorkspace("Stats");
    const other = await seededWorkspace("Stats neighbour");
    const end = at("2026-06-10T09:30:00.000Z");
    const t = (iso: string) => at(`2026-${iso}Z`);
    const runs: Run[] = [
      // The part-day at the start: overlaps the run from the previous week.
      { workspaceId: ws, startedAt: t("06-03T10:30:00"), durationMs: 60 * MIN, executor: "local", outcome: "succeeded", costUsd: 0.1 },
      // Across midnight into the first whole day: b, c and d are open together at 00:40.
      { workspaceId: ws, startedAt: t("06-03T23:30:00"), durationMs: 90 * MIN, executor: "cloud", outcome: "succeeded", costUsd: 0.6, estimated: true },
      { workspaceId: ws, startedAt: t("06-04T00:30:00"), durationMs: 15 * MIN, executor: "cloud", outcome: "failed", costUsd: 0.52, estimated: true },
      { workspaceId: ws, startedAt: t("06-04T00:40:00"), durationMs: 30 * MIN, executor: "local", outcome: "stopped", costUsd: 0.05 },
      // A whole day with four open at 10:20 (k ends as m starts: closed spans touch).
      { workspaceId: ws, startedAt: t("06-05T10:00:00"), durationMs: 30 * MIN, executor: "local", outcome: "succeeded", costUsd: 0.11 },
      { workspaceId: ws, startedAt: t("06-05T10:10:00"), durationMs: 10 * MIN, executor: "local", outcome: "succeeded", costUsd: 0.12 },
      { workspaceId: ws, startedAt: t("06-05T10:15:00"), durationMs: 10 * MIN, executor: "cloud", outcome: "succeeded", costUsd: 0.7, estimated: true },
      { workspaceId: ws, startedAt: t("06-05T10:20:00"), durationMs: 20 * MIN, executor: "local", outcome: "succeeded", costUsd: 0.13 },
      { workspaceId: ws, startedAt: t("06-06T12:00:00"), durationMs: 7 * MIN, executor: "local", outcome: "timed_out", costUsd: 0 },
      // No end and no duration: an instant.
      { workspaceId: ws, startedAt: t("06-08T15:00:00"), durationMs: null, endedAt: null, executor: "cloud", outcome: null, costUsd: 0 },
      // Across the last midnight into the part-day at the end, where three are open at 01:00.
      { workspaceId: ws, startedAt: t("06-09T23:00:00"), durationMs: 135 * MIN, executor: "local", outcome: "failed", costUsd: 0.3 },
      { workspaceId: ws, startedAt: t("06-10T00:10:00"), durationMs: 110 * MIN, executor: "local", outcome: "succeeded", costUsd: 0.2 },
      { workspaceId: ws, startedAt: t("06-10T01:00:00"), durationMs: 30 * MIN, executor: "cloud", outcome: "succeeded", costUsd: 0.6, estimated: true },
      // The previous week: one still going into this one, one right at its start, a pair on a whole day.
      { workspaceId: ws, startedAt: t("06-03T08:30:00"), durationMs: 150 * MIN, executor: "cloud", outcome: "succeeded", costUsd: 0.9, estimated: true },
      { workspaceId: ws, startedAt: t("05-27T09:30:00"), durationMs: MIN, executor: "local", outcome: "succeeded", costUsd: 0.01 },
      { workspaceId: ws, startedAt: t("05-30T10:00:00"), durationMs: 20 * MIN, executor: "local", outcome: "succeeded", costUsd: 0.3 },
      { workspaceId: ws, startedAt: t("05-30T10:05:00"), durationMs: 5 * MIN, executor: "local", outcome: "failed", costUsd: 0.1 },
      // Before both weeks, open into the previous one at its first instant (with the run above: 2).
      { workspaceId: ws, startedAt: t("05-27T08:00:00"), durationMs: 91 * MIN, executor: "local", costUsd: 5 },
      // The next week.
      { workspaceId: ws, startedAt: end, durationMs: 60 * MIN, executor: "local", costUsd: 5 },
    ];
    const noise: Run[] = Array.from({ length: 6 }, () => ({ workspaceId: other, startedAt: t("06-05T10:20:00"), durationMs: 60 * MIN, executor: "cloud" as const, costUsd: 9 }));
    await seed([...runs, ...noise]);
    return { ws, end, runs };
  }

  it("gives a period's figures, the previous period's, the trend and the peak parallelism, across part-days and whole days", async () => {
    const { ws, end, runs } = await busyWeeks();
    const response = await api(`/api/stats?workspace=${ws}&period=week&end=${new Date(end).toISOString()}`);
    expect(response.status).toBe(200);
    const stats = await response.json<StatsBody>();
    expect(stats.period).toBe("week");
    const start = end - 7 * DAY;
    expect(stats.current).toEqual(expectedPeriod(runs, start, end));
    expect(stats.previous).toEqual(expectedPeriod(runs, start - 7 * DAY, start));
    // Written out too, so a shared mistake in the brute force cannot hide.
    expect([stats.current.tasks, stats.current.peakParallelism, stats.previous.tasks, stats.previous.peakParallelism]).toEqual([13, 4, 4, 2]);
    expect(stats.current.durationMs).toEqual({ p50: 30 * MIN, p95: 135 * MIN });

    const c = stats.current;
    const p = stats.previous;
    expect(stats.trend.tasks).toEqual({ difference: 9, ratio: 3.25 });
    expect(stats.trend.costUsd).toEqual({ difference: round4(c.costUsd - p.costUsd), ratio: round4(c.costUsd / p.costUsd) });
    expect(stats.trend.successRate).toEqual({ difference: round4(c.successRate! - p.successRate!), ratio: round4(c.successRate! / p.successRate!) });
    expect(stats.trend.durationP95Ms).toEqual({ difference: c.durationMs.p95! - p.durationMs.p95!, ratio: round4(c.durationMs.p95! / p.durationMs.p95!) });
    expect(stats.trend.peakParallelism).toEqual({ difference: 2, ratio: 2 });
    expect(stats.trend.failed).toEqual({ difference: 1, ratio: 2 });
  });

  it.each([
    ["day", DAY],
    ["month", 30 * DAY],
  ] as const)("agrees with the runs for a %s ending at any instant", async (period, length) => {
    const { ws, end, runs } = await busyWeeks();
    for (const shift of [0, -9.5 * 3_600_000, -(9.5 * 3_600_000) - 1, 14 * 3_600_000 + 7]) {
      const at = end + shift;
      const stats = await (await api(`/api/stats?workspace=${ws}&period=${period}&end=${new Date(at).toISOString()}`)).json<StatsBody>();
      expect(stats.current).toEqual(expectedPeriod(runs, at - length, at));
      expect(stats.previous).toEqual(expectedPeriod(runs, at - 2 * length, at - length));
    }
  });

  it("counts a run for at most 24 hours, and one that started before the period while it overlaps it", async () => {
    const ws = await seededWorkspace("Spanning");
    const end = at("2026-07-01T00:00:00.000Z");
    const start = end - 7 * DAY;
    const runs: Run[] = [
      { workspaceId: ws, startedAt: start - 2 * 3_600_000, durationMs: 3 * 3_600_000, executor: "cloud" },
      { workspaceId: ws, startedAt: start + 30 * MIN, durationMs: 60 * MIN, executor: "local" },
      { workspaceId: ws, startedAt: start + 45 * MIN, durationMs: 60 * MIN, executor: "local" },
      // Starts a millisecond after the others have ended: alone.
      { workspaceId: ws, startedAt: start + 105 * MIN + 1, durationMs: 60 * MIN, executor: "local" },
      // 31 hours long: counted only for its first 24, which end before the period.
      { workspaceId: ws, startedAt: start - 30 * 3_600_000, durationMs: 31 * 3_600_000, executor: "cloud" },
    ];
    await seed(runs);
    const stats = await (await api(`/api/stats?workspace=${ws}&period=week&end=${new Date(end).toISOString()}`)).json<StatsBody>();
    expect(stats.current.from).toBe(new Date(start).toISOString());
    expect(stats.current).toEqual(expectedPeriod(runs, start, end));
    expect([stats.current.tasks, stats.current.peakParallelism]).toEqual([3, 3]);
    expect([stats.previous.tasks, stats.previous.peakParallelism]).toEqual([2, 1]);
    expect(stats.trend.tasks).toEqual({ difference: 1, ratio: 1.5 });
  });

  it("keeps the rollups right when the writer replays, rewrites or a run is deleted", async () => {
    const ws = await seededWorkspace("Replays");
    const end = at("2026-08-20T12:00:00.000Z");
    const base = at("2026-08-15T10:00:00.000Z");
    const row = (id: string, startedAt: number, durationMs: number, fields: Partial<ExecutionMetricsRow> = {}): ExecutionMetricsRow => ({
      id,
      workspaceId: ws,
      sessionId: `session-${id}`,
      repositoryName: "web",
      executor: "cloud",
      agentType: "builder",
      complexity: null,
      codegenRunId: null,
      localTaskId: null,
      startedAt,
      endedAt: startedAt + durationMs,
      durationMs,
      outcome: "failed",
      costUsd: 0.5,
      costEstimated: true,
      inputTokens: null,
      outputTokens: null,
      prUrls: [],
      ...fields,
    });
    const db = createDb(env.DB);
    const first = row(`${ws}:a:1:0`, base, 30 * MIN);
    await recordExecutionMetrics(db, first);
    await recordExecutionMetrics(db, row(`${ws}:b:1:0`, base + 10 * MIN, 10 * MIN));
    await recordExecutionMetrics(db, row(`${ws}:c:1:0`, base + 12 * MIN, 10 * MIN, { executor: "local", costEstimated: false, costUsd: 0.25, outcome: "succeeded" }));
    // Replayed twice as is, then rewritten: it ended later, succeeded and cost more.
    await recordExecutionMetrics(db, first);
    await recordExecutionMetrics(db, first);
    await recordExecutionMetrics(db, { ...first, endedAt: base + 90 * MIN, durationMs: 90 * MIN, outcome: "succeeded", costUsd: 0.8 });
    // A fourth, later: overlaps the rewritten run only because it now ends later.
    await recordExecutionMetrics(db, row(`${ws}:d:1:0`, base + 80 * MIN, 5 * MIN));
    await env.DB.prepare("DELETE FROM execution_metrics WHERE id = ?").bind(`${ws}:b:1:0`).run();

    const stats = await (await api(`/api/stats?workspace=${ws}&period=week&end=${new Date(end).toISOString()}`)).json<StatsBody>();
    expect(stats.current).toMatchObject({ tasks: 3, succeeded: 2, failed: 1, costUsd: 1.55, peakParallelism: 2, durationMs: { p50: 10 * MIN, p95: 90 * MIN } });
    const report = await (await api(`/api/cost-report?workspace=${ws}&from=2026-08-15&to=2026-08-15&groupBy=executor`)).json<CostReportBody>();
    expect(report.totals).toEqual({ costUsd: 1.55, tasks: 3, succeeded: 2, failed: 1, stopped: 0, timedOut: 0, estimatedCostUsd: 1.3 });
    expect(report.byExecutor).toEqual({ local: { costUsd: 0.25, tasks: 1, estimatedCostUsd: 0, estimated: false }, cloud: { costUsd: 1.3, tasks: 2, estimatedCostUsd: 1.3, estimated: true } });

    // Deleting the rewritten run takes its peak with it.
    await env.DB.prepare("DELETE FROM execution_metrics WHERE id = ?").bind(first.id).run();
    const after = await (await api(`/api/stats?workspace=${ws}&period=week&end=${new Date(end).toISOString()}`)).json<StatsBody>();
    expect(after.current).toMatchObject({ tasks: 2, peakParallelism: 1, costUsd: 0.75 });
  });

  it("answers an empty period with zeros and nulls, and a month is 30 days ending now by default", async () => {
    const ws = await seededWorkspace("Empty");
    const before = Date.now();
    const stats = await (await api(`/api/stats?workspace=${ws}&period=month`)).json<StatsBody>();
    const to = Date.parse(stats.current.to);
    expect(to).toBeGreaterThanOrEqual(before);
    expect(to - Date.parse(stats.current.from)).toBe(30 * DAY);
    expect(stats.previous.to).toBe(stats.current.from);
    expect(stats.current).toMatchObject({ tasks: 0, successRate: null, costUsd: 0, costPerTaskUsd: null, peakParallelism: 0, durationMs: { p50: null, p95: null } });
    expect(stats.current.executors).toEqual({ local: { tasks: 0, share: null }, cloud: { tasks: 0, share: null } });
    expect(stats.trend.tasks).toEqual({ difference: 0, ratio: null });
    expect(stats.trend.successRate).toEqual({ difference: null, ratio: null });

    const byDefault = await (await api(`/api/stats?workspace=${ws}`)).json<StatsBody>();
    expect(byDefault.period).toBe("week");
    expect(Date.parse(byDefault.current.to) - Date.parse(byDefault.current.from)).toBe(7 * DAY);
  });

  it.each(["period=year", "period=", "end=yesterday", "end=2026-06-10"])("answers 400 for %s", async (query) => {
    const ws = await seededWorkspace("Bad stats");
    const response = await api(`/api/stats?workspace=${ws}&${query}`);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/period|end/);
  });
});
