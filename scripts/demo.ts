/**
 * `npm run demo`: watch issues flow through the edge with no accounts. Starts
 * the Linear and Codegen emulators (Codegen's time runs 60x: a minute lasts a
 * second) and the edge (`wrangler dev --local`) wired to them, installs the app
 * through the real OAuth routes, adds a repository with Codegen credentials,
 * connects a real `cyrus` agent (running the stand-in Claude Code in a
 * throwaway repository), and delegates three issues:
 *   - one that asks to run locally, on that agent;
 *   - one that asks for the cloud, which ends with a pull request;
 *   - one that asks for the cloud, whose run Codegen refuses to start (402),
 *     so it falls back to the local agent;
 *   - a parent in the `checkout` repository, whose strategy is hybrid-parallel,
 *     split into its three sub-issues (the third blocked by the first two):
 *     the edge delegates them, two run in the cloud at once, the third after
 *     both, then a validation task, and the parent answers once with every PR.
 * It prints what the agent says in (emulated) Linear as it happens, then where
 * each issue ran, how it ended and what it cost; it exits non-zero if any issue
 * did not end as intended. The panel shows it all live (its URL and key are
 * printed first). `npm run demo -- --keep` leaves everything running and adds
 * a few issues to delegate from the panel; Ctrl-C stops it all.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodegenEmulatorControl } from "../test/emulators/codegen/control-client";
import { startCodegenEmulator } from "../test/emulators/codegen/server";
import { LinearEmulatorControl, type IssueView } from "../test/emulators/linear/control-client";
import { startLinearEmulator } from "../test/emulators/linear/server";
import { createBenchRepository } from "./lib/agent-fixtures";
import { startAgentProcess } from "./lib/agent-process";
import { BACKLOG, CLOUD_ISSUE, FALLBACK_ISSUE, LOCAL_ISSUE, type DemoIssue } from "./lib/demo-backlog";
import { problemsWith, settledSession, summaryLines } from "./lib/demo-outcome";
import { edgeApi } from "./lib/edge-api";
import { LinearWatch, endingOn, timedLog } from "./lib/linear-watch";
import { PARALLEL_REPOSITORY, PARALLEL_SCRIPTS, PARALLEL_TREE, parallelProblems, parallelSummaryLines, settledParallel } from "./lib/demo-parallel";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge } from "./lib/local-edge";

const keep = process.argv.includes("--keep");
const SCALE = 60;
const WEBHOOK_SECRET = "demo-webhook-secret";
const API_KEY = `demo-${randomBytes(9).toString("base64url")}`;
/** What the stand-in Claude does on each local task: a few seconds of work that costs $0.18. */
const LOCAL_SCENARIO = {
  steps: [
    { text: "Reading the issue and the code it points to." },
    { tool: "Read", input: { file_path: "README.md" }, result: "# web" },
    { sleep: 1_500 },
    { tool: "Bash", input: { command: "npm test" }, result: "Tests: 42 passed, 42 total" },
    { sleep: 1_500 },
    { cost: 0.18 },
  ],
  result: "Made the change on this issue's branch and ran the tests (42 passed). Ready for review.",
  tokens: { input: 5_400, output: 1_200 },
};
const say = timedLog();

/** Everything started, stopped in reverse order: on success, on failure and on Ctrl-C. */
const cleanups: Array<() => Promise<unknown> | void> = [];
let stopping = false;
async function shutdown(code: number, why?: string): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  if (why) say(why);
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch((error: unknown) => console.error(`while stopping: ${String(error)}`));
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(0, "stopping the agent, the edge and the emulators"));

