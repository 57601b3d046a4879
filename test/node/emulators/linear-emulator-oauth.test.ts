/**
 * The emulator's OAuth 2.0 endpoints (shared/contracts §2): authorize, code
 * exchange with a client secret or PKCE, rotating refresh tokens, expiry on the
 * emulator's clock, revocation.
 */
import { createHash, randomBytes } from "node:crypto";
import { AuthenticationLinearError } from "@linear/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LinearEmulatorControl } from "../../emulators/linear/control-client";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { linearClient } from "../../emulators/linear/testing";

const CLIENT_ID = "oauth-test-client";
const CLIENT_SECRET = "oauth-test-secret";
const REDIRECT_URI = "https://edge.test/oauth/callback";
const SCOPE = "read,write,app:assignable,app:mentionable";

let emulator: LinearEmulator;
let control: LinearEmulatorControl;

beforeAll(async () => {
  emulator = await startLinearEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  control = new LinearEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

interface AuthorizeParams {
  client_id?: string;
  redirect_uri?: string;
  response_type?: string;
  scope?: string;
  state?: string;
  actor?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  organization?: string;
}

async function authorize(params: AuthorizeParams): Promise<Response> {
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: SCOPE,
    state: "st-123",
    actor: "app",
    ...params,
  } as Record<string, string>);
  return fetch(`${emulator.url}/oauth/authorize?${query}`, { redirect: "manual" });
}

async function codeFor(params: AuthorizeParams = {}): Promise<string> {
  const response = await authorize(params);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  expect(location.searchParams.get("state")).toBe(params.state ?? "st-123");
  return location.searchParams.get("code")!;
}

async function token(form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${emulator.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function exchange(code: string, extra: Record<string, string> = {}) {
  return token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...extra });
}

