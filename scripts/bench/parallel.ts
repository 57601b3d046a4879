/**
 * `npm run bench parallel`: the design's hybrid-parallel example — a feature of
 * three sub-tasks of 30, 30 and 20 minutes, 80 one after another — at a scale
 * of one minute to one second (Codegen's clock runs 60x, and the edge's poll
 * settings and Codegen's rate windows scale with it), through the whole edge
 * (`wrangler dev --local`) against the Linear and Codegen emulators. Two cases,
 * each in a Linear workspace and Codegen organization of its own (nothing
 * learned in one helps the other): the three sub-tasks independent, then the
 * third blocked by the first two. The parent issue already has the sub-issues
 * (the plan); no agent is connected, so the children and the validation run in
 * the (emulated) cloud.
 *
 * Every time is read from the emulators' own records, in real milliseconds:
 * the parent's `created` delivery, each child's delegation (Linear's `created`
 * webhook), its Codegen run's start and scripted end, and each response in
 * Linear. The critical path is the scripted durations along the longest chain
 * (30 s, then 50 s): the floor no orchestration can beat.
 *
 * Knobs (env): BENCH_SCALE (60), BENCH_POLL_INITIAL_MS / BENCH_POLL_MAX_MS
 * (override the scaled CODEGEN_POLL_* vars), BENCH_VALIDATION_MINUTES (1: the
 * validation run's emulated length).
 */
import { CodegenEmulatorControl, type RunView } from "../../test/emulators/codegen/control-client";
import { startCodegenEmulator } from "../../test/emulators/codegen/server";
import { LinearEmulatorControl, type OrganizationStateView } from "../../test/emulators/linear/control-client";
import { startLinearEmulator } from "../../test/emulators/linear/server";
import { edgeApi } from "../lib/edge-api";
import { round } from "../lib/load";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge } from "../lib/local-edge";

const SCALE = Number(process.env.BENCH_SCALE ?? 60);
const MINUTE = 60_000;
const VALIDATION_MINUTES = Number(process.env.BENCH_VALIDATION_MINUTES ?? 1);
const SECRET = "bench-webhook-secret";
const API_KEY = "bench-api-key";
/** The design's example, in minutes. */
const SUBTASKS = [
  { key: "api", title: "Payment API for checkout", minutes: 30 },
  { key: "ui", title: "Checkout page layout", minutes: 30 },
  { key: "wire", title: "Wire checkout page to payments", minutes: 20 },
] as const;
const SEQUENTIAL_MINUTES = SUBTASKS.reduce((sum, s) => sum + s.minutes, 0);
const CASES = [
  { name: "independent", blockedBy: {} as Record<string, string[]> },
  { name: "third-after-first-two", blockedBy: { wire: ["api", "ui"] } as Record<string, string[]> },
];
/** The goal: the orchestration adds under 5% to the critical path. */
const GOAL_OVERHEAD = 0.05;

const DEFINITIONS = {
  t0: "when Linear sent the parent's AgentSessionEvent `created` (the delegation)",
  wallToLastChildMs: "t0 → the last child's response in Linear (the child's end as the user sees it, its detection included)",
  wallToAnswerMs: "t0 → the parent's one response in Linear (validation included)",
  criticalPathMs: "the scripted run durations along the longest dependency chain: the floor",
  overheadMs: "wallToLastChildMs − criticalPathMs: what the edge adds (delegation and webhook hops, run creation, detecting that a run ended)",
  speedup: "the sequential sum (80 s) / wallToLastChildMs; speedupToAnswer uses wallToAnswerMs",
  polling: "each run's end against the gate's looks at Codegen (list and get calls): the last look before it, the first after, and the intervals between the looks just before",
  perChild: "readyAt: t0, or the last blocker's scripted end; delegated: Linear's `created` webhook for it; runStart/runEnd: Codegen's run (its clock mapped to real time); detected: its response in Linear",
};

