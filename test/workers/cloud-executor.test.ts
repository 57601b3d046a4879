/**
 * The cloud executor end to end inside workerd: a webhook in, a Codegen run
 * (emulated) driven from the IssueSession's and the CodegenGate's alarms, and
 * what ends up in (emulated) Linear and D1. Alarms are fired with the test
 * pool's helpers; Codegen's time is moved with its emulator's clock.
 * Kept in one file: the Codegen emulator's clock is shared.
 */
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { CodegenEmulatorControl, type RunScript } from "../emulators/codegen/control-client";
import { sha256Hex } from "../../src/crypto/hash";
import {
  activitiesOf,
  api,
  createdPayload,
  createIssue,
  emulator,
  env,
  fireTimers,
  inspectSession,
  installedOrg,
  issueSessionStub,
  linearState,
  postWebhook,
  settle,
  type EmulatedIssue,
  type EmulatedOrg,
} from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));

interface CloudSetup {
  org: EmulatedOrg;
  codegenOrgId: number;
  apiToken: string;
  gate: ReturnType<typeof env.CODEGEN_GATE.get>;
}

/** A Linear workspace whose cloud runs use its own emulated Codegen organization. */
async function cloudWorkspace(scripts: RunScript[] = [], defaultScript: RunScript = { durationMs: 60_000 }): Promise<CloudSetup> {
  const org = await installedOrg("Cloud");
  const cg = await codegen.createOrganization();
  await codegen.script(cg.orgId, { scripts, default: defaultScript });
  const q = `?workspace=${org.organizationId}`;
  // Every task of this workspace runs in the cloud, whatever its analysis says.
  expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) })).status).toBe(200);
  expect((await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) })).status).toBe(201);
  const gateName = `codegen:${cg.orgId}:${(await sha256Hex(cg.apiToken)).slice(0, 16)}`;
  return { org, codegenOrgId: cg.orgId, apiToken: cg.apiToken, gate: env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(gateName)) };
}

async function delegate(setup: CloudSetup, fields: Record<string, unknown> = {}) {
  const issue = await createIssue(setup.org, { delegateToApp: true, ...fields });
  const { agentSessionId, payload } = await createdPayload(setup.org, issue);
  expect((await postWebhook(payload)).status).toBe(200);
  const stub = issueSessionStub(setup.org.organizationId, issue.id);
  const snapshot = await settle(stub);
  return { issue, agentSessionId, payload, stub, snapshot };
}

/** Codegen's time passes, then the gate refreshes and tells the sessions; the sessions act on it. */
async function letRunsProgress(setup: CloudSetup, ms: number, stub: ReturnType<typeof issueSessionStub>) {
  await codegen.advanceClock(ms);
  await runDurableObjectAlarm(setup.gate);
  return settle(stub);
}

const agentActivities = async (org: EmulatedOrg, id: string) => (await activitiesOf(org, id)).filter((a) => a.content.type !== "prompt");

