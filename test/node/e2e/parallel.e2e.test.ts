/**
 * Hybrid-parallel end to end, as a user runs it: the Worker on the local
 * runtime (`wrangler dev --local`), the Linear and Codegen emulators, and a
 * real `cyrus connect` agent driving the stand-in Claude Code.
 *
 * A root issue with no sub-issues is delegated under `hybrid-parallel`. The
 * agent has a free slot, so the planning task runs locally and the stand-in
 * answers `--json-schema` with a scripted plan of three sub-tasks, the third
 * after the first. The edge creates them as sub-issues with the `blocks`
 * relation, delegates them (Linear sends their `created` webhooks to the
 * edge), each runs as an ordinary session preferring the cloud, the parent
 * validates them and answers once with every pull request. Everything is
 * asserted on the emulators' state and the stand-in's record of its launches.
 */
import { readdirSync, readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CodegenEmulatorControl } from "../../emulators/codegen/control-client";
import { startCodegenEmulator } from "../../emulators/codegen/server";
import { LinearEmulatorControl, type CreatedOrganization } from "../../emulators/linear/control-client";
import { startLinearEmulator } from "../../emulators/linear/server";
import { createBenchRepository } from "../../../scripts/lib/agent-fixtures";
import { startAgentProcess, type AgentProcess } from "../../../scripts/lib/agent-process";
import { edgeApi } from "../../../scripts/lib/edge-api";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge, type LocalEdge } from "../../../scripts/lib/local-edge";
import { activitiesUntil } from "./linear-activities";

const SECRET = "e2e-webhook-secret";
const API_KEY = "e2e-api-key";
/** Codegen's time runs 60x (a minute lasts a second); the edge's timing knobs scale with it. */
const SCALE = 60;

/** What the stand-in Claude proposes: three sub-tasks, the endpoint after the schema. */
const PROPOSAL = {
  subtasks: [
    { key: "schema", title: "Add the orders table", description: "A migration that adds the orders table.", acceptanceCriteria: ["the migration runs"], dependsOn: [] },
    { key: "ui", title: "Build the orders page", description: "A page that lists orders.", acceptanceCriteria: ["the page renders"], dependsOn: [] },
    { key: "endpoint", title: "Implement the orders endpoint", description: "GET /orders reads the table.", acceptanceCriteria: ["returns orders"], dependsOn: ["schema"] },
  ],
};

let linearEmulator: Awaited<ReturnType<typeof startLinearEmulator>>;
let codegenEmulator: Awaited<ReturnType<typeof startCodegenEmulator>>;
let linear: LinearEmulatorControl;
let codegen: CodegenEmulatorControl;
let edge: LocalEdge;
let org: CreatedOrganization;
let codegenOrgId: number;
let agent: AgentProcess | undefined;
const home = mkdtempSync(join(tmpdir(), "cyrus-parallel-e2e-"));

beforeAll(async () => {
  linearEmulator = await startLinearEmulator({ clientId: "e2e-client", clientSecret: "e2e-secret" });
  codegenEmulator = await startCodegenEmulator({ timeScale: SCALE });
  linear = new LinearEmulatorControl(linearEmulator.url);
  codegen = new CodegenEmulatorControl(codegenEmulator.url);
  edge = await startLocalEdge(
    {
      ...emulatedLinearVars(linearEmulator.url, { webhookSecret: SECRET, clientId: "e2e-client", clientSecret: "e2e-secret", apiKey: API_KEY }),
      ...scaledCodegenVars(codegenEmulator.url, SCALE),
      LOG_LEVEL: "warn",
    },
    { quiet: true },
  );
  // Linear (the emulator) sends every delegation's `created` webhook to the edge.
  await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: SECRET });
  org = await linear.createOrganization({ name: "Parallel", urlKey: "parallel", teams: [{ key: "ENG", name: "Engineering" }] });
  await installThroughOAuth(edge.url, org.organizationId);

  const cg = await codegen.createOrganization({ repos: [{ name: "acme/web" }] });
  codegenOrgId = cg.orgId;
  // Every child's run works four (emulated) minutes and opens one pull request.
  await codegen.script(cg.orgId, { default: { durationMs: 4 * 60_000, finalStatus: "COMPLETE", pullRequests: 1, logEvery: 60_000, result: "Done; the tests pass." } });
  const api = edgeApi(edge.url, API_KEY);
  await api("PUT", "/api/config", { strategy: "hybrid-parallel", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } });
  await api("POST", "/api/repositories", { name: "web", gitUrl: "git@github.com:acme/web.git", isCatchAll: true, codegenRepoId: cg.repos[0]!.id });
  const { token } = await api<{ token: string }>("POST", "/api/agent-tokens", { name: "e2e" });

  agent = startAgentProcess({
    edgeUrl: edge.url,
    token,
    repos: { web: createBenchRepository() },
    home,
    // One scenario for every local turn: the plan answers the planner's --json-schema; the text is the validation's verdict.
    scenario: { steps: [{ text: "Reading the issue." }, { cost: 0.05 }], structuredOutput: PROPOSAL, result: "Verdict: pass. Every pull request meets its criteria." },
  });
  await agent.until(/accepted this agent/);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await edge?.stop();
  await linearEmulator?.close();
  await codegenEmulator?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The stand-in's record of each Claude Code launch (argv, the --json-schema it was given, the prompts). */
