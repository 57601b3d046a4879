/**
 * A hybrid-parallel parent's session page in a real browser: the plan drawn
 * as a tree (the dependent sub-task indented under what it waits on), a child
 * that changes state in the D1 mirror redrawn without a reload, a sub-task's
 * link to its child's page and the child's link back, all under the CSP.
 * The rows are written into the edge's local D1 as the parent's IssueSession
 * mirrors them: a run of several minutes is not what this test is about.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBrowserHarness, type BrowserHarness, type InBrowser } from "./harness";

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h?.close();
});

const quote = (value: unknown) => `'${(typeof value === "string" ? value : JSON.stringify(value)).replace(/'/g, "''")}'`;

it("draws a parent's plan as a tree, keeps it current, and links parent and children", async () => {
  const ws = h.org!.organizationId;
  const t0 = Date.now() - 30 * 60_000;
  const parent = `parent-${crypto.randomUUID()}`;
  const childA = `child-a-${crypto.randomUUID()}`;
  const item = (key: string, fields: Record<string, unknown>) => ({
    key,
    title: `Sub-task ${key}`,
    issueId: null,
    identifier: null,
    dependsOn: [],
    status: "pending",
    attempts: 0,
    reason: null,
    startedAt: null,
    endedAt: null,
    agentSessionId: null,
    pullRequests: [],
    ...fields,
  });
  const items = [
    item("a", { title: "API endpoint", issueId: "issue-a", identifier: "ENG-51", status: "succeeded", attempts: 1, startedAt: t0, endedAt: t0 + 20 * 60_000, agentSessionId: childA, pullRequests: ["https://github.com/acme/web/pull/7"] }),
    item("b", { title: "Checkout form", issueId: "issue-b", identifier: "ENG-52", status: "running", attempts: 1, startedAt: t0 }),
    item("c", { title: "Wire them up", issueId: "issue-c", identifier: "ENG-53", dependsOn: ["a", "b"] }),
  ];
  const session = (id: string, identifier: string, title: string, status: string, parentId: string | null) =>
    `INSERT INTO agent_sessions (id, workspace_id, issue_id, issue_identifier, issue_title, status, executor, created_at, updated_at, parent_session_id)
     VALUES (${quote(id)}, ${quote(ws)}, ${quote(`issue-${id}`)}, ${quote(identifier)}, ${quote(title)}, ${quote(status)}, 'cloud', ${t0}, ${t0}, ${parentId ? quote(parentId) : "NULL"});`;
  await h.sql(
    session(parent, "ENG-50", "Checkout revamp", "active", null) +
      session(childA, "ENG-51", "API endpoint", "complete", parent) +
      `INSERT INTO parallel_runs (session_id, workspace_id, status, source, items, validation, figures, created_at, updated_at, ended_at)
       VALUES (${quote(parent)}, ${quote(ws)}, 'running', 'sub-issues', ${quote(items)}, ${quote({ status: "pending", verdict: null })}, NULL, ${t0}, ${t0}, NULL);`,
  );

  const page = await h.newPage();
  await h.signInWithKey(page, { next: `/sessions/${parent}` });
  const tree = page.locator("[data-plan-tree]");
  await expect(tree.locator("li")).toHaveCount(3);
  // C waits on both: drawn inside A's branch, naming B.
  const c = page.locator('[data-plan-item="a"] > ul > [data-plan-item="c"]');
  await expect(c).toContainText("ENG-53 Wire them up");
  await expect(c).toContainText("after ENG-52");
  await expect(page.locator('[data-plan-item="b"]')).toContainText("running");
  await expect(page.locator('[data-plan-item="a"] > small')).toContainText("acme/web/pull/7");
  await expect(page.locator("[data-plan-validation]")).toContainText("waits for every sub-task");
  await h.screenshot(page, "parallel-plan-running");

  // B ends in the mirror: the page redraws the plan without a reload.
  await page.evaluate(() => ((globalThis as InBrowser).window.notReloaded = true));
  const done = items.map((i) => (i.key === "b" ? { ...i, status: "succeeded", endedAt: t0 + 25 * 60_000, pullRequests: ["https://github.com/acme/web/pull/8"] } : i));
  await h.sql(`UPDATE parallel_runs SET items = ${quote(done)}, updated_at = ${Date.now()} WHERE session_id = ${quote(parent)}`);
  await expect(page.locator('[data-plan-item="b"]')).toHaveAttribute("data-status", "succeeded", { timeout: 15_000 });
  await expect(page.locator('[data-plan-item="b"]')).toContainText("acme/web/pull/8");
  expect(await page.evaluate(() => (globalThis as InBrowser).window.notReloaded)).toBe(true);

  // A's identifier leads to its own session page, which leads back.
  await Promise.all([page.waitForURL(`**/sessions/${childA}*`), page.locator('[data-plan-item="a"] a[data-plan-child]').click()]);
  const back = page.locator("[data-parent-session] a");
  await expect(back).toHaveText("ENG-50");
  await Promise.all([page.waitForURL(`**/sessions/${parent}*`), back.click()]);
  await expect(page.locator("[data-plan-tree] li")).toHaveCount(3);
  await h.expectNoProblems(page);
});