describe("cloud executor: a delegated issue becomes a Codegen run", () => {
  it("runs to a response with the PR linked, attached and measured", async () => {
    const setup = await cloudWorkspace([{ durationMs: 120_000, finalStatus: "COMPLETE", pullRequests: [{ title: "Fix checkout contrast" }], result: "Raised the button contrast to 4.8:1." }]);
    const { issue, agentSessionId, stub } = await delegate(setup, { title: "Fix checkout contrast" });

    const runs = await codegen.runs(setup.codegenOrgId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.metadata).toMatchObject({ linear_session_id: agentSessionId, cyrus_attempt_key: `${agentSessionId}:1` });
    const started = (await agentActivities(setup.org, agentSessionId)).find((a) => a.content.body?.includes("Codegen cloud sandbox"));
    expect(started?.content.body).toContain(`cyrus/${issue.identifier.toLowerCase()}`);
    const linearSession = (await linearState(setup.org)).agentSessions.find((s) => s.id === agentSessionId) as unknown as { externalUrls: { url: string }[] };
    expect(linearSession.externalUrls.map((u) => u.url)).toContain(runs[0]!.response.web_url);

    // Not finished yet: the gate's refresh sees it running and says nothing.
    await letRunsProgress(setup, 60_000, stub);
    expect((await agentActivities(setup.org, agentSessionId)).some((a) => a.content.type === "response")).toBe(false);

    await letRunsProgress(setup, 61_000, stub);
    const activities = await agentActivities(setup.org, agentSessionId);
    const response = activities.find((a) => a.content.type === "response");
    expect(response?.content.body).toContain("Raised the button contrast");
    const prUrl = (await codegen.runs(setup.codegenOrgId))[0]!.response.github_pull_requests![0]!.url;
    expect(response?.content.body).toContain(prUrl);

    const state = (await linearState(setup.org)) as unknown as { attachments: { url: string; issueId?: string }[]; agentSessions: { id: string; externalUrls: { url: string }[] }[] };
    expect(state.attachments.some((a) => a.url === prUrl)).toBe(true);
    expect(state.agentSessions.find((s) => s.id === agentSessionId)!.externalUrls.map((u) => u.url)).toContain(prUrl);

    const metrics = await env.DB.prepare("SELECT * FROM execution_metrics WHERE session_id = ?").bind(agentSessionId).all<Record<string, unknown>>();
    expect(metrics.results).toHaveLength(1);
    expect(metrics.results[0]).toMatchObject({ executor: "cloud", outcome: "succeeded", codegen_run_id: runs[0]!.id, cost_estimated: 1, repository_name: "web" });
    expect(Number(metrics.results[0]!.cost_usd)).toBeGreaterThanOrEqual(0.5);
    expect(JSON.parse(String(metrics.results[0]!.pr_urls))).toEqual([prUrl]);
  });

  it("treats Codegen's lowercase `completed` as success", async () => {
    const setup = await cloudWorkspace([{ durationMs: 10_000, finalStatus: "completed", result: "Done in lowercase." }]);
    const { agentSessionId, stub } = await delegate(setup);
    await letRunsProgress(setup, 11_000, stub);
    expect((await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "response")?.content.body).toContain("Done in lowercase.");
  });

  it.each(["FAILED", "ERROR", "CANCELLED", "STOPPED", "TIMEOUT", "MAX_ITERATIONS_REACHED", "OUT_OF_TOKENS"])(
    "ends a run whose status is %s in an error that says so",
    async (status) => {
      const setup = await cloudWorkspace([{ durationMs: 10_000, finalStatus: status, pullRequests: 0 }]);
      const { agentSessionId, stub } = await delegate(setup);
      const snapshot = await letRunsProgress(setup, 11_000, stub);
      const error = (await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "error");
      expect(error?.content.body).toContain("did not succeed");
      expect(error?.content.body).toContain("https://app.codegen.com/agent/trace/");
      expect(snapshot.agentSessions[0]!.status).toBe("error");
      const row = await env.DB.prepare("SELECT outcome FROM execution_metrics WHERE session_id = ?").bind(agentSessionId).first<{ outcome: string }>();
      expect(row?.outcome).toBe("failed");
    },
  );
});

describe("cloud executor: progress from the run's log", () => {
  it("forwards new log entries as one thought per read, and reads on from where it stopped", async () => {
    const setup = await cloudWorkspace([{ durationMs: 600_000, logEvery: 10_000 }]);
    const { agentSessionId, stub } = await delegate(setup);
    const thoughtsBefore = (await agentActivities(setup.org, agentSessionId)).filter((a) => a.content.type === "thought").length;

    await codegen.advanceClock(35_000);
    await fireTimers(stub, "cloud.logs");
    await settle(stub);
    const afterFirst = (await agentActivities(setup.org, agentSessionId)).filter((a) => a.content.type === "thought");
    expect(afterFirst).toHaveLength(thoughtsBefore + 1);
    expect(afterFirst.at(-1)!.content.body!.split("\n").length).toBeGreaterThanOrEqual(3);
    // The log opens with the prompt we sent; that is not progress and is not echoed back.
    expect(afterFirst.at(-1)!.content.body).not.toContain("## What to do");

    // Nothing new in the log: no activity at all.
    await fireTimers(stub, "cloud.logs");
    await settle(stub);
    expect((await agentActivities(setup.org, agentSessionId)).filter((a) => a.content.type === "thought")).toHaveLength(thoughtsBefore + 1);
    const logReads = await codegen.calls({ orgId: setup.codegenOrgId, kind: "logs" });
    expect(logReads).toHaveLength(2);
  });
});

