/**
 * The overview as a user watches it: an agent comes online and a task starts
 * and finishes on it, and the page shows each without a reload.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { agentEnv, createBenchRepository, standInPath } from "../../scripts/lib/agent-fixtures";
import { startBrowserHarness, type BrowserHarness } from "./harness";

let h: BrowserHarness;
let agent: ChildProcess | null = null;
const home = mkdtempSync(join(tmpdir(), "cyrus-overview-home-"));

beforeAll(async () => {
  h = await startBrowserHarness();
  const created = await h.api(`/api/repositories`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  expect(created.status).toBe(201);
}, 180_000);

afterAll(async () => {
  agent?.kill("SIGKILL");
  await h?.close();
  rmSync(home, { recursive: true, force: true });
});

it("shows an agent come online, and a task start and finish, without a reload", async () => {
  const page = await h.newPage();
  await h.signInWithKey(page);
  await page.locator("[data-live-status]").filter({ hasText: "live" }).waitFor();
  expect(await page.locator("table[data-agents]").count()).toBe(0);
  // A marker on the window: a reload would lose it.
  await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

  const token = ((await (await h.api("/api/agent-tokens", { method: "POST", body: JSON.stringify({ name: "overview test" }) })).json()) as { token: string }).token;
  // The stand-in's run takes 20 s of (emulated) work: long enough to be seen at work through the D1 mirror.
  const scenario = { steps: [{ text: "Looking at the checkout button." }, { sleep: 20_000 }, { cost: 0.07 }], result: "Done." };
  agent = spawn(process.execPath, ["bin/cyrus.js", "connect", "--url", h.url, "--token", token, "--repo", `web=${createBenchRepository()}`, "--claude-path", standInPath()], {
    env: agentEnv(home, { CLAUDE_STANDIN_SCENARIO: JSON.stringify(scenario) }),
    stdio: "ignore",
  });

  const agentRow = page.locator("table[data-agents] tbody tr");
  await agentRow.filter({ hasText: "online" }).first().waitFor({ timeout: 30_000 });
  expect(await agentRow.first().textContent()).toContain("web");
  await h.screenshot(page, "overview-agent-online");

  const issue = await h.linear.createIssue(h.org!.organizationId, { title: "Fix checkout contrast", teamKey: "ENG", stateType: "unstarted" });
  const session = await h.linear.startAgentSession(h.org!.organizationId, { issueId: issue.id, deliver: true });
  const id = session.agentSession.id;

  const activeRow = page.locator(`[data-active-tasks] tr[data-session="${id}"]`);
  await activeRow.waitFor({ timeout: 30_000 });
  expect(await activeRow.textContent()).toContain(issue.identifier);
  await activeRow.filter({ hasText: "local" }).waitFor({ timeout: 30_000 });
  await agentRow.filter({ hasText: "working" }).first().waitFor({ timeout: 30_000 });
  await h.screenshot(page, "overview-task-running");

  const doneRow = page.locator(`[data-recent] tr[data-session="${id}"]`);
  await doneRow.waitFor({ timeout: 60_000 });
  expect(await doneRow.textContent()).toContain("complete");
  expect(await doneRow.textContent()).toContain("$0.07");
  await activeRow.waitFor({ state: "detached", timeout: 10_000 });
  expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await h.expectNoProblems(page);
  await h.screenshot(page, "overview-task-finished");
}, 180_000);
