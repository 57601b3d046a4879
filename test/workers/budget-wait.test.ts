/**
 * Budgets that wait instead of refusing: a task whose worst case does not fit
 * what is left of today's budget is parked (a thought in Linear, the status
 * `waiting_for_budget` in the API) and starts by itself, first come first,
 * when the budget allows: a limit raised through PUT /api/config, the next UTC
 * day, or a run that settles for less than it reserved. A task that can never
 * fit ends at once; a stop ends a waiting one; nothing overspends.
 *
 * The cloud run's worst case here is $1.70 ($0.50 a run plus $0.02 a minute
 * over the one-hour limit). With a daily limit of $3, a first task holds $1.70
 * and a second one ($1.70 > $1.30 left) waits.
 *
 * The day rolling over: the Workspace reads the day from Date.now(), and the
 * codebase has no clock override for Durable Objects, so the test moves the
 * stored reservations back one day (as if they had been made yesterday) and
 * makes the queue's stored wake-up time due, then fires the Workspace's alarm.
 * The pure rule (the same ledger wakes the waiters on the next day) is tested
 * with explicit days and times in test/node/domain/budget.test.ts.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { sha256Hex } from "../../src/crypto/hash";
import { createDb } from "../../src/db/client";
import { listWorkingSessions } from "../../src/db/queries/overview";
import { nextUtcMidnight } from "../../src/domain/budget";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import {
  activitiesOf,
  api,
  budgetWaiters,
  createdPayload,
  createIssue,
  emulator,
  env,
  inspectSession,
  installedOrg,
  issueSessionStub,
  postWebhook,
  settle,
  type EmulatedOrg,
} from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));
const LIMITS = (maxPerDayUsd: number) => ({ maxPerDayUsd, maxPerTaskUsd: null });

async function delegate(org: EmulatedOrg, title = "Fix checkout a11y") {
  const issue = await createIssue(org, { delegateToApp: true, title });
  const { agentSessionId, payload } = await createdPayload(org, issue);
  await postWebhook(payload);
  const stub = issueSessionStub(org.organizationId, issue.id);
  const snapshot = await settle(stub);
  return { issue, agentSessionId, stub, snapshot };
}

type Task = Awaited<ReturnType<typeof delegate>>;

async function statusOf(task: Task): Promise<string> {
  return (await inspectSession(task.stub)).agentSessions[0]!.status;
}

/** A cloud-only workspace with a daily limit, whose Codegen runs take `durationMs`. */
async function cloudWorkspace(name: string, maxCostPerDayUsd: number, durationMs = 600_000, extra: Record<string, unknown> = {}) {
  const org = await installedOrg(name);
  const q = `?workspace=${org.organizationId}`;
  await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  const cg = await codegen.createOrganization();
  await codegen.script(cg.orgId, { default: { durationMs, finalStatus: "COMPLETE", result: "Done." } });
  const put = await api(`/api/config${q}`, {
    method: "PUT",
    body: JSON.stringify({ strategy: "cloud-only", maxCostPerDayUsd, codegen: { orgId: cg.orgId, apiToken: cg.apiToken }, ...extra }),
  });
  expect(put.status).toBe(200);
  const workspace = env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));
  const setLimit = async (usd: number) => {
    const response = await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ maxCostPerDayUsd: usd }) });
    expect(response.status).toBe(200);
  };
  return { org, q, cg, workspace, setLimit };
}

