/**
 * The Codegen emulator's API: the shapes of every endpoint, a run's scripted
 * life over emulator time, PRs, resume, ban, and the documented error bodies.
 * The clock is frozen (`timeScale: 0`), so only `advanceClock` moves it and
 * every boundary is exact. Each test has its own organization.
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

async function setup(input: Parameters<CodegenEmulatorControl["createOrganization"]>[0] = {}): Promise<{ org: CreatedOrganization; api: CodegenApiClient }> {
  const org = await control.createOrganization(input);
  return { org, api: new CodegenApiClient(emulator.url, org.orgId, org.apiToken) };
}

const TERMINAL = ["COMPLETE", "FAILED", "ERROR", "CANCELLED", "STOPPED", "TIMEOUT", "MAX_ITERATIONS_REACHED", "OUT_OF_TOKENS"];

describe("create and get", () => {
  it("create answers 200 with an AgentRunResponse; get reads the same run", async () => {
    const { org, api } = await setup();
    const created = await api.create({ prompt: "Fix ENG-123: checkout", metadata: { linear_session_id: "sess-1" }, agent_type: "claude_code", model: "sonnet", images: ["data:image/png;base64,AAAA"] });
    expect(created.status).toBe(200);
    expect(created.headers.get("content-type")).toContain("application/json");
    const run = created.body;
    expect(Object.keys(run).sort()).toEqual(
      ["created_at", "github_pull_requests", "id", "metadata", "organization_id", "result", "source_type", "status", "summary", "web_url"].sort(),
    );
    expect(run).toMatchObject({
      organization_id: org.orgId,
      status: "ACTIVE",
      web_url: `https://app.codegen.com/agent/trace/${run.id}`,
      result: null,
      summary: null,
      source_type: "API",
      metadata: { linear_session_id: "sess-1" },
      github_pull_requests: null,
    });
    expect(Number.isInteger(run.id)).toBe(true);
    expect(new Date(run.created_at!).toISOString()).toBe(run.created_at);

    const fetched = await api.get(run.id);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(run);

    const [stored] = await control.runs(org.orgId);
    expect(stored).toMatchObject({ id: run.id, prompt: "Fix ENG-123: checkout", images: 1, model: "sonnet", agentType: "claude_code", repoId: org.repos[0]!.id, tokenHash: org.tokenHash });
  });

  it("accepts lax integers for repo_id and uses that repository for the PR", async () => {
    const { org, api } = await setup({ repos: [{ name: "acme/web" }, { id: 777, name: "acme/api" }] });
    expect(org.repos.map((r) => r.id)).toContain(777);
    const created = await api.create({ prompt: "Add an endpoint", repo_id: "777" });
    expect(created.status).toBe(200);
    await control.advanceClock(60_000);
    const done = await api.get(created.body.id);
    expect(done.body.github_pull_requests![0]!.url).toMatch(/^https:\/\/github\.com\/acme\/api\/pull\/\d+$/);
  });
});

describe("a run's scripted life", () => {
  it("works for durationMs, then completes with result, summary and PRs", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 30_000, pullRequests: [{ title: "Fix ENG-9", head_branch_name: "codegen/eng-9" }], result: "## Done\n\nFixed." }] });
    const { body: run } = await api.create({ prompt: "Fix ENG-9" });
    expect(run.status).toBe("ACTIVE");

    await control.advanceClock(29_999);
    const before = (await api.get(run.id)).body;
    expect(before.status).toBe("ACTIVE");
    expect(before.github_pull_requests).toBeNull();
    expect(before.result).toBeNull();

    await control.advanceClock(1);
    const after = (await api.get(run.id)).body;
    expect(after.status).toBe("COMPLETE");
    expect(after.result).toBe("## Done\n\nFixed.");
    expect(after.summary).toEqual(expect.any(String));
    expect(after.github_pull_requests).toEqual([
      { id: expect.any(Number), title: "Fix ENG-9", url: expect.stringMatching(/^https:\/\/github\.com\/acme\/app\/pull\/\d+$/), created_at: expect.any(String), head_branch_name: "codegen/eng-9" },
    ]);
    expect(Date.parse(after.github_pull_requests![0]!.created_at) - Date.parse(run.created_at!)).toBe(30_000);
  });

  it("the default script: ACTIVE for 60 s, then COMPLETE with one PR and a default result naming it", async () => {
    const { api } = await setup();
    const { body: run } = await api.create();
    await control.advanceClock(59_000);
    expect((await api.get(run.id)).body.status).toBe("ACTIVE");
    await control.advanceClock(1_000);
    const done = (await api.get(run.id)).body;
    expect(done.status).toBe("COMPLETE");
    expect(done.github_pull_requests).toHaveLength(1);
    expect(done.result).toContain(done.github_pull_requests![0]!.url);
  });

  it.each(TERMINAL)("ends in %s when scripted to", async (finalStatus) => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 1_000, finalStatus }] });
    const { body: run } = await api.create();
    await control.advanceClock(1_000);
    const ended = (await api.get(run.id)).body;
    expect(ended.status).toBe(finalStatus);
    expect(ended.result).toEqual(expect.any(String));
    // Only success opens a PR by default.
    expect(ended.github_pull_requests === null).toBe(finalStatus !== "COMPLETE");
  });

  it("passes lowercase and unknown statuses through as scripted", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, {
      scripts: [
        { durationMs: 1_000, runningStatus: "running", finalStatus: "completed" },
        { durationMs: 1_000, runningStatus: "PENDING", finalStatus: "failed" },
        { durationMs: 1_000, runningStatus: "EVALUATION", finalStatus: "PAUSED" },
      ],
    });
    const a = (await api.create()).body;
    const b = (await api.create()).body;
    const c = (await api.create()).body;
    expect([a.status, b.status, c.status]).toEqual(["running", "PENDING", "EVALUATION"]);
    await control.advanceClock(1_000);
    const statuses = await Promise.all([a, b, c].map(async (r) => (await api.get(r.id)).body.status));
    expect(statuses).toEqual(["completed", "failed", "PAUSED"]);
    // "completed" counts as success: it opens the default PR.
    expect((await api.get(a.id)).body.github_pull_requests).toHaveLength(1);
  });

  it("consumes the script queue in order, then the default; replace clears the queue", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 1_000, finalStatus: "FAILED" }], default: { durationMs: 1_000, finalStatus: "TIMEOUT" } });
    const queued = await control.script(org.orgId, { scripts: [{ durationMs: 1_000, finalStatus: "ERROR" }, { finalStatus: "STOPPED" }], replace: true });
    expect(queued.queue.map((s) => s.finalStatus)).toEqual(["ERROR", "STOPPED"]);
    expect(queued.default.finalStatus).toBe("TIMEOUT");
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await api.create()).body.id);
    await control.advanceClock(60_000);
    const statuses = await Promise.all(ids.map(async (id) => (await api.get(id)).body.status));
    expect(statuses).toEqual(["ERROR", "STOPPED", "TIMEOUT"]);
    expect((await control.scripts(org.orgId)).queue).toEqual([]);
  });

  it("a run that never ends stays running", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ neverEnds: true, runningStatus: "RUNNING" }] });
    const { body: run } = await api.create();
    await control.advanceClock(10 * 24 * 3_600_000);
    const view = (await api.get(run.id)).body;
    expect(view.status).toBe("RUNNING");
    expect(view.result).toBeNull();
    expect((await control.runs(org.orgId))[0]!.segments[0]!.endsAt).toBeNull();
  });

  it("PRs can open while the run still works (prOpensAtMs)", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 60_000, prOpensAtMs: 10_000, pullRequests: 2 }] });
    const { body: run } = await api.create();
    await control.advanceClock(10_000);
    const working = (await api.get(run.id)).body;
    expect(working.status).toBe("ACTIVE");
    expect(working.github_pull_requests).toHaveLength(2);
    expect(new Set(working.github_pull_requests!.map((p) => p.url)).size).toBe(2);
    expect(working.result).toBeNull();
  });

  it("rejects an invalid script through the control API", async () => {
    const { org } = await setup();
    await expect(control.script(org.orgId, { scripts: [{ durationMs: -1 }] })).rejects.toThrow(/HTTP 400.*durationMs/);
    await expect(control.script(org.orgId, { scripts: [{ finalStatus: "" }] })).rejects.toThrow(/HTTP 400/);
    await expect(control.script(org.orgId, { scripts: [{ durationMS: 5 } as never] })).rejects.toThrow(/unknown fields: durationMS/);
  });
});

describe("list", () => {
  it("lists newest first with skip/limit pagination", async () => {
    const { api } = await setup();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await api.create({ prompt: `task ${i}` })).body.id);
      await control.advanceClock(1);
    }
    const all = await api.list();
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 5, page: 1, size: 100, pages: 1 });
    expect(all.body.items.map((r) => r.id)).toEqual([...ids].reverse());

    const second = await api.list({ skip: 2, limit: 2 });
    expect(second.body).toMatchObject({ total: 5, page: 2, size: 2, pages: 3 });
    expect(second.body.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
  });

  it("filters by user_id and source_type", async () => {
    const { org, api } = await setup();
    const other = await control.grantToken(org.orgId);
    expect(other.userId).not.toBe(org.userId);
    const mine = (await api.create()).body.id;
    const theirs = (await new CodegenApiClient(emulator.url, org.orgId, other.apiToken).create()).body.id;
    expect((await api.list({ user_id: org.userId })).body.items.map((r) => r.id)).toEqual([mine]);
    expect((await api.list({ user_id: other.userId })).body.items.map((r) => r.id)).toEqual([theirs]);
    expect((await api.list({ source_type: "API" })).body.total).toBe(2);
    expect((await api.list({ source_type: "LINEAR" })).body.total).toBe(0);
  });

  it("refuses a limit over 100, a negative skip and an unknown source_type with 422", async () => {
    const { api } = await setup();
    expect(await api.list({ limit: 101 })).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["query", "limit"], msg: "Input should be less than or equal to 100", type: "less_than_equal" }] },
    });
    expect((await api.list({ skip: -1 })).body.detail[0]).toMatchObject({ loc: ["query", "skip"], type: "greater_than_equal" });
    expect((await api.list({ source_type: "NOPE" })).body.detail[0]).toMatchObject({ loc: ["query", "source_type"], type: "enum" });
    expect((await api.list({ limit: "ten" })).body.detail[0]).toMatchObject({ loc: ["query", "limit"], type: "int_parsing" });
  });
});

describe("resume", () => {
  it("runs again with the next script from now; the PR stays, result clears until it ends", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 10_000 }, { durationMs: 20_000, finalStatus: "FAILED", result: "Could not finish" }] });
    const { body: run } = await api.create();
    await control.advanceClock(10_000);
    const first = (await api.get(run.id)).body;
    expect(first.status).toBe("COMPLETE");

    const resumed = await api.resume({ agent_run_id: run.id, prompt: "Also handle Android" });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ id: run.id, status: "ACTIVE", result: null, summary: null });
    expect(resumed.body.github_pull_requests).toEqual(first.github_pull_requests);

    await control.advanceClock(19_999);
    expect((await api.get(run.id)).body.status).toBe("ACTIVE");
    await control.advanceClock(1);
    const ended = (await api.get(run.id)).body;
    expect(ended).toMatchObject({ status: "FAILED", result: "Could not finish" });
    const [view] = await control.runs(org.orgId);
    expect(view!.segments.map((s) => s.prompt)).toEqual([expect.any(String), "Also handle Android"]);
  });

  it("resuming a working run replaces its current work", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ neverEnds: true }, { durationMs: 5_000, finalStatus: "COMPLETE" }] });
    const { body: run } = await api.create();
    await control.advanceClock(1_000);
    await api.resume({ agent_run_id: run.id, prompt: "change of plan" });
    await control.advanceClock(5_000);
    expect((await api.get(run.id)).body.status).toBe("COMPLETE");
    expect((await control.runs(org.orgId))[0]!.segments[0]!.cut).toMatchObject({ reason: "resumed" });
  });

  it("404 for an unknown run, 422 without a prompt or run id", async () => {
    const { api } = await setup();
    expect(await api.resume({ agent_run_id: 99_999_999, prompt: "x" })).toMatchObject({ status: 404, body: { message: "Agent run not found.", status_code: 404 } });
    const invalid = await api.resume({});
    expect(invalid.status).toBe(422);
    expect(invalid.body.detail).toEqual([
      { loc: ["body", "agent_run_id"], msg: "Field required", type: "missing" },
      { loc: ["body", "prompt"], msg: "Field required", type: "missing" },
    ]);
  });
});

describe("logs", () => {
  it("serves entries generated every logEvery ms, with the documented fields, on both paths", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 60_000, logEvery: 10_000 }] });
    const { body: run } = await api.create({ prompt: "Fix the flaky test", metadata: { k: "v" } });
    await control.advanceClock(35_000);

    const working = await api.logs(run.id);
    expect(working.status).toBe(200);
    expect(working.body).toMatchObject({ id: run.id, organization_id: org.orgId, status: "ACTIVE", web_url: run.web_url, result: null, metadata: { k: "v" }, total_logs: 4, page: 1, size: 100, pages: 1 });
    expect(working.body.logs.map((l) => l.message_type)).toEqual(["USER_MESSAGE", "PLAN_EVALUATION", "ACTION", "ACTION"]);
    expect(working.body.logs[0]!.observation).toBe("Fix the flaky test");
    for (const log of working.body.logs) {
      expect(Object.keys(log)).toEqual(["agent_run_id", "created_at", "tool_name", "message_type", "thought", "observation", "tool_input", "tool_output"]);
      expect(log.agent_run_id).toBe(run.id);
    }
    expect(working.body.logs[1]!.thought).toEqual(expect.any(String));
    expect(working.body.logs[2]!.tool_name).toBe("ripgrep_search");

    const withoutAlpha = await api.logs(run.id, {}, { alpha: false });
    expect(withoutAlpha.body).toEqual(working.body);

    await control.advanceClock(25_000);
    const ended = await api.logs(run.id);
    expect(ended.body.status).toBe("COMPLETE");
    expect(ended.body.total_logs).toBe(7);
    expect(ended.body.logs.at(-1)).toMatchObject({ message_type: "FINAL_ANSWER", thought: ended.body.result });
  });

  it("paginates, reverses, and refuses limit > 100", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 60_000, logEvery: 10_000, finalStatus: "FAILED" }] });
    const { body: run } = await api.create();
    await control.advanceClock(60_000);
    const page = await api.logs(run.id, { skip: 2, limit: 2 });
    expect(page.body).toMatchObject({ total_logs: 7, page: 2, size: 2, pages: 4 });
    expect(page.body.logs).toHaveLength(2);
    const reversed = await api.logs(run.id, { reverse: true, limit: 1 });
    expect(reversed.body.logs[0]).toMatchObject({ message_type: "ERROR", observation: expect.stringContaining("FAILED") });
    expect(await api.logs(run.id, { limit: 101 })).toMatchObject({ status: 422, body: { detail: [{ loc: ["query", "limit"], type: "less_than_equal" }] } });
    expect((await api.logs(run.id, { reverse: "maybe" })).body.detail[0]).toMatchObject({ loc: ["query", "reverse"], type: "bool_parsing" });
  });

  it("404 for an unknown run", async () => {
    const { api } = await setup();
    expect(await api.logs(424_242)).toMatchObject({ status: 404, body: { message: "Agent run not found.", status_code: 404 } });
  });
});

describe("ban, unban, remove-from-pr", () => {
  it("ban stops a working run that has a PR: CANCELLED, and the log says so", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ durationMs: 60_000, prOpensAtMs: 10_000 }] });
    const { body: run } = await api.create();
    await control.advanceClock(20_000);
    const banned = await api.ban("ban", { agent_run_id: run.id, before_card_order_id: "a", after_card_order_id: null });
    expect(banned).toMatchObject({ status: 200, body: {} });
    const view = (await api.get(run.id)).body;
    expect(view.status).toBe("CANCELLED");
    expect(view.github_pull_requests).toHaveLength(1);
    await control.advanceClock(60_000);
    expect((await api.get(run.id)).body.status).toBe("CANCELLED");
    expect((await api.logs(run.id, { reverse: true, limit: 1 })).body.logs[0]).toMatchObject({ message_type: "ERROR", observation: expect.stringContaining("CANCELLED") });
    expect((await control.runs(org.orgId))[0]).toMatchObject({ banned: true, status: "CANCELLED" });
  });

  it("ban without a PR flags the run but does not stop it; unban lifts the flag", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    await control.advanceClock(5_000);
    expect((await api.ban("ban", { agent_run_id: run.id })).status).toBe(200);
    expect((await api.get(run.id)).body.status).toBe("ACTIVE");
    expect((await control.runs(org.orgId))[0]!.banned).toBe(true);
    expect((await api.ban("unban", { agent_run_id: run.id })).status).toBe(200);
    expect((await control.runs(org.orgId))[0]!.banned).toBe(false);
  });

  it("remove-from-pr also stops a working run with a PR", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ neverEnds: true, prOpensAtMs: 0 }] });
    const { body: run } = await api.create();
    expect((await api.ban("remove-from-pr", { agent_run_id: run.id })).status).toBe(200);
    expect((await api.get(run.id)).body.status).toBe("CANCELLED");
    expect((await control.runs(org.orgId))[0]!.removedFromPr).toBe(true);
  });

  it("404 for an unknown run, 422 without agent_run_id", async () => {
    const { api } = await setup();
    expect(await api.ban("ban", { agent_run_id: 31_337_000 })).toMatchObject({ status: 404, body: { message: "Agent run not found." } });
    expect(await api.ban("ban", { before_card_order_id: "x" })).toMatchObject({ status: 422, body: { detail: [{ loc: ["body", "agent_run_id"], type: "missing" }] } });
  });
});

describe("errors", () => {
  it("401 without a token or with an unknown one", async () => {
    const { org } = await setup();
    const anonymous = new CodegenApiClient(emulator.url, org.orgId, null);
    const wrong = new CodegenApiClient(emulator.url, org.orgId, "sk-not-a-token");
    for (const answer of [await anonymous.create(), await wrong.get(1), await wrong.list(), await anonymous.logs(1)]) {
      expect(answer).toMatchObject({ status: 401, body: { message: "Invalid or missing API token", status_code: 401 } });
    }
  });

  it("403 for an organization the token does not belong to", async () => {
    const { api: a } = await setup();
    const { org: b } = await setup();
    const intruder = new CodegenApiClient(emulator.url, b.orgId, a.token);
    const unknown = new CodegenApiClient(emulator.url, 987_654, a.token);
    for (const answer of [await intruder.create(), await intruder.list(), await unknown.get(1)]) {
      expect(answer).toMatchObject({ status: 403, body: { message: "You do not have access to this organization.", status_code: 403 } });
    }
  });

  it("404 for another organization's run, even with a token for both", async () => {
    const { org: a, api } = await setup();
    const { org: b } = await setup();
    await control.grantToken(b.orgId, { apiToken: a.apiToken });
    const { body: run } = await api.create();
    const fromB = new CodegenApiClient(emulator.url, b.orgId, a.apiToken);
    expect(await fromB.get(run.id)).toMatchObject({ status: 404, body: { message: "Agent run not found.", status_code: 404 } });
    expect((await fromB.create()).status).toBe(200);
  });

  it("create: 404 with no repos, 404 for a foreign repo_id, 402 over the allowance", async () => {
    const { api: empty } = await setup({ repos: [] });
    expect(await empty.create()).toMatchObject({ status: 404, body: { message: "No repos found in the organization. Please add some repos and try again.", status_code: 404 } });

    const { api } = await setup();
    const foreign = await api.create({ prompt: "x", repo_id: 1 });
    expect(foreign.status).toBe(404);
    expect(foreign.body.status_code).toBe(404);

    const { org: small, api: limited } = await setup({ allowance: 2 });
    expect((await limited.create()).status).toBe(200);
    expect((await limited.create()).status).toBe(200);
    expect(await limited.create()).toMatchObject({
      status: 402,
      body: { message: "Alloted agent runs for the current billing plan have been reached. Please upgrade your plan to continue.", status_code: 402 },
    });
    await control.setAllowance(small.orgId, null);
    expect((await limited.create()).status).toBe(200);
  });

  it("422 FastAPI bodies for a missing, empty or mistyped create body", async () => {
    const { api } = await setup();
    expect(await api.create({})).toMatchObject({ status: 422, body: { detail: [{ loc: ["body", "prompt"], msg: "Field required", type: "missing" }] } });
    expect((await api.create({ prompt: "" })).body.detail).toEqual([{ loc: ["body", "prompt"], msg: "String should have at least 1 character", type: "string_too_short" }]);
    const mistyped = await api.create({ prompt: 5, repo_id: 1.5, metadata: [], agent_type: "gpt", images: ["ok", 3] });
    expect(mistyped.status).toBe(422);
    expect(mistyped.body.detail.map((d: { loc: unknown[]; type: string }) => [d.loc.join("."), d.type])).toEqual([
      ["body.prompt", "string_type"],
      ["body.images.1", "string_type"],
      ["body.metadata", "dict_type"],
      ["body.repo_id", "int_from_float"],
      ["body.agent_type", "literal_error"],
    ]);
    expect((await api.request("POST", `/v1/organizations/${api.orgId}/agent/run`, undefined, { rawBody: "{not json" })).body.detail[0]).toMatchObject({ type: "json_invalid" });
    expect((await api.request("POST", `/v1/organizations/${api.orgId}/agent/run`, undefined, { rawBody: "[1]" })).body.detail[0]).toMatchObject({ loc: ["body"], type: "model_attributes_type" });
    expect((await api.get("abc")).body.detail).toEqual([{ loc: ["path", "agent_run_id"], msg: "Input should be a valid integer, unable to parse string as an integer", type: "int_parsing" }]);
    expect(await control.runs(api.orgId)).toEqual([]);
  });

  it("unknown paths and methods answer like FastAPI", async () => {
    const { api } = await setup();
    expect(await api.request("GET", "/v1/nothing")).toMatchObject({ status: 404, body: { detail: "Not Found" } });
    expect(await api.request("DELETE", `/v1/organizations/${api.orgId}/agent/run/1`)).toMatchObject({ status: 405, body: { detail: "Method Not Allowed" } });
  });
});

describe("recording", () => {
  it("records every call with the token's hash, never the token", async () => {
    const { org, api } = await setup();
    const { body: run } = await api.create();
    await api.get(run.id);
    await api.get(123_456_789);
    await api.list();
    const calls = await control.calls({ orgId: org.orgId });
    expect(calls.map((c) => [c.kind, c.method, c.status])).toEqual([
      ["create", "POST", 200],
      ["get", "GET", 200],
      ["get", "GET", 404],
      ["list", "GET", 200],
    ]);
    expect(calls.every((c) => c.tokenHash === org.tokenHash && c.orgId === org.orgId)).toBe(true);
    expect(calls[0]).toMatchObject({ path: `/v1/organizations/${org.orgId}/agent/run`, runId: run.id, at: expect.any(String) });
    expect(JSON.stringify(calls)).not.toContain(org.apiToken);
    expect((await control.calls({ orgId: org.orgId, kind: "get" })).map((c) => c.status)).toEqual([200, 404]);
  });
});
