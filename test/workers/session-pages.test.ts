/**
 * The panel's /sessions and /sessions/:id pages, rendered by the Worker from
 * rows seeded straight into D1 (workspaces of each test's own, beside another
 * workspace whose rows must never show): filters, pages, refused filters, the
 * session's summary, runs and timeline, and what the live script needs.
 */
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto/hash";
import { createDb } from "../../src/db/client";
import { insertPanelSession } from "../../src/db/queries/panel-sessions";
import { api, edgeFetch, env, seededWorkspace } from "./support";

/** A panel sign-in with the admin key, made as the edge makes one (a row keyed by the hash of the cookie's token). */
async function adminCookie(): Promise<string> {
  const token = `test-session-${crypto.randomUUID()}`;
  const now = Date.now();
  await insertPanelSession(createDb(env.DB), {
    id: await sha256Hex(token),
    kind: "admin_key",
    linearUserId: null,
    name: "Admin",
    email: null,
    organizationId: null,
    linearAdmin: true,
    csrfToken: `csrf-${crypto.randomUUID()}`,
    createdAt: now,
    expiresAt: now + 3_600_000,
  });
  return `cyrus_session=${token}`;
}

async function page(cookie: string, path: string): Promise<{ status: number; html: string; response: Response }> {
  const response = await edgeFetch(path, { headers: { cookie, accept: "text/html" }, redirect: "manual" });
  return { status: response.status, html: await response.text(), response };
}

interface SeedSession {
  id: string;
  status: string;
  executor?: string | null;
  repository?: string | null;
  createdAt: number;
  endedAt?: number | null;
  title?: string;
}

async function seedSessions(workspaceId: string, sessions: SeedSession[]) {
  const insert = env.DB.prepare(
    `INSERT INTO agent_sessions (id, workspace_id, issue_id, issue_identifier, issue_title, repository_name, status, executor, agent_type, complexity, created_at, updated_at, ended_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'builder', 'high', ?, ?, ?)`,
  );
  await env.DB.batch(
    sessions.map((s, i) =>
      insert.bind(s.id, workspaceId, `issue-${s.id}`, `ENG-${i + 1}`, s.title ?? `Issue ${i + 1}`, s.repository === undefined ? "web" : s.repository, s.status, s.executor ?? null, s.createdAt, s.createdAt, s.endedAt ?? null),
    ),
  );
}

const rowsOf = (html: string) => [...html.matchAll(/<a href="\/sessions\/([^"?]+)[^"]*">(ENG-\d+)<\/a>/g)].map((m) => m[2]);
const unescape = (s: string) => s.replace(/&amp;/g, "&");

