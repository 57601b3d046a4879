/**
 * A large history in a local D1, for the benchmarks that read it (reports,
 * panel): `sessions` agent sessions of the installed workspace "bench-org"
 * (and a tenth as many of a second installed workspace, which every query
 * must skip) with their execution_metrics rows, spread over the last 90 days
 * with a working-hours and weekday rhythm, 8 repositories, 4 agent types, both
 * executors, retries and fallbacks; optionally each session's timeline too.
 *
 * A generated SQL file (multi-row INSERTs of 200 rows, no bound parameters, so
 * D1's 100-parameter limit does not apply and no statement passes its 100 KB)
 * applied with `wrangler d1 execute --local --file` to a persist directory,
 * before the edge starts on it. The rollups' triggers run for every row, as
 * they would for the writer. Deterministic: two runs seed the same history
 * (relative to their `now`).
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { round } from "../lib/load";

export const BENCH_WORKSPACE = "bench-org";
export const NOISE_WORKSPACE = "bench-noise-org";
export const DAY = 86_400_000;
const DAYS = 90;
/** D1 refuses a statement over 100 KB; a metrics row is about 350 bytes. */
const ROWS_PER_INSERT = 200;

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

export interface SeedCounts {
  sessions: number;
  metrics: number;
  events: number;
  /** execution_metrics rows of the main workspace started in the last 30 / 90 UTC days (today included). */
  metricsLast30Days: number;
  metricsLast90Days: number;
  /** …and in the 7 and 30 days before the seed's `now`. */
  metricsLastWeek: number;
  metricsLastMonth: number;
  /** A session of the main workspace that fell back from the cloud to a local run (two runs), for a detail page. */
  fallbackSessionId: string | null;
}

interface SeedOptions {
  /** Sessions of the main workspace; the noise workspace gets a tenth as many. */
  sessions: number;
  now: number;
  /** Also write each session's timeline (session_events), as the IssueSession mirrors it: about 6 events a session. */
  timelines?: boolean;
}

interface TimelineEvent {
  kind: string;
  summary: string;
  at: number;
  data?: Record<string, unknown>;
}

