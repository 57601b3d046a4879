/**
 * The settings and repositories pages, and the API behind their buttons, as a
 * signed-in browser gets them: an admin sees forms, a Linear member the same
 * values read-only and is refused a change; a new agent token appears in the
 * API's answer only; the test alert goes through the real alert path to a
 * webhook receiver; a repository's page shows its open sessions, cost and
 * pull requests.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDb } from "../../src/db/client";
import { recordExecutionMetrics } from "../../src/db/queries/metrics";
import { openSessionsSelect, runsWithPullRequestsSelect } from "../../src/db/queries/repository-activity";
import { syncSessions } from "../../src/db/queries/sessions";
import { READ_ONLY_NOTE } from "../../workers/panel/components/admin-form";
import { api, env, linearUrl, seededWorkspace } from "./support";
import { panelApi, panelPage, signedIn, type PanelUser } from "./panel-session-support";

const db = () => createDb(env.DB);

/** Every attribute panel.js acts on: a member's page must have none. */
const ACTING = /data-api=|data-override-for=/;

async function workspaceWithRepository(name: string) {
  const ws = await seededWorkspace(name);
  const created = await api(`/api/repositories?workspace=${ws}`, { method: "POST", body: JSON.stringify({ name: "web", teamKeys: ["ENG"], gitUrl: "https://git.example/web.git" }) });
  expect(created.status).toBe(201);
  const repository = await created.json<{ id: string; name: string }>();
  return { ws, repository };
}

