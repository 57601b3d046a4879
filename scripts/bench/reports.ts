/**
 * The reporting API on a large history, on the local runtime (`wrangler dev
 * --local`): 100,000 agent sessions of one workspace (and 10,000 of a second,
 * which every query must skip) with their execution_metrics rows, spread over
 * the last 90 days with a working-hours and weekday rhythm, 8 repositories,
 * 4 agent types, both executors, retries and fallbacks.
 *
 * Seeding: a generated SQL file (multi-row INSERTs of 200 rows, no bound
 * parameters, so D1's 100-parameter limit does not apply and no statement
 * passes its 100 KB) applied with `wrangler d1 execute --local --file` to a
 * persist directory before the edge starts on it. The rollups' triggers run
 * for every row, as they would for the writer.
 *
 * Then, after checking that the answers count the runs seeded, p50/p99 of
 * GET /api/cost-report (30 and 90 days, and 90 days grouped by repository),
 * GET /api/stats (week, month) and GET /api/sessions, one request at a time so
 * the figures are latencies, not queueing. BENCH_SESSIONS, BENCH_REQUESTS and
 * BENCH_ONLY (a substring of the scenario names) change the run.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalEdge } from "../lib/local-edge";
import { round, runLoad } from "../lib/load";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);
const ONLY = process.env.BENCH_ONLY;
const NOISE_SESSIONS = Math.round(SESSIONS / 10);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const DAYS = 90;
/** D1 refuses a statement over 100 KB; a metrics row is about 350 bytes. */
const ROWS_PER_INSERT = 200;
const API_KEY = "bench-api-key";
const WORKSPACE = "bench-org";
const NOISE_WORKSPACE = "bench-noise-org";
const DAY = 86_400_000;

const REPOSITORIES: [string, number][] = [
  ["web", 30],
  ["api", 22],
  ["mobile", 14],
  ["infra", 10],
  ["docs", 8],
  ["billing", 7],
  ["search", 5],
  ["data", 4],
];
const AGENT_TYPES: [string, number][] = [
  ["builder", 45],
  ["debugger", 25],
  ["scoper", 15],
  ["orchestrator", 15],
];