function refresh(refreshToken: string) {
  return token({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
}

describe("authorization code", () => {
  it("installs into the requested organization and issues a working token pair", async () => {
    const org = await control.createOrganization({ name: "Globex" });
    await control.createOrganization({ name: "Someone else" });
    const code = await codeFor({ organization: org.organizationId });
    const { status, body } = await exchange(code);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 86399, scope: "read write app:assignable app:mentionable" });
    expect(body.access_token).toMatch(/^lin_oauth_[0-9a-f]{64}$/);
    expect(body.refresh_token).toEqual(expect.any(String));

    const viewer = await linearClient(emulator.url, body.access_token).viewer;
    expect(viewer.id).toBe(org.appUserId);
    expect((await viewer.organization).id).toBe(org.organizationId);
    const calls = await control.calls({ organizationId: org.organizationId });
    expect(calls.oauth.map((c) => [c.endpoint, c.status])).toEqual([
      ["authorize", 302],
      ["token", 200],
    ]);
  });

  it("defaults to the newest organization", async () => {
    const org = await control.createOrganization({ name: "Newest" });
    const { body } = await exchange(await codeFor());
    expect((await linearClient(emulator.url, body.access_token).organization).id).toBe(org.organizationId);
  });

  it("accepts a code once, only with the same redirect_uri, and only for 10 minutes", async () => {
    await control.createOrganization();
    const code = await codeFor();
    expect((await exchange(code, { redirect_uri: "https://evil.test/cb" })).body.error).toBe("invalid_grant");
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const replay = await exchange(code);
    expect(replay).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // A replayed code revokes what it issued.
    await expect(linearClient(emulator.url, first.body.access_token).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);

    const late = await codeFor();
    await control.advanceClock(10 * 60 * 1000 + 1);
    expect((await exchange(late)).body).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/expired/) });
  });

  it("refuses a wrong client secret and a JSON body", async () => {
    await control.createOrganization();
    expect((await exchange(await codeFor(), { client_secret: "wrong" })).body.error).toBe("invalid_client");
    const response = await fetch(`${emulator.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ grant_type: "authorization_code", code: await codeFor(), client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI }),
    });
    expect(response.status).toBe(400);
  });
});

describe("authorize errors", () => {
  it("redirects back with the OAuth error and the state", async () => {
    const cases: Array<[AuthorizeParams, string]> = [
      [{ scope: "read write" }, "invalid_scope"],
      [{ scope: "write" }, "invalid_scope"],
      [{ scope: "read,admin" }, "invalid_scope"],
      [{ response_type: "token" }, "unsupported_response_type"],
      [{ code_challenge: "x".repeat(43), code_challenge_method: "plain" }, "invalid_request"],
    ];
    for (const [params, error] of cases) {
      const response = await authorize({ ...params, state: "keep-me" });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location")!);
      expect(location.searchParams.get("error")).toBe(error);
      expect(location.searchParams.get("state")).toBe("keep-me");
      expect(location.searchParams.get("code")).toBeNull();
    }
  });

  it("answers 400 itself when the client or the redirect_uri cannot be trusted", async () => {
    expect((await authorize({ client_id: "someone-else" })).status).toBe(400);
    expect((await authorize({ redirect_uri: "not a url" })).status).toBe(400);
  });
});

describe("PKCE", () => {
  it("exchanges with the verifier instead of the secret, and refuses a wrong verifier", async () => {
    await control.createOrganization();
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const wrong = await codeFor({ code_challenge: challenge, code_challenge_method: "S256" });
    const refused = await token({ grant_type: "authorization_code", code: wrong, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: "not-the-verifier" });
    expect(refused).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    const code = await codeFor({ code_challenge: challenge, code_challenge_method: "S256" });
    const withoutVerifier = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(withoutVerifier.body.error).toBe("invalid_grant");
    const ok = await token({ grant_type: "authorization_code", code: await codeFor({ code_challenge: challenge, code_challenge_method: "S256" }), redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.body.access_token).toMatch(/^lin_oauth_/);
  });
});

describe("refresh tokens", () => {
  it("rotate: each refresh retires the old pair, and a reused refresh token is invalid_grant", async () => {
    const org = await control.createOrganization();
    const first = await refresh(org.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(org.refreshToken);
    expect(first.body.access_token).not.toBe(org.accessToken);

    await expect(linearClient(emulator.url, org.accessToken).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);
    expect((await linearClient(emulator.url, first.body.access_token).viewer).id).toBe(org.appUserId);

    const reused = await refresh(org.refreshToken);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: "invalid_grant", error_description: expect.any(String) });

    // Client credentials may come as HTTP Basic instead of form fields.
    const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
    const second = await token({ grant_type: "refresh_token", refresh_token: first.body.refresh_token }, { Authorization: basic });
    expect(second.status).toBe(200);
    expect(second.body.scope).toBe("read write app:assignable app:mentionable");
  });

  it("access tokens expire on the emulator's clock and a refresh recovers", async () => {
    const org = await control.createOrganization();
    const client = linearClient(emulator.url, org.accessToken);
    expect((await client.viewer).id).toBe(org.appUserId);
    await control.advanceClock(86_399 * 1000);
    const error = await client.viewer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationLinearError);
    expect((error as AuthenticationLinearError).status).toBe(400);
    const renewed = await refresh(org.refreshToken);
    expect((await linearClient(emulator.url, renewed.body.access_token).viewer).id).toBe(org.appUserId);
  });

  it("honours a configured token lifetime", async () => {
    await control.configure({ tokenTtlSeconds: 60 });
    try {
      const org = await control.createOrganization();
      expect(org.expiresIn).toBe(60);
      const renewed = await refresh(org.refreshToken);
      expect(renewed.body.expires_in).toBe(60);
      await control.advanceClock(61_000);
      await expect(linearClient(emulator.url, renewed.body.access_token).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);
    } finally {
      await control.configure({ tokenTtlSeconds: 86_399 });
    }
  });
});

describe("revoke", () => {
  async function revoke(init: { bearer?: string; form?: Record<string, string> }): Promise<number> {
    const response = await fetch(`${emulator.url}/oauth/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...(init.bearer ? { Authorization: `Bearer ${init.bearer}` } : {}) },
      body: new URLSearchParams(init.form ?? {}),
    });
    return response.status;
  }

  it("answers 200 when revoked, 400 when already revoked, 401 when it cannot authenticate", async () => {
    const org = await control.createOrganization();
    expect(await revoke({ bearer: org.accessToken })).toBe(200);
    await expect(linearClient(emulator.url, org.accessToken).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);
    expect(await revoke({ bearer: org.accessToken })).toBe(400);
    expect((await refresh(org.refreshToken)).body.error).toBe("invalid_grant");
    expect(await revoke({ bearer: "lin_oauth_unknown" })).toBe(401);
    expect(await revoke({})).toBe(401);

    const other = await control.issueTokens(org.organizationId);
    expect(await revoke({ form: { refresh_token: other.refreshToken } })).toBe(200);
    await expect(linearClient(emulator.url, other.accessToken).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);
  });
});
