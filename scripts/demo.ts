/**
 * `npm run demo`: watch an issue flow end to end with no accounts. Starts the
 * Linear and Codegen emulators (Codegen's time runs 60x: a minute lasts a
 * second) and the edge (`wrangler dev --local`) wired to them, installs the
 * app through the real OAuth routes, adds a repository and Codegen
 * credentials, delegates an issue, and prints what the agent says in
 * (emulated) Linear as it happens: the acknowledgement, where the work runs,
 * the cloud run's progress and its result with the pull request; then a
 * follow-up that resumes the run. `npm run demo -- --keep` leaves it all running.
 */
import { CodegenEmulatorControl } from "../test/emulators/codegen/control-client";
import { startCodegenEmulator } from "../test/emulators/codegen/server";
import { LinearEmulatorControl, type ActivityView } from "../test/emulators/linear/control-client";
import { startLinearEmulator } from "../test/emulators/linear/server";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge } from "./lib/local-edge";

const keep = process.argv.includes("--keep");
const SCALE = 60;
const WEBHOOK_SECRET = "demo-webhook-secret";
const API_KEY = "demo-api-key";
const started = Date.now();
const say = (line: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${line}`);

const linearEmulator = await startLinearEmulator({ clientId: "demo-client", clientSecret: "demo-secret" });
const codegenEmulator = await startCodegenEmulator({ timeScale: SCALE });
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
say(`edge on ${edge.url} (wrangler dev --local, fresh local D1 and Durable Objects)`);

async function shutdown(code: number): Promise<never> {
  await edge.stop();
  await Promise.all([linearEmulator.close(), codegenEmulator.close()]);
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));

const api = (path: string, method: string, body: unknown) =>
  fetch(`${edge.url}${path}`, { method, headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });

try {
  await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: WEBHOOK_SECRET });
  const org = await linear.createOrganization({ name: "Acme", urlKey: "acme", teams: [{ key: "ENG", name: "Engineering" }] });
  await installThroughOAuth(edge.url, org.organizationId);
  say("installed the app into the Acme workspace through /oauth/linear/authorize");

  const cg = await codegen.createOrganization({ repos: [{ name: "acme/web" }] });
  await codegen.script(cg.orgId, {
    scripts: [
      { durationMs: 8 * 60_000, finalStatus: "COMPLETE", pullRequests: [{ title: "Raise checkout button contrast" }], logEvery: 60_000, result: "Raised the checkout button's contrast to 4.8:1 and added a visual regression test." },
      { durationMs: 3 * 60_000, finalStatus: "COMPLETE", logEvery: 60_000, result: "Checked the cart page too: its buttons already pass AA; no change needed." },
    ],
  });
  // This demo shows the cloud path: every task goes to Codegen (hybrid strategies would wait for a local agent here).
  await api("/api/config", "PUT", { strategy: "cloud-only", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } });
  const repo = await api("/api/repositories", "POST", { name: "web", gitUrl: "git@github.com:acme/web.git", teamKeys: ["ENG"], codegenRepoId: cg.repos[0]!.id });
  say(`added repository "web" for team ENG (HTTP ${repo.status}) and the workspace's Codegen credentials`);

  const issue = await linear.createIssue(org.organizationId, {
    title: "Fix checkout button contrast",
    description: "The checkout button fails WCAG AA contrast.",
    teamKey: "ENG",
    stateType: "unstarted",
  });
  say(`created ${issue.identifier} "${issue.title}" (state: ${issue.state.name})`);
  const session = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
  say(`delegated ${issue.identifier} to the agent: Linear sent AgentSessionEvent "created" (HTTP ${session.deliveries[0]?.status ?? "?"})`);

  const seen = new Set<string>();
  let lastState = issue.state.name;
  const watch = async (until: (activities: ActivityView[]) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = await linear.state(org.organizationId);
      const current = state.issues.find((i) => i.id === issue.id);
      if (current && current.state.name !== lastState) {
        say(`${issue.identifier} moved to "${current.state.name}"`);
        lastState = current.state.name;
      }
      const activities = state.agentSessions.find((s) => s.id === session.agentSession.id)?.activities ?? [];
      for (const activity of activities) {
        if (seen.has(activity.id)) continue;
        seen.add(activity.id);
        const who = activity.content.type === "prompt" ? "user " : "agent";
        const text = (activity.content.body ?? activity.content.action ?? "").replace(/\n/g, "\n" + " ".repeat(22));
        say(`${who} ${activity.content.type.padEnd(8)} ${text}`);
      }
      if (until(activities)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("timed out waiting for the agent");
  };
  const responses = (activities: ActivityView[]) => activities.filter((a) => a.content.type === "response" || a.content.type === "error").length;

  await watch((activities) => responses(activities) >= 1, 60_000);
  const attachments = (await linear.state(org.organizationId)).attachments.filter((a) => a.issueId === issue.id);
  for (const attachment of attachments) say(`linked on ${issue.identifier}: ${attachment.title} ${attachment.url}`);

  await linear.prompt(session.agentSession.id, { body: "Please also check the cart page.", deliver: true });
  await watch((activities) => responses(activities) >= 2, 60_000);
  say("done: every message above went from the edge's outbox into (emulated) Linear.");
  if (keep) {
    say(`still running. Edge: ${edge.url} (API key ${API_KEY}). Linear state: ${linearEmulator.url}/_emulator/organizations/${org.organizationId}/state. Ctrl-C to stop.`);
  } else {
    await shutdown(0);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
}
