/**
 * End to end, as a user runs it: the Worker on the local runtime (`wrangler dev
 * --local`), the Linear emulator, and the `cyrus` agent as a real process
 * running the real Claude Agent SDK against the stand-in Claude Code. An issue
 * delegated in (emulated) Linear runs locally to a response; an agent killed in
 * the middle of a task and restarted reports it, once.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LinearEmulatorControl, type ActivityView, type CreatedOrganization } from "../../emulators/linear/control-client";
import { startLinearEmulator } from "../../emulators/linear/server";
import { agentEnv, createBenchRepository } from "../../../scripts/lib/agent-fixtures";
import { startAgentProcess } from "../../../scripts/lib/agent-process";
import { emulatedLinearVars, installThroughOAuth, startLocalEdge, type LocalEdge } from "../../../scripts/lib/local-edge";
import { activitiesUntil as waitForActivities } from "./linear-activities";

const SECRET = "e2e-webhook-secret";
const API_KEY = "e2e-api-key";

let emulator: Awaited<ReturnType<typeof startLinearEmulator>>;
let linear: LinearEmulatorControl;
let edge: LocalEdge;
let org: CreatedOrganization;
let agentToken: string;
const agents: ChildProcess[] = [];

/** A `cyrus connect` process with the stand-in Claude; killed after each test. */
function startAgent(home: string, repo: string, scenario: object) {
  const agent = startAgentProcess({ edgeUrl: edge.url, token: agentToken, repos: { web: repo }, home, scenario });
  agents.push(agent.child);
  return agent;
}

/** Reads (emulated) Linear until the session's activities satisfy `done`; bounded. */
const activitiesUntil = (agentSessionId: string, done: (activities: ActivityView[]) => boolean, timeoutMs = 60_000) =>
  waitForActivities(linear, org.organizationId, agentSessionId, done, timeoutMs);

async function delegateIssue(title: string) {
  const issue = await linear.createIssue(org.organizationId, { title, teamKey: org.teams[0]!.key, stateType: "unstarted" });
  const session = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
  expect(session.deliveries[0]?.status).toBe(200);
  return { issue, agentSessionId: session.agentSession.id };
}

beforeAll(async () => {
  emulator = await startLinearEmulator({ clientId: "e2e-client", clientSecret: "e2e-secret" });
  linear = new LinearEmulatorControl(emulator.url);
  edge = await startLocalEdge({ ...emulatedLinearVars(emulator.url, { webhookSecret: SECRET, clientId: "e2e-client", clientSecret: "e2e-secret", apiKey: API_KEY }), LOG_LEVEL: "warn" }, { quiet: true });
  await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: SECRET });
  org = await linear.createOrganization({ name: "E2E", urlKey: "e2e" });
  await installThroughOAuth(edge.url, org.organizationId);
  const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
  await fetch(`${edge.url}/api/repositories`, { method: "POST", headers, body: JSON.stringify({ name: "web", isCatchAll: true }) });
  agentToken = ((await (await fetch(`${edge.url}/api/agent-tokens`, { method: "POST", headers, body: JSON.stringify({ name: "e2e" }) })).json()) as { token: string }).token;
}, 120_000);

afterEach(() => {
  // A failed test must not leave its agent connected to take the next test's task.
  for (const child of agents.splice(0)) child.kill("SIGKILL");
});

afterAll(async () => {
  await edge?.stop();
  await emulator?.close();
});

describe("a delegated issue runs on a connected cyrus agent", () => {
  it("runs in its own worktree and ends in a response with the pull request linked", async () => {
    const home = mkdtempSync(join(tmpdir(), "cyrus-e2e-home-"));
    const repo = createBenchRepository();
    const agent = startAgent(home, repo, {
      steps: [{ text: "Looking at the checkout button." }, { tool: "Read", input: { file_path: "README.md" }, result: "# web" }, { cost: 0.12 }],
      result: "Raised the contrast. Opened https://github.com/acme/web/pull/3",
    });
    await agent.until(/accepted this agent/);

    const { issue, agentSessionId } = await delegateIssue("Fix checkout contrast");
    const activities = await activitiesUntil(agentSessionId, (list) => list.some((a) => a.content.type === "response"));

    const bodies = activities.map((a) => a.content.body ?? "");
    expect(bodies.some((b) => b.startsWith("Working on this on"))).toBe(true);
    expect(bodies).toContain("Looking at the checkout button.");
    const responses = activities.filter((a) => a.content.type === "response");
    expect(responses).toHaveLength(1);
    expect(responses[0]!.content.body).toContain("https://github.com/acme/web/pull/3");
    // The PR link goes to Linear right after the response, through the same outbox.
    const linked = async () => (await linear.state(org.organizationId)).attachments.some((a) => a.issueId === issue.id && a.url === "https://github.com/acme/web/pull/3");
    const deadline = Date.now() + 30_000;
    while (!(await linked()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await linked()).toBe(true);
    await agent.until(new RegExp(`■ ${issue.identifier} succeeded`));
    agent.child.kill("SIGINT");
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("reports, once, a task whose agent was killed in the middle and restarted", async () => {
    const home = mkdtempSync(join(tmpdir(), "cyrus-e2e-home-"));
    const repo = createBenchRepository();
    const scenario = { steps: [{ text: "Starting the long part." }, { sleep: 600_000 }] };
    const first = startAgent(home, repo, scenario);
    await first.until(/accepted this agent/);
    const { agentSessionId } = await delegateIssue("A long task");
    await activitiesUntil(agentSessionId, (list) => list.some((a) => a.content.body === "Starting the long part."));

    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    const second = startAgent(home, repo, scenario);
    await second.until(/was running when the agent stopped/);

    const activities = await activitiesUntil(agentSessionId, (list) => list.some((a) => a.content.type === "error" || a.content.type === "response"));
    const endings = activities.filter((a) => a.content.type === "error" || a.content.type === "response");
    expect(endings).toHaveLength(1);
    expect(endings[0]!.content.body).toContain("restarted");
    // Nothing doubled: every thought appears once.
    const thoughts = activities.filter((a) => a.content.type === "thought").map((a) => a.content.body);
    expect(new Set(thoughts).size).toBe(thoughts.length);
    second.child.kill("SIGINT");
  }, 120_000);

  it("reports through the cyrus admin commands what the runs above cost", async () => {
    const run = promisify(execFile);
    const home = mkdtempSync(join(tmpdir(), "cyrus-e2e-admin-"));
    const cyrus = (...args: string[]) => run(process.execPath, ["bin/cyrus.js", ...args, "--url", edge.url, "--api-key", API_KEY], { env: agentEnv(home) });
    const report = JSON.parse((await cyrus("cost-report", "--json")).stdout) as { totals: { tasks: number }; byExecutor: { local: { tasks: number } } };
    expect(report.totals.tasks).toBeGreaterThanOrEqual(2);
    expect(report.byExecutor.local.tasks).toBe(report.totals.tasks);
    const status = (await cyrus("status")).stdout;
    expect(status).toContain("strategy hybrid-smart");
    const stats = (await cyrus("stats", "--period", "day")).stdout;
    expect(stats).toMatch(/^day: \d+ tasks/m);
    await expect(run(process.execPath, ["bin/cyrus.js", "cost-report", "--url", edge.url, "--api-key", "wrong"], { env: agentEnv(home) })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("401"),
    });
    rmSync(home, { recursive: true, force: true });
  }, 60_000);
});
