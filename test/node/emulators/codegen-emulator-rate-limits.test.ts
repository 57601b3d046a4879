/**
 * Codegen's rate limits, enforced per API token over sliding windows of
 * emulator time, and the stats a benchmark reads to prove it never exceeded
 * them: calls, peak per window, violations. The clock is frozen
 * (`timeScale: 0`): only `advanceClock` moves it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CreatedOrganization, CodegenEmulatorControl } from "../../emulators/codegen/control-client";
import { type CodegenEmulator, startCodegenEmulator } from "../../emulators/codegen/server";
import { CodegenApiClient } from "../../emulators/codegen/testing";

let emulator: CodegenEmulator;
let control: CodegenEmulatorControl;

beforeAll(async () => {
  emulator = await startCodegenEmulator({ timeScale: 0 });
  control = new CodegenEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

async function setup(): Promise<{ org: CreatedOrganization; api: CodegenApiClient }> {
  const org = await control.createOrganization();
  return { org, api: new CodegenApiClient(emulator.url, org.orgId, org.apiToken) };
}

async function statuses(count: number, call: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await call(i)).status);
  return out;
}

const RATE_LIMITED = { message: "Rate limit exceeded. Please try again later.", status_code: 429 };

describe("creates: 10 per 60 s per token", () => {
  it("the 11th create in a window is refused with 429 and recorded; a window later it is allowed again", async () => {
    const { org, api } = await setup();
    expect(await statuses(10, () => api.create())).toEqual(Array(10).fill(200));
    const refused = await api.create();
    expect(refused).toMatchObject({ status: 429, body: RATE_LIMITED });
    expect(refused.headers.get("retry-after")).toBeNull();
    // A refused create creates nothing.
    expect(await control.runs(org.orgId)).toHaveLength(10);

    await control.advanceClock(59_999);
    expect((await api.create()).status).toBe(429);
    await control.advanceClock(1);
    expect((await api.create()).status).toBe(200);

    const calls = await control.calls({ orgId: org.orgId, kind: "create" });
    expect(calls.filter((c) => c.rateLimited).map((c) => c.status)).toEqual([429, 429]);
    const stats = await control.stats(org.orgId);
    expect(stats.violations).toBe(2);
    expect(stats.buckets.create).toMatchObject({ limit: 10, windowMs: 60_000, calls: 13, violations: 2 });
  });

  it("refused requests do not fill the window", async () => {
    const { api } = await setup();
    await statuses(10, () => api.create());
    await control.advanceClock(30_000);
    expect(await statuses(5, () => api.create())).toEqual(Array(5).fill(429));
    await control.advanceClock(30_000);
    expect(await statuses(10, () => api.create())).toEqual(Array(10).fill(200));
  });

  it("the window slides: it frees one slot per request that leaves it", async () => {
    const { api } = await setup();
    await statuses(4, () => api.create());
    await control.advanceClock(40_000);
    await statuses(6, () => api.create());
    await control.advanceClock(20_000);
    // The 4 from t=0 have left; the 6 from t=40 s remain.
    expect(await statuses(5, () => api.create())).toEqual([200, 200, 200, 200, 429]);
  });

  it("the budget belongs to the token: another token of the org has its own; a token shared by two orgs shares it", async () => {
    const { org: a, api } = await setup();
    const { org: b } = await setup();
    await statuses(10, () => api.create());
    expect((await api.create()).status).toBe(429);

    const second = await control.grantToken(a.orgId);
    expect((await new CodegenApiClient(emulator.url, a.orgId, second.apiToken).create()).status).toBe(200);

    await control.grantToken(b.orgId, { apiToken: a.apiToken });
    expect((await new CodegenApiClient(emulator.url, b.orgId, a.apiToken).create()).status).toBe(429);
    expect((await new CodegenApiClient(emulator.url, b.orgId, b.apiToken).create()).status).toBe(200);
  });
});

describe("reads: 60 per 30 s (get, list, resume); log reads: 60 per 60 s", () => {
  it("get, list and resume share one read budget; logs have their own", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    const mixed = await statuses(60, (i) => (i % 3 === 0 ? api.get(run.id) : i % 3 === 1 ? api.list() : api.resume({ agent_run_id: run.id, prompt: "again" })));
    expect(mixed).toEqual(Array(60).fill(200));
    expect(await api.get(run.id)).toMatchObject({ status: 429, body: RATE_LIMITED });
    expect((await api.list()).status).toBe(429);
    expect((await api.resume({ agent_run_id: run.id, prompt: "x" })).status).toBe(429);
    expect((await api.logs(run.id)).status).toBe(200);
    expect((await api.create()).status).toBe(200);

    await control.advanceClock(30_000);
    expect((await api.get(run.id)).status).toBe(200);
    expect((await control.stats(org.orgId)).buckets.read).toMatchObject({ limit: 60, windowMs: 30_000, violations: 3 });
  });

  it("the 61st log read in 60 s is refused; reads are unaffected", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    expect(await statuses(60, (i) => api.logs(run.id, {}, { alpha: i % 2 === 0 }))).toEqual(Array(60).fill(200));
    expect(await api.logs(run.id)).toMatchObject({ status: 429, body: RATE_LIMITED });
    expect((await api.get(run.id)).status).toBe(200);
    await control.advanceClock(30_000);
    expect((await api.logs(run.id)).status).toBe(429);
    await control.advanceClock(30_000);
    expect((await api.logs(run.id)).status).toBe(200);
    expect((await control.stats(org.orgId)).buckets.logs.violations).toBe(2);
  });

  it("ban, unban and remove-from-pr have no documented limit", async () => {
    const { api } = await setup();
    const { body: run } = await api.create();
    expect(await statuses(70, () => api.ban("unban", { agent_run_id: run.id }))).toEqual(Array(70).fill(200));
  });

  it("unauthenticated requests are refused before the limiter and do not spend the budget", async () => {
    const { org, api } = await setup();
    const anonymous = new CodegenApiClient(emulator.url, org.orgId, null);
    expect(await statuses(15, () => anonymous.create())).toEqual(Array(15).fill(401));
    expect(await statuses(10, () => api.create())).toEqual(Array(10).fill(200));
  });
});

describe("stats", () => {
  it("counts calls by kind and status, and the peak within a sliding window", async () => {
    const { org, api } = await setup();
    await statuses(2, () => api.create());
    await control.advanceClock(40_000);
    await statuses(5, () => api.create());
    await control.advanceClock(30_000);
    await statuses(4, () => api.create());
    // Fixed minutes would see 7 and 4; the sliding window sees 5 + 4 = 9 between t=40 s and t=70 s.
    const stats = await control.stats(org.orgId);
    expect(stats.byKind.create).toEqual({ calls: 11, peak: 9, windowMs: 60_000 });
    expect(stats.buckets.create).toMatchObject({ calls: 11, peak: 9, violations: 0 });
    expect(stats.byStatus).toEqual({ "200": 11 });
    expect(stats.total).toBe(11);
    expect(stats.violations).toBe(0);
  });

  it("peaks count refused requests too, so an over-eager client shows a peak over the limit", async () => {
    const { org, api } = await setup();
    await statuses(13, () => api.create());
    const stats = await control.stats(org.orgId);
    expect(stats.buckets.create).toMatchObject({ limit: 10, calls: 13, peak: 13, violations: 3 });
    expect(stats.byStatus).toEqual({ "200": 10, "429": 3 });
  });

  it("read peaks per kind use the 30 s window; the read family adds its kinds up", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    await statuses(5, () => api.get(run.id));
    await control.advanceClock(30_000);
    await statuses(3, () => api.get(run.id));
    await statuses(4, () => api.list());
    const stats = await control.stats(org.orgId);
    expect(stats.byKind.get).toEqual({ calls: 8, peak: 5, windowMs: 30_000 });
    expect(stats.byKind.list).toEqual({ calls: 4, peak: 4, windowMs: 30_000 });
    expect(stats.buckets.read).toMatchObject({ calls: 12, peak: 7, violations: 0 });
  });

  it("an injected 429 is a fault, not a violation; stats without orgId cover every organization", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "rateLimit429", orgId: org.orgId });
    expect((await api.create()).status).toBe(429);
    const stats = await control.stats(org.orgId);
    expect(stats).toMatchObject({ total: 1, violations: 0, faults: 1 });
    expect(stats.buckets.create.calls).toBe(0);

    const { api: other } = await setup();
    await other.create();
    const global = await control.stats();
    expect(global.orgId).toBeNull();
    expect(global.total).toBeGreaterThanOrEqual(stats.total + 1);
    expect(global.violations).toBeGreaterThanOrEqual(stats.violations);
  });
});