describe("/settings", () => {
  it("gives an admin the forms of every section", async () => {
    const { ws } = await workspaceWithRepository("Settings admin");
    const admin = await signedIn({ kind: "linear", organizationId: ws, admin: true });
    const { status, html, response } = await panelPage(admin, "/settings");
    expect(status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    for (const api of ['data-api="/api/config"', 'data-api="/api/agent-tokens"', 'data-api="/api/codegen/credentials"', 'data-api="/api/alerts/test"']) expect(html).toContain(api);
    expect(html).toContain('href="/oauth/linear/authorize"');
    expect(html).toContain('<option value="cost-optimized"');
    // The connect command names this edge and the workspace's repository; the token slot is empty until one is created.
    expect(html).toMatch(/npx cyrus connect --url https:\/\/edge\.test --token <span data-token-slot[^>]*><\/span> --repo web=\/path\/to\/your\/web/);
    expect(html).not.toContain(READ_ONLY_NOTE);
  });

  it("shows a Linear member every section read-only, and refuses their change", async () => {
    const ws = await seededWorkspace("Settings member");
    await api(`/api/config?workspace=${ws}`, { method: "PUT", body: JSON.stringify({ strategy: "local-only", alerts: { webhookUrl: "https://hooks.example/services/T1/B2/very-secret" } }) });
    const member = await signedIn({ kind: "linear", organizationId: ws, admin: false });
    const { status, html } = await panelPage(member, "/settings");
    expect(status).toBe(200);
    expect(html).toContain(READ_ONLY_NOTE);
    expect(html).not.toMatch(ACTING);
    expect(html).not.toContain("/oauth/linear/authorize");
    expect(html).toContain("<fieldset disabled");
    expect(html).toMatch(/<option value="local-only" selected/);
    // The webhook URL is a secret: its origin only.
    expect(html).toContain("https://hooks.example/…");
    expect(html).not.toContain("very-secret");

    const refused = await panelApi(member, "/api/config", { method: "PUT", body: JSON.stringify({ strategy: "cloud-only" }) });
    expect(refused.status).toBe(403);
    expect((await refused.json<{ error: string }>()).error).toContain("Linear admin");
    const after = await (await api(`/api/config?workspace=${ws}`)).json<{ effective: { strategy: string } }>();
    expect(after.effective.strategy).toBe("local-only");
    expect((await panelApi(member, "/api/alerts/test", { method: "POST" })).status).toBe(403);
  });

  it("says where each setting comes from", async () => {
    const ws = await seededWorkspace("Settings sources");
    const admin = await signedIn({ kind: "admin_key" });
    let { html } = await panelPage(admin, `/settings?workspace=${ws}`);
    expect(html).toContain("the edge&#39;s default (EXECUTION_STRATEGY)");
    await api(`/api/config?workspace=${ws}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", maxCostPerDayUsd: 40 }) });
    ({ html } = await panelPage(admin, `/settings?workspace=${ws}`));
    expect(html).not.toContain("(EXECUTION_STRATEGY)");
    expect(html).toMatch(/<option value="cloud-only" selected/);
    expect(html).toContain('value="40"');
    expect(html).toContain("Applies now: <strong>$40.00</strong>, from this workspace&#39;s setting");
  });

  it("shows a new agent token in the API's answer only, never on a page", async () => {
    const { ws } = await workspaceWithRepository("Token once");
    const admin = await signedIn({ kind: "linear", organizationId: ws, admin: true });
    const created = await panelApi(admin, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ name: "alice-laptop" }) });
    expect(created.status).toBe(201);
    const { token, id } = await created.json<{ token: string; id: string }>();
    expect(token).toMatch(/^cyrus_agent_/);
    const repository = (await (await api(`/api/repositories?workspace=${ws}`)).json<{ repositories: { id: string }[] }>()).repositories[0]!;
    for (const path of ["/", "/sessions", "/analytics", "/repositories", `/repositories/${repository.id}`, "/settings"]) {
      const { html } = await panelPage(admin, path);
      expect(html, path).not.toContain(token);
    }
    const { html } = await panelPage(admin, "/settings");
    expect(html).toContain("alice-laptop");
    expect(html).toContain(`data-api="/api/agent-tokens/${id}"`);

    // Revoked: the row says so and offers no second revoke.
    expect((await panelApi(admin, `/api/agent-tokens/${id}`, { method: "DELETE" })).status).toBe(204);
    const after = (await panelPage(admin, "/settings")).html;
    expect(after).not.toContain(`data-api="/api/agent-tokens/${id}"`);
    expect(after).toMatch(/alice-laptop[\s\S]*?badge revoked/);
  });

  it("needs a workspace, and says so with a link to the checklist", async () => {
    const stranger = await signedIn({ kind: "linear", organizationId: `org-${crypto.randomUUID()}`, admin: true });
    const { status, html } = await panelPage(stranger, "/settings");
    expect(status).toBe(200);
    expect(html).toContain("has not installed the app");
    expect(html).toContain('<a href="/">overview</a>');
    expect(html).not.toContain("Execution");
  });
});

describe("POST /api/alerts/test", () => {
  afterEach(() => vi.restoreAllMocks());

  /**
   * A stand-in for Slack: the emulators have none. Requests to its URL are
   * answered and recorded; every other request goes out as usual.
   */
  function slackReceiver(status: number) {
    const url = `https://hooks.slack.test/services/${crypto.randomUUID()}`;
    const received: { body: Record<string, unknown>; contentType: string | null }[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url !== url) return realFetch(input, init);
      received.push({ body: await request.json(), contentType: request.headers.get("content-type") });
      return new Response(status === 200 ? "ok" : "no_service", { status });
    });
    return { url, received };
  }

  it("says clearly that no webhook is configured", async () => {
    const ws = await seededWorkspace("No webhook");
    const response = await api(`/api/alerts/test?workspace=${ws}`, { method: "POST" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ ok: false, error: expect.stringContaining("no alert webhook is configured") });
  });

  it("posts a labelled test message through the alert path, and records it", async () => {
    const ws = await seededWorkspace("Test alert");
    const receiver = slackReceiver(200);
    await api(`/api/config?workspace=${ws}`, { method: "PUT", body: JSON.stringify({ alerts: { webhookUrl: receiver.url } }) });
    const admin = await signedIn({ kind: "linear", organizationId: ws, admin: true, name: "Ada Admin" });
    const response = await panelApi(admin, "/api/alerts/test", { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, status: 200 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.contentType).toBe("application/json");
    expect(receiver.received[0]!.body).toMatchObject({ kind: "test", workspace: ws, text: expect.stringContaining("[TEST]") });
    expect(String(receiver.received[0]!.body.text)).toContain("Ada Admin");

    const alert = await env.DB.prepare("SELECT kind, status FROM alerts WHERE workspace_id = ?").bind(ws).first();
    expect(alert).toEqual({ kind: "test", status: "sent" });
    // A second test is sent too: tests are never deduplicated like real conditions.
    expect((await panelApi(admin, "/api/alerts/test", { method: "POST" })).status).toBe(200);
    expect(receiver.received).toHaveLength(2);

    const audit = await (await api(`/api/audit?workspace=${ws}`)).json<{ entries: { action: string; actor: string; details: unknown }[] }>();
    const sent = audit.entries.filter((e) => e.action === "alerts.test_sent");
    expect(sent).toHaveLength(2);
    expect(sent[0]!.actor).toContain("Ada Admin");
    expect(JSON.stringify(audit)).not.toContain(receiver.url);

    const { html } = await panelPage(admin, "/settings");
    expect(html).toMatch(/\[TEST\] this is a test alert/);
    expect(html).not.toContain(receiver.url);
  });

  it("answers what the webhook said when it refuses the message", async () => {
    const ws = await seededWorkspace("Refused alert");
    // The Linear emulator answers 404 to a path it does not know: a real HTTP refusal.
    await api(`/api/config?workspace=${ws}`, { method: "PUT", body: JSON.stringify({ alerts: { webhookUrl: `${linearUrl()}/no-such-hook` } }) });
    const response = await api(`/api/alerts/test?workspace=${ws}`, { method: "POST" });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ ok: false, status: 404, error: "the webhook answered HTTP 404" });
    const alert = await env.DB.prepare("SELECT kind, status, error FROM alerts WHERE workspace_id = ?").bind(ws).first();
    expect(alert).toEqual({ kind: "test", status: "failed", error: "the webhook answered HTTP 404" });
  });
});