describe("/sessions", () => {
  it("lists the workspace's sessions newest first, filters them, and pages with the cursor", async () => {
    const ws = await seededWorkspace("List");
    const other = await seededWorkspace("Other");
    const t0 = Date.parse("2026-08-01T10:00:00Z");
    const sessions: SeedSession[] = Array.from({ length: 55 }, (_, i) => ({
      id: `as-${crypto.randomUUID()}`,
      status: i % 5 === 0 ? "error" : "complete",
      executor: i % 2 === 0 ? "local" : "cloud",
      repository: i % 3 === 0 ? "api" : "web",
      createdAt: t0 + i * 60_000,
      endedAt: t0 + i * 60_000 + 30_000,
    }));
    await seedSessions(ws, sessions);
    await seedSessions(other, [{ id: `as-${crypto.randomUUID()}`, status: "complete", createdAt: t0, title: "Someone else's" }]);
    expect((await api(`/api/repositories?workspace=${ws}`, { method: "POST", body: JSON.stringify({ name: "web" }) })).status).toBe(201);
    const cookie = await adminCookie();

    const first = await page(cookie, `/sessions?workspace=${ws}`);
    expect(first.status).toBe(200);
    expect(rowsOf(first.html)).toEqual(Array.from({ length: 50 }, (_, i) => `ENG-${55 - i}`));
    expect(first.html).not.toContain("Someone else");
    // The repository select offers the workspace's repositories; every status is a choice.
    expect(first.html).toMatch(/<select name="repository">.*<option value="web">web<\/option>/s);
    for (const status of ["pending", "active", "awaiting_input", "ready", "complete", "error", "stopped"]) expect(first.html).toContain(`<option value="${status}">`);

    const next = unescape(/<a href="(\/sessions\?[^"]*cursor=[^"]+)" rel="next">/.exec(first.html)![1]!);
    const second = await page(cookie, next);
    expect(rowsOf(second.html)).toEqual(["ENG-5", "ENG-4", "ENG-3", "ENG-2", "ENG-1"]);
    expect(second.html).toContain(">First page</a>");
    expect(second.html).not.toContain('rel="next"');

    // A GET form sends blank fields: they mean "any".
    const filtered = await page(cookie, `/sessions?workspace=${ws}&status=error&executor=local&repository=&from=2026-08-01&to=`);
    const expected = sessions
      .map((s, i) => ({ ...s, identifier: `ENG-${i + 1}` }))
      .filter((s) => s.status === "error" && s.executor === "local")
      .reverse()
      .map((s) => s.identifier);
    expect(expected.length).toBeGreaterThan(0);
    expect(rowsOf(filtered.html)).toEqual(expected);
    expect(filtered.html).toMatch(/<option value="error" selected="">/);
  });

  it("says which filters cannot be applied, with a 400 and no table", async () => {
    const ws = await seededWorkspace("Bad filters");
    await seedSessions(ws, [{ id: `as-${crypto.randomUUID()}`, status: "complete", createdAt: Date.now() }]);
    const cookie = await adminCookie();
    const badDate = await page(cookie, `/sessions?workspace=${ws}&from=2026-02-30`);
    expect(badDate.status).toBe(400);
    expect(badDate.html).toContain("These filters cannot be applied");
    expect(badDate.html).toContain("from: 2026-02-30 is neither YYYY-MM-DD nor an ISO date-time");
    expect(badDate.html).not.toContain("<table");
    const reversed = await page(cookie, `/sessions?workspace=${ws}&from=2026-08-02&to=2026-08-01`);
    expect(reversed.status).toBe(400);
    expect(reversed.html).toContain("from is after to");
    const badStatus = await page(cookie, `/sessions?workspace=${ws}&status=nonsense`);
    expect(badStatus.status).toBe(400);
    expect(badStatus.html).toContain("status:");
    const badCursor = await page(cookie, `/sessions?workspace=${ws}&cursor=xyz`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.html).toContain("not a cursor from this API");
  });
});

