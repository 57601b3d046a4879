/**
 * The analytics page in Chromium: the five charts drawn by uPlot from the
 * page's JSON block under the strict CSP, with no console error, following
 * the page's width; the period links; the CSV download through the panel's
 * cookie.
 *
 * The runs are written into the edge's local D1 in one statement (the
 * rollups' triggers do the rest): three months of history cannot be run
 * through the product in a test's time.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBrowserHarness, type BrowserHarness } from "./harness";

const DAY = 86_400_000;
const MIN = 60_000;
const CHARTS = ["cost", "executors", "durations", "agent-types", "repositories"];

let h: BrowserHarness;

/** The figure labelled exactly "Tasks" (not "Cost per task" or "Local / cloud (tasks)"). */
const tasksFigure = (page: Page) => page.locator(".figure").filter({ has: page.locator(".label", { hasText: /^Tasks$/ }) }).locator(".value");

/** [days ago, executor, repository, agent type, outcome, cost, duration in minutes] */
const RUNS: [number, "local" | "cloud", string | null, string | null, string, number, number | null][] = [
  [0, "cloud", "web", "builder", "succeeded", 1.25, 12],
  [0, "local", "web", "debugger", "failed", 0.05, 3],
  [2, "local", "api", "builder", "succeeded", 0.4, 0.5],
  [5, "cloud", 'acme, "the" <site>', "scoper", "succeeded", 2.5, 45],
  [6, "local", null, null, "stopped", 0, null],
  [12, "cloud", "api", "builder", "timed_out", 3, 150],
  [20, "local", "web", "debugger", "succeeded", 0.2, 25],
  [29, "cloud", "docs", "builder", "failed", 0.75, 80],
  [45, "local", "docs", "builder", "succeeded", 0.3, 7],
  [88, "cloud", "web", "scoper", "succeeded", 4, 18],
];

const sqlText = (value: string | null) => (value === null ? "NULL" : `'${value.replace(/'/g, "''")}'`);

beforeAll(async () => {
  h = await startBrowserHarness();
  const today = Math.floor(Date.now() / DAY);
  const rows = RUNS.map(([daysAgo, executor, repository, agentType, outcome, cost, minutes], i) => {
    const startedAt = (today - daysAgo) * DAY + 30 * MIN;
    const duration = minutes === null ? null : Math.round(minutes * MIN);
    return `('analytics-run-${i}:1:0', ${sqlText(h.org!.organizationId)}, 'analytics-session-${i}', ${sqlText(repository)}, '${executor}', ${sqlText(agentType)}, ${startedAt}, ${
      duration === null ? "NULL" : startedAt + duration
    }, ${duration ?? "NULL"}, '${outcome}', ${cost}, 0)`;
  });
  await h.sql(
    `INSERT INTO execution_metrics (id, workspace_id, session_id, repository_name, executor, agent_type, started_at, ended_at, duration_ms, outcome, cost_usd, cost_estimated) VALUES ${rows.join(", ")}`,
  );
}, 180_000);

afterAll(async () => {
  await h?.close();
});

/** Waits until charts.js has drawn every chart of the page, and answers each chart's canvas width. */
async function drawnCharts(page: Page): Promise<Record<string, number>> {
  await page.locator('[data-chart][data-drawn="true"]').nth(CHARTS.length - 1).waitFor();
  const widths: Record<string, number> = {};
  for (const chart of CHARTS) {
    const canvas = page.locator(`[data-chart="${chart}"] .uplot canvas`);
    expect(await canvas.count(), `${chart} has one canvas`).toBe(1);
    widths[chart] = (await canvas.boundingBox())?.width ?? 0;
    expect(widths[chart], `${chart} is drawn at a real width`).toBeGreaterThan(200);
  }
  return widths;
}

it("draws the five charts from the seeded runs, under the CSP, with no console error", async () => {
  const page = await h.newPage();
  await h.signInWithKey(page, { next: "/analytics?days=90" });
  expect(new URL(page.url()).pathname).toBe("/analytics");
  const before = await drawnCharts(page);

  // The figures and the legends say what was seeded.
  expect(await tasksFigure(page).textContent()).toBe(String(RUNS.length));
  expect(await page.locator('[data-chart="repositories"] .u-legend').textContent()).toContain("Cost");
  expect(await page.locator('[data-chart="executors"] .u-legend').textContent()).toContain("Share of tasks");
  // The numbers under a chart, for those who cannot see it.
  await page.locator("#chart-repositories details summary").click();
  expect(await page.locator("#chart-repositories details table").textContent()).toContain('acme, "the" <site>');
  await h.screenshot(page, "analytics-90-days");

  // The charts follow the page's width.
  await page.setViewportSize({ width: 700, height: 900 });
  await expect.poll(async () => (await drawnCharts(page)).cost).toBeLessThan(before.cost!);
  await h.expectNoProblems(page);
}, 60_000);

it("switches between 7, 30 and 90 days through its links", async () => {
  const page = await h.newPage();
  await h.signInWithKey(page, { next: "/analytics" });
  await drawnCharts(page);
  expect(await tasksFigure(page).textContent()).toBe(String(RUNS.filter(([d]) => d < 30).length));

  await Promise.all([page.waitForURL(/days=7/), page.getByRole("button", { name: "7 days" }).click()]);
  await drawnCharts(page);
  expect(await tasksFigure(page).textContent()).toBe(String(RUNS.filter(([d]) => d < 7).length));
  expect(await page.locator('a[aria-current="page"]', { hasText: "7 days" }).count()).toBe(1);
  await h.expectNoProblems(page);
  await h.screenshot(page, "analytics-7-days");
}, 60_000);

it("downloads the period's cost report as CSV with the panel's cookie", async () => {
  const page = await h.newPage();
  await h.signInWithKey(page, { next: "/analytics?days=7" });
  await drawnCharts(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^cyrus-cost-report-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await download.path(), "utf8").split("\r\n").slice(0, -1);
  expect(lines[0]).toBe("date,tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd");
  expect(lines).toHaveLength(1 + 7);
  // Today: the $1.25 cloud run that succeeded and the $0.05 local one that failed.
  expect(lines[7]).toMatch(/^\d{4}-\d{2}-\d{2},2,1,1,0,0,1\.3000,0\.0000$/);
  await h.expectNoProblems(page);
}, 60_000);