try {
  const linearEmulator = await startLinearEmulator({ clientId: "demo-client", clientSecret: "demo-secret" });
  cleanups.push(() => linearEmulator.close());
  const codegenEmulator = await startCodegenEmulator({ timeScale: SCALE });
  cleanups.push(() => codegenEmulator.close());
  const linear = new LinearEmulatorControl(linearEmulator.url);
  const codegen = new CodegenEmulatorControl(codegenEmulator.url);
  say(`Linear emulator on ${linearEmulator.url}, Codegen emulator on ${codegenEmulator.url} (time x${SCALE})`);

  const edge = await startLocalEdge(
    {
      ...emulatedLinearVars(linearEmulator.url, { webhookSecret: WEBHOOK_SECRET, clientId: "demo-client", clientSecret: "demo-secret", apiKey: API_KEY }),
      ...scaledCodegenVars(codegenEmulator.url, SCALE),
      LOG_LEVEL: "warn",
    },
    { quiet: true },
  );
  cleanups.push(() => edge.stop());
  say(`edge on ${edge.url} (wrangler dev --local, fresh local D1 and Durable Objects)`);
  say(`watch it live: open ${edge.url}/ and sign in with the admin key ${API_KEY}`);
  const api = edgeApi(edge.url, API_KEY);

  await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: WEBHOOK_SECRET });
  const org = await linear.createOrganization({ name: "Acme", urlKey: "acme", teams: [{ key: "ENG", name: "Engineering" }, { key: PARALLEL_REPOSITORY.teamKey, name: "Payments" }] });
  await installThroughOAuth(edge.url, org.organizationId);
  say("installed the app into the Acme workspace through /oauth/linear/authorize");

  const cg = await codegen.createOrganization({ repos: [{ name: "acme/web" }, { name: PARALLEL_REPOSITORY.codegenRepo }] });
  await codegen.script(cg.orgId, {
    scripts: [
      ...PARALLEL_SCRIPTS,
      {
        // Matched: the parallel children's runs may be created first.
        match: { promptContains: CLOUD_ISSUE.issue.title },
        durationMs: 10 * 60_000,
        finalStatus: "COMPLETE",
        logEvery: 2 * 60_000,
        pullRequests: [{ title: "Raise checkout button contrast to 4.8:1" }],
        result: "Raised the checkout button's contrast to 4.8:1 and added a visual regression test.",
      },
    ],
    // Issues delegated later from the panel (with --keep) that go to the cloud.
    default: { durationMs: 6 * 60_000, finalStatus: "COMPLETE", logEvery: 90_000, result: "Made the change and added tests; the suite passes." },
  });
  await api("PUT", "/api/config", { strategy: "hybrid-smart", codegen: { orgId: cg.orgId, apiToken: cg.apiToken }, repositories: { [PARALLEL_REPOSITORY.name]: { strategy: "hybrid-parallel" } } });
  await api("POST", "/api/repositories", { name: "web", gitUrl: "git@github.com:acme/web.git", teamKeys: ["ENG"], codegenRepoId: cg.repos[0]!.id });
  say('added repository "web" for team ENG with the workspace\'s Codegen credentials; strategy hybrid-smart');
  await api("POST", "/api/repositories", { name: PARALLEL_REPOSITORY.name, gitUrl: `git@github.com:${PARALLEL_REPOSITORY.codegenRepo}.git`, teamKeys: [PARALLEL_REPOSITORY.teamKey], codegenRepoId: cg.repos[1]!.id });
  say(`added repository "${PARALLEL_REPOSITORY.name}" for team ${PARALLEL_REPOSITORY.teamKey}; its strategy is hybrid-parallel (no local agent serves it: its sub-tasks and validation run in the cloud)`);

  const { token } = await api<{ token: string }>("POST", "/api/agent-tokens", { name: "demo laptop" });
  const home = mkdtempSync(join(tmpdir(), "cyrus-demo-home-"));
  const checkout = createBenchRepository();
  cleanups.push(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(checkout, { recursive: true, force: true });
  });
  const agent = startAgentProcess({
    edgeUrl: edge.url,
    token,
    repos: { web: checkout },
    home,
    scenario: LOCAL_SCENARIO,
    // The agent's own account: its connection, each task's start and end, and anything it warns about.
    onLine: (line) => /accepted this agent|▶|■|warning:|error:/.test(line) && say("cyrus ", line.replace(/^\d\d:\d\d:\d\d /, "")),
  });
  cleanups.push(() => agent.stop());
  // If the demo dies without its cleanups, the agent must not outlive it.
  process.on("exit", () => agent.child.kill("SIGKILL"));
  say(`started \`cyrus connect --repo web=${checkout}\` with the stand-in Claude Code (agent token created through POST /api/agent-tokens)`);
  await agent.until(/accepted this agent/, 30_000);

  const watch = new LinearWatch(linear, org.organizationId, say);
  const create = async (demo: DemoIssue) => {
    const issue = await linear.createIssue(org.organizationId, { teamKey: "ENG", stateType: "unstarted", ...demo.issue });
    say(issue.identifier.padEnd(6), `created "${issue.title}" (${demo.role}: ${expectation(demo)})`);
    return issue;
  };
  const delegate = async (issue: IssueView) => {
    const { agentSession, deliveries } = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
    say(issue.identifier.padEnd(6), `delegated to the agent: Linear sent AgentSessionEvent "created" (HTTP ${deliveries[0]?.status ?? "?"})`);
    return agentSession.id;
  };

  const issues = { local: await create(LOCAL_ISSUE), cloud: await create(CLOUD_ISSUE), fallback: await create(FALLBACK_ISSUE) };
  await watch.poll();
  const sessions = { local: await delegate(issues.local), cloud: await delegate(issues.cloud), fallback: "" };
  // The fault takes the next create call, so it waits until the cloud issue's run exists.
  await watch.until(`${issues.cloud.identifier}'s Codegen run to start`, async () => (await codegen.runs(cg.orgId)).length >= 1, 60_000);
  await codegen.addFault({ kind: "http402", orgId: cg.orgId, endpoint: "create", count: 1 });
  say("codegen", `the next run Codegen is asked to create will be refused with 402 (allowance used up)`);
  sessions.fallback = await delegate(issues.fallback);

  // The parallel children's runs must not take the 402 meant for the fallback issue: delegate the parent once it is used.
  await watch.until("Codegen to refuse the fallback issue's run", async () => (await codegen.faults()).length === 0, 60_000);
  const tree = await linear.createIssueTree(org.organizationId, PARALLEL_TREE);
  say(tree.parent.identifier.padEnd(6), `created "${tree.parent.title}" with sub-issues ${tree.subIssues.map((sub) => sub.identifier).join(", ")} (${tree.subIssues[2]!.identifier} blocked by the other two): hybrid-parallel splits it`);
  const parallelSession = await delegate(tree.parent);

  const all = [issues.local, issues.cloud, issues.fallback, tree.parent];
  await watch.until("all four issues to end with a response or an error", (state) => all.every((issue) => endingOn(state, issue.id)), 120_000);
  // A pull request is linked right after the response, through the same outbox.
  const state = await watch.until(
    `the pull request to be linked on ${issues.cloud.identifier}`,
    (s) => endingOn(s, issues.cloud.id)?.content.type !== "response" || s.attachments.some((a) => a.issueId === issues.cloud.id),
    30_000,
  );

  const demos: Array<[IssueView, DemoIssue, string]> = [
    [issues.local, LOCAL_ISSUE, sessions.local],
    [issues.cloud, CLOUD_ISSUE, sessions.cloud],
    [issues.fallback, FALLBACK_ISSUE, sessions.fallback],
  ];
  say("reading each session's record from the edge (GET /api/sessions/:id; its D1 mirror trails by a few seconds)");
  const rows = [];
  const problems: string[] = [];
  for (const [issue, demo, agentSessionId] of demos) {
    const detail = await settledSession(api, agentSessionId, 30_000);
    rows.push({ identifier: issue.identifier, title: issue.title, detail });
    const ending = endingOn(state, issue.id)?.content;
    const attachmentUrls = state.attachments.filter((a) => a.issueId === issue.id).map((a) => a.url);
    problems.push(...problemsWith(issue.identifier, demo.expect, detail, { ending, attachmentUrls }));
  }
  const parentDetail = await settledParallel(api, parallelSession, 30_000);
  const childRows = [];
  for (const item of parentDetail.parallel?.items ?? []) {
    const sub = tree.subIssues.find((candidate) => candidate.id === item.issueId);
    if (!item.agentSessionId || !sub) continue;
    childRows.push({ identifier: sub.identifier, title: sub.title, detail: await settledSession(api, item.agentSessionId, 30_000) });
  }
  const parallel = { parent: { identifier: tree.parent.identifier, title: tree.parent.title, detail: parentDetail }, children: childRows };
  const finalState = await linear.state(org.organizationId);
  problems.push(...parallelProblems(parallel, finalState, tree.parent.id));
  if (childRows.length !== tree.subIssues.length) problems.push(`${tree.parent.identifier}: only ${childRows.length} of ${tree.subIssues.length} sub-issues ran as sessions`);
  console.log("");
  for (const line of summaryLines(rows)) console.log(`  ${line}`);
  console.log("");
  for (const line of parallelSummaryLines(parallel)) console.log(`  ${line}`);
  console.log("");
  if (problems.length) {
    console.error(`The demo did not go as intended:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    await shutdown(1);
  }
  say("done: all four issues (and the three sub-issues) ended as intended; every message above went from the edge's outbox into (emulated) Linear.");

  if (!keep) await shutdown(0);

  for (const input of BACKLOG) {
    const issue = await linear.createIssue(org.organizationId, { teamKey: "ENG", stateType: "unstarted", ...input });
    say(issue.identifier.padEnd(6), `ready to delegate: "${issue.title}"`);
  }
  await watch.poll();
  console.log(
    [
      "",
      `  Still running. Control panel: ${edge.url}/  — sign in with the admin key ${API_KEY}`,
      `  Start one of the issues above from the panel's "Start work" form by its identifier, e.g. ENG-${issues.fallback.number + 1};`,
      "  the agent and the cloud take it as before, and its activities appear below.",
      `  Linear emulator state: ${linearEmulator.url}/_emulator/organizations/${org.organizationId}/state`,
      "  Ctrl-C stops the edge, the emulators and the agent.",
      "",
    ].join("\n"),
  );
  await watch.follow();
} catch (error) {
  console.error(`The demo failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}

function expectation(demo: DemoIssue): string {
  const { executor, fallbackFrom, pullRequest } = demo.expect;
  const where = executor === "local" ? "runs on the local agent" : "runs in the cloud";
  return fallbackFrom ? `asks for the cloud, which refuses to start it, so it ${where}` : `${where}${pullRequest ? " and opens a pull request" : ""}`;
}
