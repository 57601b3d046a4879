/**
 * Hybrid-parallel runs as the API and the panel read them from the D1 mirror
 * (rows seeded straight into `parallel_runs` and `agent_sessions`, as the
 * parent's IssueSession writes them): `GET /api/sessions/:id` (`parallel`,
 * `parentSessionId`, `parent`), `GET /api/stats` (`parallel` averages), the
 * session page's plan tree and its live stream, a child's link to its parent,
 * and the analytics page's "Parallel runs". A neighbour workspace's rows must
 * never show; every expected figure is worked out here by hand.
 */
import { describe, expect, it } from "vitest";
import type { ParallelFiguresRecord, ParallelRunItem, ParallelValidation } from "../../src/db/schema";
import { panelPage, signedIn } from "./panel-session-support";
import { api, edgeFetch, env, seededWorkspace } from "./support";

const MIN = 60_000;
const DAY = 86_400_000;

interface SessionSeed {
  id: string;
  workspaceId: string;
  issueId: string;
  identifier: string;
  title: string;
  status: string;
  parentSessionId?: string | null;
  createdAt: number;
  endedAt?: number | null;
}

async function seedSessions(sessions: SessionSeed[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO agent_sessions (id, workspace_id, issue_id, issue_identifier, issue_title, repository_name, status, executor, created_at, updated_at, ended_at, parent_session_id)
     VALUES (?, ?, ?, ?, ?, 'web', ?, 'cloud', ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    sessions.map((s) => insert.bind(s.id, s.workspaceId, s.issueId, s.identifier, s.title, s.status, s.createdAt, s.endedAt ?? s.createdAt, s.endedAt ?? null, s.parentSessionId ?? null)),
  );
}

interface RunSeed {
  sessionId: string;
  workspaceId: string;
  status: string;
  source?: string;
  items: ParallelRunItem[];
  validation?: ParallelValidation | null;
  figures?: ParallelFiguresRecord | null;
  createdAt: number;
  updatedAt?: number;
  endedAt?: number | null;
}

async function seedRuns(runs: RunSeed[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO parallel_runs (session_id, workspace_id, status, source, items, validation, figures, created_at, updated_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    runs.map((r) =>
      insert.bind(
        r.sessionId,
        r.workspaceId,
        r.status,
        r.source ?? "sub-issues",
        JSON.stringify(r.items),
        r.validation ? JSON.stringify(r.validation) : null,
        r.figures ? JSON.stringify(r.figures) : null,
        r.createdAt,
        r.updatedAt ?? r.createdAt,
        r.endedAt ?? null,
      ),
    ),
  );
}

const item = (key: string, fields: Partial<ParallelRunItem> = {}): ParallelRunItem => ({
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

const figures = (f: Partial<ParallelFiguresRecord>): ParallelFiguresRecord => ({
  children: 3,
  wallMs: 0,
  childMsSum: 0,
  criticalPathMs: 0,
  criticalPath: [],
  peakConcurrency: 0,
  speedup: null,
  ...f,
});

/**
 * A parent running the design's example: A (done, with a PR) and B (failed
 * once, running again) side by side, C after both. A reported its own session;
 * B's session is in the mirror but the plan does not name it yet; C has not
 * started. A neighbour workspace has a session claiming the same parent.
 */
async function runningParent() {
  const ws = await seededWorkspace("Parallel");
  const other = await seededWorkspace("Parallel neighbour");
  const t0 = Date.now() - 40 * MIN;
  const id = (name: string) => `${name}-${crypto.randomUUID()}`;
  const parent = id("parent");
  const childA = id("child-a");
  const childB = id("child-b");
  const plain = id("plain");
  await seedSessions([
    { id: parent, workspaceId: ws, issueId: "issue-p", identifier: "ENG-10", title: "Checkout revamp", status: "active", createdAt: t0 },
    { id: childA, workspaceId: ws, issueId: "issue-a", identifier: "ENG-11", title: "API endpoint", status: "complete", parentSessionId: parent, createdAt: t0 + MIN, endedAt: t0 + 31 * MIN },
    { id: childB, workspaceId: ws, issueId: "issue-b", identifier: "ENG-12", title: "Form", status: "active", parentSessionId: parent, createdAt: t0 + MIN },
    { id: plain, workspaceId: ws, issueId: "issue-x", identifier: "ENG-99", title: "Plain", status: "complete", createdAt: t0 },
    { id: id("intruder"), workspaceId: other, issueId: "issue-c", identifier: "OTH-1", title: "Not ours", status: "active", parentSessionId: parent, createdAt: t0 },
  ]);
  const items = [
    item("a", { title: "API endpoint", issueId: "issue-a", identifier: "ENG-11", status: "succeeded", attempts: 1, startedAt: t0 + MIN, endedAt: t0 + 31 * MIN, agentSessionId: childA, pullRequests: ["https://github.com/acme/web/pull/1"] }),
    item("b", { title: "Form", issueId: "issue-b", identifier: "ENG-12", status: "running", attempts: 2, reason: "tests failed on the first attempt", startedAt: t0 + MIN }),
    item("c", { title: "Wire up", issueId: "issue-c", identifier: "ENG-13", dependsOn: ["a", "b"] }),
  ];
  await seedRuns([{ sessionId: parent, workspaceId: ws, status: "running", items, validation: { status: "pending", verdict: null }, createdAt: t0, updatedAt: t0 + 2 * MIN }]);
  return { ws, other, parent, childA, childB, plain, t0, items };
}

interface DetailBody {
  session: { id: string; parentSessionId: string | null };
  parallel: null | {
    status: string;
    source: string;
    items: Array<Record<string, unknown> & { key: string; session: { id: string; status: string } | null }>;
    validation: ParallelValidation | null;
    figures: ParallelFiguresRecord | null;
    endedAt: string | null;
  };
  parent: null | { id: string; issueIdentifier: string | null; status: string };
}

describe("GET /api/sessions/:id for hybrid-parallel runs", () => {
  it("gives a parent its plan with each sub-task's child session, and a child its parent", async () => {
    const { ws, parent, childA, childB, plain, t0 } = await runningParent();
    const body = await (await api(`/api/sessions/${parent}?workspace=${ws}`)).json<DetailBody>();
    expect(body.session.parentSessionId).toBeNull();
    expect(body.parent).toBeNull();
    expect(body.parallel).toMatchObject({ status: "running", source: "sub-issues", validation: { status: "pending", verdict: null }, figures: null, endedAt: null });
    expect(body.parallel!.items).toEqual([
      {
        key: "a",
        title: "API endpoint",
        issueId: "issue-a",
        identifier: "ENG-11",
        dependsOn: [],
        status: "succeeded",
        attempts: 1,
        reason: null,
        startedAt: new Date(t0 + MIN).toISOString(),
        endedAt: new Date(t0 + 31 * MIN).toISOString(),
        durationMs: 30 * MIN,
        agentSessionId: childA,
        session: { id: childA, status: "complete", executor: "cloud" },
        pullRequests: ["https://github.com/acme/web/pull/1"],
        onCriticalPath: false,
      },
      // Not named by the plan yet: found by its issue among the parent's children.
      expect.objectContaining({ key: "b", status: "running", attempts: 2, reason: "tests failed on the first attempt", durationMs: null, agentSessionId: childB, session: { id: childB, status: "active", executor: "cloud" } }),
      // The neighbour's session for the same issue and parent is never joined.
      expect.objectContaining({ key: "c", dependsOn: ["a", "b"], status: "pending", attempts: 0, startedAt: null, agentSessionId: null, session: null }),
    ]);

    const child = await (await api(`/api/sessions/${childA}?workspace=${ws}`)).json<DetailBody>();
    expect(child.session.parentSessionId).toBe(parent);
    expect(child.parent).toEqual({ id: parent, issueIdentifier: "ENG-10", issueTitle: "Checkout revamp", status: "active" });
    expect(child.parallel).toBeNull();

    const ordinary = await (await api(`/api/sessions/${plain}?workspace=${ws}`)).json<DetailBody>();
    expect([ordinary.parallel, ordinary.parent, ordinary.session.parentSessionId]).toEqual([null, null, null]);
  });

  it("shows a finished run's validation and figures, its critical path marked", async () => {
    const ws = await seededWorkspace("Parallel done");
    const parent = `parent-${crypto.randomUUID()}`;
    const t0 = Date.now() - DAY;
    await seedSessions([{ id: parent, workspaceId: ws, issueId: "issue-p", identifier: "ENG-20", title: "Done", status: "complete", createdAt: t0, endedAt: t0 + 60 * MIN }]);
    const f = figures({ children: 3, wallMs: 55 * MIN, childMsSum: 80 * MIN, criticalPathMs: 50 * MIN, criticalPath: ["a", "c"], peakConcurrency: 2, speedup: 80 / 55 });
    await seedRuns([
      {
        sessionId: parent,
        workspaceId: ws,
        status: "complete",
        source: "proposal",
        items: [item("a", { status: "succeeded" }), item("b", { status: "succeeded" }), item("c", { status: "succeeded", dependsOn: ["a", "b"] })],
        validation: { status: "passed", verdict: "All three PRs meet the criteria; tests pass." },
        figures: f,
        createdAt: t0,
        updatedAt: t0 + 60 * MIN,
        endedAt: t0 + 60 * MIN,
      },
    ]);
    const body = await (await api(`/api/sessions/${parent}?workspace=${ws}`)).json<DetailBody>();
    expect(body.parallel).toMatchObject({ status: "complete", source: "proposal", validation: { status: "passed", verdict: "All three PRs meet the criteria; tests pass." }, figures: f, endedAt: new Date(t0 + 60 * MIN).toISOString() });
    expect(body.parallel!.items.map((i) => [i.key, i.onCriticalPath])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
  });
});

describe("GET /api/stats parallel", () => {
  it("averages the parents that completed in the period, and only those", async () => {
    const ws = await seededWorkspace("Parallel stats");
    const other = await seededWorkspace("Parallel stats neighbour");
    const now = Date.now();
    const run = (workspaceId: string, status: string, endedAt: number | null, f: Partial<ParallelFiguresRecord> | null): RunSeed => ({
      sessionId: `parent-${crypto.randomUUID()}`,
      workspaceId,
      status,
      items: [],
      figures: f ? figures(f) : null,
      createdAt: (endedAt ?? now) - HOUR,
      endedAt,
    });
    const HOUR = 60 * MIN;
    await seedRuns([
      run(ws, "complete", now - DAY, { wallMs: 40 * MIN, childMsSum: 80 * MIN, criticalPathMs: 40 * MIN, peakConcurrency: 2, speedup: 2 }),
      run(ws, "complete", now - 2 * DAY, { wallMs: 60 * MIN, childMsSum: 90 * MIN, criticalPathMs: 50 * MIN, peakConcurrency: 3, speedup: 1.5 }),
      // Not counted: failed, stopped, still running, ended before the week, no figures, another workspace's.
      run(ws, "error", now - DAY, { wallMs: 5 * MIN, childMsSum: 5 * MIN, peakConcurrency: 1, speedup: 1 }),
      run(ws, "stopped", now - DAY, { wallMs: 5 * MIN, childMsSum: 1 * MIN, peakConcurrency: 1, speedup: 0.2 }),
      run(ws, "running", null, { wallMs: 5 * MIN, childMsSum: 10 * MIN, peakConcurrency: 5, speedup: 2 }),
      run(ws, "complete", now - 8 * DAY, { wallMs: 500 * MIN, childMsSum: 500 * MIN, peakConcurrency: 1, speedup: 1 }),
      run(ws, "complete", now - DAY, null),
      run(other, "complete", now - DAY, { wallMs: 1 * MIN, childMsSum: 9 * MIN, peakConcurrency: 9, speedup: 9 }),
    ]);
    const stats = await (await api(`/api/stats?workspace=${ws}&period=week`)).json<{ parallel: Record<string, unknown> }>();
    expect(stats.parallel).toEqual({ parents: 2, avgWallMs: 50 * MIN, avgChildMsSum: 85 * MIN, avgCriticalPathMs: 45 * MIN, avgPeakConcurrency: 2.5, avgSpeedup: 1.75 });

    const empty = await (await api(`/api/stats?workspace=${ws}&period=day&end=${new Date(now - 20 * DAY).toISOString()}`)).json<{ parallel: Record<string, unknown> }>();
    expect(empty.parallel).toEqual({ parents: 0, avgWallMs: null, avgChildMsSum: null, avgCriticalPathMs: null, avgPeakConcurrency: null, avgSpeedup: null });

    // The analytics page shows the same averages over its 30 days (the run of 8 days ago counts there).
    const user = await signedIn({ kind: "admin_key" });
    const analytics = await panelPage(user, `/analytics?workspace=${ws}`);
    expect(analytics.status).toBe(200);
    const section = /<section aria-labelledby="parallel-runs"[^>]*>(.*?)<\/section>/s.exec(analytics.html)![1]!;
    const figure = (label: string) => new RegExp(`<span class="value">([^<]*)</span><span class="label">${label}</span>`).exec(section)?.[1];
    expect(figure("Parents completed")).toBe("3");
    expect(figure("Average wall time")).toBe("3 h 20 min"); // (40 + 60 + 500) / 3 min
    expect(figure("Average peak concurrency")).toBe("2");
    expect(figure("Average speedup")).toBe("1.5×"); // (2 + 1.5 + 1) / 3

    // The overview's last 7 days say it in a line.
    const overview = await panelPage(user, `/?workspace=${ws}`);
    expect(overview.html).toMatch(/<p data-parallel-week="true">Parallel runs: <strong>2<\/strong> completed, [\d.]+× faster on average than one after another \(50 min 0 s instead of 1 h 25 min\)/);
  });
});

/** The plan tree as indented lines of sub-task keys, read from the page's nested lists. */
function treeLines(html: string): string[] {
  const tree = /<ul class="plan-tree" data-plan-tree="true">(.*)<div class="plan-validation"/s.exec(html)?.[1] ?? "";
  const lines: string[] = [];
  let level = -1;
  for (const token of tree.matchAll(/<ul[\s>]|<\/ul>|data-plan-item="([^"]+)"/g)) {
    if (token[0].startsWith("<ul")) level++;
    else if (token[0] === "</ul>") level--;
    else lines.push(`${"  ".repeat(level + 1)}${token[1]}`);
  }
  return lines;
}

const planItem = (html: string, key: string) => new RegExp(`<li data-plan-item="${key}"[^>]*>(.*?)(?=<li data-plan-item|</ul>)`, "s").exec(html)?.[1] ?? "";

describe("the session page of a hybrid-parallel run", () => {
  it("draws the plan as a tree with each sub-task's state, follows it live, and a child links back", async () => {
    const { ws, parent, childA, childB } = await runningParent();
    const user = await signedIn({ kind: "admin_key" });
    const { status, html } = await panelPage(user, `/sessions/${parent}?workspace=${ws}`);
    expect(status).toBe(200);
    expect(treeLines(html)).toEqual(["a", "  c", "b"]);
    const a = planItem(html, "a");
    expect(a).toContain('<span class="badge succeeded">succeeded</span>');
    expect(a).toContain(`<a href="/sessions/${childA}?workspace=${ws}" data-plan-child="true">ENG-11</a> API endpoint`);
    expect(a).toContain("30 min 0 s");
    expect(a).toContain('<a href="https://github.com/acme/web/pull/1" rel="noopener noreferrer" target="_blank">acme/web/pull/1</a>');
    const b = planItem(html, "b");
    expect(b).toContain(`<a href="/sessions/${childB}?workspace=${ws}" data-plan-child="true">ENG-12</a> Form`);
    expect(b).toContain("attempt 2");
    expect(b).toContain("tests failed on the first attempt");
    expect(b).toMatch(/started <time datetime="[^"]+" data-relative="true">/);
    const c = planItem(html, "c");
    expect(c).toContain("<strong>ENG-13</strong> Wire up"); // no session yet: no link
    expect(c).toContain("after ENG-12");
    expect(html).toMatch(/<div class="plan-validation" data-plan-validation="true"><strong>Validation<\/strong> <span class="badge pending">pending<\/span> waits for every sub-task/);
    expect(html).toContain("The figures come as the sub-tasks finish.");
    expect(html).toContain(`data-live-source="/live/sessions/${parent}/plan?workspace=${ws}"`);

    const child = await panelPage(user, `/sessions/${childA}?workspace=${ws}`);
    expect(child.html).toContain(`<p data-parent-session="true">Part of the parallel run of <a href="/sessions/${parent}?workspace=${ws}">ENG-10</a>: Checkout revamp`);
    expect(child.html).not.toContain("data-plan-tree");
  });

  it("shows a finished run's validation and figures, and no longer follows it", async () => {
    const ws = await seededWorkspace("Parallel page done");
    const parent = `parent-${crypto.randomUUID()}`;
    const t0 = Date.now() - DAY;
    await seedSessions([{ id: parent, workspaceId: ws, issueId: "issue-p", identifier: "ENG-30", title: "Done", status: "error", createdAt: t0, endedAt: t0 + 60 * MIN }]);
    await seedRuns([
      {
        sessionId: parent,
        workspaceId: ws,
        status: "error",
        items: [
          item("a", { identifier: "ENG-31", status: "failed", attempts: 2, reason: "build broke twice" }),
          item("b", { identifier: "ENG-32", status: "canceled", dependsOn: ["a"], reason: "ENG-31 failed" }),
        ],
        validation: { status: "failed", verdict: "Nothing to validate: ENG-31 failed." },
        figures: figures({ children: 1, wallMs: 20 * MIN, childMsSum: 18 * MIN, criticalPathMs: 18 * MIN, criticalPath: ["a"], peakConcurrency: 1, speedup: 0.9 }),
        createdAt: t0,
        endedAt: t0 + 60 * MIN,
      },
    ]);
    const user = await signedIn({ kind: "admin_key" });
    const { html } = await panelPage(user, `/sessions/${parent}?workspace=${ws}`);
    expect(treeLines(html)).toEqual(["a", "  b"]);
    expect(planItem(html, "a")).toContain('<p class="plan-reason notice error">build broke twice</p>');
    expect(planItem(html, "a")).toContain('<span class="badge plan-critical">critical path</span>');
    expect(planItem(html, "b")).toContain('<span class="badge canceled">canceled</span>');
    expect(html).toContain("Nothing to validate: ENG-31 failed.");
    const figure = (label: string) => new RegExp(`<span class="value">([^<]*)</span><span class="label">${label}</span>`).exec(html)?.[1];
    expect([figure("Wall time"), figure("Sum of child times"), figure("Critical path"), figure("Peak concurrency"), figure("Speedup")]).toEqual(["20 min 0 s", "18 min 0 s", "18 min 0 s", "1", "0.9×"]);
    expect(html).toContain("Critical path: ENG-31.");
    expect(html).not.toContain("data-live-source");

    // Its live stream, opened anyway, sends the plan once and says it has ended.
    const stream = await edgeFetch(`/live/sessions/${parent}/plan?workspace=${ws}`, { headers: { cookie: user.cookie } });
    expect(stream.status).toBe(200);
    const text = await stream.text();
    expect(text).toMatch(/^event: plan\ndata: .*data-plan-item="a"/s);
    expect(text.trimEnd().endsWith("event: end\ndata: error")).toBe(true);
  });

  it("sends the plan again over its live stream when the mirror changes", async () => {
    const { ws, parent, items, t0 } = await runningParent();
    const user = await signedIn({ kind: "admin_key" });
    const response = await edgeFetch(`/live/sessions/${parent}/plan?workspace=${ws}`, { headers: { cookie: user.cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    /** Reads until a whole `plan` event has arrived; answers its HTML. */
    const nextPlan = async (): Promise<string> => {
      for (;;) {
        const match = /event: plan\n((?:data: .*\n)+)\n/.exec(buffer);
        if (match) {
          buffer = buffer.slice(match.index + match[0].length);
          return match[1]!.replace(/^data: /gm, "");
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended: ${buffer}`);
        buffer += decoder.decode(value, { stream: true });
      }
    };
    const first = await nextPlan();
    expect(first).toContain('data-plan-item="b" data-status="running"');

    const changed = items.map((i) => (i.key === "b" ? { ...i, status: "succeeded" as const, endedAt: t0 + 35 * MIN, pullRequests: ["https://github.com/acme/web/pull/2"] } : i));
    await env.DB.prepare("UPDATE parallel_runs SET items = ?, updated_at = ? WHERE session_id = ?").bind(JSON.stringify(changed), Date.now(), parent).run();
    const second = await nextPlan();
    expect(second).toContain('data-plan-item="b" data-status="succeeded"');
    expect(second).toContain("The figures come as the sub-tasks finish.");
    // The mirror writes figures while the run goes on: its wall time is so far.
    await env.DB.prepare("UPDATE parallel_runs SET figures = ?, updated_at = ? WHERE session_id = ?")
      .bind(JSON.stringify(figures({ wallMs: 36 * MIN, childMsSum: 64 * MIN, criticalPathMs: 34 * MIN, criticalPath: ["b"], peakConcurrency: 2, speedup: 64 / 36 })), Date.now() + 1, parent)
      .run();
    const third = await nextPlan();
    expect(third).toContain('<span class="value">36 min 0 s</span><span class="label">Wall time so far</span>');
    expect(third).toContain('<span class="value">1.8×</span><span class="label">Speedup</span>');
    expect(second).toContain("acme/web/pull/2");
    await reader.cancel();
  });

  it("has no live plan for a session without one, nor for another workspace's run", async () => {
    const { ws, other, parent, plain } = await runningParent();
    const user = await signedIn({ kind: "admin_key" });
    expect((await edgeFetch(`/live/sessions/${plain}/plan?workspace=${ws}`, { headers: { cookie: user.cookie } })).status).toBe(404);
    expect((await edgeFetch(`/live/sessions/${parent}/plan?workspace=${other}`, { headers: { cookie: user.cookie } })).status).toBe(404);
    const page = await panelPage(user, `/sessions/${plain}?workspace=${ws}`);
    expect(page.html).not.toContain("Parallel plan");
  });
});