describe("cloud executor: failures retry, give up, or end in an error that says why", () => {
  it("retries a failing create and then succeeds, creating one run", async () => {
    const setup = await cloudWorkspace();
    await codegen.addFault({ kind: "http502", orgId: setup.codegenOrgId, endpoint: "create", count: 2 });
    const { agentSessionId, snapshot } = await delegate(setup);
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(1);
    expect(snapshot.jobs.find((j) => j.kind === "execution.start")).toMatchObject({ state: "done", attempts: 2 });
    expect((await agentActivities(setup.org, agentSessionId)).some((a) => a.content.body?.includes("Codegen cloud sandbox"))).toBe(true);
  });

  it("adopts the run whose create answer was lost instead of creating a second", async () => {
    const setup = await cloudWorkspace();
    await codegen.addFault({ kind: "createdThenLost", orgId: setup.codegenOrgId, endpoint: "create", mode: "500" });
    const { snapshot } = await delegate(setup);
    const runs = await codegen.runs(setup.codegenOrgId);
    expect(runs).toHaveLength(1);
    const creates = await codegen.calls({ orgId: setup.codegenOrgId, kind: "create" });
    expect(creates).toHaveLength(1);
    expect(snapshot.timeline.some((t) => t.kind === "cloud.started")).toBe(true);
  });

  it("adopts the run Codegen created when the edge went down before its answer, with no second create", async () => {
    const setup = await cloudWorkspace();
    // Codegen creates the run and never answers: the create is in flight when the objects go down.
    await codegen.addFault({ kind: "createdThenLost", mode: "hang", orgId: setup.codegenOrgId, endpoint: "create" });
    const issue = await createIssue(setup.org, { delegateToApp: true });
    const { agentSessionId, payload } = await createdPayload(setup.org, issue);
    expect((await postWebhook(payload)).status).toBe(200);
    const stub = issueSessionStub(setup.org.organizationId, issue.id);
    const inFlight = runDurableObjectAlarm(stub).catch(() => undefined);
    for (let polls = 0; (await codegen.calls({ orgId: setup.codegenOrgId, kind: "create" })).length === 0; polls++) {
      if (polls > 200) throw new Error("the start job never sent its create");
      await new Promise((r) => setTimeout(r, 25));
    }
    await abortAllDurableObjects();
    await inFlight;

    const executions = async () =>
      runInDurableObject(issueSessionStub(setup.org.organizationId, issue.id), (_instance, state) =>
        state.storage.sql.exec<{ state: string; run_id: number | null; create_sent_at: number | null }>(`SELECT state, run_id, create_sent_at FROM executions`).toArray(),
      );
    const [left] = await executions();
    expect(left).toMatchObject({ state: "creating", run_id: null });
    expect(left!.create_sent_at).not.toBeNull();

    // The platform runs again an alarm whose handler never finished; the test pool's abort does not, so the test does.
    await runInDurableObject(issueSessionStub(setup.org.organizationId, issue.id), (_instance, state) => state.storage.setAlarm(Date.now()));
    const snapshot = await settle(issueSessionStub(setup.org.organizationId, issue.id));
    const runs = await codegen.runs(setup.codegenOrgId);
    expect(runs).toHaveLength(1);
    expect(await codegen.calls({ orgId: setup.codegenOrgId, kind: "create" })).toHaveLength(1);
    expect((await codegen.calls({ orgId: setup.codegenOrgId, kind: "list" })).length).toBeGreaterThanOrEqual(1);
    expect((await executions())[0]).toMatchObject({ state: "running", run_id: runs[0]!.id });
    expect(snapshot.timeline.filter((t) => t.kind === "cloud.started")).toHaveLength(1);
    const webUrl = runs[0]!.response.web_url;
    expect(webUrl).toBeTruthy();
    expect((await agentActivities(setup.org, agentSessionId)).some((a) => a.content.body?.includes(webUrl!))).toBe(true);
  });

  it("creates again without a look-up after a refusal that cannot have created a run", async () => {
    const setup = await cloudWorkspace();
    await codegen.addFault({ kind: "rateLimit429", orgId: setup.codegenOrgId, endpoint: "create" });
    await delegate(setup);
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(1);
    expect(await codegen.calls({ orgId: setup.codegenOrgId, kind: "create" })).toHaveLength(2);
    expect(await codegen.calls({ orgId: setup.codegenOrgId, kind: "list" })).toHaveLength(0);
  });

  it("gives up after three retries and says what Codegen answered", async () => {
    const setup = await cloudWorkspace();
    await codegen.addFault({ kind: "http500", orgId: setup.codegenOrgId, endpoint: "create", count: 10 });
    const { agentSessionId, snapshot } = await delegate(setup);
    const error = (await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "error");
    expect(error?.content.body).toContain("couldn't start a Codegen cloud run");
    expect(error?.content.body).toContain("gave up after 4 attempts");
    expect(snapshot.agentSessions[0]!.status).toBe("error");
    await codegen.clearFaults(setup.codegenOrgId);
  });

  it.each([
    ["http401", "Invalid or missing API token"],
    ["http402", "Alloted agent runs"],
    ["http403", "do not have access"],
    ["http404", "No repos found"],
    ["http422", "prompt"],
  ] as const)("stops at once on %s and quotes Codegen", async (kind, quoted) => {
    const setup = await cloudWorkspace();
    await codegen.addFault({ kind, orgId: setup.codegenOrgId, endpoint: "create" });
    const { agentSessionId, snapshot } = await delegate(setup);
    const error = (await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "error");
    expect(error?.content.body).toContain(quoted);
    expect(snapshot.jobs.find((j) => j.kind === "execution.start")).toMatchObject({ state: "done", attempts: 0 });
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(0);
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    const setup = await cloudWorkspace();
    await codegen.addFault({ kind: "rateLimit429", orgId: setup.codegenOrgId, endpoint: "create", retryAfterSeconds: 90 });
    const issue = await createIssue(setup.org, { delegateToApp: true });
    const { payload } = await createdPayload(setup.org, issue);
    await postWebhook(payload);
    const stub = issueSessionStub(setup.org.organizationId, issue.id);
    const before = Date.now();
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(stub);
    const start = (await inspectSession(stub)).jobs.find((j) => j.kind === "execution.start")!;
    expect(start.state).toBe("pending");
    expect(start.dueAt).toBeGreaterThanOrEqual(before + 89_000);
    await settle(stub);
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(1);
  });
});