describe("/sessions/:agentSessionId", () => {
  async function seededDetail(status: "active" | "complete") {
    const ws = await seededWorkspace("Detail");
    const id = `as-${crypto.randomUUID()}`;
    const t0 = Date.now() - 600_000;
    await seedSessions(ws, [{ id, status, executor: "cloud", createdAt: t0, endedAt: status === "complete" ? t0 - 3_600_000 + 700_000 : null }]);
    await env.DB.prepare(
      `INSERT INTO execution_metrics (id, workspace_id, session_id, repository_name, executor, codegen_run_id, started_at, ended_at, duration_ms, outcome, cost_usd, cost_estimated, input_tokens, output_tokens, pr_urls)
       VALUES (?, ?, ?, 'web', 'cloud', 4242, ?, ?, 300000, 'succeeded', 0.75, 1, NULL, NULL, ?)`,
    )
      .bind(`${id}:1:0`, ws, id, t0 + 5_000, t0 + 305_000, JSON.stringify(["https://github.com/acme/web/pull/9"]))
      .run();
    const insert = env.DB.prepare("INSERT INTO session_events (id, session_id, workspace_id, kind, summary, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    const events = [
      ["session.created", "Agent session started on ENG-1: Issue 1", null],
      ["session.routed", "Routed to web (team)", { rule: "team" }],
      ["session.decision", "builder work of high complexity goes to the cloud", { executor: "cloud", agentType: "builder", complexity: "high", worstCaseUsd: 1.7, estimate: { cloudUsd: 0.6, localUsd: 1.1 }, fallback: "local" }],
      ["session.prompted", 'The user wrote: <script>alert("x")</script>', null],
      ["cloud.succeeded", "Codegen run 4242 succeeded", null],
    ] as const;
    const ids = events.map((_, i) => `obj-${id}:${i + 1}`);
    await env.DB.batch(events.map(([kind, summary, data], i) => insert.bind(ids[i]!, id, ws, kind, summary, data ? JSON.stringify(data) : null, t0 + i * 1000)));
    return { ws, id, ids };
  }

  it("shows the header, what the timeline says, the runs and the whole timeline, escaped", async () => {
    const { ws, id, ids } = await seededDetail("active");
    const cookie = await adminCookie();
    const { status, html } = await page(cookie, `/sessions/${id}?workspace=${ws}`);
    expect(status).toBe(200);
    expect(html).toContain("<h1>ENG-1: Issue 1</h1>");
    expect(html).toMatch(/data-session-status[^>]*><span class="badge active">active<\/span>/);
    expect(html).toContain("builder work of high complexity goes to the cloud");
    expect(html).toContain("estimate $0.6000");
    expect(html).toContain("worst case $1.70 reserved");
    expect(html).toContain("falls back to local");
    expect(html).toContain("Routed to web (team)");
    expect(html).toContain('href="https://github.com/acme/web/pull/9"');
    expect(html).toContain("<code>run 4242</code>");
    expect(html).toContain("no token counts reported");
    expect(html).toContain("$0.7500<small class=\"muted\"> estimated</small>");
    // Event text is text, never markup.
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert");
    // Every entry, in order, and what the live script starts after.
    expect([...html.matchAll(/<li data-event-id="([^"]+)"/g)].map((m) => m[1])).toEqual(ids);
    expect(html).toContain(`data-after="${ids[ids.length - 1]}"`);
    expect(html).toContain('data-live="true"');
    expect(html).toContain('<script src="/assets/session-log.js" defer="">');
    // Running: Stop is offered, Retry is not; the message form posts to the API.
    expect(html).toMatch(/<button[^>]*data-session-action="stop"(?![^>]*hidden)[^>]*>/);
    expect(html).toMatch(/<button[^>]*data-session-action="retry"[^>]*hidden[^>]*>/);
    expect(html).toContain(`data-api="/api/sessions/${id}/messages"`);
  });

  it("offers Retry, not Stop, for an ended session, and does not follow a long-ended log", async () => {
    const { ws, id } = await seededDetail("complete");
    const { html } = await page(await adminCookie(), `/sessions/${id}?workspace=${ws}`);
    expect(html).toMatch(/<button[^>]*data-session-action="stop"[^>]*hidden[^>]*>/);
    expect(html).toMatch(/<button[^>]*data-session-action="retry"(?![^>]*hidden)[^>]*>/);
    expect(html).toContain('data-live="false"');
  });

  it("is a 404 page for an unknown session and for another workspace's", async () => {
    const { id } = await seededDetail("active");
    const elsewhere = await seededWorkspace("Elsewhere");
    const cookie = await adminCookie();
    const foreign = await page(cookie, `/sessions/${id}?workspace=${elsewhere}`);
    expect(foreign.status).toBe(404);
    expect(foreign.html).toContain("No such session");
    expect(foreign.html).not.toContain("ENG-1");
    const unknown = await page(cookie, `/sessions/nope?workspace=${elsewhere}`);
    expect(unknown.status).toBe(404);
  });

  it("sends a signed-out visitor to the sign-in page", async () => {
    const response = await edgeFetch("/sessions/whatever", { redirect: "manual" });
    expect([302, 303]).toContain(response.status);
    expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/sessions/whatever")}`);
  });
});
