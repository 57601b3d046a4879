/**
 * Webhook ingestion against GET /health, in one run on the local runtime
 * (`wrangler dev --local`): requests per second and p50/p99 of each, and their
 * ratio, over 10,000 signed deliveries spread over 200 issues with 5% duplicates.
 * While the deliveries arrive, emulated Linear answers every write with a rate
 * limit, so the figures are ingestion alone (each object makes one refused call
 * and waits for the reset) rather than ingestion racing the outbox for the CPU.
 * Then Linear recovers, the outboxes drain, and it counts the effects in
 * (emulated) Linear: every session acknowledged once, every follow-up noted
 * once. Last, on an idle edge, it times delegation to acknowledging thought
 * (Linear's limit is 10 s).
 */
import { LinearEmulatorControl, type CreatedOrganization } from "../../test/emulators/linear/control-client";
import { startLinearEmulator } from "../../test/emulators/linear/server";
import { signLinearPayload } from "../../src/linear/webhook-signature";
import { emulatedLinearVars, installThroughOAuth, startLocalEdge } from "../lib/local-edge";
import { percentile, round, runLoad } from "../lib/load";

const ISSUES = Number(process.env.BENCH_ISSUES ?? 200);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 10_000);
const DUPLICATE_SHARE = 0.05;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECRET = "bench-webhook-secret";
const API_KEY = "bench-api-key";

interface Delivery {
  deliveryId: string;
  payload: Record<string, unknown>;
  kind: "created" | "prompted" | "duplicate";
  agentSessionId: string;
}

async function signedDelivery(edgeUrl: string, delivery: Delivery): Promise<Request> {
  const body = JSON.stringify({ ...delivery.payload, webhookTimestamp: Date.now() });
  return new Request(`${edgeUrl}/webhooks/linear`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "linear-delivery": delivery.deliveryId,
      "linear-event": "AgentSessionEvent",
      "linear-signature": await signLinearPayload(SECRET, body),
    },
    body,
  });
}

