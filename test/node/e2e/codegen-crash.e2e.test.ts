/**
 * End to end, as a user would crash it: the edge (`wrangler dev --local`) is
 * SIGKILLed while Codegen has created an issue's run but before the edge has its
 * answer, then started again on the same local state. The restarted edge must
 * adopt that run — look it up by the attempt key in its metadata — rather than
 * create a second: one run at Codegen, its pull request linked in Linear, its
 * cost in the report.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { CodegenEmulatorControl } from "../../emulators/codegen/control-client";
import { startCodegenEmulator } from "../../emulators/codegen/server";
import { LinearEmulatorControl } from "../../emulators/linear/control-client";
import { startLinearEmulator } from "../../emulators/linear/server";
import { edgeApi } from "../../../scripts/lib/edge-api";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge, type LocalEdge } from "../../../scripts/lib/local-edge";

const SECRET = "e2e-webhook-secret";
const API_KEY = "e2e-api-key";
/** Codegen's time runs 60x: its rate windows and the edge's timing knobs scale with it. */
const SCALE = 60;

const persistTo = mkdtempSync(join(tmpdir(), "cyrus-crash-e2e-"));
const started: Array<{ close(): Promise<void> } | LocalEdge> = [];

afterAll(async () => {
  for (const thing of started.reverse()) await ("stop" in thing ? thing.stop() : thing.close()).catch(() => undefined);
  rmSync(persistTo, { recursive: true, force: true });
});

/** Polls until `read` returns something truthy; bounded, so a failure says what it waited for. */
async function until<T>(what: string, read: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it("adopts the run Codegen created before the edge was killed, and creates no second", async () => {
  const linearEmulator = await startLinearEmulator({ clientId: "e2e-client", clientSecret: "e2e-secret" });
  started.push(linearEmulator);
  const codegenEmulator = await startCodegenEmulator({ timeScale: SCALE });
  started.push(codegenEmulator);
  const linear = new LinearEmulatorControl(linearEmulator.url);
  const codegen = new CodegenEmulatorControl(codegenEmulator.url);

  // The same vars (the same encryption key) for both edges: the second reads what the first stored.
  const vars = {
    ...emulatedLinearVars(linearEmulator.url, { webhookSecret: SECRET, clientId: "e2e-client", clientSecret: "e2e-secret", apiKey: API_KEY }),
    ...scaledCodegenVars(codegenEmulator.url, SCALE),
    LOG_LEVEL: "warn",
  };
  const first = await startLocalEdge(vars, { quiet: true, persistTo, processGroup: true });
  started.push(first);
  await linear.configure({ webhookUrl: `${first.url}/webhooks/linear`, webhookSecret: SECRET });
  const org = await linear.createOrganization({ name: "Crash", urlKey: "crash", teams: [{ key: "ENG", name: "Engineering" }] });
  await installThroughOAuth(first.url, org.organizationId);

  const cg = await codegen.createOrganization({ repos: [{ name: "acme/web" }] });
  await codegen.script(cg.orgId, {
    scripts: [{ durationMs: 5 * 60_000, finalStatus: "COMPLETE", pullRequests: [{ title: "Fix checkout contrast" }], result: "Raised the contrast to 4.8:1." }],
    default: { durationMs: 5 * 60_000, finalStatus: "COMPLETE", result: "A second run: this must not happen." },
  });
  const api = edgeApi(first.url, API_KEY);
  await api("PUT", "/api/config", { strategy: "hybrid-smart", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } });
  await api("POST", "/api/repositories", { name: "web", gitUrl: "git@github.com:acme/web.git", teamKeys: ["ENG"], codegenRepoId: cg.repos[0]!.id });

  // Codegen creates the run and never answers: the edge waits for it, and dies waiting.
  await codegen.addFault({ kind: "createdThenLost", mode: "hang", orgId: cg.orgId, endpoint: "create" });
  const issue = await linear.createIssue(org.organizationId, { teamKey: "ENG", stateType: "unstarted", title: "Fix checkout contrast", description: "Too low.\n\n[executor=cloud]" });
  const { agentSession, deliveries } = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
  expect(deliveries[0]?.status).toBe(200);
  const [run] = await until("Codegen to create the run", async () => {
    const runs = await codegen.runs(cg.orgId);
    return runs.length > 0 && runs;
  });
  expect(run!.metadata).toMatchObject({ cyrus_attempt_key: `${agentSession.id}:1` });
  await first.kill();

  const second = await startLocalEdge(vars, { quiet: true, persistTo, processGroup: true });
  started.push(second);
  await linear.configure({ webhookUrl: `${second.url}/webhooks/linear`, webhookSecret: SECRET });

  const prUrl = await until("the run's pull request to be linked on the issue", async () => {
    const state = await linear.state(org.organizationId);
    return state.attachments.find((a) => a.issueId === issue.id)?.url;
  });
  const runs = await codegen.runs(cg.orgId);
  expect(runs.map((r) => r.id)).toEqual([run!.id]);
  expect(await codegen.calls({ orgId: cg.orgId, kind: "create" })).toHaveLength(1);
  expect(prUrl).toBe(runs[0]!.response.github_pull_requests![0]!.url);
  const state = await linear.state(org.organizationId);
  const responses = state.agentSessions.find((s) => s.id === agentSession.id)!.activities.filter((a) => a.content.type === "response");
  expect(responses).toHaveLength(1);
  expect(responses[0]!.content.body).toContain("Raised the contrast to 4.8:1.");

  // The D1 mirror trails the session by a moment.
  const report = await until("the run's cost in the cost report", async () => {
    const r = await edgeApi(second.url, API_KEY)<{ byExecutor: { cloud: { costUsd: number; tasks: number } } }>("GET", "/api/cost-report");
    return r.byExecutor.cloud.tasks > 0 && r;
  });
  expect(report.byExecutor.cloud.tasks).toBe(1);
  expect(report.byExecutor.cloud.costUsd).toBeGreaterThanOrEqual(0.5);
}, 120_000);
