/**
 * `npm run demo`: watch an issue flow end to end with no accounts. Starts the
 * Linear emulator and the edge (`wrangler dev --local`) wired to it, installs
 * the app through the real OAuth routes, adds a repository, delegates an issue,
 * and prints what the agent says in (emulated) Linear as it happens.
 * `npm run demo -- --keep` leaves both running afterwards.
 */
import { LinearEmulatorControl } from "../test/emulators/linear/control-client";
import { startLinearEmulator } from "../test/emulators/linear/server";
import { emulatedLinearVars, installThroughOAuth, startLocalEdge } from "./lib/local-edge";

const keep = process.argv.includes("--keep");
const WEBHOOK_SECRET = "demo-webhook-secret";
const API_KEY = "demo-api-key";
const started = Date.now();
const say = (line: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${line}`);

const emulator = await startLinearEmulator({ clientId: "demo-client", clientSecret: "demo-secret" });
const control = new LinearEmulatorControl(emulator.url);
say(`Linear emulator on ${emulator.url}`);
const edge = await startLocalEdge(
  {
    ...emulatedLinearVars(emulator.url, { webhookSecret: WEBHOOK_SECRET, clientId: "demo-client", clientSecret: "demo-secret", apiKey: API_KEY }),
    LOG_LEVEL: "warn",
  },
  { quiet: true },
);
say(`edge on ${edge.url} (wrangler dev --local, fresh local D1 and Durable Objects)`);

async function shutdown(code: number): Promise<never> {
  await edge.stop();
  await emulator.close();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));

try {
  await control.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: WEBHOOK_SECRET });
  const org = await control.createOrganization({ name: "Acme", urlKey: "acme", teams: [{ key: "ENG", name: "Engineering" }] });
  await installThroughOAuth(edge.url, org.organizationId);
  say("installed the app into the Acme workspace through /oauth/linear/authorize");

  const repo = await fetch(`${edge.url}/api/repositories`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "web", gitUrl: "git@github.com:acme/web.git", teamKeys: ["ENG"] }),
  });
  say(`added repository "web" for team ENG (HTTP ${repo.status})`);

  const issue = await control.createIssue(org.organizationId, {
    title: "Fix checkout button contrast",
    description: "The checkout button fails WCAG AA contrast.",
    teamKey: "ENG",
    stateType: "unstarted",
  });
  say(`created ${issue.identifier} "${issue.title}" (state: ${issue.state.name})`);

  const session = await control.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
  say(`delegated ${issue.identifier} to the agent: Linear sent AgentSessionEvent "created" (HTTP ${session.deliveries[0]?.status ?? "?"})`);

  const seen = new Set<string>();
  let lastState = issue.state.name;
  const watch = async (until: (types: string[]) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = await control.state(org.organizationId);
      const current = state.issues.find((i) => i.id === issue.id);
      if (current && current.state.name !== lastState) {
        say(`${issue.identifier} moved to "${current.state.name}"`);
        lastState = current.state.name;
      }
      const activities = state.agentSessions.find((s) => s.id === session.agentSession.id)?.activities ?? [];
      for (const activity of activities) {
        if (seen.has(activity.id)) continue;
        seen.add(activity.id);
        const who = activity.content.type === "prompt" ? "user" : "agent";
        say(`${who} ${activity.content.type}: ${activity.content.body ?? activity.content.action ?? ""}`);
      }
      if (until(activities.map((a) => a.content.type))) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("timed out waiting for the agent");
  };

  await watch((types) => types.filter((t) => t === "thought").length >= 2, 20_000);
  await control.prompt(session.agentSession.id, { body: "Please also check the cart page.", deliver: true });
  await watch((types) => types.filter((t) => t === "thought").length >= 3, 20_000);
  await control.prompt(session.agentSession.id, { body: "", signal: "stop", deliver: true });
  await watch((types) => types.includes("response"), 20_000);
  say("done: every message above went through the edge's outbox into (emulated) Linear.");
  if (keep) {
    say(`still running. Edge: ${edge.url} (API key ${API_KEY}); Linear emulator: ${emulator.url}/_emulator/organizations/${org.organizationId}/state. Ctrl-C to stop.`);
  } else {
    await shutdown(0);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await shutdown(1);
}
