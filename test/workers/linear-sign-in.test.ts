/**
 * "Sign in with Linear" against the emulated Linear: who gets in (a member
 * reads, a Linear admin may change settings), who is refused (a workspace that
 * has not installed the app, a reused or foreign state, Linear's own error),
 * that refusals slow the client down, and that the person's Linear token is
 * revoked and never kept.
 */
import { describe, expect, it } from "vitest";
import { api, edgeFetch, emulator, env, injectFault, installedOrg, linearUrl, type EmulatedOrg } from "./support";
import {
  approveAsUser,
  asSignedIn,
  createLinearUser,
  expectSignedIn,
  freshIp,
  linearCallback,
  sessionCookieOf,
  signInWithLinear,
  startLinearSignIn,
} from "./linear-sign-in-support";

async function emptyOrg(name: string): Promise<EmulatedOrg> {
  return emulator<EmulatedOrg>("/_emulator/organizations", { name, urlKey: `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}` });
}

async function auditOf(workspaceId: string, action: string) {
  const rows = await env.DB.prepare("SELECT actor, details FROM audit_log WHERE workspace_id = ? AND action = ? ORDER BY created_at")
    .bind(workspaceId, action)
    .all<{ actor: string; details: string | null }>();
  return rows.results.map((r) => ({ actor: r.actor, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}

interface OAuthCall {
  endpoint: string;
  grantType?: string;
  status: number;
}

async function oauthCallsOf(organizationId: string): Promise<OAuthCall[]> {
  return (await emulator<{ oauth: OAuthCall[] }>(`/_emulator/calls?organizationId=${organizationId}`)).oauth;
}

/** The install flow's redirect to Linear and Linear's answer, for crossing states between the two flows. */
async function installRoundTrip(org: EmulatedOrg): Promise<URL> {
  const start = await edgeFetch("/oauth/linear/authorize", { redirect: "manual" });
  const url = new URL(start.headers.get("location")!);
  url.searchParams.set("organization", org.organizationId);
  const consent = await fetch(url, { redirect: "manual" });
  return new URL(consent.headers.get("location")!);
}

describe("GET /login/linear", () => {
  it("sends the browser to Linear as the user, with scope read, PKCE and a single-use sign-in state that remembers where to go", async () => {
    const url = await startLinearSignIn(freshIp(), "/sessions?status=active");
    expect(`${url.origin}${url.pathname}`).toBe(`${linearUrl()}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: "test-client-id",
      redirect_uri: "https://edge.test/login/linear/callback",
      response_type: "code",
      scope: "read",
      actor: "user",
      code_challenge_method: "S256",
    });
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare("SELECT purpose, return_to, used_at FROM oauth_states WHERE state = ?").bind(url.searchParams.get("state")).first();
    expect(row).toEqual({ purpose: "sign_in", return_to: "/sessions?status=active", used_at: null });
  });

  it("never remembers a return path off this origin", async () => {
    const url = await startLinearSignIn(freshIp(), "https://evil.test/steal");
    const row = await env.DB.prepare("SELECT return_to FROM oauth_states WHERE state = ?").bind(url.searchParams.get("state")).first();
    expect(row).toEqual({ return_to: "/" });
  });

  it("never sends the browser off this origin, even with a path the URL parser turns into //elsewhere", async () => {
    const org = await installedOrg("Dots");
    const ip = freshIp();
    const back = await approveAsUser(await startLinearSignIn(ip, "/.//evil.test/steal"), org.userId);
    expectSignedIn(await linearCallback(back, ip), "/");
  });
});

describe("GET /login/linear/callback: who gets in", () => {
  it("a member signs in and reads, but a settings change is refused with 403", async () => {
    const org = await installedOrg("Members");
    const member = await createLinearUser(org.organizationId, { name: "Bob Member", email: "bob@members.test" });
    const session = await signInWithLinear(member.id, "/settings");

    const row = await env.DB.prepare("SELECT kind, linear_user_id, name, email, organization_id, linear_admin FROM panel_sessions WHERE csrf_token = ?")
      .bind(session.csrfToken)
      .first();
    expect(row).toEqual({ kind: "linear", linear_user_id: member.id, name: "Bob Member", email: "bob@members.test", organization_id: org.organizationId, linear_admin: 0 });

    const read = await asSignedIn(session, "/api/config");
    expect(read.status).toBe(200);
    const change = await asSignedIn(session, "/api/config", { method: "PUT", body: JSON.stringify({ strategy: "cloud-only" }) });
    expect(change.status).toBe(403);
    expect(await change.json()).toMatchObject({ error: expect.stringContaining("Linear admin") });
    const settings = await api(`/api/config?workspace=${org.organizationId}`).then((r) => r.json<{ effective: { strategy: string } }>());
    expect(settings.effective.strategy).not.toBe("cloud-only");

    expect(await auditOf(org.organizationId, "panel.signed_in")).toEqual([
      { actor: `Bob Member (Linear user ${member.id})`, details: { method: "linear", linearAdmin: false } },
    ]);
  });

  it("moves the browser on to where it was going with a refresh of our own, so the SameSite=Strict cookie goes along", async () => {
    const org = await installedOrg("Onward");
    const ip = freshIp();
    const back = await approveAsUser(await startLinearSignIn(ip, "/sessions?status=active&repo=wéb"), org.userId);
    const response = await linearCallback(back, ip);
    expectSignedIn(response, "/sessions?status=active&repo=w%C3%A9b");
    expect(response.headers.get("set-cookie")).toMatch(/cyrus_session=[^;]+;.*HttpOnly/i);
    expect(response.headers.get("set-cookie")).toMatch(/SameSite=Strict/i);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("a Linear admin signs in and may change the workspace's settings", async () => {
    const org = await installedOrg("Admins");
    const admin = await createLinearUser(org.organizationId, { name: "Alice Admin", admin: true });
    const session = await signInWithLinear(admin.id);
    const change = await asSignedIn(session, "/api/config", { method: "PUT", body: JSON.stringify({ strategy: "cloud-only" }) });
    expect(change.status).toBe(200);
    expect(await change.json()).toMatchObject({ effective: { strategy: "cloud-only" } });
    // Without the CSRF token the same cookie changes nothing.
    const forged = await edgeFetch("/api/config", { method: "PUT", headers: { cookie: session.cookie, "content-type": "application/json" }, body: JSON.stringify({ strategy: "local-only" }) });
    expect(forged.status).toBe(403);
  });

  it("the person's Linear token is revoked at Linear and kept nowhere", async () => {
    const org = await installedOrg("Forget");
    const member = await createLinearUser(org.organizationId, { name: "Carol" });
    const session = await signInWithLinear(member.id);
    const calls = await oauthCallsOf(org.organizationId);
    expect(calls.filter((c) => c.endpoint === "token" && c.grantType === "authorization_code").map((c) => c.status)).toEqual([200]);
    expect(calls.filter((c) => c.endpoint === "revoke").map((c) => c.status)).toEqual([200]);
    const stored = JSON.stringify(await env.DB.prepare("SELECT * FROM panel_sessions WHERE csrf_token = ?").bind(session.csrfToken).first());
    expect(stored).not.toContain("lin_oauth_");
  });

  it("refuses a callback in a browser that did not begin the sign-in, so nobody can sign a victim in as themselves", async () => {
    const org = await installedOrg("Forged");
    const attacker = await createLinearUser(org.organizationId, { name: "Mallory" });
    const ip = freshIp();
    // Mallory begins a sign-in and approves it as herself, then sends the callback link to someone else.
    const link = await approveAsUser(await startLinearSignIn(freshIp()), attacker.id);
    const victim = await linearCallback(link, ip, undefined, { otherBrowser: true });
    expect(victim.status).toBe(400);
    expect(await victim.text()).toContain("begun in another browser");
    expect(sessionCookieOf(victim)).toBeNull();
  });
});

describe("GET /login/linear/callback: who is refused", () => {
  it("a user whose organization has not installed the app gets a clear 403 page and no session", async () => {
    const org = await emptyOrg("Initech");
    const ip = freshIp();
    const response = await linearCallback(await approveAsUser(await startLinearSignIn(ip), org.userId), ip);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("text/html");
    const page = await response.text();
    expect(page).toContain("Your Linear workspace “Initech” has not installed Cyrus Edge");
    expect(page).toContain("https://edge.test/oauth/linear/authorize");
    expect(sessionCookieOf(response)).toBeNull();
    expect(await auditOf(org.organizationId, "panel.sign_in_failed")).toEqual([
      { actor: `Jane Doe (Linear user ${org.userId})`, details: expect.objectContaining({ method: "linear", reason: "not_installed" }) },
    ]);
  });

  it("a user of a workspace that uninstalled the app is refused too", async () => {
    const org = await installedOrg("Gone");
    await env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)).revoke(org.organizationId, "test");
    const ip = freshIp();
    const response = await linearCallback(await approveAsUser(await startLinearSignIn(ip), org.userId), ip);
    expect(response.status).toBe(403);
  });

  it("a state is good once: the same answer from Linear is refused the second time", async () => {
    const org = await installedOrg("Reuse");
    const ip = freshIp();
    const back = await approveAsUser(await startLinearSignIn(ip), org.userId);
    expectSignedIn(await linearCallback(back, ip));
    const again = await linearCallback(back, ip);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");
    expect(sessionCookieOf(again)).toBeNull();
  });

  it("an expired state is refused", async () => {
    const org = await installedOrg("Late");
    const ip = freshIp();
    const back = await approveAsUser(await startLinearSignIn(ip), org.userId);
    await env.DB.prepare("UPDATE oauth_states SET expires_at = ? WHERE state = ?").bind(Date.now() - 1, back.searchParams.get("state")).run();
    const response = await linearCallback(back, ip);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("expired");
  });

  it("an install state cannot finish a sign-in, and stays good for the install", async () => {
    const org = await emptyOrg("Crossed");
    const install = await installRoundTrip(org);
    const ip = freshIp();
    // Even with a state cookie naming it (as if this browser had begun a sign-in with it), the purpose does not match.
    const state = new URLSearchParams(install.search).get("state")!;
    const asSignIn = await edgeFetch(`/login/linear/callback${install.search}`, { redirect: "manual", headers: { "cf-connecting-ip": ip, cookie: `cyrus_sign_in_state=${state}` } });
    expect(asSignIn.status).toBe(400);
    expect(await asSignIn.text()).toContain("not one we issued for signing in");
    expect(sessionCookieOf(asSignIn)).toBeNull();
    const installed = await edgeFetch(`/oauth/linear/callback${install.search}`);
    expect(installed.status).toBe(200);
  });

  it("a sign-in state cannot finish an install, and stays good for the sign-in", async () => {
    const org = await installedOrg("Crossed back");
    const ip = freshIp();
    const back = await approveAsUser(await startLinearSignIn(ip), org.userId);
    const asInstall = await edgeFetch(`/oauth/linear/callback${back.search}`);
    expect(asInstall.status).toBe(400);
    expect(await asInstall.text()).toContain("not one we issued");
    expectSignedIn(await linearCallback(back, ip));
  });

  it("says so when Linear does not tell us who signed in, and still ends their token", async () => {
    const org = await installedOrg("Mute");
    const ip = freshIp();
    const back = await approveAsUser(await startLinearSignIn(ip), org.userId);
    await injectFault(org, { rootField: "viewer", kind: "http500" });
    const response = await linearCallback(back, ip);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain("Linear did not tell us who you are");
    expect(sessionCookieOf(response)).toBeNull();
    expect((await oauthCallsOf(org.organizationId)).filter((c) => c.endpoint === "revoke").map((c) => c.status)).toEqual([200]);
  });

  it("shows Linear's own error when the person declines", async () => {
    const ip = freshIp();
    const response = await edgeFetch("/login/linear/callback?error=access_denied&error_description=The+user+denied+access", { headers: { "cf-connecting-ip": ip } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The user denied access");
  });

  it("slows a client down after repeated failures, even for a good answer from Linear", async () => {
    const org = await installedOrg("Throttle");
    const ip = freshIp();
    for (let i = 0; i < 4; i++) {
      const bad = await edgeFetch(`/login/linear/callback?code=x&state=${crypto.randomUUID()}`, { headers: { "cf-connecting-ip": ip } });
      expect(bad.status).toBe(400);
    }
    const good = await approveAsUser(await startLinearSignIn(freshIp()), org.userId);
    const response = await linearCallback(good, ip);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(sessionCookieOf(response)).toBeNull();
    // Another client is not slowed down by this one.
    const elsewhere = await startLinearSignIn(freshIp());
    expect(elsewhere.searchParams.get("state")).toBeTruthy();
  });
});