describe("/repositories", () => {
  it("lists repositories with their rules, and gives an admin the create form", async () => {
    const { ws, repository } = await workspaceWithRepository("Repo list");
    const admin = await signedIn({ kind: "admin_key" });
    const { status, html } = await panelPage(admin, `/repositories?workspace=${ws}`);
    expect(status).toBe(200);
    expect(html).toContain(`/repositories/${repository.id}`);
    expect(html).toContain("https://git.example/web.git");
    expect(html).toMatch(/teams:<\/span> ENG/);
    expect(html).toContain('data-api="/api/repositories"');
    expect(html).toContain('data-type="list"');

    const member = await signedIn({ kind: "linear", organizationId: ws, admin: false });
    const read = await panelPage(member, "/repositories");
    expect(read.html).toContain(`/repositories/${repository.id}`);
    expect(read.html).not.toMatch(ACTING);
    expect(read.html).toContain(READ_ONLY_NOTE);
  });

  it("shows a repository's open sessions, 30-day cost and recent pull requests", async () => {
    const { ws, repository } = await workspaceWithRepository("Repo detail");
    const now = Date.now();
    const session = (id: string, status: string, repositoryName: string, identifier: string) => ({
      id,
      workspaceId: ws,
      issueId: `issue-${id}`,
      issueIdentifier: identifier,
      issueTitle: `Title of ${identifier}`,
      repositoryId: repositoryName === "web" ? repository.id : null,
      repositoryName,
      status,
      executor: "local",
      agentType: "builder",
      complexity: "low",
      outcome: null,
      error: null,
      createdAt: now - 60_000,
      updatedAt: now - 30_000,
      endedAt: null,
    });
    await syncSessions(
      db(),
      [session(`s-${crypto.randomUUID()}`, "active", "web", "ENG-1"), session(`s-${crypto.randomUUID()}`, "complete", "web", "ENG-2"), session(`s-${crypto.randomUUID()}`, "awaiting_input", "api", "ENG-3")],
      [],
    );
    const run = (repositoryName: string, costUsd: number, prUrls: string[], startedAt: number) =>
      recordExecutionMetrics(db(), {
        id: `${crypto.randomUUID()}:1`,
        workspaceId: ws,
        sessionId: `s-${crypto.randomUUID()}`,
        repositoryName,
        executor: "cloud",
        agentType: "builder",
        complexity: "low",
        codegenRunId: null,
        localTaskId: null,
        startedAt,
        endedAt: startedAt + 60_000,
        durationMs: 60_000,
        outcome: "succeeded",
        costUsd,
        costEstimated: true,
        inputTokens: null,
        outputTokens: null,
        prUrls,
      });
    await run("web", 1.25, ["https://github.com/acme/web/pull/7"], now - 3_600_000);
    await run("web", 0.75, [], now - 7_200_000);
    await run("api", 9, ["https://github.com/acme/api/pull/1"], now - 3_600_000);
    await run("web", 4, ["https://github.com/acme/web/pull/1"], now - 40 * 86_400_000);

    const admin = await signedIn({ kind: "linear", organizationId: ws, admin: true });
    const { status, html } = await panelPage(admin, `/repositories/${repository.id}`);
    expect(status).toBe(200);
    expect(html).toContain("ENG-1");
    expect(html).not.toContain("ENG-2");
    expect(html).not.toContain("ENG-3");
    expect(html).toContain('<span class="value">$2.00</span>');
    expect(html).toContain('href="https://github.com/acme/web/pull/7"');
    expect(html).not.toContain("acme/api/pull/1");
    expect(html).not.toContain("acme/web/pull/1\"");
    expect(html).toContain(`data-api="/api/repositories/${repository.id}"`);
    expect(html).toContain('data-method="PATCH"');
    expect(html).toContain('data-method="DELETE"');
    expect(html).toContain('data-override-for="web"');

    const member = await signedIn({ kind: "linear", organizationId: ws, admin: false });
    const read = await panelPage(member, `/repositories/${repository.id}`);
    expect(read.html).toContain("ENG-1");
    expect(read.html).not.toMatch(ACTING);

    const other = await seededWorkspace("Someone else");
    const outsider = await signedIn({ kind: "linear", organizationId: other, admin: true });
    const hidden = await panelPage(outsider, `/repositories/${repository.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.html).not.toContain("ENG-1");
  });

  it("keeps a repository's overrides under its name when renamed, drops them when deleted, and takes a blank list", async () => {
    const { ws, repository } = await workspaceWithRepository("Repo overrides");
    const q = `?workspace=${ws}`;
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ repositories: { web: { strategy: "cloud-only", maxCostPerTaskUsd: 2 } } }) });
    const renamed = await api(`/api/repositories/${repository.id}${q}`, { method: "PATCH", body: JSON.stringify({ name: "web.app", teamKeys: null }) });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: "web.app", teamKeys: [] });
    let config = await (await api(`/api/config${q}`)).json<{ stored: { repositories?: Record<string, unknown> }; repositories: Record<string, { strategy: string }> }>();
    expect(Object.keys(config.stored.repositories ?? {})).toEqual(["web.app"]);
    expect(config.repositories["web.app"]!.strategy).toBe("cloud-only");

    const admin = await signedIn({ kind: "admin_key" });
    const { html } = await panelPage(admin, `/repositories/${repository.id}${q}`);
    expect(html).toContain('data-override-for="web.app"');
    expect(html).toMatch(/<option value="cloud-only" selected/);
    expect(html).toContain("this repository&#39;s override");

    expect((await api(`/api/repositories/${repository.id}${q}`, { method: "DELETE" })).status).toBe(204);
    config = await (await api(`/api/config${q}`)).json();
    expect(config.stored.repositories).toEqual({});
  });
});

describe("the repository page's reads", () => {
  it.each([
    ["open sessions", () => openSessionsSelect(db(), { workspaceId: "w", repositoryId: "r", repositoryName: "web", sinceMs: 1, limit: 50 }).toSQL(), "agent_sessions_workspace_created"],
    ["pull requests", () => runsWithPullRequestsSelect(db(), { workspaceId: "w", repositoryName: "web", sinceMs: 1, limit: 20 }).toSQL(), "execution_metrics_report"],
  ] as const)("%s walk a window of the index %s", async (_name, build, index) => {
    const query = build();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join("\n");
    expect(details).toMatch(new RegExp(`SEARCH \\w+ USING (COVERING )?INDEX ${index} \\(workspace_id=\\? AND \\w+>\\?\\)`));
    expect(details).not.toContain("TEMP B-TREE");
  });
});