/** A deterministic generator (mulberry32), so two runs seed the same history. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(random: () => number, choices: [T, number][]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let x = random() * total;
  for (const [value, w] of choices) if ((x -= w) < 0) return value;
  return choices[choices.length - 1]![0];
}

/** Log-normal around a median, for durations. */
function logNormal(random: () => number, median: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

/** A start time in the last 90 days: busier on weekdays and in working hours (UTC 7–19). */
function startTime(random: () => number, now: number): number {
  for (;;) {
    const t = now - random() * DAYS * DAY;
    const date = new Date(t);
    const weekday = date.getUTCDay() !== 0 && date.getUTCDay() !== 6;
    const hour = date.getUTCHours();
    const weight = (weekday ? 1 : 0.25) * (hour >= 7 && hour < 19 ? 1 : 0.2);
    if (random() < weight) return Math.floor(t);
  }
}

const q = (value: string | null) => (value === null ? "NULL" : `'${value.replace(/'/g, "''")}'`);

interface Seeded {
  sessions: number;
  metrics: number;
  /** execution_metrics rows of the main workspace started in the last 30 / 90 UTC days (today included). */
  metricsLast30Days: number;
  metricsLast90Days: number;
  /** …and in the 7 and 30 days before the seed's `now`. */
  metricsLastWeek: number;
  metricsLastMonth: number;
}

/** Writes the seed SQL; returns what it wrote, for checking the answers. */
async function writeSeed(path: string, now: number): Promise<Seeded> {
  const random = rng(20261121);
  const out = createWriteStream(path);
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, "drain");
  };
  const today = Math.floor(now / DAY);
  const seeded: Seeded = { sessions: 0, metrics: 0, metricsLast30Days: 0, metricsLast90Days: 0, metricsLastWeek: 0, metricsLastMonth: 0 };
  await write(
    [WORKSPACE, NOISE_WORKSPACE]
      .map((id) => `INSERT INTO workspaces (id, name, url_key, app_user_id, access_token_enc, token_expires_at, installed_at, updated_at) VALUES (${q(id)}, ${q(id)}, ${q(id)}, 'app-user', 'v1.x.y', ${now + DAY}, ${now}, ${now});\n`)
      .join(""),
  );

  let sessionRows: string[] = [];
  let metricRows: string[] = [];
  const flush = async (force: boolean) => {
    if (sessionRows.length >= ROWS_PER_INSERT || (force && sessionRows.length)) {
      await write(
        `INSERT INTO agent_sessions (id, workspace_id, issue_id, issue_identifier, issue_title, repository_id, repository_name, status, executor, agent_type, complexity, outcome, error, created_at, updated_at, ended_at) VALUES\n${sessionRows.join(",\n")};\n`,
      );
      sessionRows = [];
    }
    if (metricRows.length >= ROWS_PER_INSERT || (force && metricRows.length)) {
      await write(
        `INSERT INTO execution_metrics (id, workspace_id, session_id, repository_name, executor, agent_type, complexity, codegen_run_id, local_task_id, started_at, ended_at, duration_ms, outcome, cost_usd, cost_estimated, input_tokens, output_tokens, pr_urls) VALUES\n${metricRows.join(",\n")};\n`,
      );
      metricRows = [];
    }
  };

  for (let i = 0; i < SESSIONS + NOISE_SESSIONS; i++) {
    const workspaceId = i < SESSIONS ? WORKSPACE : NOISE_WORKSPACE;
    const id = `bench-session-${i}`;
    const repository = weighted(random, REPOSITORIES);
    const agentType = weighted(random, AGENT_TYPES);
    const complexity = weighted(random, [
      ["low", 50],
      ["medium", 35],
      ["high", 15],
    ]);
    const createdAt = startTime(random, now);
    // Most sessions run once; some fail in the cloud first and fall back to a local run.
    const fallback = random() < 0.12;
    const attempts: { executor: "local" | "cloud"; startedAt: number }[] = [];
    let at = createdAt + Math.floor(2_000 + random() * 20_000);
    const firstExecutor = fallback || random() < 0.4 ? "cloud" : "local";
    attempts.push({ executor: firstExecutor, startedAt: at });
    let lastOutcome = "succeeded";
    let endedAt = at;
    for (let k = 0; k < (fallback ? 2 : 1); k++) {
      const attempt = k === 0 ? attempts[0]! : { executor: "local" as const, startedAt: endedAt + 5_000 };
      if (k > 0) attempts.push(attempt);
      const cloud = attempt.executor === "cloud";
      const durationMs = Math.min(Math.round(logNormal(random, cloud ? 12 * 60_000 : 6 * 60_000, 0.8)), 3_600_000);
      const r = random();
      const outcome = fallback && k === 0 ? (r < 0.5 ? "failed" : "timed_out") : r < 0.87 ? "succeeded" : r < 0.95 ? "failed" : "stopped";
      const cost = cloud ? 0.5 + 0.02 * (durationMs / 60_000) : Math.max(0.01, logNormal(random, 0.35, 0.9));
      attempt.startedAt = Math.min(attempt.startedAt, now - 1);
      endedAt = Math.min(attempt.startedAt + durationMs, now);
      lastOutcome = outcome;
      const inTokens = Math.round(durationMs * 8);
      metricRows.push(
        `(${q(`${id}:${k + 1}:0`)}, ${q(workspaceId)}, ${q(id)}, ${q(repository)}, ${q(attempt.executor)}, ${q(agentType)}, ${q(complexity)}, ${cloud ? 100_000 + i : "NULL"}, ${cloud ? "NULL" : q(`task-${i}-${k}`)}, ${attempt.startedAt}, ${endedAt}, ${endedAt - attempt.startedAt}, ${q(outcome)}, ${cost.toFixed(6)}, ${cloud ? 1 : 0}, ${inTokens}, ${Math.round(inTokens / 10)}, ${outcome === "succeeded" && random() < 0.7 ? q(JSON.stringify([`https://github.com/acme/${repository}/pull/${i}`])) : "'[]'"})`,
      );
      seeded.metrics++;
      if (workspaceId === WORKSPACE) {
        const day = Math.floor(attempt.startedAt / DAY);
        if (day > today - 30) seeded.metricsLast30Days++;
        if (day > today - 90) seeded.metricsLast90Days++;
        if (attempt.startedAt >= now - 7 * DAY && attempt.startedAt < now) seeded.metricsLastWeek++;
        if (attempt.startedAt >= now - 30 * DAY && attempt.startedAt < now) seeded.metricsLastMonth++;
      }
    }
    const status = lastOutcome === "succeeded" ? "complete" : lastOutcome === "stopped" ? "stopped" : "error";
    sessionRows.push(
      `(${q(id)}, ${q(workspaceId)}, ${q(`issue-${i}`)}, ${q(`ENG-${i}`)}, ${q(`Bench issue ${i}`)}, ${q(`repo-${repository}`)}, ${q(repository)}, ${q(status)}, ${q(attempts[attempts.length - 1]!.executor)}, ${q(agentType)}, ${q(complexity)}, ${q(lastOutcome)}, ${status === "error" ? q("the run did not succeed") : "NULL"}, ${createdAt}, ${endedAt}, ${endedAt})`,
    );
    seeded.sessions++;
    await flush(false);
  }
  await flush(true);
  out.end();
  await once(out, "finish");
  return seeded;
}

function wrangler(args: string[]): void {
  const result = spawnSync("wrangler", args, { env: { ...process.env, CI: "1" }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}

export async function benchReports() {
  const dir = mkdtempSync(join(tmpdir(), "cyrus-bench-reports-"));
  const persistTo = join(dir, "state");
  const seedFile = join(dir, "seed.sql");
  const now = Date.now();
  try {
    let t0 = performance.now();
    const seeded = await writeSeed(seedFile, now);
    const generateSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", seedFile]);
    const applySeconds = (performance.now() - t0) / 1000;
    console.log(`seeded ${seeded.sessions} sessions and ${seeded.metrics} runs (${round(statSync(seedFile).size / 1e6, 1)} MB of SQL) in ${round(applySeconds, 1)} s`);

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
        seedSqlMb: round(statSync(seedFile).size / 1e6, 1),
        seedGenerateSeconds: round(generateSeconds, 1),
        seedApplySeconds: round(applySeconds, 1),
        latencies,
        p99GoalMs: goalMs,
        p99GoalMet: measured.every((name) => latencies[name]!.p99Ms < goalMs),
      };
    } finally {
      await edge.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
