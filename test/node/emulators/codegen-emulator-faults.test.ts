/**
 * Every injected fault kind, seen the way a client sees it: the status, the
 * body, the headers, a lost answer or none at all, and what really happened
 * on the emulator's side. Faults are scoped to each test's organization.
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

describe("error answers", () => {
  it("http500: the documented error body, once; the next call is served", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "http500", orgId: org.orgId });
    expect(await api.create()).toMatchObject({ status: 500, body: { message: "Internal Server Error", status_code: 500 } });
    expect(await control.runs(org.orgId)).toEqual([]);
    expect((await api.create()).status).toBe(200);
    const calls = await control.calls({ orgId: org.orgId });
    expect(calls.map((c) => [c.status, c.fault ?? null])).toEqual([
      [500, "http500"],
      [200, null],
    ]);
  });

  it("http502: an HTML gateway page, not JSON", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "http502", orgId: org.orgId });
    const answer = await api.list();
    expect(answer.status).toBe(502);
    expect(answer.headers.get("content-type")).toContain("text/html");
    expect(answer.body).toContain("502 Bad Gateway");
  });

  it("rateLimit429: the documented body, with Retry-After only when asked", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "rateLimit429", orgId: org.orgId, count: 2 });
    const plain = await api.create();
    expect(plain).toMatchObject({ status: 429, body: { message: "Rate limit exceeded. Please try again later.", status_code: 429 } });
    expect(plain.headers.get("retry-after")).toBeNull();
    expect((await api.list()).status).toBe(429);
    await control.addFault({ kind: "rateLimit429", orgId: org.orgId, retryAfterSeconds: 17 });
    expect((await api.list()).headers.get("retry-after")).toBe("17");
    expect((await api.list()).status).toBe(200);
  });

  it.each([
    ["http401", "create", 401, "Invalid or missing API token"],
    ["http402", "create", 402, "Alloted agent runs for the current billing plan have been reached. Please upgrade your plan to continue."],
    ["http403", "get", 403, "You do not have access to this organization."],
    ["http404", "create", 404, "No repos found in the organization. Please add some repos and try again."],
    ["http404", "get", 404, "Agent run not found."],
  ] as const)("%s on %s: status %i with the documented message", async (kind, endpoint, status, message) => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    await control.addFault({ kind, orgId: org.orgId, endpoint });
    const answer = endpoint === "create" ? await api.create() : await api.get(run.id);
    expect(answer).toMatchObject({ status, body: { message, status_code: status } });
    expect(await control.runs(org.orgId)).toHaveLength(1);
  });

  it("http422: a FastAPI validation body; message overrides the default text of the others", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "http422", orgId: org.orgId, endpoint: "create" });
    expect(await api.create()).toMatchObject({ status: 422, body: { detail: [{ loc: ["body", "prompt"], msg: "Field required", type: "missing" }] } });
    await control.addFault({ kind: "http500", orgId: org.orgId, message: "upstream exploded" });
    expect((await api.list()).body).toEqual({ message: "upstream exploded", status_code: 500 });
  });
});

describe("lost and slow answers", () => {
  it("createdThenLost (destroy): the run is created, the connection dies without an answer", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "createdThenLost", orgId: org.orgId, endpoint: "create" });
    await expect(api.create({ prompt: "lost one" })).rejects.toThrow();
    const runs = await control.runs(org.orgId);
    expect(runs.map((r) => r.prompt)).toEqual(["lost one"]);
    const [call] = await control.calls({ orgId: org.orgId });
    expect(call).toMatchObject({ kind: "create", status: 0, fault: "createdThenLost", runId: runs[0]!.id });
    // The client can find it by listing.
    expect((await api.list()).body.items.map((r) => r.id)).toEqual([runs[0]!.id]);
  });

  it("createdThenLost (500): the run is created, the answer is a 500", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "createdThenLost", orgId: org.orgId, mode: "500" });
    expect(await api.create()).toMatchObject({ status: 500, body: { message: "Internal Server Error", status_code: 500 } });
    expect(await control.runs(org.orgId)).toHaveLength(1);
  });

  it("createdThenLost (hang): the run is created and the answer never comes, as for a client that died waiting", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "createdThenLost", orgId: org.orgId, endpoint: "create", mode: "hang" });
    await expect(api.request("POST", `/v1/organizations/${org.orgId}/agent/run`, { prompt: "unanswered" }, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const runs = await control.runs(org.orgId);
    expect(runs.map((r) => r.prompt)).toEqual(["unanswered"]);
    expect((await control.calls({ orgId: org.orgId }))[0]).toMatchObject({ kind: "create", status: 0, fault: "createdThenLost", runId: runs[0]!.id });
  });

  it("createdThenLost on a resume: the run resumed, the answer lost", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    await control.advanceClock(60_000);
    await control.addFault({ kind: "createdThenLost", orgId: org.orgId, endpoint: "resume", mode: "500" });
    expect((await api.resume({ agent_run_id: run.id, prompt: "more" })).status).toBe(500);
    expect((await api.get(run.id)).body.status).toBe("ACTIVE");
  });

  it("createdThenLost does not hide a real refusal", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "createdThenLost", orgId: org.orgId });
    expect((await api.create({})).status).toBe(422);
    expect(await control.runs(org.orgId)).toEqual([]);
  });

  it("slow: answers normally after delayMs (real milliseconds)", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "slow", orgId: org.orgId, delayMs: 150 });
    const started = performance.now();
    const answer = await api.create();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.status).toBe(200);
    expect((await control.calls({ orgId: org.orgId }))[0]).toMatchObject({ status: 200, fault: "slow" });
  });

  it("hang: never answers; an aborting client gives up", async () => {
    const { org, api } = await setup();
    await control.addFault({ kind: "hang", orgId: org.orgId, endpoint: "get" });
    await expect(api.request("GET", `/v1/organizations/${org.orgId}/agent/run/1`, undefined, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect((await control.calls({ orgId: org.orgId }))[0]).toMatchObject({ kind: "get", status: 0, fault: "hang" });
  });

  it("hang: close() drops the held connection instead of waiting for it", async () => {
    const own = await startCodegenEmulator({ timeScale: 0 });
    const ownControl = new CodegenEmulatorControl(own.url);
    const org = await ownControl.createOrganization();
    await ownControl.addFault({ kind: "hang" });
    const pending = new CodegenApiClient(own.url, org.orgId, org.apiToken).create();
    const outcome = pending.then(
      () => "answered",
      () => "dropped",
    );
    while ((await ownControl.calls()).length === 0) await new Promise((r) => setImmediate(r));
    await own.close();
    expect(await outcome).toBe("dropped");
  });
});

describe("lowercase statuses", () => {
  it("on a create, the run reports lowercase statuses for its whole life", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 1_000 }, { durationMs: 1_000, finalStatus: "FAILED" }] });
    await control.addFault({ kind: "lowercaseStatus", orgId: org.orgId, endpoint: "create", count: 2 });
    const ok = await api.create();
    const bad = await api.create();
    expect(ok.body.status).toBe("running");
    await control.advanceClock(1_000);
    expect((await api.get(ok.body.id)).body.status).toBe("completed");
    expect((await api.get(bad.body.id)).body.status).toBe("failed");
    expect((await api.list()).body.items.map((r) => r.status)).toEqual(["failed", "completed"]);
    expect((await api.logs(ok.body.id)).body.status).toBe("completed");
    expect((await control.runs(org.orgId)).map((r) => [r.status, r.lowercase])).toEqual([
      ["COMPLETE", true],
      ["FAILED", true],
    ]);
  });

  it("on a read, only that answer is lowercase", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    await control.addFault({ kind: "lowercaseStatus", orgId: org.orgId, endpoint: "get" });
    expect((await api.get(run.id)).body.status).toBe("running");
    expect((await api.get(run.id)).body.status).toBe("ACTIVE");
  });
});

describe("matching", () => {
  it("a fault waits for its organization and endpoint, and counts down", async () => {
    const { org, api } = await setup();
    const { api: bystander } = await setup();
    await control.addFault({ kind: "http500", orgId: org.orgId, endpoint: "logs", count: 2 });
    const { body: run } = await api.create();
    expect((await api.get(run.id)).status).toBe(200);
    expect((await bystander.create()).status).toBe(200);
    expect((await api.logs(run.id)).status).toBe(500);
    expect((await api.logs(run.id, {}, { alpha: false })).status).toBe(500);
    expect((await api.logs(run.id)).status).toBe(200);
  });

  it("faults are consumed in the order they were added; DELETE clears one organization's", async () => {
    const { org, api } = await setup();
    const { org: other } = await setup();
    await control.addFault({ kind: "http502", orgId: org.orgId });
    await control.addFault({ kind: "http500", orgId: org.orgId });
    await control.addFault({ kind: "http500", orgId: other.orgId });
    expect((await api.list()).status).toBe(502);
    expect((await api.list()).status).toBe(500);
    expect(await control.clearFaults(other.orgId)).toEqual({ removed: 1 });
    expect((await control.faults()).filter((f) => f.orgId === other.orgId)).toEqual([]);
  });

  it("refuses an unknown fault kind or endpoint", async () => {
    await expect(control.addFault({ kind: "explode" as never })).rejects.toThrow(/HTTP 400/);
    await expect(control.addFault({ kind: "http500", endpoint: "delete" as never })).rejects.toThrow(/HTTP 400/);
  });
});
