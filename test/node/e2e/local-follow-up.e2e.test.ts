/**
 * End to end, as a new user runs it with a short lease grace (`AGENT_LEASE_GRACE_MS=5000`): the
 * Worker on the local runtime (`wrangler dev --local`), the Linear emulator, and a real `cyrus
 * connect` process driving the stand-in Claude Code. A delegated issue runs to its response; then,
 * ten times in a row, the agent sits idle past the grace and a follow-up in Linear must continue
 * the SAME Claude session (the stand-in is launched with `--resume=<that id>`), never a fresh one,
 * and the thread never hears that the task "went back to the queue".
 *
 * Before the fix the agent pinged every 20 s whatever the grace, and a lease lapsed 5 s after the
 * agent's last word, even if it was granted a moment ago: a follow-up given to an agent idle for
 * 5-20 s was taken back on arrival and ended in a fresh Claude session, most rounds.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LinearEmulatorControl, type ActivityView, type CreatedOrganization } from "../../emulators/linear/control-client";
import { startLinearEmulator } from "../../emulators/linear/server";
import { createBenchRepository } from "../../../scripts/lib/agent-fixtures";
import { startAgentProcess, type AgentProcess } from "../../../scripts/lib/agent-process";
import { emulatedLinearVars, installThroughOAuth, startLocalEdge, type LocalEdge } from "../../../scripts/lib/local-edge";
import { activitiesUntil as waitForActivities } from "./linear-activities";

const SECRET = "e2e-follow-up-secret";
const API_KEY = "e2e-follow-up-key";
const GRACE_MS = 5_000;
const FOLLOW_UPS = 10;

let emulator: Awaited<ReturnType<typeof startLinearEmulator>>;
let linear: LinearEmulatorControl;
let edge: LocalEdge;
let org: CreatedOrganization;
let agentToken: string;
let agent: AgentProcess | null = null;
let home: string;

/** Reads (emulated) Linear until the session's activities satisfy `done`; bounded. */
const activitiesUntil = (agentSessionId: string, done: (activities: ActivityView[]) => boolean, timeoutMs = 30_000) =>
  waitForActivities(linear, org.organizationId, agentSessionId, done, timeoutMs);

interface Launch {
  sessionId: string;
  argv: string[];
  pid: number;
  resumed: string | null;
}

/** Every Claude Code start the stand-in recorded: one `<sessionId>.launch.json` per session, rewritten on each resume. */
function launches(): Launch[] {
  const dir = join(home, "standin");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".launch.json"))
    .map((f) => ({ sessionId: f.slice(0, -".launch.json".length), ...(JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<Launch, "sessionId">) }));
}

const responses = (list: ActivityView[]) => list.filter((a) => a.content.type === "response");

beforeAll(async () => {
  emulator = await startLinearEmulator({ clientId: "e2e-client", clientSecret: "e2e-secret" });
  linear = new LinearEmulatorControl(emulator.url);
  edge = await startLocalEdge(
    {
      ...emulatedLinearVars(emulator.url, { webhookSecret: SECRET, clientId: "e2e-client", clientSecret: "e2e-secret", apiKey: API_KEY }),
      AGENT_LEASE_GRACE_MS: String(GRACE_MS),
      LOG_LEVEL: "warn",
    },
    { quiet: true },
  );
  await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: SECRET });
  org = await linear.createOrganization({ name: "Follow-up", urlKey: "follow-up" });
  await installThroughOAuth(edge.url, org.organizationId);
  const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
  await fetch(`${edge.url}/api/repositories`, { method: "POST", headers, body: JSON.stringify({ name: "web", isCatchAll: true }) });
  agentToken = ((await (await fetch(`${edge.url}/api/agent-tokens`, { method: "POST", headers, body: JSON.stringify({ name: "e2e" }) })).json()) as { token: string }).token;
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await edge?.stop();
  await emulator?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe(`with a ${GRACE_MS / 1000} s lease grace, a follow-up on an idle agent`, () => {
  it(`resumes the same Claude session, ${FOLLOW_UPS} times in a row`, async () => {
    home = mkdtempSync(join(tmpdir(), "cyrus-e2e-follow-up-"));
    // When the agent last finished a run: its result and its heartbeat go out just before it prints "■ … succeeded".
    let lastFinishedAt = 0;
    let finished = 0;
    const runsFinished = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (finished < count) {
        if (Date.now() > deadline) throw new Error(`the agent finished ${finished} runs, not ${count}; its last lines:\n${agent!.output.slice(-10).join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(finished).toBe(count);
    };
    agent = startAgentProcess({
      edgeUrl: edge.url,
      token: agentToken,
      repos: { web: createBenchRepository() },
      home,
      onLine: (line) => {
        if (/■ \S+ (succeeded|failed|stopped)/.test(line)) {
          lastFinishedAt = Date.now();
          finished++;
        }
      },
    });
    await agent.until(/accepted this agent/);
    // The edge's welcome set the agent's heartbeat to a third of the grace.
    await agent.until(/pinging the edge every 1666 ms/);

    const issue = await linear.createIssue(org.organizationId, { title: "Tidy the footer", teamKey: org.teams[0]!.key, stateType: "unstarted" });
    const session = await linear.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
    expect(session.deliveries[0]?.status).toBe(200);
    const agentSessionId = session.agentSession.id;
    await activitiesUntil(agentSessionId, (list) => responses(list).length === 1);
    await runsFinished(1);

    const [first, ...others] = launches();
    expect(others).toEqual([]);
    expect(first!.resumed).toBeNull();
    const claudeSessionId = first!.sessionId;
    const pids = new Set([first!.pid]);

    for (let round = 1; round <= FOLLOW_UPS; round++) {
      // The agent idles past the grace. This must be real time — the defect is the edge judging a real
      // silence — so it is a bounded wait measured from the agent's last message (its result), not a
      // signal: the grace plus one second, which is what a user's follow-up after a pause looks like.
      const idleUntil = lastFinishedAt + GRACE_MS + 1_000;
      await new Promise((r) => setTimeout(r, Math.max(0, idleUntil - Date.now())));

      const prompt = await linear.prompt(agentSessionId, { body: `Follow-up ${round}: also the links`, deliver: true });
      expect(prompt.deliveries[0]?.status).toBe(200);
      const activities = await activitiesUntil(agentSessionId, (list) => responses(list).length === round + 1);
      await runsFinished(round + 1);

      // The same Claude session, started once more with --resume: no second session file, a new process.
      const now = launches();
      expect(now.map((l) => l.sessionId), `round ${round}`).toEqual([claudeSessionId]);
      expect(now[0]!.argv, `round ${round}`).toContain(`--resume=${claudeSessionId}`);
      expect(pids.has(now[0]!.pid), `round ${round}: a new launch`).toBe(false);
      pids.add(now[0]!.pid);
      expect(responses(activities).at(-1)!.content.body).toContain(`Follow-up ${round}`);

      // Never taken back on arrival, and the thread never told so.
      const bodies = activities.map((a) => a.content.body ?? "");
      expect(bodies.filter((b) => b.includes("went back to the queue")), `round ${round}`).toEqual([]);
      expect(bodies.filter((b) => b.includes("starting a fresh Claude session")), `round ${round}`).toEqual([]);
      expect(agent.output.filter((l) => l.includes("cancelled by the edge")), `round ${round}`).toEqual([]);
    }
    expect(pids.size).toBe(FOLLOW_UPS + 1);
  }, 170_000);
});