/** Writes the seed SQL; returns what it wrote, for checking the answers. */
async function writeSeed(path: string, { sessions, now, timelines = false }: SeedOptions): Promise<SeedCounts> {
  const noiseSessions = Math.round(sessions / 10);
  const random = rng(20261121);
  const out = createWriteStream(path);
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, "drain");
  };
  const today = Math.floor(now / DAY);
  const seeded: SeedCounts = {
    sessions: 0,
    metrics: 0,
    events: 0,
    metricsLast30Days: 0,
    metricsLast90Days: 0,
    metricsLastWeek: 0,
    metricsLastMonth: 0,
    fallbackSessionId: null,
  };
  // Installed (revoked_at NULL), so the panel shows them; the token is never decrypted by what is measured.
  await write(
    [BENCH_WORKSPACE, NOISE_WORKSPACE]
      .map((id) => `INSERT INTO workspaces (id, name, url_key, app_user_id, access_token_enc, token_expires_at, installed_at, updated_at) VALUES (${q(id)}, ${q(id)}, ${q(id)}, 'app-user', 'v1.x.y', ${now + DAY}, ${now}, ${now});\n`)
      .join(""),
  );

  let sessionRows: string[] = [];
  let metricRows: string[] = [];
  let eventRows: string[] = [];
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
    if (eventRows.length >= ROWS_PER_INSERT || (force && eventRows.length)) {
      await write(`INSERT INTO session_events (id, session_id, workspace_id, kind, summary, data, created_at) VALUES\n${eventRows.join(",\n")};\n`);
      eventRows = [];
    }
  };

  for (let i = 0; i < sessions + noiseSessions; i++) {
    const workspaceId = i < sessions ? BENCH_WORKSPACE : NOISE_WORKSPACE;
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
    if (fallback && workspaceId === BENCH_WORKSPACE) seeded.fallbackSessionId ??= id;
    const attempts: { executor: "local" | "cloud"; startedAt: number }[] = [];
    let at = createdAt + Math.floor(2_000 + random() * 20_000);
    const firstExecutor = fallback || random() < 0.4 ? "cloud" : "local";
    attempts.push({ executor: firstExecutor, startedAt: at });
    let lastOutcome = "succeeded";
    let endedAt = at;
    const timeline: TimelineEvent[] = [
      { kind: "session.created", summary: `Delegated ENG-${i}`, at: createdAt },
      { kind: "issue.started", summary: `Moved ENG-${i} to In Progress`, at: createdAt + 1_000 },
    ];
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
      if (workspaceId === BENCH_WORKSPACE) {
        const day = Math.floor(attempt.startedAt / DAY);
        if (day > today - 30) seeded.metricsLast30Days++;
        if (day > today - 90) seeded.metricsLast90Days++;
        if (attempt.startedAt >= now - 7 * DAY && attempt.startedAt < now) seeded.metricsLastWeek++;
        if (attempt.startedAt >= now - 30 * DAY && attempt.startedAt < now) seeded.metricsLastMonth++;
      }
      if (cloud) {
        timeline.push({ kind: "cloud.started", summary: `Codegen run ${100_000 + i} started`, at: attempt.startedAt, data: { runId: 100_000 + i } });
        timeline.push({ kind: outcome === "timed_out" ? "cloud.timed_out" : "cloud.finished", summary: `Codegen run ${100_000 + i} ${outcome}, cost $${cost.toFixed(4)}`, at: endedAt });
      } else {
        timeline.push({ kind: "local.queued", summary: `Queued local task ${id}:${k + 1}`, at: attempt.startedAt - 1_000 });
        timeline.push({ kind: "local.started", summary: `Claude Code started in /work/worktrees/ENG-${i}`, at: attempt.startedAt });
        timeline.push({ kind: `local.${outcome}`, summary: `Local run ${outcome}, cost $${cost.toFixed(4)}`, at: endedAt, data: { costUsd: Number(cost.toFixed(6)), durationMs } });
      }
      if (fallback && k === 0) timeline.push({ kind: "session.fallback", summary: "Fell back to local: the cloud run did not succeed", at: endedAt + 1 });
    }
    const status = lastOutcome === "succeeded" ? "complete" : lastOutcome === "stopped" ? "stopped" : "error";
    sessionRows.push(
      `(${q(id)}, ${q(workspaceId)}, ${q(`issue-${i}`)}, ${q(`ENG-${i}`)}, ${q(`Bench issue ${i}`)}, ${q(`repo-${repository}`)}, ${q(repository)}, ${q(status)}, ${q(attempts[attempts.length - 1]!.executor)}, ${q(agentType)}, ${q(complexity)}, ${q(lastOutcome)}, ${status === "error" ? q("the run did not succeed") : "NULL"}, ${createdAt}, ${endedAt}, ${endedAt})`,
    );
    seeded.sessions++;
    if (timelines) {
      // Ids as the IssueSession mirrors them: `<object name>:<seq>`.
      timeline.forEach((event, seq) => {
        eventRows.push(
          `(${q(`${workspaceId}:issue-${i}:${seq + 1}`)}, ${q(id)}, ${q(workspaceId)}, ${q(event.kind)}, ${q(event.summary)}, ${event.data ? q(JSON.stringify(event.data)) : "NULL"}, ${event.at})`,
        );
      });
      seeded.events += timeline.length;
    }
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

export interface SeededHistory {
  /** The local state to start the edge on (`startLocalEdge(vars, { persistTo })`). */
  persistTo: string;
  seeded: SeedCounts;
  seedSqlMb: number;
  seedGenerateSeconds: number;
  seedApplySeconds: number;
  /** Deletes the temporary directory with the state and the SQL. */
  remove(): void;
}

/** Seeds a fresh local D1 in a temporary directory (migrations first, then the history). */
export async function seedHistory(options: SeedOptions & { label: string }): Promise<SeededHistory> {
  const dir = mkdtempSync(join(tmpdir(), `cyrus-bench-${options.label}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const persistTo = join(dir, "state");
    const seedFile = join(dir, "seed.sql");
    let t0 = performance.now();
    const seeded = await writeSeed(seedFile, options);
    const seedGenerateSeconds = round((performance.now() - t0) / 1000, 1);
    t0 = performance.now();
    wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", seedFile]);
    const seedApplySeconds = round((performance.now() - t0) / 1000, 1);
    const seedSqlMb = round(statSync(seedFile).size / 1e6, 1);
    rmSync(seedFile);
    console.log(
      `seeded ${seeded.sessions} sessions, ${seeded.metrics} runs${seeded.events ? `, ${seeded.events} timeline events` : ""} (${seedSqlMb} MB of SQL) in ${seedApplySeconds} s`,
    );
    return { persistTo, seeded, seedSqlMb, seedGenerateSeconds, seedApplySeconds, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
