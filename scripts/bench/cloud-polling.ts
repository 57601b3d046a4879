/**
 * Cloud runs at scale: 50 concurrent Codegen runs of random lengths between 1
 * and 30 minutes, in time scaled 60x (a minute lasts a second), through the
 * whole edge (`wrangler dev --local`) against the Linear and Codegen emulators,
 * with the production poll settings scaled by the same factor.
 * Measures Codegen calls per run-hour, the peak call rate against Codegen's
 * limits (the emulator enforces them per token), and the delay from a run's
 * completion to its response in Linear. Then, in the same run, a naive client
 * polls 50 runs of its own every 5 seconds with one GET each, for comparison.
 *
 * Knobs (env): BENCH_RUNS (50), BENCH_RUN_SECONDS ("60-1800": the range of run
 * lengths, in emulated seconds), BENCH_SCALE (60), BENCH_NAIVE ("0" skips the
 * naive client), and
 * BENCH_SCENARIO=issue10: issue 10's case as a new user meets it, 20 runs of
 * 40–90 s in real time (no scaling: the production poll settings as they are,
 * and Codegen's limits in real seconds) and no naive client; the other knobs
 * still override it (BENCH_RUNS=50 for the larger case).
 */
import { CodegenEmulatorControl } from "../../test/emulators/codegen/control-client";
import { startCodegenEmulator } from "../../test/emulators/codegen/server";
import { LinearEmulatorControl } from "../../test/emulators/linear/control-client";
import { startLinearEmulator } from "../../test/emulators/linear/server";
import { signLinearPayload } from "../../src/linear/webhook-signature";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge } from "../lib/local-edge";
import { percentile, round } from "../lib/load";

const MINUTE = 60_000;
/** runSeconds: the range of run lengths in emulated seconds. */
const SCENARIOS: Record<string, { runs: number; scale: number; runSeconds: string; naive: boolean }> = {
  default: { runs: 50, scale: 60, runSeconds: "60-1800", naive: true },
  issue10: { runs: 20, scale: 1, runSeconds: "40-90", naive: false },
};
const SCENARIO_NAME = process.env.BENCH_SCENARIO ?? "default";
const SCENARIO = SCENARIOS[SCENARIO_NAME];
if (!SCENARIO) throw new Error(`unknown BENCH_SCENARIO ${SCENARIO_NAME}; known: ${Object.keys(SCENARIOS).join(", ")}`);
const RUNS = Number(process.env.BENCH_RUNS ?? SCENARIO.runs);
const SCALE = Number(process.env.BENCH_SCALE ?? SCENARIO.scale);
const [MIN_SECONDS, MAX_SECONDS] = (process.env.BENCH_RUN_SECONDS ?? SCENARIO.runSeconds).split("-").map(Number) as [number, number];
const NAIVE = process.env.BENCH_NAIVE ? process.env.BENCH_NAIVE !== "0" : SCENARIO.naive;
if (!(MIN_SECONDS > 0 && MAX_SECONDS >= MIN_SECONDS)) throw new Error("BENCH_RUN_SECONDS must read like 40-90");
const SECRET = "bench-webhook-secret";
const API_KEY = "bench-api-key";

/** Deterministic run lengths between MIN_SECONDS and MAX_SECONDS (emulated) seconds. */
function runLengths(count: number, seed = 11): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return Math.round((MIN_SECONDS + (state / 0x7fffffff) * (MAX_SECONDS - MIN_SECONDS)) * 1000);
  });
}

interface ClockMap {
  toRealMs(emulatorMs: number): number;
}

async function clockMap(codegen: CodegenEmulatorControl): Promise<ClockMap> {
  const before = Date.now();
  const clock = await codegen.clock();
  const real = (before + Date.now()) / 2;
  return { toRealMs: (emulatorMs) => real + (emulatorMs - clock.nowMs) / clock.timeScale };
}