describe("a task the day's budget cannot pay for yet", () => {
  it("is parked with a thought saying what it needs and what is left, and listed as waiting_for_budget", async () => {
    const { org, q, cg, workspace } = await cloudWorkspace("Parked", 3);
    const first = await delegate(org, "First task");
    expect(await statusOf(first)).toBe("active");
    const second = await delegate(org, "Second task");

    expect(await statusOf(second)).toBe("waiting_for_budget");
    expect(await codegen.runs(cg.orgId)).toHaveLength(1);
    const bodies = (await activitiesOf(org, second.agentSessionId)).map((a) => `${a.content.type}: ${a.content.body ?? ""}`);
    expect(bodies).toContain(
      "thought: Waiting for budget: this run needs up to $1.70 and $1.30 is left of today's budget. It starts by itself, in the order tasks arrived, when a running task settles for less than it reserved, the day ends (UTC), or an admin raises the daily limit (PUT /api/config). Stop the session to cancel it.",
    );
    expect(bodies.some((b) => b.startsWith("error:"))).toBe(false);

    const listed = await (await api(`/api/sessions${q}&status=waiting_for_budget`)).json<{ sessions: { id: string; status: string }[] }>();
    expect(listed.sessions).toEqual([expect.objectContaining({ id: second.agentSessionId, status: "waiting_for_budget" })]);
    // The overview's tasks at work include it (the panel's sessions filter reads the same statuses as the API).
    const working = await listWorkingSessions(createDb(env.DB), org.organizationId);
    expect(working.map((r) => [r.id, r.status]).sort()).toEqual([[first.agentSessionId, "active"], [second.agentSessionId, "waiting_for_budget"]].sort());

    // Queued in the Workspace, with its wake-up at the next UTC midnight; nothing was reserved for it.
    const queue = await budgetWaiters(workspace);
    expect(queue.waiters.map((w) => w.agentSessionId)).toEqual([second.agentSessionId]);
    expect(queue.wakeDueAt).toBe(nextUtcMidnight(Date.now()));
    expect((await workspace.budgetStatus(LIMITS(3))).usedTodayUsd).toBeCloseTo(1.7, 6);
    const alarm = await runInDurableObject(workspace, (_instance, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(queue.wakeDueAt!);
  });

  it("starts by itself when an admin raises the daily limit through PUT /api/config", async () => {
    const { org, cg, workspace, setLimit } = await cloudWorkspace("Raised", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    expect(await statusOf(second)).toBe("waiting_for_budget");

    await setLimit(4);
    await settle(second.stub);

    expect(await statusOf(second)).toBe("active");
    expect(await codegen.runs(cg.orgId)).toHaveLength(2);
    const snapshot = await inspectSession(second.stub);
    expect(snapshot.timeline.some((t) => t.kind === "budget.resumed")).toBe(true);
    expect((await activitiesOf(org, second.agentSessionId)).some((a) => a.content.type === "thought" && a.content.body?.startsWith("Running in the cloud"))).toBe(true);
    expect((await budgetWaiters(workspace)).waiters).toEqual([]);
    expect((await workspace.budgetStatus(LIMITS(4))).usedTodayUsd).toBeCloseTo(3.4, 6);
  });

  it("starts by itself on the next UTC day (the Workspace's alarm at the day boundary)", async () => {
    const { org, cg, workspace } = await cloudWorkspace("Rollover", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    expect(await statusOf(second)).toBe("waiting_for_budget");

    // The alarm before midnight changes nothing: the day has not turned. It re-arms for the day boundary.
    await runDurableObjectAlarm(workspace);
    await settle(second.stub);
    expect(await statusOf(second)).toBe("waiting_for_budget");
    const rearmed = await runInDurableObject(workspace, (_instance, state) => state.storage.getAlarm());
    expect(rearmed).not.toBeNull();
    expect(rearmed!).toBeLessThanOrEqual(nextUtcMidnight(Date.now()));

    // Midnight (UTC): today's reservations become yesterday's, and the queue's wake-up is due.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await runInDurableObject(workspace, (_instance, state) => {
      state.storage.sql.exec(`UPDATE reservations SET day = ?`, yesterday);
      state.storage.sql.exec(`UPDATE budget_wake SET due_at = ?`, Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(workspace)).toBe(true);
    await settle(second.stub);

    expect(await statusOf(second)).toBe("active");
    expect(await codegen.runs(cg.orgId)).toHaveLength(2);
    // The new day holds only the run that just started.
    expect((await workspace.budgetStatus(LIMITS(3))).usedTodayUsd).toBeCloseTo(1.7, 6);
    expect(await budgetWaiters(workspace)).toEqual({ waiters: [], wakeDueAt: null });
  });

  it("starts by itself when a running task settles for less than its worst case", async () => {
    const { org, cg, workspace } = await cloudWorkspace("Settled", 3, 10_000);
    const first = await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    expect(await statusOf(second)).toBe("waiting_for_budget");

    // The first run finishes after ten seconds: it costs about $0.50, not $1.70.
    await codegen.advanceClock(11_000);
    const gate = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`codegen:${cg.orgId}:${(await sha256Hex(cg.apiToken)).slice(0, 16)}`));
    await runDurableObjectAlarm(gate);
    await settle(first.stub);
    expect(await statusOf(first)).toBe("complete");
    await settle(second.stub);

    expect(await statusOf(second)).toBe("active");
    expect(await codegen.runs(cg.orgId)).toHaveLength(2);
    const used = (await workspace.budgetStatus(LIMITS(3))).usedTodayUsd;
    expect(used).toBeLessThanOrEqual(3);
    expect(used).toBeGreaterThan(1.7);
  });

  it("starts waiting tasks in the order they arrived, and only as many as the budget has room for", async () => {
    const { org, cg, workspace, setLimit } = await cloudWorkspace("Fifo", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    const third = await delegate(org, "Third task");
    expect([await statusOf(second), await statusOf(third)]).toEqual(["waiting_for_budget", "waiting_for_budget"]);
    expect((await budgetWaiters(workspace)).waiters.map((w) => w.agentSessionId)).toEqual([second.agentSessionId, third.agentSessionId]);

    // $5 leaves $3.30: room for one more $1.70 run, not two.
    await setLimit(5);
    await settle(second.stub);
    await settle(third.stub);
    expect(await statusOf(second)).toBe("active");
    expect(await statusOf(third)).toBe("waiting_for_budget");
    expect(await codegen.runs(cg.orgId)).toHaveLength(2);
    expect((await workspace.budgetStatus(LIMITS(5))).usedTodayUsd).toBeCloseTo(3.4, 6);
    // Told again, the third still does not fit, and says nothing more in Linear.
    const thoughtsBefore = (await activitiesOf(org, third.agentSessionId)).length;
    await workspace.recheckBudgetWaiters();
    await settle(third.stub);
    expect(await statusOf(third)).toBe("waiting_for_budget");
    expect((await activitiesOf(org, third.agentSessionId)).length).toBe(thoughtsBefore);

    await setLimit(5.1);
    await settle(third.stub);
    expect(await statusOf(third)).toBe("active");
    expect(await codegen.runs(cg.orgId)).toHaveLength(3);
    expect((await workspace.budgetStatus(LIMITS(5.1))).usedTodayUsd).toBeCloseTo(5.1, 6);
  });

  it("never overspends: two waiting tasks woken at once with room for one, and only one starts", async () => {
    const { org, q, cg, workspace } = await cloudWorkspace("Race", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    const third = await delegate(org, "Third task");
    // Both told to try at once (as a wake for each would), with room for one: the reservation decides.
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ maxCostPerDayUsd: 5 }) });
    await Promise.all([second.stub.resumeAfterBudget(second.agentSessionId), third.stub.resumeAfterBudget(third.agentSessionId)]);
    await Promise.all([settle(second.stub), settle(third.stub)]);

    const statuses = [await statusOf(second), await statusOf(third)].sort();
    expect(statuses).toEqual(["active", "waiting_for_budget"]);
    // The one still waiting said so once, not again when the room it was told of was taken.
    const loser = (await statusOf(second)) === "waiting_for_budget" ? second : third;
    const waitingThoughts = (await activitiesOf(org, loser.agentSessionId)).filter((a) => a.content.body?.startsWith("Waiting for budget"));
    expect(waitingThoughts).toHaveLength(1);
    expect((await budgetWaiters(workspace)).waiters.map((w) => w.agentSessionId)).toEqual([loser.agentSessionId]);
    expect(await codegen.runs(cg.orgId)).toHaveLength(2);
    expect((await workspace.budgetStatus(LIMITS(5))).usedTodayUsd).toBeLessThanOrEqual(5);
  });
});