function standInLaunches(): { jsonSchema: unknown; prompts: unknown[] }[] {
  const dir = join(home, "standin");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".launch.json"))
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as { jsonSchema: unknown; prompts: unknown[] });
}

type OrgState = Awaited<ReturnType<LinearEmulatorControl["state"]>>;

/** Reads (emulated) Linear until `done` holds; bounded, so a failure says what it waited for. */
async function stateUntil(what: string, done: (state: OrgState) => boolean, timeoutMs = 30_000): Promise<OrgState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await linear.state(org.organizationId);
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Linear serves an agent plan as JSON text. */
function planOf(plan: unknown): { content: string; status: string }[] {
  if (!plan) return [];
  return (typeof plan === "string" ? JSON.parse(plan) : plan) as { content: string; status: string }[];
}

it("splits an issue with a plan proposed by the stand-in Claude, runs the parts in parallel in the cloud, validates and answers once", async () => {
  const root = await linear.createIssue(org.organizationId, { teamKey: "ENG", stateType: "unstarted", title: "Orders", description: "Customers need to see their orders." });
  const { agentSession, deliveries } = await linear.startAgentSession(org.organizationId, { issueId: root.id, deliver: true });
  expect(deliveries[0]?.status).toBe(200);

  const activities = await activitiesUntil(linear, org.organizationId, agentSession.id, (list) => list.some((a) => a.content.type === "response" || a.content.type === "error"), 150_000);

  // The planning task ran locally, once, with the plan's JSON schema.
  const planners = standInLaunches().filter((launch) => launch.jsonSchema !== null);
  expect(planners).toHaveLength(1);

  // The children's own answers and Linear's plan go through their outboxes beside the parent's: read until they are there.
  const state = await stateUntil("the children's responses and the parent's completed plan", (s) => {
    const children = s.issues.filter((issue) => issue.parent?.id === root.id);
    const answered = children.every((issue) => s.agentSessions.some((session) => session.issueId === issue.id && session.activities.some((a) => a.content.type === "response")));
    const steps = planOf(s.agentSessions.find((session) => session.id === agentSession.id)?.plan);
    return children.length > 0 && answered && steps.length > 0 && steps.every((step) => step.status === "completed");
  });

  // The edge created the proposed sub-issues under the root, with the one `blocks` relation.
  const subIssues = state.issues.filter((issue) => issue.parent?.id === root.id);
  expect(subIssues.map((issue) => issue.title).sort()).toEqual(["Add the orders table", "Build the orders page", "Implement the orders endpoint"]);
  const byTitle = new Map(subIssues.map((issue) => [issue.title, issue]));
  const schema = byTitle.get("Add the orders table")!;
  const ui = byTitle.get("Build the orders page")!;
  const endpoint = byTitle.get("Implement the orders endpoint")!;
  const blocks = state.issueRelations.filter((relation) => relation.type === "blocks");
  expect(blocks.map((r) => [r.issueId, r.relatedIssueId])).toEqual([[schema.id, endpoint.id]]);

  // Each child was delegated (a session Linear started), ran once in the cloud and answered in its own thread.
  const runs = await codegen.runs(codegenOrgId);
  expect(runs).toHaveLength(3);
  const childSessions = subIssues.map((issue) => state.agentSessions.filter((session) => session.issueId === issue.id));
  for (const sessions of childSessions) {
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.activities.filter((a) => a.content.type === "response")).toHaveLength(1);
  }
  const runOf = (issueId: string) => {
    const sessionId = state.agentSessions.find((session) => session.issueId === issueId)!.id;
    const run = runs.find((r) => r.metadata?.linear_session_id === sessionId);
    expect(run, `the Codegen run of ${issueId}`).toBeDefined();
    return run!;
  };
  const [schemaRun, uiRun, endpointRun] = [runOf(schema.id), runOf(ui.id), runOf(endpoint.id)];
  // The two independent ones overlapped; the endpoint's run was created only after the schema's ended (Codegen's clock).
  const endOf = (run: typeof schemaRun) => Date.parse(run.segments.at(-1)!.endsAt!);
  expect(Date.parse(schemaRun.createdAt)).toBeLessThan(endOf(uiRun));
  expect(Date.parse(uiRun.createdAt)).toBeLessThan(endOf(schemaRun));
  expect(Date.parse(endpointRun.createdAt)).toBeGreaterThanOrEqual(endOf(schemaRun));

  // The parent: one response, no error, every pull request listed, the local validation's verdict.
  const endings = activities.filter((a) => a.content.type === "response" || a.content.type === "error");
  expect(endings.map((a) => a.content.type)).toEqual(["response"]);
  const body = endings[0]!.content.body!;
  const prUrls = runs.flatMap((run) => run.response.github_pull_requests ?? []).map((pr) => pr.url);
  expect(prUrls).toHaveLength(3);
  for (const url of prUrls) expect(body).toContain(url);
  expect(body).toContain("Verdict: pass");
  // The validation ran locally too: a second launch, without a schema.
  expect(standInLaunches().filter((launch) => launch.jsonSchema === null).length).toBeGreaterThanOrEqual(1);

  // Linear's agent plan on the parent: the three sub-tasks and the validation, all completed.
  const steps = planOf(state.agentSessions.find((session) => session.id === agentSession.id)!.plan);
  expect(steps.map((step) => step.status)).toEqual(["completed", "completed", "completed", "completed"]);
}, 240_000);
