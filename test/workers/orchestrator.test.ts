/**
 * The orchestrator inside the edge: the budget ledger under concurrency, a
 * configuration change applying to the next task, a run the budget cannot pay
 * for, and the reservation settling at what the run cost.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import { sha256Hex } from "../../src/crypto/hash";
import {
  activitiesOf,
  api,
  createdPayload,
  createIssue,
  emulator,
  env,
  fireTimers,
  hubSnapshot,
  installedOrg,
  issueSessionStub,
  linearUrl,
  postWebhook,
  settle,
  type EmulatedOrg,
} from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));

async function delegate(org: EmulatedOrg, fields: Record<string, unknown> = {}) {
  const issue = await createIssue(org, { delegateToApp: true, ...fields });
  const { agentSessionId, payload } = await createdPayload(org, issue);
  await postWebhook(payload);
  const stub = issueSessionStub(org.organizationId, issue.id);
  const snapshot = await settle(stub);
  return { issue, agentSessionId, stub, snapshot };
}

describe("the budget ledger", () => {
  it("never reserves past the daily limit, however many reservations arrive at once", async () => {
    const org = await installedOrg("Ledger");
    const workspace = env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));
    const limits = { maxPerDayUsd: 37.5, maxPerTaskUsd: null };
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => workspace.reserveBudget({ id: `run-${i}`, amountUsd: 1, repository: "web" }, limits)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(37);
    const status = await workspace.budgetStatus(limits);
    expect(status.usedTodayUsd).toBe(37);
    expect(status.remainingTodayUsd).toBe(0.5);
    // The same id again is the same reservation, not a second one.
    expect((await workspace.reserveBudget({ id: "run-0", amountUsd: 1, repository: "web" }, limits)).ok).toBe(true);
    expect((await workspace.budgetStatus(limits)).usedTodayUsd).toBe(37);
  });
});

describe("configuration and budgets applied to tasks", () => {
  it("applies a configuration change to the next task, and settles the run's reservation at its cost", async () => {
    const org = await installedOrg("Switch");
    const q = `?workspace=${org.organizationId}`;
    await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
    const before = await delegate(org);
    expect(before.snapshot.agentSessions[0]).toMatchObject({ executor: "local" });
    const workspace = env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));
    const limits = { maxPerDayUsd: 20, maxPerTaskUsd: null };
    // The waiting local task holds its estimate (no per-task cap was set to bound it).
    const heldByLocal = (await workspace.budgetStatus(limits)).usedTodayUsd;

    const cg = await codegen.createOrganization();
    await codegen.script(cg.orgId, { default: { durationMs: 10_000, finalStatus: "COMPLETE", result: "Done." } });
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", maxCostPerDayUsd: 20, codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) });
    const after = await delegate(org);
    expect(after.snapshot.agentSessions[0]).toMatchObject({ executor: "cloud" });
    expect(await codegen.runs(cg.orgId)).toHaveLength(1);
    expect((await activitiesOf(org, after.agentSessionId)).some((a) => a.content.body?.includes("cloud-only"))).toBe(true);

    // Reserved: the worst case, $0.50 a run plus $0.02 a minute over the one-hour limit.
    expect((await workspace.budgetStatus(limits)).usedTodayUsd).toBeCloseTo(heldByLocal + 1.7, 6);

    await codegen.advanceClock(11_000);
    const gate = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`codegen:${cg.orgId}:${(await sha256Hex(cg.apiToken)).slice(0, 16)}`));
    await runDurableObjectAlarm(gate);
    await settle(after.stub);
    const metrics = await env.DB.prepare("SELECT cost_usd FROM execution_metrics WHERE session_id = ?").bind(after.agentSessionId).first<{ cost_usd: number }>();
    expect((await workspace.budgetStatus(limits)).usedTodayUsd).toBeCloseTo(heldByLocal + metrics!.cost_usd, 4);
    expect(metrics!.cost_usd).toBeLessThan(1.7);
  });

  it("does not start a run whose worst case the day's budget cannot pay for, and says why", async () => {
    const org = await installedOrg("Broke");
    const q = `?workspace=${org.organizationId}`;
    await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
    const cg = await codegen.createOrganization();
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", maxCostPerDayUsd: 1, codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) });
    const { agentSessionId, snapshot } = await delegate(org);
    const error = (await activitiesOf(org, agentSessionId)).find((a) => a.content.type === "error");
    expect(error?.content.body).toMatch(/budget|limit/i);
    expect(snapshot.agentSessions[0]!.status).toBe("error");
    expect(await codegen.runs(cg.orgId)).toHaveLength(0);
  });
});

describe("fallbacks", () => {
  async function hybridWorkspace(name: string) {
    const org = await installedOrg(name);
    const q = `?workspace=${org.organizationId}`;
    await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
    const cg = await codegen.createOrganization();
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "hybrid-smart", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) });
    return { org, cg };
  }

  it("moves high-complexity work to a local agent when the cloud run cannot start, and says so", async () => {
    const { org, cg } = await hybridWorkspace("Cloud down");
    await codegen.addFault({ kind: "http403", orgId: cg.orgId, endpoint: "create" });
    const { agentSessionId, snapshot } = await delegate(org, { title: "Build the new billing page", estimate: 8, labels: ["feature"] });
    expect(snapshot.timeline.some((t) => t.kind === "session.fallback")).toBe(true);
    const bodies = (await activitiesOf(org, agentSessionId)).map((a) => a.content.body ?? "");
    expect(bodies.some((b) => b.startsWith("Falling back to a local agent"))).toBe(true);
    const hub = await hubSnapshot(env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)));
    expect(hub.tasks.some((t) => t.agentSessionId === agentSessionId && t.state === "queued")).toBe(true);
  });

  it("moves a local task no agent took in time to the cloud", async () => {
    const { org, cg } = await hybridWorkspace("No agents");
    await codegen.script(cg.orgId, { default: { durationMs: 600_000 } });
    const { agentSessionId, stub } = await delegate(org, { title: "Fix a typo", estimate: 1 });
    const workspace = env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));
    // The queue's deadline passes.
    await runInDurableObject(workspace, (_instance, state) => {
      state.storage.sql.exec(`UPDATE tasks SET queue_deadline_at = ? WHERE state = 'queued'`, Date.now() - 1);
    });
    await runDurableObjectAlarm(workspace);
    await settle(stub);
    expect(await codegen.runs(cg.orgId)).toHaveLength(1);
    const bodies = (await activitiesOf(org, agentSessionId)).map((a) => a.content.body ?? "");
    expect(bodies.some((b) => b.startsWith("Falling back to a Codegen cloud run"))).toBe(true);
  });

  it("asks before racing a cloud run past its time limit, and starts a local run when told to", async () => {
    const { org, cg } = await hybridWorkspace("Slow cloud");
    await codegen.script(cg.orgId, { default: { durationMs: 7_200_000 } });
    const { agentSessionId, stub } = await delegate(org, { title: "Build the new billing page", estimate: 8, labels: ["feature"] });
    expect(await codegen.runs(cg.orgId)).toHaveLength(1);
    await fireTimers(stub, "cloud.deadline");
    await settle(stub);
    const ask = (await activitiesOf(org, agentSessionId)).find((a) => a.content.type === "elicitation");
    expect(ask?.content.body).toContain('Reply "run locally"');
    let hub = await hubSnapshot(env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)));
    expect(hub.tasks.filter((t) => t.agentSessionId === agentSessionId)).toHaveLength(0);

    const reply = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "ok, run it locally", deliver: false });
    await postWebhook(reply.payload);
    await settle(stub);
    hub = await hubSnapshot(env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)));
    expect(hub.tasks.filter((t) => t.agentSessionId === agentSessionId)).toHaveLength(1);
  });
});

describe("alerts", () => {
  it("records a waiting-with-no-agent alert once per hour, and records a webhook that failed", async () => {
    const org = await installedOrg("Alerts");
    const q = `?workspace=${org.organizationId}`;
    await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
    // A webhook URL that answers 404: the delivery fails, is recorded, and the work goes on.
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ alerts: { webhookUrl: `${linearUrl()}/no-such-hook` } }) });
    const first = await delegate(org);
    await delegate(org);
    const rows = await env.DB.prepare("SELECT kind, status, error FROM alerts WHERE workspace_id = ?").bind(org.organizationId).all<{ kind: string; status: string; error: string | null }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ kind: "agents_offline", status: "failed", error: expect.stringContaining("HTTP 404") });
    expect(first.snapshot.agentSessions[0]!.status).toBe("active");
  });
});

describe("POST /api/sessions/:id/stop and /retry", () => {
  it("stops a session from the API, then retries it as a new attempt", async () => {
    const org = await installedOrg("Actions");
    const q = `?workspace=${org.organizationId}`;
    await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
    const { agentSessionId, stub } = await delegate(org);
    // The D1 mirror trails; let it catch up so the API can find the session.
    await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec(`UPDATE jobs SET due_at = ? WHERE kind = 'd1.sync' AND state = 'pending'`, Date.now()));
    await runDurableObjectAlarm(stub);

    expect((await api(`/api/sessions/${crypto.randomUUID()}/stop${q}`, { method: "POST" })).status).toBe(404);
    const stopped = await api(`/api/sessions/${agentSessionId}/stop${q}`, { method: "POST" });
    expect(stopped.status).toBe(202);
    let snapshot = await settle(stub);
    expect(snapshot.agentSessions[0]!.status).toBe("stopped");
    const hub = await hubSnapshot(env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)));
    expect(hub.tasks.find((t) => t.agentSessionId === agentSessionId)?.state).toBe("cancelled");

    const retried = await api(`/api/sessions/${agentSessionId}/retry${q}`, { method: "POST" });
    expect(retried.status).toBe(202);
    snapshot = await settle(stub);
    const after = await hubSnapshot(env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)));
    expect(after.tasks.filter((t) => t.agentSessionId === agentSessionId).map((t) => t.taskId)).toEqual(expect.arrayContaining([`${agentSessionId}:1`, `${agentSessionId}:2`]));
    expect((await activitiesOf(org, agentSessionId)).some((a) => a.content.body === "Trying this again, as an admin asked.")).toBe(true);
  });
});