/** Delegation to acknowledging thought, one issue at a time on an otherwise idle edge, sorted. */
async function timeAcknowledgements(control: LinearEmulatorControl, edgeUrl: string, samples: number): Promise<number[]> {
  // A workspace of its own, so each poll reads a small state.
  const org = await control.createOrganization({ name: "Timing", urlKey: "timing" });
  await installThroughOAuth(edgeUrl, org.organizationId);
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const issue = await control.createIssue(org.organizationId, { title: `Ack timing ${i}`, teamKey: org.teams[0]!.key });
    const session = await control.startAgentSession(org.organizationId, { issueId: issue.id, deliver: false });
    const sent = Date.now();
    const response = await fetch(await signedDelivery(edgeUrl, { deliveryId: crypto.randomUUID(), payload: session.payload, kind: "created", agentSessionId: session.agentSession.id }));
    await response.arrayBuffer();
    for (let polls = 0; polls < 400; polls++) {
      const state = await control.state(org.organizationId);
      const ack = state.agentSessions.find((s) => s.id === session.agentSession.id)?.activities.find((a) => a.content.type === "thought");
      if (ack) {
        latencies.push(Date.parse(ack.createdAt) - sent);
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return latencies.sort((a, b) => a - b);
}

/** A deterministic shuffle, so two runs send the same sequence. */
function shuffle<T>(items: T[], seed = 42): T[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export async function benchWebhookIngestion() {
  const emulator = await startLinearEmulator({ clientId: "bench-client", clientSecret: "bench-secret" });
  const control = new LinearEmulatorControl(emulator.url);
  const edge = await startLocalEdge(
    {
      ...emulatedLinearVars(emulator.url, { webhookSecret: SECRET, clientId: "bench-client", clientSecret: "bench-secret", apiKey: API_KEY }),
      LOG_LEVEL: "error",
    },
    { quiet: true },
  );
  try {
    const org: CreatedOrganization = await control.createOrganization({ name: "Bench", urlKey: "bench" });
    await installThroughOAuth(edge.url, org.organizationId);
    const repo = await fetch(`${edge.url}/api/repositories`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "web", isCatchAll: true }),
    });
    if (repo.status !== 201) throw new Error(`could not add a repository: ${repo.status} ${await repo.text()}`);

    // Build every delivery up front: 200 sessions, then follow-ups, then 5% repeats of earlier ones.
    const unique = Math.round(DELIVERIES * (1 - DUPLICATE_SHARE));
    const created: Delivery[] = [];
    for (let i = 0; i < ISSUES; i++) {
      const issue = await control.createIssue(org.organizationId, { title: `Bench issue ${i}`, teamKey: org.teams[0]!.key });
      const session = await control.startAgentSession(org.organizationId, { issueId: issue.id, deliver: false });
      created.push({ deliveryId: crypto.randomUUID(), payload: session.payload, kind: "created", agentSessionId: session.agentSession.id });
    }
    const prompted: Delivery[] = [];
    const promptsPerSession = new Map<string, number>();
    for (let i = 0; i < unique - ISSUES; i++) {
      const session = created[i % ISSUES]!;
      const prompt = await control.prompt(session.agentSessionId, { body: `Follow-up ${i}`, deliver: false });
      prompted.push({ deliveryId: crypto.randomUUID(), payload: prompt.payload, kind: "prompted", agentSessionId: session.agentSessionId });
      promptsPerSession.set(session.agentSessionId, (promptsPerSession.get(session.agentSessionId) ?? 0) + 1);
    }
    const originals = [...created, ...prompted];
    const duplicates: Delivery[] = shuffle(originals, 7)
      .slice(0, DELIVERIES - unique)
      // Half repeat the same Linear-Delivery; half are Linear re-sending the event under a new delivery id.
      .map((d, i) => ({ ...d, kind: "duplicate", deliveryId: i % 2 === 0 ? d.deliveryId : crypto.randomUUID() }));
    const sequence = [...created, ...shuffle([...prompted, ...duplicates])];

    const health = await runLoad(DELIVERIES, CONCURRENCY, () => new Request(`${edge.url}/health`));

    await control.addFault({ organizationId: org.organizationId, kind: "ratelimit429", count: 1_000_000, resetAfterMs: 15_000 });
    const webhooks = await runLoad(sequence.length, CONCURRENCY, (i) => signedDelivery(edge.url, sequence[i]!));
    await control.clearFaults(org.organizationId);

    // Effects: wait for every outbox to drain into (emulated) Linear, then count. Each session gets an
    // acknowledgement, a routing thought, the orchestrator's decision and a note that it waits for a
    // local agent (none is connected here, and no Codegen), plus one note per unique follow-up.
    const expectedAgentActivities = ISSUES * 4 + prompted.length;
    const drainStarted = Date.now();
    let state = await control.state(org.organizationId);
    const agentActivities = () => state.agentSessions.flatMap((s) => s.activities.filter((a) => a.content.type !== "prompt"));
    while (agentActivities().length < expectedAgentActivities && Date.now() - drainStarted < 600_000) {
      await new Promise((r) => setTimeout(r, 2_000));
      state = await control.state(org.organizationId);
    }
    const drainSeconds = (Date.now() - drainStarted) / 1000;

    let lost = 0;
    let doubled = 0;
    for (const session of state.agentSessions) {
      const mine = session.activities.filter((a) => a.content.type !== "prompt");
      const acks = mine.filter((a) => a.content.body?.startsWith("On it"));
      const routed = mine.filter((a) => a.content.body?.startsWith("I'll work in"));
      // Each unique follow-up is acknowledged once: noted, or passed to the queued local task.
      const noted = mine.filter((a) => a.content.body?.startsWith("Noted") || a.content.body === "Passed your message to the local run.");
      const decision = mine.filter((a) => / complexity\)$/.test(a.content.body ?? ""));
      const noExecutor = mine.filter((a) => a.content.type === "error" || a.content.body?.startsWith("Waiting for a local agent"));
      const expectedNoted = promptsPerSession.get(session.id) ?? 0;
      for (const [have, want] of [[acks.length, 1], [routed.length, 1], [decision.length, 1], [noExecutor.length, 1], [noted.length, expectedNoted]] as const) {
        if (have < want) lost += want - have;
        if (have > want) doubled += have - want;
      }
    }

    const ackLatencies = await timeAcknowledgements(control, edge.url, 20);

    return {
      setup: { issues: ISSUES, deliveries: sequence.length, uniqueDeliveries: originals.length, duplicates: duplicates.length, concurrency: CONCURRENCY },
      health,
      webhooks,
      ratio: { throughput: round(webhooks.requestsPerSecond / health.requestsPerSecond), p50: round(webhooks.p50Ms / health.p50Ms), p99: round(webhooks.p99Ms / health.p99Ms) },
      effects: {
        sessionsAcknowledged: state.agentSessions.filter((s) => s.activities.some((a) => a.content.body?.startsWith("On it"))).length,
        expectedSessions: ISSUES,
        agentActivities: agentActivities().length,
        expectedAgentActivities,
        lost,
        doubled,
        outboxDrainSecondsAfterLinearRecovered: round(drainSeconds, 1),
      },
      acknowledgementOnIdleEdgeMs: { samples: ackLatencies.length, p50: round(percentile(ackLatencies, 50)), p99: round(percentile(ackLatencies, 99)), max: ackLatencies.at(-1) ?? null },
    };
  } finally {
    await edge.stop();
    await emulator.close();
  }
}