export async function benchCloudPolling() {
  const codegenEmulator = await startCodegenEmulator({ timeScale: SCALE });
  const codegen = new CodegenEmulatorControl(codegenEmulator.url);
  const linearEmulator = await startLinearEmulator({ clientId: "bench-client", clientSecret: "bench-secret" });
  const linear = new LinearEmulatorControl(linearEmulator.url);
  // At scale 1 these are the production values (5 s, 60 s, an hour).
  const codegenVars = scaledCodegenVars(codegenEmulator.url, SCALE);
  const edge = await startLocalEdge(
    {
      ...emulatedLinearVars(linearEmulator.url, { webhookSecret: SECRET, clientId: "bench-client", clientSecret: "bench-secret", apiKey: API_KEY }),
      ...codegenVars,
      LOG_LEVEL: "error",
    },
    { quiet: true },
  );
  try {
    const lengths = runLengths(RUNS);
    // One after the other: run together, the naive client's thousands of calls would slow the emulator for both.
    const edgeResult = await runThroughEdge({ edgeUrl: edge.url, linear, codegen, lengths });
    const naiveResult = NAIVE ? await runNaivePoller({ codegenUrl: codegenEmulator.url, codegen, lengths }) : "skipped";
    return {
      setup: { scenario: SCENARIO_NAME, runs: RUNS, timeScale: SCALE, runSeconds: { min: round(Math.min(...lengths) / 1000, 1), max: round(Math.max(...lengths) / 1000, 1) }, pollSettings: { initialMs: Number(codegenVars.CODEGEN_POLL_INITIAL_MS), maxMs: Number(codegenVars.CODEGEN_POLL_MAX_MS) } },
      limits: { createsPerMinute: 10, readsPer30s: 60, logReadsPerMinute: 60 },
      edge: edgeResult,
      naiveFixed5sPolling: naiveResult,
    };
  } finally {
    await edge.stop();
    await Promise.all([linearEmulator.close(), codegenEmulator.close()]);
  }
}

async function runThroughEdge(input: { edgeUrl: string; linear: LinearEmulatorControl; codegen: CodegenEmulatorControl; lengths: number[] }) {
  const { edgeUrl, linear, codegen, lengths } = input;
  const cg = await codegen.createOrganization();
  await codegen.script(cg.orgId, { scripts: lengths.map((durationMs) => ({ durationMs, finalStatus: "COMPLETE", pullRequests: 1, logEvery: 60_000 })) });
  const org = await linear.createOrganization({ name: "Bench", urlKey: "bench" });
  await installThroughOAuth(edgeUrl, org.organizationId);
  const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
  await fetch(`${edgeUrl}/api/config`, { method: "PUT", headers, body: JSON.stringify({ strategy: "cloud-only", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) });
  await fetch(`${edgeUrl}/api/repositories`, { method: "POST", headers, body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) });

  const sessions: string[] = [];
  for (let i = 0; i < lengths.length; i++) {
    const issue = await linear.createIssue(org.organizationId, { title: `Cloud bench ${i}`, teamKey: org.teams[0]!.key });
    const started = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: false });
    const body = JSON.stringify({ ...started.payload, webhookTimestamp: Date.now() });
    await fetch(`${edgeUrl}/webhooks/linear`, {
      method: "POST",
      headers: { "content-type": "application/json", "linear-delivery": crypto.randomUUID(), "linear-signature": await signLinearPayload(SECRET, body) },
      body,
    });
    sessions.push(started.agentSession.id);
  }

  // Wait (bounded) for every session's response or error in Linear: creates are paced at 10 a minute, then the longest run.
  const deadline = Date.now() + 5 * 60_000 + (Math.ceil(lengths.length / 10) * MINUTE + Math.max(...lengths)) / SCALE;
  let state = await linear.state(org.organizationId);
  const ended = () => state.agentSessions.filter((s) => s.activities.some((a) => a.content.type === "response" || a.content.type === "error"));
  while (ended().length < sessions.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    state = await linear.state(org.organizationId);
  }

  const map = await clockMap(codegen);
  const runs = await codegen.runs(cg.orgId);
  const bySession = new Map(runs.map((run) => [String(run.metadata?.linear_session_id), run]));
  const delays: number[] = [];
  let runMs = 0;
  for (const session of state.agentSessions) {
    const run = bySession.get(session.id);
    const response = session.activities.find((a) => a.content.type === "response");
    const endsAt = run?.segments.at(-1)?.endsAt;
    if (!run || !endsAt) continue;
    runMs += Date.parse(endsAt) - Date.parse(run.createdAt);
    if (response) delays.push((Date.parse(response.createdAt) - map.toRealMs(Date.parse(endsAt))) * SCALE);
  }
  delays.sort((a, b) => a - b);
  const stats = await codegen.stats(cg.orgId);
  return {
    sessionsEnded: ended().length,
    responses: delays.length,
    runs: runs.length,
    ...callFigures(stats, runMs),
    completionToResponseScaledSeconds: { p50: round(percentile(delays, 50) / 1000, 1), p95: round(percentile(delays, 95) / 1000, 1), max: round((delays.at(-1) ?? NaN) / 1000, 1) },
  };
}