export async function benchParallel() {
  const codegenEmulator = await startCodegenEmulator({ timeScale: SCALE });
  const codegen = new CodegenEmulatorControl(codegenEmulator.url);
  const linearEmulator = await startLinearEmulator({ clientId: "bench-client", clientSecret: "bench-secret" });
  const linear = new LinearEmulatorControl(linearEmulator.url);
  const codegenVars = scaledCodegenVars(codegenEmulator.url, SCALE);
  if (process.env.BENCH_POLL_INITIAL_MS) codegenVars.CODEGEN_POLL_INITIAL_MS = process.env.BENCH_POLL_INITIAL_MS;
  if (process.env.BENCH_POLL_MAX_MS) codegenVars.CODEGEN_POLL_MAX_MS = process.env.BENCH_POLL_MAX_MS;
  const edge = await startLocalEdge(
    {
      ...emulatedLinearVars(linearEmulator.url, { webhookSecret: SECRET, clientId: "bench-client", clientSecret: "bench-secret", apiKey: API_KEY }),
      ...codegenVars,
      LOG_LEVEL: "error",
    },
    { quiet: true },
  );
  try {
    await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: SECRET });
    const cases = [];
    // One after the other: each case has the machine to itself.
    for (const [index, spec] of CASES.entries()) cases.push(await runCase({ edgeUrl: edge.url, linear, codegen, index, ...spec }));
    for (const c of cases) {
      const worst = c.overheadByHop.filter((h) => !("run" in h)).reduce((a, b) => (b.ms > a.ms ? b : a));
      const last = c.children.reduce((a, b) => (b.endedAtS > a.endedAtS ? b : a));
      console.log(`${c.case}: the largest hop is ${worst.hop} (${s(worst.ms)}); the gate looked at Codegen every ${last.polling.lastIntervalsBeforeEndMs.map((ms) => s(ms)).join(", ")} before ${last.identifier}'s end`);
      console.log(
        `${c.case}: ${c.overheadByHop.map((h) => `${h.hop}: ${s(h.ms)}`).join("; ")}`,
      );
      console.log(
        `${c.case}: wall ${s(c.wallToLastChildMs)} (to the answer ${s(c.wallToAnswerMs)}), critical path ${s(c.criticalPathMs)}, overhead ${s(c.overheadMs)} = ${c.overheadPercent}% (goal < ${GOAL_OVERHEAD * 100}%: ${c.goalMet ? "met" : "missed"}), speedup ${c.speedup}x over ${SEQUENTIAL_MINUTES} s sequential`,
      );
    }
    return {
      command: "npm run bench parallel",
      setup: {
        timeScale: SCALE,
        subtasksSeconds: SUBTASKS.map((t) => (t.minutes * MINUTE) / SCALE / 1000),
        sequentialSeconds: (SEQUENTIAL_MINUTES * MINUTE) / SCALE / 1000,
        validationSeconds: (VALIDATION_MINUTES * MINUTE) / SCALE / 1000,
        pollSettings: { initialMs: Number(codegenVars.CODEGEN_POLL_INITIAL_MS), maxMs: Number(codegenVars.CODEGEN_POLL_MAX_MS) },
        where: "children and validation in the emulated cloud (no agent connected); existing sub-issues are the plan",
      },
      definitions: DEFINITIONS,
      cases,
    };
  } finally {
    await edge.stop();
    await Promise.all([linearEmulator.close(), codegenEmulator.close()]);
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface CaseInput {
  edgeUrl: string;
  linear: LinearEmulatorControl;
  codegen: CodegenEmulatorControl;
  index: number;
  name: string;
  blockedBy: Record<string, string[]>;
}

async function runCase(input: CaseInput) {
  const { edgeUrl, linear, codegen, index, name, blockedBy } = input;
  const org = await linear.createOrganization({ name: `Bench ${name}`, urlKey: `bench-parallel-${index}`, teams: [{ key: "ENG", name: "Engineering" }] });
  await installThroughOAuth(edgeUrl, org.organizationId);
  const cg = await codegen.createOrganization({ repos: [{ name: "acme/web" }] });
  await codegen.script(cg.orgId, {
    scripts: [
      // First in the queue: the validation prompt names every sub-task's title too.
      { match: { promptContains: "# Validate " }, repeat: true, durationMs: VALIDATION_MINUTES * MINUTE, finalStatus: "COMPLETE", pullRequests: 0, logEvery: 0, result: "Verdict: pass." },
      ...SUBTASKS.map((t) => ({ match: { promptContains: t.title }, durationMs: t.minutes * MINUTE, finalStatus: "COMPLETE", pullRequests: 1, logEvery: 10 * MINUTE })),
    ],
    // A run no script fits (a retry, a prompt that changed) would stand out.
    default: { durationMs: 90 * MINUTE, finalStatus: "COMPLETE", pullRequests: 1, logEvery: 10 * MINUTE },
  });
  const api = edgeApi(edgeUrl, API_KEY);
  const q = `?workspace=${org.organizationId}`;
  await api("PUT", `/api/config${q}`, { strategy: "hybrid-parallel", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } });
  await api("POST", `/api/repositories${q}`, { name: "web", gitUrl: "git@github.com:acme/web.git", isCatchAll: true, codegenRepoId: cg.repos[0]!.id });

  const tree = await linear.createIssueTree(org.organizationId, {
    title: "Checkout redesign",
    description: "The checkout, redesigned: a payment API, a new page, and the two wired together.",
    teamKey: "ENG",
    stateType: "unstarted",
    subIssues: SUBTASKS.map((t) => ({ key: t.key, title: t.title, description: `${t.title}.`, stateType: "unstarted", blockedBy: blockedBy[t.key] })),
  });
  const started = await linear.startAgentSession(org.organizationId, { issueId: tree.parent.id, deliver: true });
  const parentDelivery = started.deliveries[0];
  if (parentDelivery?.status !== 200) throw new Error(`the edge did not accept the parent's delegation: HTTP ${parentDelivery?.status}`);
  const t0 = Date.parse(parentDelivery.at);
  const parentSessionId = started.agentSession.id;

  // Bounded: the critical path, the validation, and two minutes for everything else.
  const chainMinutes = criticalPathMinutes(blockedBy);
  const deadline = Date.now() + ((chainMinutes + VALIDATION_MINUTES) * MINUTE) / SCALE + 120_000;
  let state: OrganizationStateView;
  for (;;) {
    state = await linear.state(org.organizationId);
    if (endingOf(state, parentSessionId)) break;
    if (Date.now() > deadline) throw new Error(`${name}: the parent did not answer in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const ending = endingOf(state, parentSessionId)!;
  if (ending.content.type !== "response") throw new Error(`${name}: the parent ended in an ${ending.content.type}: ${ending.content.body ?? ""}`);

  const toReal = await clockMap(codegen);
  const runs = await codegen.runs(cg.orgId);
  // Every look the gate took at Codegen (list refreshes and direct reads), in real ms.
  const looks = (await codegen.calls({ orgId: cg.orgId }))
    .filter((call) => call.kind === "list" || call.kind === "get")
    .map((call) => toReal(call.atMs))
    .sort((a, b) => a - b);
  /** The looks around a run's end: the cadence at that moment is what its detection waited for. */
  const looksAround = (end: number) => {
    const before = looks.filter((at) => at <= end);
    const after = looks.find((at) => at > end);
    return {
      lastLookBeforeEndMs: before.length ? Math.round(end - before.at(-1)!) : null,
      firstLookAfterEndMs: after === undefined ? null : Math.round(after - end),
      lastIntervalsBeforeEndMs: before.slice(-4).map((at, i, list) => (i === 0 ? null : Math.round(at - list[i - 1]!))).filter((ms) => ms !== null),
    };
  };
  const deliveries = (await linear.deliveries({ organizationId: org.organizationId, event: "AgentSessionEvent" })).filter((d) => d.action === "created");
  const children = SUBTASKS.map((task) => {
    const issue = tree.subIssues.find((sub) => sub.key === task.key)!;
    const session = state.agentSessions.find((candidate) => candidate.issueId === issue.id);
    const run = runs.find((r) => session && r.metadata?.linear_session_id === session.id);
    const delivery = deliveries.find((d) => (d.payload.agentSession?.issue?.id ?? d.payload.agentSession?.issueId) === issue.id);
    const response = session?.activities.find((a) => a.content.type === "response");
    if (!session || !run || !delivery || !response) throw new Error(`${name}: ${issue.identifier} did not run to a response (session ${!!session}, run ${!!run}, delegation ${!!delivery}, response ${!!response})`);
    return { task, identifier: issue.identifier, runs: runs.filter((r) => r.metadata?.linear_session_id === session.id).length, ...runTimes(run, toReal), delegatedAt: Date.parse(delivery.at), detectedAt: Date.parse(response.createdAt) };
  });
  const byKey = new Map<string, (typeof children)[number]>(children.map((c) => [c.task.key, c]));
  const perChild = children.map((child) => {
    const blockers = (blockedBy[child.task.key] ?? []).map((key) => byKey.get(key)!);
    const readyAt = blockers.length ? Math.max(...blockers.map((b) => b.runEnd)) : t0;
    const heardAt = blockers.length ? Math.max(...blockers.map((b) => b.detectedAt)) : t0;
    return {
      key: child.task.key,
      identifier: child.identifier,
      scriptedMs: (child.task.minutes * MINUTE) / SCALE,
      codegenRuns: child.runs,
      /** From the moment it could start to its run's start at Codegen. */
      startDelayMs: Math.round(child.runStart - readyAt),
      ...(blockers.length ? { blockerDetectionMs: Math.round(heardAt - readyAt) } : {}),
      toDelegationMs: Math.round(child.delegatedAt - heardAt),
      delegationToRunMs: Math.round(child.runStart - child.delegatedAt),
      runMs: Math.round(child.runEnd - child.runStart),
      detectionMs: Math.round(child.detectedAt - child.runEnd),
      polling: looksAround(child.runEnd),
      startedAtS: round((child.runStart - t0) / 1000, 2),
      endedAtS: round((child.runEnd - t0) / 1000, 2),
    };
  });

  // Where the overhead goes: the hops along the chain that ended last, each blocker the one whose end released the next.
  type Child = (typeof children)[number];
  const chain: Child[] = [];
  for (let link: Child | undefined = children.reduce((a, b) => (b.detectedAt > a.detectedAt ? b : a)); link; ) {
    chain.unshift(link);
    const blockers: Child[] = (blockedBy[link.task.key] ?? []).map((key) => byKey.get(key)!);
    link = blockers.length ? blockers.reduce((a: Child, b: Child) => (b.runEnd > a.runEnd ? b : a)) : undefined;
  }
  const hops = chain.flatMap((child, i) => {
    const before = chain[i - 1];
    const heardAt = before ? before.detectedAt : t0;
    return [
      ...(before ? [{ hop: `${before.identifier}'s run ended → its response in Linear (detection)`, ms: Math.round(before.detectedAt - before.runEnd) }] : []),
      { hop: `${before ? `${before.identifier} done` : "parent delegated (t0)"} → ${child.identifier} delegated (Linear's created webhook)`, ms: Math.round(child.delegatedAt - heardAt) },
      { hop: `${child.identifier} delegated → its Codegen run created`, ms: Math.round(child.runStart - child.delegatedAt) },
      { hop: `${child.identifier}'s run: scripted ${(child.task.minutes * MINUTE) / SCALE} ms, measured`, ms: Math.round(child.runEnd - child.runStart), run: true },
      ...(i === chain.length - 1 ? [{ hop: `${child.identifier}'s run ended → its response in Linear (detection)`, ms: Math.round(child.detectedAt - child.runEnd) }] : []),
    ];
  });

  const validationRun = runs.find((r) => r.prompt.includes("# Validate "));
  const lastDetected = Math.max(...children.map((c) => c.detectedAt));
  const answeredAt = Date.parse(ending.createdAt);
  const validation = validationRun
    ? (() => {
        const times = runTimes(validationRun, toReal);
        return { toRunMs: Math.round(times.runStart - lastDetected), runMs: Math.round(times.runEnd - times.runStart), detectionToAnswerMs: Math.round(answeredAt - times.runEnd), polling: looksAround(times.runEnd) };
      })()
    : null;

  const criticalPathMs = (chainMinutes * MINUTE) / SCALE;
  const wallToLastChildMs = Math.round(lastDetected - t0);
  const overheadMs = wallToLastChildMs - criticalPathMs;
  const sequentialMs = (SEQUENTIAL_MINUTES * MINUTE) / SCALE;
  const stats = await codegen.stats(cg.orgId);
  const edgeFigures = await edgeParallelFigures(api, parentSessionId, q);
  return {
    case: name,
    wallToLastChildMs,
    wallToAnswerMs: Math.round(answeredAt - t0),
    criticalPathMs,
    overheadMs,
    overheadPercent: round((overheadMs / criticalPathMs) * 100, 1),
    goalMs: Math.round(criticalPathMs * (1 + GOAL_OVERHEAD)),
    goalMet: overheadMs <= criticalPathMs * GOAL_OVERHEAD,
    speedup: round(sequentialMs / wallToLastChildMs, 2),
    speedupToAnswer: round(sequentialMs / (answeredAt - t0), 2),
    /** The chain that ended last, hop by hop: the hops that are not runs add up to the overhead. */
    overheadByHop: hops,
    children: perChild,
    validation,
    codegenCalls: { create: stats.byKind.create?.calls ?? 0, get: stats.byKind.get?.calls ?? 0, list: stats.byKind.list?.calls ?? 0, logs: stats.byKind.logs?.calls ?? 0, violations: stats.violations },
    /** What the edge itself reports for the parent (GET /api/sessions/:id), for comparison: its child times run from a child's start report to its end report. */
    edgeFigures,
  };
}

