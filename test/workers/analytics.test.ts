/**
 * The analytics page (/analytics), the cost report as CSV and the duration
 * histogram query, against runs seeded straight into D1 relative to today.
 * Every expected figure is worked out here from the seeded rows with plain
 * array arithmetic, never by the code under test; a noisy neighbour
 * workspace's runs must never show.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { durationBucketsSql, durationHistogram } from "../../src/db/queries/duration-histogram";
import { duration, percent, usd } from "../../workers/panel/components/format";
import { api, edgeFetch, env, seededWorkspace } from "./support";

const DAY = 86_400_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

interface Run {
  workspaceId: string;
  /** Days before today (UTC); the run starts at 00:30 that day. */
  daysAgo: number;
  executor: "local" | "cloud";
  repository: string | null;
  agentType: string | null;
  outcome: "succeeded" | "failed" | "stopped" | "timed_out";
  costUsd: number;
  durationMs: number | null;
}

const today = () => Math.floor(Date.now() / DAY);
const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
const sumCost = (runs: Run[]) => round4(runs.reduce((total, run) => total + run.costUsd, 0));

async function seed(runs: Run[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO execution_metrics (id, workspace_id, session_id, repository_name, executor, agent_type, started_at, ended_at, duration_ms, outcome, cost_usd, cost_estimated)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const base = today();
  await env.DB.batch(
    runs.map((run) => {
      const startedAt = (base - run.daysAgo) * DAY + 30 * MIN;
      return insert.bind(
        `${crypto.randomUUID()}:1:0`,
        run.workspaceId,
        `session-${crypto.randomUUID()}`,
        run.repository,
        run.executor,
        run.agentType,
        startedAt,
        run.durationMs === null ? null : startedAt + run.durationMs,
        run.durationMs,
        run.outcome,
        run.costUsd,
      );
    }),
  );
}

/** A repository name that would end the JSON block early and break a CSV row, were either written carelessly. */
const TRICKY_REPO = `</script><script>alert("x")</script>, "quoted"`;

/** Runs across 100 days: some in the last 7, more in 30, more in 90, some older; and a neighbour's. */
async function seededHistory() {
  const ws = await seededWorkspace("Analytics");
  const other = await seededWorkspace("Analytics neighbour");
  const run = (daysAgo: number, fields: Partial<Run>): Run => ({
    workspaceId: ws,
    daysAgo,
    executor: "local",
    repository: "web",
    agentType: "builder",
    outcome: "succeeded",
    costUsd: 0.1,
    durationMs: 2 * MIN,
    ...fields,
  });
  const runs: Run[] = [
    run(0, { executor: "cloud", costUsd: 1.25, durationMs: 30_000 }),
    run(0, { executor: "local", costUsd: 0.05, durationMs: 10 * MIN, agentType: "debugger", outcome: "failed" }),
    run(3, { executor: "cloud", costUsd: 2.5, durationMs: 45 * MIN, repository: TRICKY_REPO }),
    run(6, { executor: "local", costUsd: 0.2, durationMs: null, repository: null, agentType: null, outcome: "stopped" }),
    run(7, { executor: "cloud", costUsd: 3, durationMs: 3 * HOUR, repository: "api", outcome: "timed_out" }),
    run(15, { executor: "local", costUsd: 0.4, durationMs: 20 * MIN, repository: "api", agentType: "debugger" }),
    run(29, { executor: "cloud", costUsd: 0.75, durationMs: 90 * MIN, agentType: "scoper", outcome: "failed" }),
    run(30, { executor: "local", costUsd: 0.6, durationMs: 59_999, repository: "docs" }),
    run(60, { executor: "cloud", costUsd: 5, durationMs: 4 * MIN, repository: "docs", agentType: "scoper" }),
    run(89, { executor: "local", costUsd: 0.3, durationMs: 5 * MIN, repository: "api" }),
    run(90, { executor: "cloud", costUsd: 100, durationMs: MIN, repository: "ancient" }),
    run(99, { executor: "local", costUsd: 200, durationMs: MIN, repository: "ancient" }),
  ];
  const neighbour: Run[] = [
    { ...run(1, { repository: "neighbour-secret-repo", agentType: "neighbour-agent", costUsd: 1000, executor: "cloud" }), workspaceId: other },
    { ...run(40, { repository: "neighbour-secret-repo", costUsd: 2000 }), workspaceId: other },
  ];
  await seed([...runs, ...neighbour]);
  return { ws, other, runs };
}

async function signIn(): Promise<string> {
  const response = await edgeFetch("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ key: "test-api-key", next: "/analytics" }),
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  const cookie = /cyrus_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  expect(cookie).toBeTruthy();
  return `cyrus_session=${cookie}`;
}

async function page(path: string, cookie: string): Promise<{ status: number; html: string; response: Response }> {
  const response = await edgeFetch(path, { headers: { cookie }, redirect: "manual" });
  return { status: response.status, html: await response.text(), response };
}

function chartData(html: string): any {
  const match = /<script type="application\/json" id="chart-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match, "the page has its chart data block").not.toBeNull();
  return JSON.parse(match![1]!);
}

/** The bin a duration falls in, by the page's edges written out by hand: 1, 5, 15, 30, 60, 120 min. */
function binOf(ms: number): number {
  const edges = [1 * MIN, 5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, 120 * MIN];
  const index = edges.findIndex((edge) => ms < edge);
  return index === -1 ? edges.length : index;
}

/** Nearest rank, as the stats define p50 and p95. */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** `<span class="value">…</span><span class="label">label</span>` as the page shows a figure. */
function figure(html: string, label: string): string | undefined {
  const escaped = label.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`<span class="value">([^<]*)</span><span class="label">${escaped}</span>`).exec(html)?.[1];
}

const unescapeHtml = (text: string) => text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describe("GET /analytics", () => {
  it.each([7, 30, 90])("draws the last %i days of the workspace's runs from the reports", async (days) => {
    const { ws, runs } = await seededHistory();
    const cookie = await signIn();
    const { status, html, response } = await page(`/analytics?days=${days}&workspace=${ws}`, cookie);
    expect(status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");

    const inPeriod = runs.filter((r) => r.daysAgo < days);
    const data = chartData(html);
    const first = today() - (days - 1);
    expect(data.period).toEqual({ days, from: isoDay(first), to: isoDay(today()) });

    // Cost per day: every day of the period, oldest first, zeros included.
    expect(data.costByDay.dates).toHaveLength(days);
    expect(data.costByDay.dates[0]).toBe(isoDay(first));
    expect(data.costByDay.dates.at(-1)).toBe(isoDay(today()));
    const perDay = Array.from({ length: days }, (_, i) => inPeriod.filter((r) => r.daysAgo === days - 1 - i));
    expect(data.costByDay.costUsd).toEqual(perDay.map(sumCost));
    expect(data.costByDay.tasks).toEqual(perDay.map((r) => r.length));

    // Local vs cloud.
    const local = inPeriod.filter((r) => r.executor === "local");
    const cloud = inPeriod.filter((r) => r.executor === "cloud");
    expect(data.executors.tasks).toEqual([local.length, cloud.length]);
    expect(data.executors.costUsd).toEqual([sumCost(local), sumCost(cloud)]);
    expect(data.executors.taskShare[0]).toBeCloseTo(local.length / inPeriod.length, 4);
    expect(data.executors.costShare[1]).toBeCloseTo(sumCost(cloud) / sumCost(inPeriod), 4);

    // Durations: runs per bin; a run with no duration is in none.
    const timed = inPeriod.filter((r) => r.durationMs !== null);
    const bins = [0, 0, 0, 0, 0, 0, 0];
    for (const r of timed) bins[binOf(r.durationMs!)]!++;
    expect(data.durations.runs).toEqual(bins);
    expect(data.durations.labels).toEqual(["under 1 min", "1–5 min", "5–15 min", "15–30 min", "30–60 min", "1–2 h", "2 h or more"]);

    // Success rate by agent type (any order; the report's is by cost).
    const types = [...new Set(inPeriod.map((r) => r.agentType))];
    const byType = Object.fromEntries(
      types.map((type) => {
        const of = inPeriod.filter((r) => r.agentType === type);
        const succeeded = of.filter((r) => r.outcome === "succeeded").length;
        return [type ?? "(none)", { tasks: of.length, succeeded, failed: of.filter((r) => r.outcome === "failed").length, rate: round4(succeeded / of.length) }];
      }),
    );
    const shown = Object.fromEntries(
      data.agentTypes.labels.map((label: string, i: number) => [
        label,
        { tasks: data.agentTypes.tasks[i], succeeded: data.agentTypes.succeeded[i], failed: data.agentTypes.failed[i], rate: data.agentTypes.successRate[i] },
      ]),
    );
    expect(shown).toEqual(byType);

    // Cost by repository, most expensive first.
    const repositories = [...new Set(inPeriod.map((r) => r.repository))]
      .map((name) => ({ name: name ?? "(no repository)", cost: sumCost(inPeriod.filter((r) => r.repository === name)) }))
      .sort((a, b) => b.cost - a.cost);
    expect(data.repositories.labels).toEqual(repositories.map((r) => r.name));
    expect(data.repositories.costUsd).toEqual(repositories.map((r) => r.cost));

    // The figures above the charts.
    const durations = timed.map((r) => r.durationMs!);
    expect(figure(html, "Tasks")).toBe(String(inPeriod.length));
    expect(figure(html, "Total cost")).toBe(usd(sumCost(inPeriod)));
    expect(figure(html, "Cost per task")).toBe(usd(round4(sumCost(inPeriod) / inPeriod.length)));
    expect(figure(html, "Success rate")).toBe(percent(round4(inPeriod.filter((r) => r.outcome === "succeeded").length / inPeriod.length)));
    expect(figure(html, "Duration p50")).toBe(duration(nearestRank(durations, 50)));
    expect(figure(html, "Duration p95")).toBe(duration(nearestRank(durations, 95)));
    expect(figure(html, "Local / cloud (tasks)")).toBe(`${percent(round4(local.length / inPeriod.length))} / ${percent(round4(cloud.length / inPeriod.length))}`);

    // The charts are there to draw, the library with them; the CSV link covers the same days.
    for (const chart of ["cost", "executors", "durations", "agent-types", "repositories"]) expect(html).toContain(`data-chart="${chart}"`);
    // uPlot first: deferred scripts run in document order.
    expect(html).toMatch(/<script src="\/assets\/vendor\/uplot\.min\.js" defer(="")?><\/script><script src="\/assets\/charts\.js" defer(="")?><\/script>/);
    expect(html).toContain('href="/assets/vendor/uplot.min.css"');
    expect(unescapeHtml(html)).toContain(`/api/cost-report?format=csv&from=${isoDay(first)}&to=${isoDay(today())}&workspace=${ws}`);
    expect(html).toMatch(new RegExp(`aria-current="page"[^>]*>${days} days<`));
  });

  it("keeps the data block inert: a repository name cannot end it, and no script runs inline", async () => {
    const { ws } = await seededHistory();
    const { html } = await page(`/analytics?days=7&workspace=${ws}`, await signIn());
    expect(chartData(html).repositories.labels).toContain(TRICKY_REPO);
    // The one <script> without src is the JSON block, and the name's </script> inside it is escaped.
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>/g)].map((m) => m[0]);
    expect(inline).toEqual(['<script type="application/json" id="chart-data">']);
    expect(html.match(/<\/script>/g)!.length).toBe(html.match(/<script/g)!.length);
    expect(html).not.toMatch(/\sstyle=/);
    // In the table under the chart, the name is text.
    expect(html).toContain("&lt;/script&gt;&lt;script&gt;alert(");
  });

  it("never shows another workspace's runs", async () => {
    const { ws } = await seededHistory();
    const { html } = await page(`/analytics?days=90&workspace=${ws}`, await signIn());
    expect(html).not.toMatch(/neighbour-secret-repo|neighbour-agent|\$1000|\$2000/);
  });

  it("says so in each chart's place when nothing ran, and ships no chart library", async () => {
    const ws = await seededWorkspace("Analytics empty");
    const { status, html } = await page(`/analytics?workspace=${ws}`, await signIn());
    expect(status).toBe(200);
    expect(chartData(html).costByDay.tasks).toHaveLength(30);
    expect(html).not.toContain("data-chart=");
    expect(html.match(/No task ran in these 30 days\./g)).toHaveLength(5);
    expect(html).not.toContain("uplot.min.js");
    expect(figure(html, "Tasks")).toBe("0");
    expect(figure(html, "Duration p50")).toBe("—");
    expect(figure(html, "Local / cloud (tasks)")).toBe("—");
  });

  it("says when runs have no duration yet, in the histogram's place only", async () => {
    const ws = await seededWorkspace("Analytics untimed");
    await seed([{ workspaceId: ws, daysAgo: 1, executor: "local", repository: "web", agentType: "builder", outcome: "stopped", costUsd: 0.1, durationMs: null }]);
    const { html } = await page(`/analytics?workspace=${ws}`, await signIn());
    expect(html).toContain("No run of these days has a duration recorded yet.");
    expect(html).not.toContain('data-chart="durations"');
    expect(html).toContain('data-chart="cost"');
  });

  it("shows 30 days, and says why, for a period it does not offer", async () => {
    const ws = await seededWorkspace("Analytics odd period");
    const { status, html } = await page(`/analytics?days=14&workspace=${ws}`, await signIn());
    expect(status).toBe(200);
    expect(chartData(html).period.days).toBe(30);
    expect(html).toContain("There is no 14-day period: showing 30 days (choose 7, 30 or 90).");
  });

  it("sends a signed-out visitor to /login", async () => {
    const response = await edgeFetch("/analytics?days=7", { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/analytics?days=7")}`);
  });
});

describe("GET /api/cost-report?format=csv", () => {
  const HEADER = "tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd";

  it("answers one row per day of the range, as a download", async () => {
    const { ws, runs } = await seededHistory();
    const from = isoDay(today() - 6);
    const to = isoDay(today());
    const response = await api(`/api/cost-report?format=csv&workspace=${ws}&from=${from}&to=${to}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="cyrus-cost-report-${from}-to-${to}.csv"`);
    const text = await response.text();
    expect(text.endsWith("\r\n")).toBe(true);
    const lines = text.split("\r\n").slice(0, -1);
    expect(lines[0]).toBe(`date,${HEADER}`);
    expect(lines).toHaveLength(1 + 7);
    for (let i = 0; i < 7; i++) {
      const daysAgo = 6 - i;
      const of = runs.filter((r) => r.daysAgo === daysAgo);
      const count = (outcome: Run["outcome"]) => of.filter((r) => r.outcome === outcome).length;
      expect(lines[1 + i]).toBe(
        [isoDay(today() - daysAgo), of.length, count("succeeded"), count("failed"), count("stopped"), count("timed_out"), sumCost(of).toFixed(4), "0.0000"].join(","),
      );
    }
    // By hand, for the two runs of today: a cloud run of $1.25 that succeeded and a local one of $0.05 that failed.
    expect(lines[7]).toBe(`${to},2,1,1,0,0,1.3000,0.0000`);
  });

  it("answers one row per group with groupBy, repository names quoted", async () => {
    const { ws, runs } = await seededHistory();
    const from = isoDay(today() - 29);
    const response = await api(`/api/cost-report?format=csv&groupBy=repository&workspace=${ws}&from=${from}`);
    expect(response.status).toBe(200);
    const lines = (await response.text()).split("\r\n").slice(0, -1);
    expect(lines[0]).toBe(`repository,${HEADER}`);
    const inPeriod = runs.filter((r) => r.daysAgo < 30);
    const tricky = inPeriod.filter((r) => r.repository === TRICKY_REPO);
    expect(lines).toContain(`"</script><script>alert(""x"")</script>, ""quoted""",${tricky.length},1,0,0,0,${sumCost(tricky).toFixed(4)},0.0000`);
    const none = inPeriod.filter((r) => r.repository === null);
    expect(lines).toContain(`,${none.length},0,0,1,0,${sumCost(none).toFixed(4)},0.0000`);
    expect(lines).toHaveLength(1 + new Set(inPeriod.map((r) => r.repository)).size);
  });

  it("works with the panel's cookie, no CSRF token needed for a GET", async () => {
    const { ws } = await seededHistory();
    const response = await edgeFetch(`/api/cost-report?format=csv&workspace=${ws}`, { headers: { cookie: await signIn() } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).split("\r\n").slice(0, -1);
    expect(lines).toHaveLength(1 + 30);
  });

  it("still answers JSON by default, and refuses a format it does not know", async () => {
    const { ws } = await seededHistory();
    const json = await api(`/api/cost-report?workspace=${ws}`);
    expect(json.headers.get("content-type")).toContain("application/json");
    expect((await json.json<{ groupBy?: string }>()).groupBy).toBeUndefined();
    const refused = await api(`/api/cost-report?format=xml&workspace=${ws}`);
    expect(refused.status).toBe(400);
    expect((await refused.json<{ error: string }>()).error).toMatch(/format/);
  });
});

describe("durationHistogram", () => {
  it("adds up the daily rollup's buckets over the days asked for, into the readable bins", async () => {
    const { ws, other, runs } = await seededHistory();
    const db = createDb(env.DB);
    for (const days of [1, 7, 30, 90, 100]) {
      const bins = await durationHistogram(db, { workspaceId: ws, fromDay: today() - (days - 1), toDay: today() });
      const expected = [0, 0, 0, 0, 0, 0, 0];
      for (const r of runs.filter((r) => r.daysAgo < days && r.durationMs !== null)) expected[binOf(r.durationMs!)]!++;
      expect(bins.map((bin) => bin.runs), `${days} days`).toEqual(expected);
    }
    // A window in the past, both ends inclusive: days 30 to 60 ago hold 59.999 s and 4 min.
    const past = await durationHistogram(db, { workspaceId: ws, fromDay: today() - 60, toDay: today() - 30 });
    expect(past.map((bin) => bin.runs)).toEqual([1, 1, 0, 0, 0, 0, 0]);
    const neighbour = await durationHistogram(db, { workspaceId: other, fromDay: today() - 89, toDay: today() });
    expect(neighbour.map((bin) => bin.runs)).toEqual([0, 2, 0, 0, 0, 0, 0]);
  });

  it("reads a range of one workspace's rollup rows by primary key, never a scan", async () => {
    const { sql, params } = new SQLiteAsyncDialect().sqlToQuery(durationBucketsSql({ workspaceId: "w", fromDay: 1, toDay: 90 }));
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail);
    expect(details.some((d) => /^SEARCH execution_durations_daily USING INDEX \S+ \(workspace_id=\? AND day>\? AND day<\?\)$/.test(d)), details.join("; ")).toBe(true);
    expect(details.filter((d) => d.startsWith("SCAN"))).toEqual([]);
  });
});