describe("cloud executor: time limits, evictions, repeats, follow-ups and stop", () => {
  it("says a run past its time limit may still be working, keeps watching, and reports a late finish", async () => {
    const setup = await cloudWorkspace([{ durationMs: 7_200_000, finalStatus: "COMPLETE", result: "Finally done." }]);
    const { agentSessionId, stub } = await delegate(setup);
    await fireTimers(stub, "cloud.deadline");
    const timedOut = await settle(stub);
    const error = (await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "error");
    expect(error?.content.body).toContain("may still be working");
    expect(timedOut.agentSessions[0]!.status).toBe("error");
    const row = await env.DB.prepare("SELECT outcome FROM execution_metrics WHERE session_id = ?").bind(agentSessionId).first<{ outcome: string }>();
    expect(row?.outcome).toBe("timed_out");

    await letRunsProgress(setup, 7_300_000, stub);
    expect((await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "response")?.content.body).toContain("Finally done.");
  });

  it("picks up where it was after an eviction in the middle of a run", async () => {
    const setup = await cloudWorkspace([{ durationMs: 30_000, finalStatus: "COMPLETE", result: "Survived an eviction." }]);
    const { issue, agentSessionId } = await delegate(setup);
    await abortAllDurableObjects();
    const stub = issueSessionStub(setup.org.organizationId, issue.id);
    const fresh = { ...setup, gate: env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`codegen:${setup.codegenOrgId}:${(await sha256Hex(setup.apiToken)).slice(0, 16)}`)) };
    await letRunsProgress(fresh, 31_000, stub);
    expect((await agentActivities(setup.org, agentSessionId)).find((a) => a.content.type === "response")?.content.body).toContain("Survived an eviction.");
  });

  it("does not start a second run for a repeated webhook during a run", async () => {
    const setup = await cloudWorkspace();
    const { payload, stub } = await delegate(setup);
    expect(await (await postWebhook(payload)).json()).toMatchObject({ outcome: "duplicate" });
    await settle(stub);
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(1);
  });

  it("resumes the run with a follow-up and reports again", async () => {
    const setup = await cloudWorkspace(
      [
        { durationMs: 10_000, finalStatus: "COMPLETE", result: "First pass." },
        { durationMs: 10_000, finalStatus: "COMPLETE", result: "Tests added." },
      ],
    );
    const { agentSessionId, stub } = await delegate(setup);
    await letRunsProgress(setup, 11_000, stub);
    const prompted = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "Also add tests", deliver: false });
    await postWebhook(prompted.payload);
    await settle(stub);
    const run = (await codegen.runs(setup.codegenOrgId))[0]!;
    expect(run.segments.length).toBe(2);
    expect((await agentActivities(setup.org, agentSessionId)).some((a) => a.content.body?.startsWith("Passed your message"))).toBe(true);

    await letRunsProgress(setup, 11_000, stub);
    const responses = (await agentActivities(setup.org, agentSessionId)).filter((a) => a.content.type === "response");
    expect(responses.map((r) => r.content.body?.split("\n")[0])).toEqual(["First pass.", "Tests added."]);
    const rows = await env.DB.prepare("SELECT id FROM execution_metrics WHERE session_id = ? ORDER BY id").bind(agentSessionId).all();
    expect(rows.results).toHaveLength(2);
  });

  it("on stop without a pull request, stops watching and says the run may still finish", async () => {
    const setup = await cloudWorkspace([{ durationMs: 600_000, neverEnds: true }]);
    const { agentSessionId, stub } = await delegate(setup);
    const stop = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "", signal: "stop", deliver: false });
    await postWebhook(stop.payload);
    await settle(stub);
    const last = (await agentActivities(setup.org, agentSessionId)).at(-1);
    expect(last?.content).toMatchObject({ type: "response", body: expect.stringContaining("no way to cancel a run") });
    expect(await codegen.calls({ orgId: setup.codegenOrgId, kind: "ban" })).toHaveLength(0);
  });

  it("on stop with a pull request, takes Codegen's agent off the PR and says what that does", async () => {
    const setup = await cloudWorkspace([{ durationMs: 600_000, neverEnds: true, pullRequests: 1, prOpensAtMs: 1_000 }]);
    const { agentSessionId, stub } = await delegate(setup);
    await letRunsProgress(setup, 2_000, stub);
    const stop = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, { body: "", signal: "stop", deliver: false });
    await postWebhook(stop.payload);
    await settle(stub);
    const last = (await agentActivities(setup.org, agentSessionId)).at(-1);
    expect(last?.content.body).toContain("remove its agent from");
    expect(last?.content.body).toContain("pull request itself stays open");
    expect((await codegen.runs(setup.codegenOrgId))[0]!.status).toBe("CANCELLED");
  });
});

describe("cloud executor: the credential's rate budget", () => {
  it("never sends more than ten creates a minute, deferring the rest", async () => {
    const setup = await cloudWorkspace([], { durationMs: 600_000 });
    const sessions: { issue: EmulatedIssue; stub: ReturnType<typeof issueSessionStub> }[] = [];
    for (let i = 0; i < 12; i++) {
      const issue = await createIssue(setup.org, { title: `Burst ${i}`, delegateToApp: true });
      const { payload } = await createdPayload(setup.org, issue);
      await postWebhook(payload);
      sessions.push({ issue, stub: issueSessionStub(setup.org.organizationId, issue.id) });
    }
    for (const { stub } of sessions) for (let i = 0; i < 4; i++) await runDurableObjectAlarm(stub);
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(10);
    const stats = await codegen.stats(setup.codegenOrgId);
    expect(stats.violations).toBe(0);
    const deferred = (await Promise.all(sessions.map(({ stub }) => inspectSession(stub)))).filter((s) => s.jobs.some((j) => j.kind === "execution.start" && j.state === "pending"));
    expect(deferred).toHaveLength(2);
  });
});