/** Creates runs as fast as the create limit allows, then GETs each one every 5 (scaled) seconds until it ends. */
async function runNaivePoller(input: { codegenUrl: string; codegen: CodegenEmulatorControl; lengths: number[] }) {
  const { codegenUrl, codegen, lengths } = input;
  const cg = await codegen.createOrganization();
  await codegen.script(cg.orgId, { scripts: lengths.map((durationMs) => ({ durationMs, finalStatus: "COMPLETE", pullRequests: 1, logEvery: 0 })) });
  const headers = { authorization: `Bearer ${cg.apiToken}`, "content-type": "application/json" };
  const base = `${codegenUrl}/v1/organizations/${cg.orgId}`;
  const pollEveryRealMs = 5_000 / SCALE;
  const seen: { runId: number; observedAtReal: number }[] = [];
  await Promise.all(
    lengths.map(async (_length, i) => {
      let runId: number | null = null;
      const giveUpAt = Date.now() + 5 * 60_000;
      while (runId === null && Date.now() < giveUpAt) {
        const created = await fetch(`${base}/agent/run`, { method: "POST", headers, body: JSON.stringify({ prompt: `naive ${i}` }) });
        if (created.ok) runId = ((await created.json()) as { id: number }).id;
        else await new Promise((r) => setTimeout(r, pollEveryRealMs));
      }
      while (runId !== null && Date.now() < giveUpAt) {
        await new Promise((r) => setTimeout(r, pollEveryRealMs));
        const response = await fetch(`${base}/agent/run/${runId}`, { headers });
        if (!response.ok) continue;
        const run = (await response.json()) as { status: string };
        if (run.status === "COMPLETE") {
          seen.push({ runId, observedAtReal: Date.now() });
          return;
        }
      }
    }),
  );
  const map = await clockMap(codegen);
  const runs = await codegen.runs(cg.orgId);
  const delays: number[] = [];
  let runMs = 0;
  for (const { runId, observedAtReal } of seen) {
    const run = runs.find((r) => r.id === runId);
    const endsAt = run?.segments.at(-1)?.endsAt;
    if (!run || !endsAt) continue;
    runMs += Date.parse(endsAt) - Date.parse(run.createdAt);
    delays.push((observedAtReal - map.toRealMs(Date.parse(endsAt))) * SCALE);
  }
  delays.sort((a, b) => a - b);
  const stats = await codegen.stats(cg.orgId);
  return {
    runsObserved: seen.length,
    ...callFigures(stats, runMs),
    completionToObservationScaledSeconds: { p50: round(percentile(delays, 50) / 1000, 1), p95: round(percentile(delays, 95) / 1000, 1) },
  };
}

function callFigures(stats: Awaited<ReturnType<CodegenEmulatorControl["stats"]>>, runMs: number) {
  const total = stats.total;
  const runHours = runMs / 3_600_000;
  return {
    codegenCalls: stats.byKind,
    codegenCallsTotal: total,
    runHours: round(runHours, 2),
    callsPerRunHour: round(total / runHours, 1),
    /** The CodegenGate's own watching (list and direct reads), the part issue 10 caps at 60 per run-hour. */
    pollingCallsPerRunHour: round((stats.byKind.list.calls + stats.byKind.get.calls) / runHours, 1),
    peak: stats.buckets,
    rateLimitViolations: stats.violations,
  };
}