describe("a task that can never fit, and a stop while waiting", () => {
  it("ends at once with a clear error when its worst case alone is over the daily limit", async () => {
    const { org, cg, workspace } = await cloudWorkspace("Never daily", 1);
    const task = await delegate(org);
    expect(await statusOf(task)).toBe("error");
    const error = (await activitiesOf(org, task.agentSessionId)).find((a) => a.content.type === "error");
    expect(error?.content.body).toContain("a cloud run's worst case ($1.70) is over the whole daily limit of $1.00");
    expect(error?.content.body).toContain("an admin can raise the daily limit");
    expect(await codegen.runs(cg.orgId)).toHaveLength(0);
    expect((await budgetWaiters(workspace)).waiters).toEqual([]);
  });

  it("ends at once with a clear error when its worst case alone is over the per-task limit", async () => {
    const { org, workspace } = await cloudWorkspace("Never task", 10, 600_000, { maxCostPerTaskUsd: 1 });
    const task = await delegate(org);
    expect(await statusOf(task)).toBe("error");
    const error = (await activitiesOf(org, task.agentSessionId)).find((a) => a.content.type === "error");
    expect(error?.content.body).toContain("is over the $1.00 per-task limit");
    expect((await budgetWaiters(workspace)).waiters).toEqual([]);
  });

  it("ends a waiting task that a lowered limit means can never fit, when it is woken", async () => {
    const { org, workspace, setLimit } = await cloudWorkspace("Lowered", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    expect(await statusOf(second)).toBe("waiting_for_budget");
    await setLimit(1.5);
    await settle(second.stub);
    expect(await statusOf(second)).toBe("error");
    expect((await activitiesOf(org, second.agentSessionId)).some((a) => a.content.type === "error" && a.content.body?.includes("over the whole daily limit of $1.50"))).toBe(true);
    expect((await budgetWaiters(workspace)).waiters).toEqual([]);
  });

  it("a stop on a waiting task ends it and takes it out of the queue: a raised limit starts nothing", async () => {
    const { org, q, cg, workspace, setLimit } = await cloudWorkspace("Stopped", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    expect(await statusOf(second)).toBe("waiting_for_budget");

    const stop = await api(`/api/sessions/${second.agentSessionId}/stop${q}`, { method: "POST" });
    expect(stop.status).toBe(202);
    await settle(second.stub);
    expect(await statusOf(second)).toBe("stopped");
    expect((await budgetWaiters(workspace)).waiters).toEqual([]);

    await setLimit(10);
    await settle(second.stub);
    expect(await statusOf(second)).toBe("stopped");
    expect(await codegen.runs(cg.orgId)).toHaveLength(1);
  });

  it("a stop from Linear on a waiting task ends it too", async () => {
    const { org, cg, workspace, setLimit } = await cloudWorkspace("Linear stop", 3);
    await delegate(org, "First task");
    const second = await delegate(org, "Second task");
    expect(await statusOf(second)).toBe("waiting_for_budget");

    const { payload } = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${second.agentSessionId}/prompt`, { body: "", signal: "stop", deliver: false });
    expect((await postWebhook(payload)).status).toBe(200);
    await settle(second.stub);
    expect(await statusOf(second)).toBe("stopped");
    expect((await budgetWaiters(workspace)).waiters).toEqual([]);
    await setLimit(10);
    expect(await codegen.runs(cg.orgId)).toHaveLength(1);
  });
});
