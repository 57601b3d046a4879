/**
 * The panel's sign-in and its security contract, through the Worker's real
 * fetch handler on real D1: the admin key sign-in and its cookie, failed
 * sign-ins slowed down and audited, sign-out ending the session on the
 * server, CSRF on every state change made with the cookie, a Linear member
 * kept inside their workspace, and the headers on every HTML page.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { API_KEY, api, edgeFetch, env, installedOrg } from "./support";
import { panelApi, panelPage, signedIn } from "./panel-session-support";

const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});

const cookieOf = (response: Response) => /cyrus_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? null;

async function auditActions(action: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = ?").bind(action).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("signing in with the admin key", () => {
  it("redirects a signed-out page to /login, remembering where the user was going", async () => {
    const response = await edgeFetch("/sessions?status=active", { redirect: "manual", headers: { accept: "text/html" } });
    expect([302, 303]).toContain(response.status);
    expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/sessions?status=active")}`);
  });

  it("sets a strict session cookie and lands where the user was going", async () => {
    const response = await edgeFetch("/login", form({ key: API_KEY, next: "/sessions" }, { "cf-connecting-ip": "203.0.113.10" }));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/sessions");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Secure/); // the test edge's origin is https
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeLessThanOrEqual(7 * 24 * 3600);
    // Only the token's hash is stored.
    const token = cookieOf(response)!;
    expect(await env.DB.prepare("SELECT count(*) AS n FROM panel_sessions WHERE id = ?").bind(token).first<{ n: number }>()).toEqual({ n: 0 });
  });

  it("never sends a user to another origin after signing in", async () => {
    const response = await edgeFetch("/login", form({ key: API_KEY, next: "//evil.test/phish" }, { "cf-connecting-ip": "203.0.113.11" }));
    expect(response.headers.get("location")).toBe("/");
  });

  it("refuses a wrong key, records it, and slows the client down", async () => {
    const before = await auditActions("panel.sign_in_failed");
    const client = { "cf-connecting-ip": "203.0.113.66" };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await edgeFetch("/login", form({ key: `wrong-${i}` }, client))).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    // Even the right key waits now: the block is per client.
    const blocked = await edgeFetch("/login", form({ key: API_KEY }, client));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain("Too many failed sign-ins");
    // Another client is not slowed down.
    expect((await edgeFetch("/login", form({ key: API_KEY }, { "cf-connecting-ip": "203.0.113.67" }))).status).toBe(303);
    expect(await auditActions("panel.sign_in_failed")).toBe(before + 4);
  });

  it("counts every guess before checking it, so a burst of parallel guesses cannot outrun the throttle", async () => {
    const client = { "cf-connecting-ip": "203.0.113.99" };
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => edgeFetch("/login", form({ key: `guess-${i}` }, client)).then((r) => r.status)));
    // Three free attempts and the fourth (which starts the block) are checked; the rest wait.
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(16);
  });

  it("signs out on the server: the old cookie works nowhere afterwards", async () => {
    const signIn = await edgeFetch("/login", form({ key: API_KEY }, { "cf-connecting-ip": "203.0.113.20" }));
    const cookie = `cyrus_session=${cookieOf(signIn)}`;
    const page = await edgeFetch("/", { headers: { cookie } });
    expect(page.status).toBe(200);
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())![1]!;

    // Without the CSRF token, sign-out is refused and the session lives on.
    expect((await edgeFetch("/logout", form({}, { cookie }))).status).toBe(403);
    expect((await edgeFetch("/", { headers: { cookie }, redirect: "manual" })).status).toBe(200);

    const out = await edgeFetch("/logout", form({ _csrf: csrf }, { cookie }));
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/cyrus_session=;/);
    expect((await edgeFetch("/", { headers: { cookie }, redirect: "manual" })).status).toBe(303);
    expect((await edgeFetch("/api/workspaces", { headers: { cookie } })).status).toBe(401);
  });

  it("treats an expired session as signed out", async () => {
    const user = await signedIn({ kind: "admin_key" });
    await createDb(env.DB).run(`UPDATE panel_sessions SET expires_at = 0` as never);
    expect((await panelPage(user, "/")).status).toBe(303);
  });
});

describe("the API with the panel's cookie", () => {
  it("needs the session's CSRF token for every state change, and changes nothing without it", async () => {
    const org = await installedOrg("Csrf");
    const user = await signedIn({ kind: "admin_key" });
    const path = `/api/repositories?workspace=${org.organizationId}`;
    const body = JSON.stringify({ name: "web" });
    expect((await panelApi(user, path, { method: "POST", body, csrf: false })).status).toBe(403);
    expect((await panelApi(user, path, { method: "POST", body, csrf: false, headers: { "x-csrf-token": "not-the-token" } })).status).toBe(403);
    expect(((await (await panelApi(user, path)).json()) as { repositories: unknown[] }).repositories).toEqual([]);
    expect((await panelApi(user, path, { method: "POST", body })).status).toBe(201);
  });

  it("keeps a Linear member inside their own workspace, read-only for settings", async () => {
    const mine = await installedOrg("Mine");
    const theirs = await installedOrg("Theirs");
    const member = await signedIn({ kind: "linear", organizationId: mine.organizationId, admin: false });
    const workspaces = (await (await panelApi(member, "/api/workspaces")).json()) as { workspaces: { id: string }[] };
    expect(workspaces.workspaces.map((w) => w.id)).toEqual([mine.organizationId]);
    expect((await panelApi(member, `/api/sessions?workspace=${theirs.organizationId}`)).status).toBe(404);
    expect((await panelApi(member, `/api/config?workspace=${mine.organizationId}`)).status).toBe(200);
    const change = await panelApi(member, `/api/config?workspace=${mine.organizationId}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only" }) });
    expect(change.status).toBe(403);
    expect(((await change.json()) as { error: string }).error).toContain("Linear admin");
    expect((await panelApi(member, "/api/dead-letters")).status).toBe(403);
    const admin = await signedIn({ kind: "linear", organizationId: mine.organizationId, admin: true });
    expect((await panelApi(admin, `/api/config?workspace=${mine.organizationId}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only" }) })).status).toBe(200);
  });
});

describe("the admin key and several workspaces", () => {
  it("switches between them, and the choice sticks from page to page", async () => {
    const first = await installedOrg("Aardvark");
    const second = await installedOrg("Zebra");
    const admin = await signedIn({ kind: "admin_key" });
    const picked = await panelPage(admin, `/?workspace=${second.organizationId}`);
    expect(picked.status).toBe(200);
    expect(picked.html).toContain(`<meta name="cyrus-workspace" content="${second.organizationId}"/>`);
    // The switcher lists every installed workspace, the shown one selected.
    expect(picked.html).toMatch(new RegExp(`<option value="${first.organizationId}">Aardvark</option>`));
    expect(picked.html).toMatch(new RegExp(`<option value="${second.organizationId}" selected="">Zebra</option>`));
    const remembered = /cyrus_workspace=([^;]+)/.exec(picked.response.headers.get("set-cookie") ?? "")?.[1];
    expect(remembered).toBe(second.organizationId);
    const next = await edgeFetch("/sessions", { headers: { cookie: `${admin.cookie}; cyrus_workspace=${remembered}`, accept: "text/html" } });
    expect(await next.text()).toContain(`<meta name="cyrus-workspace" content="${second.organizationId}"/>`);
  });
});

describe("secrets a member never sees", () => {
  it("shows a member the alert webhook's origin only; the admin sees it whole", async () => {
    const org = await installedOrg("Hooks");
    const url = "https://hooks.slack.test/services/T000/B000/very-secret-path";
    expect((await api(`/api/config?workspace=${org.organizationId}`, { method: "PUT", body: JSON.stringify({ alerts: { webhookUrl: url } }) })).status).toBe(200);
    const member = await signedIn({ kind: "linear", organizationId: org.organizationId, admin: false });
    const seen = JSON.stringify(await (await panelApi(member, `/api/config?workspace=${org.organizationId}`)).json());
    expect(seen).not.toContain("very-secret-path");
    expect(seen).toContain("https://hooks.slack.test/…");
    const admin = await signedIn({ kind: "linear", organizationId: org.organizationId, admin: true });
    expect(JSON.stringify(await (await panelApi(admin, `/api/config?workspace=${org.organizationId}`)).json())).toContain("very-secret-path");
  });
});

describe("what every HTML page carries", () => {
  it.each(["/login", "/", "/sessions", "/analytics", "/repositories", "/settings", "/no-such-page"])("%s", async (path) => {
    // Signed in, /login sends the user on; it is checked signed out.
    const response = path === "/login" ? await edgeFetch(path) : (await panelPage(await signedIn({ kind: "admin_key" }), path)).response;
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
    expect(scriptSrc).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
  });
});
