/**
 * The reporting API on a large history, on the local runtime (`wrangler dev
 * --local`): 100,000 agent sessions of one workspace (and 10,000 of a second,
 * which every query must skip) with their execution_metrics rows, spread over
 * the last 90 days with a working-hours and weekday rhythm, 8 repositories,
 * 4 agent types, both executors, retries and fallbacks.
 *
 * Seeding: scripts/bench/seed-history.ts (shared with the panel benchmark),
 * a generated SQL file applied with `wrangler d1 execute --local --file` to a
 * persist directory before the edge starts on it.
 *
 * Then, after checking that the answers count the runs seeded, p50/p99 of
 * GET /api/cost-report (30 and 90 days, and 90 days grouped by repository),
 * GET /api/stats (week, month) and GET /api/sessions, one request at a time so
 * the figures are latencies, not queueing. BENCH_SESSIONS, BENCH_REQUESTS and
 * BENCH_ONLY (a substring of the scenario names) change the run.
 */
import { startLocalEdge } from "../lib/local-edge";
import { runLoad } from "../lib/load";
import { BENCH_WORKSPACE as WORKSPACE, DAY, seedHistory } from "./seed-history";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);
const ONLY = process.env.BENCH_ONLY;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const API_KEY = "bench-api-key";

export async function benchReports() {
  const now = Date.now();
  const history = await seedHistory({ label: "reports", sessions: SESSIONS, now });
  const { seeded, persistTo } = history;
  try {
    const edge = await startLocalEdge({ CYRUS_API_KEY: API_KEY, MAX_COST_PER_DAY_USD: "50", LOG_LEVEL: "warn" }, { persistTo, quiet: true });
    try {
      const get = (path: string) => () => new Request(`${edge.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      const day = (offset: number) => new Date(now + offset * DAY).toISOString().slice(0, 10);
      const ws = `workspace=${WORKSPACE}`;

      // The answers must be right before their speed means anything.
      const check = async (path: string, expectTasks: number) => {
        const response = await fetch(get(path)());
        const body = (await response.json()) as { totals?: { tasks: number }; current?: { tasks: number } };
        const tasks = body.totals?.tasks ?? body.current?.tasks;
        if (!response.ok || tasks !== expectTasks) throw new Error(`${path}: expected ${expectTasks} tasks, got ${JSON.stringify(body).slice(0, 300)}`);
      };
      // The stats' periods end at the seed's `now`, so the same runs are in them on every request.
      const end = `end=${new Date(now).toISOString()}`;
      await check(`/api/cost-report?${ws}&from=${day(-29)}&to=${day(0)}`, seeded.metricsLast30Days);
      await check(`/api/cost-report?${ws}&from=${day(-89)}&to=${day(0)}`, seeded.metricsLast90Days);
      await check(`/api/stats?${ws}&period=week&${end}`, seeded.metricsLastWeek);
      await check(`/api/stats?${ws}&period=month&${end}`, seeded.metricsLastMonth);

      const scenarios: Record<string, string> = {
        "cost-report 30 days": `/api/cost-report?${ws}&from=${day(-29)}&to=${day(0)}`,
        "cost-report 90 days": `/api/cost-report?${ws}&from=${day(-89)}&to=${day(0)}`,
        "cost-report 90 days, groupBy=repository": `/api/cost-report?${ws}&from=${day(-89)}&to=${day(0)}&groupBy=repository`,
        "stats week": `/api/stats?${ws}&period=week&${end}`,
        "stats month": `/api/stats?${ws}&period=month&${end}`,
        "sessions, first page": `/api/sessions?${ws}&limit=50`,
        "sessions, status=stopped&executor=cloud": `/api/sessions?${ws}&status=stopped&executor=cloud&limit=50`,
      };
      const latencies: Record<string, { p50Ms: number; p99Ms: number; requests: number; statuses: Record<number, number> }> = {};
      for (const [name, path] of Object.entries(scenarios)) {
        if (ONLY && !name.includes(ONLY)) continue;
        await runLoad(10, 1, get(path)); // warm-up
        const result = await runLoad(REQUESTS, 1, get(path));
        latencies[name] = { p50Ms: result.p50Ms, p99Ms: result.p99Ms, requests: result.requests, statuses: result.statuses };
        console.log(`${name}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
      }
      const goalMs = 100;
      const measured = ["cost-report 30 days", "cost-report 90 days", "stats week", "stats month"];
      return {
        sessions: seeded.sessions,
        sessionsInBenchWorkspace: SESSIONS,
        executionMetricsRows: seeded.metrics,
        runsInLast30Days: seeded.metricsLast30Days,
        runsInLast90Days: seeded.metricsLast90Days,
        seedSqlMb: history.seedSqlMb,
        seedGenerateSeconds: history.seedGenerateSeconds,
        seedApplySeconds: history.seedApplySeconds,
        latencies,
        p99GoalMs: goalMs,
        p99GoalMet: measured.every((name) => latencies[name]!.p99Ms < goalMs),
      };
    } finally {
      await edge.stop();
    }
  } finally {
    history.remove();
  }
}
