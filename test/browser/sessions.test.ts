/**
 * The sessions pages as a user works with them: the list shows a running
 * session, its page follows the log live, and a message written on the page
 * reaches the agent (a real `cyrus` agent with the stand-in Claude) and shows
 * in the Linear thread; the end of the run shows without a reload.
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
const home = mkdtempSync(join(tmpdir(), "cyrus-sessions-home-"));

/** The first turn works, then waits for the user's follow-up; the follow-up's turn (its scenario rides in the message) ends the run. */
const FIRST_TURN = { steps: [{ text: "Looking at the checkout button." }, { waitForPrompt: true }, { cost: 0.05 }], result: "First pass done." };
const FOLLOW_UP = { steps: [{ text: "Covering the cart page too." }, { cost: 0.02 }], result: "Checkout and cart pages done." };
const MESSAGE = `Please also cover the cart page.\nSTANDIN_SCENARIO:${JSON.stringify(FOLLOW_UP)}`;

beforeAll(async () => {
  h = await startBrowserHarness();
  const created = await h.api(`/api/repositories`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  expect(created.status).toBe(201);
  const token = ((await (await h.api("/api/agent-tokens", { method: "POST", body: JSON.stringify({ name: "sessions test" }) })).json()) as { token: string }).token;
  agent = spawn(process.execPath, ["bin/cyrus.js", "connect", "--url", h.url, "--token", token, "--repo", `web=${createBenchRepository()}`, "--claude-path", standInPath()], {
    env: agentEnv(home, { CLAUDE_STANDIN_SCENARIO: JSON.stringify(FIRST_TURN) }),
    stdio: "ignore",
  });
}, 180_000);

afterAll(async () => {
  agent?.kill("SIGKILL");
  await h?.close();
  rmSync(home, { recursive: true, force: true });
});

it("lists a running session, follows its log live, and sends the agent a message that lands in Linear's thread", async () => {
  const orgId = h.org!.organizationId;
  const issue = await h.linear.createIssue(orgId, { title: "Fix checkout contrast", teamKey: "ENG", stateType: "unstarted" });
  const started = await h.linear.startAgentSession(orgId, { issueId: issue.id, deliver: true });
  const id = started.agentSession.id;
  // The D1 mirror has the session once the agent is at work on it.
  await expect
    .poll(async () => {
      const response = await h.api(`/api/sessions/${id}`);
      return response.ok ? ((await response.json()) as { session: { status: string } }).session.status : null;
    }, { timeout: 60_000, interval: 500 })
    .toBe("active");

  const page = await h.newPage();
  await h.signInWithKey(page, { next: "/sessions" });
  const row = page.locator("table tbody tr").filter({ hasText: issue.identifier });
  await expect(row).toContainText("active");
  await h.screenshot(page, "sessions-list");
  await Promise.all([page.waitForURL(`**/sessions/${id}`), row.getByRole("link", { name: issue.identifier }).click()]);

  await page.locator("[data-log-status]").filter({ hasText: "live" }).waitFor({ timeout: 15_000 });
  await expect(page.locator("[data-session-status]")).toHaveText("active");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  // A marker on the window: a reload would lose it.
  await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
  const entriesAtLoad = await page.locator("ol.timeline > li").count();
  expect(entriesAtLoad).toBeGreaterThan(0);

  await page.getByLabel("Send a message to the agent").fill(MESSAGE);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator("form[data-message-form] output")).toHaveText("sent to the agent as a follow-up");
  await expect(page.getByLabel("Send a message to the agent")).toHaveValue("");

  // In Linear's thread: a reply to the session's root comment, written by the app in the sender's name.
  await expect
    .poll(async () => (await h.linear.state(orgId)).comments.filter((c) => c.body === MESSAGE).length, { timeout: 30_000, interval: 500 })
    .toBe(1);
  const state = await h.linear.state(orgId);
  const comment = state.comments.find((c) => c.body === MESSAGE)!;
  expect(comment.parentId).toBe(state.agentSessions.find((s) => s.id === id)!.commentId);
  const create = (await h.linear.calls({ organizationId: orgId, rootField: "commentCreate" })).graphql.at(-1)!;
  expect(create.variables).toMatchObject({ input: { createAsUser: "Cyrus Edge admin" } });

  // New log lines arrive without a reload: the message, then the run's end; the status follows.
  await page.locator("ol.timeline > li.new").filter({ hasText: "Cyrus Edge admin wrote from the panel: Please also cover the cart page." }).waitFor({ timeout: 30_000 });
  await page.locator("ol.timeline > li.new").filter({ hasText: "local.succeeded" }).waitFor({ timeout: 60_000 });
  await expect(page.locator("[data-session-status]")).toHaveText("complete", { timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop" })).toBeHidden();
  expect(await page.locator("ol.timeline > li").count()).toBeGreaterThan(entriesAtLoad);
  expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

  // The agent answered the follow-up in the same run, once: the comment that came back from Linear started nothing.
  const responses = (await h.linear.state(orgId)).agentSessions.find((s) => s.id === id)!.activities.filter((a) => a.content.type === "response");
  expect(responses.map((a) => a.content.body)).toEqual([expect.stringContaining("Checkout and cart pages done.")]);
  await h.expectNoProblems(page);
  await h.screenshot(page, "sessions-detail-ended");
}, 240_000);