function criticalPathMinutes(blockedBy: Record<string, string[]>): number {
  const chain = (key: string): number => (SUBTASKS.find((t) => t.key === key)!.minutes) + Math.max(0, ...(blockedBy[key] ?? []).map(chain));
  return Math.max(...SUBTASKS.map((t) => chain(t.key)));
}

function endingOf(state: OrganizationStateView, agentSessionId: string) {
  return state.agentSessions.find((session) => session.id === agentSessionId)?.activities.find((a) => a.content.type === "response" || a.content.type === "error");
}

/** A run's start and its (last segment's) scripted end, in real ms. */
function runTimes(run: RunView, toReal: (emulatorMs: number) => number) {
  const end = run.segments.at(-1)?.endsAt;
  if (!end) throw new Error(`Codegen run ${run.id} has no end`);
  return { runStart: toReal(Date.parse(run.createdAt)), runEnd: toReal(Date.parse(end)) };
}

/** Maps Codegen's scaled clock to real time. */
async function clockMap(codegen: CodegenEmulatorControl): Promise<(emulatorMs: number) => number> {
  const before = Date.now();
  const clock = await codegen.clock();
  const real = (before + Date.now()) / 2;
  return (emulatorMs) => real + (emulatorMs - clock.nowMs) / clock.timeScale;
}

/** The parent's figures from the edge's API once its D1 mirror has them (it trails by a moment); null if it never does. */
async function edgeParallelFigures(api: ReturnType<typeof edgeApi>, sessionId: string, q: string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const detail = await api<{ parallel: { status: string; figures: Record<string, unknown> | null } | null }>("GET", `/api/sessions/${sessionId}${q}`).catch(() => null);
    if (detail?.parallel?.figures && detail.parallel.status === "complete") return detail.parallel.figures;
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}
