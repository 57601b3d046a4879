import { describe, expect, it } from "vitest";
import {
  env,
  activitiesOf,
  createdPayload,
  createIssue,
  edgeFetch,
  emulator,
  installedOrg,
  issueSessionStub,
  oauthCalls,
  linearUrl,
  postWebhook,
  settle,
  type EmulatedOrg,
} from "./support";

async function startInstall(): Promise<URL> {
  const response = await edgeFetch("/oauth/linear/authorize", { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

/** Plays the admin's browser: Linear's consent page (emulated) redirects back to our callback. */
async function approveAtLinear(authorizeUrl: URL, org: EmulatedOrg): Promise<URL> {
  authorizeUrl.searchParams.set("organization", org.organizationId);
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  expect(consent.status).toBe(302);
  return new URL(consent.headers.get("location")!);
}

async function callback(url: URL): Promise<Response> {
  return edgeFetch(`/oauth/linear/callback${url.search}`);
}

async function emptyOrg(name: string): Promise<EmulatedOrg> {
  return emulator<EmulatedOrg>("/_emulator/organizations", { name, urlKey: `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}` });
}

describe("GET /oauth/linear/authorize", () => {
  it("redirects to Linear with the app scopes, actor=app and a fresh state", async () => {
    const first = await startInstall();
    const second = await startInstall();
    expect(first.origin + first.pathname).toBe(`${linearUrl()}/oauth/authorize`);
    expect(Object.fromEntries(first.searchParams)).toMatchObject({
      client_id: "test-client-id",
      redirect_uri: "https://edge.test/oauth/linear/callback",
      response_type: "code",
      scope: "read,write,app:assignable,app:mentionable",
      actor: "app",
      code_challenge_method: "S256",
    });
    expect(first.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(first.searchParams.get("state")).not.toBe(second.searchParams.get("state"));
  });
});

describe("GET /oauth/linear/callback", () => {
  it("installs the workspace with its tokens encrypted", async () => {
    const org = await emptyOrg("Initech");
    const back = await approveAtLinear(await startInstall(), org);
    const response = await callback(back);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("installed in Initech");

    const row = await env.DB.prepare("SELECT * FROM workspaces WHERE id = ?").bind(org.organizationId).first<Record<string, unknown>>();
    expect(row).toMatchObject({ name: "Initech", app_user_id: org.appUserId, revoked_at: null });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain("lin_oauth_");
    expect(String(row!.access_token_enc)).toMatch(/^v1\./);
  });

  it("refuses a state that was already used", async () => {
    const org = await emptyOrg("Reuse");
    const back = await approveAtLinear(await startInstall(), org);
    expect((await callback(back)).status).toBe(200);
    const again = await callback(back);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");
  });

  it("refuses a state it never issued", async () => {
    const response = await edgeFetch(`/oauth/linear/callback?code=abc&state=${crypto.randomUUID()}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("not one we issued");
  });

  it("refuses an expired state", async () => {
    const org = await emptyOrg("Late");
    const back = await approveAtLinear(await startInstall(), org);
    await env.DB.prepare("UPDATE oauth_states SET expires_at = ? WHERE state = ?").bind(Date.now() - 1, back.searchParams.get("state")).run();
    const response = await callback(back);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("expired");
  });

  it("shows Linear's error when the admin declines", async () => {
    const response = await edgeFetch("/oauth/linear/callback?error=access_denied&error_description=The+user+denied");
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The user denied");
  });
});

describe("Linear tokens: refresh in one place, keep working", () => {
  it("refreshes a token about to expire before using it, and the old refresh token is retired", async () => {
    const org = await emulator<EmulatedOrg>("/_emulator/organizations", { name: "Soon", urlKey: `soon-${crypto.randomUUID().slice(0, 8)}` });
    const workspace = env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));
    await workspace.install({
      organizationId: org.organizationId,
      name: "Soon",
      urlKey: "soon",
      appUserId: org.appUserId,
      tokens: { accessToken: org.accessToken, refreshToken: org.refreshToken, expiresAt: Date.now() + 60_000, scope: "read write" },
      installedBy: "test",
    });
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await postWebhook(payload);
    await settle(issueSessionStub(org.organizationId, issue.id));

    expect((await activitiesOf(org, agentSessionId)).length).toBeGreaterThan(0);
    expect((await oauthCalls(org)).filter((c) => c.grantType === "refresh_token")).toHaveLength(1);
    const row = await env.DB.prepare("SELECT token_expires_at FROM workspaces WHERE id = ?").bind(org.organizationId).first<{ token_expires_at: number }>();
    expect(row!.token_expires_at).toBeGreaterThan(Date.now() + 3600_000);
    const reuse = await fetch(`${linearUrl()}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: org.refreshToken, client_id: "test-client-id", client_secret: "test-client-secret" }),
    });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("refreshes once when Linear refuses a token it should still accept, then delivers", async () => {
    const org = await emptyOrg("Refused");
    // Linear refuses the stored access token (say it was rotated out of band); the refresh token still works.
    await env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)).install({
      organizationId: org.organizationId,
      name: "Refused",
      urlKey: "refused",
      appUserId: org.appUserId,
      tokens: { accessToken: "lin_oauth_no-longer-valid", refreshToken: org.refreshToken, expiresAt: Date.now() + 24 * 3600_000, scope: "read write" },
      installedBy: "test",
    });
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);

    await postWebhook(payload);
    await settle(issueSessionStub(org.organizationId, issue.id));
    expect((await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.startsWith("On it"))).toHaveLength(1);
    const refreshes = (await oauthCalls(org)).filter((c) => c.grantType === "refresh_token");
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.status).toBe(200);
  });

  it("stops using a workspace Linear reports as revoked", async () => {
    const org = await installedOrg("Gone");
    const revoke = await postWebhook({
      type: "OAuthApp",
      action: "revoked",
      organizationId: org.organizationId,
      oauthClientId: "test-client-id",
      createdAt: new Date().toISOString(),
      webhookId: "wh",
      webhookTimestamp: Date.now(),
    });
    expect(await revoke.json()).toMatchObject({ ok: true, outcome: "accepted" });
    const row = await env.DB.prepare("SELECT revoked_at FROM workspaces WHERE id = ?").bind(org.organizationId).first<{ revoked_at: number | null }>();
    expect(row!.revoked_at).not.toBeNull();

    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await postWebhook(payload);
    const snapshot = await settle(issueSessionStub(org.organizationId, issue.id));
    expect(snapshot.jobs.find((j) => j.kind === "linear.activity")).toMatchObject({ state: "failed", lastError: expect.stringContaining("uninstalled") });
    expect(await activitiesOf(org, agentSessionId)).toHaveLength(0);
  });
});
