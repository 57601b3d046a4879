/**
 * People in an emulated organization and signing in as them: the control API
 * adds members and admins, `GET /oauth/authorize?…&actor=user&user=<id>` plays
 * that person at Linear's consent page, and the token then answers `viewer` as
 * them, with `admin` and `email`, as Linear does for "Sign in with Linear".
 */
import { createHash, randomBytes } from "node:crypto";
import { AuthenticationLinearError } from "@linear/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LinearEmulatorControl } from "../../emulators/linear/control-client";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { linearClient } from "../../emulators/linear/testing";

const CLIENT_ID = "users-test-client";
const CLIENT_SECRET = "users-test-secret";
const REDIRECT_URI = "https://edge.test/login/linear/callback";

let emulator: LinearEmulator;
let control: LinearEmulatorControl;

beforeAll(async () => {
  emulator = await startLinearEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  control = new LinearEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

interface SignedInViewer {
  id: string;
  name: string;
  email: string;
  admin: boolean;
  app: boolean;
  organization: { id: string; name: string };
}

const VIEWER = `query { viewer { id name email admin app organization { id name } } }`;

async function viewerOf(accessToken: string): Promise<SignedInViewer> {
  const { data } = await linearClient(emulator.url, accessToken).client.rawRequest<{ viewer: SignedInViewer }, Record<string, never>>(VIEWER, {});
  return data!.viewer;
}

/** The browser's round trip through Linear's consent page: where Linear sends it back. */
async function authorize(params: Record<string, string>): Promise<URL> {
  const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: "code", scope: "read", actor: "user", state: "st-1", ...params });
  const response = await fetch(`${emulator.url}/oauth/authorize?${query}`, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

/** Signs in with PKCE as "Sign in with Linear" does; returns the user's access token. */
async function signIn(params: Record<string, string>): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const back = await authorize({ ...params, code_challenge: challenge, code_challenge_method: "S256" });
  expect(back.searchParams.get("error")).toBeNull();
  const response = await fetch(`${emulator.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string; scope: string };
  expect(body.scope).toBe("read");
  return body.access_token;
}

describe("people in an organization", () => {
  it("adds a member (not an admin unless asked) and an admin, listed in the organization's state", async () => {
    const org = await control.createOrganization({ name: "People" });
    const member = await control.createUser(org.organizationId, { name: "Bob Member" });
    const admin = await control.createUser(org.organizationId, { name: "Alice Admin", email: "alice@people.test", admin: true });
    expect(member).toMatchObject({ name: "Bob Member", admin: false, app: false, email: expect.stringContaining("@") });
    expect(admin).toMatchObject({ name: "Alice Admin", admin: true, email: "alice@people.test" });
    const users = (await control.state(org.organizationId)).users;
    expect(users.find((u) => u.id === member.id)).toMatchObject({ admin: false, app: false });
    expect(users.find((u) => u.id === admin.id)).toMatchObject({ admin: true, app: false });
    await expect(control.createUser(org.organizationId, { name: "Again", email: "alice@people.test" })).rejects.toThrow(/already exists/);
    await expect(control.createUser(org.organizationId, { name: " " })).rejects.toThrow(/HTTP 400/);
  });
});

describe("signing in as a person (actor=user)", () => {
  it("a member's token answers viewer as that member, with admin false and their email", async () => {
    const org = await control.createOrganization({ name: "Members" });
    const member = await control.createUser(org.organizationId, { name: "Bob Member", email: "bob@members.test" });
    const viewer = await viewerOf(await signIn({ user: member.id }));
    expect(viewer).toEqual({ id: member.id, name: "Bob Member", email: "bob@members.test", admin: false, app: false, organization: { id: org.organizationId, name: "Members" } });
  });

  it("an admin's token says admin; without `user` the organization's first member (an admin) signs in", async () => {
    const org = await control.createOrganization({ name: "Admins" });
    const admin = await control.createUser(org.organizationId, { name: "Alice Admin", admin: true });
    expect(await viewerOf(await signIn({ user: admin.id }))).toMatchObject({ id: admin.id, admin: true, app: false });
    expect(await viewerOf(await signIn({ organization: org.organizationId }))).toMatchObject({ id: org.userId, name: "Jane Doe", admin: true, app: false });
  });

  it("a browser signed in to Linear as someone (its cookie) consents as them; `user` wins over the cookie", async () => {
    const org = await control.createOrganization({ name: "Browser" });
    const member = await control.createUser(org.organizationId, { name: "Grace" });
    const admin = await control.createUser(org.organizationId, { name: "Heidi", admin: true });
    const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: "code", scope: "read", actor: "user", state: "st-2" });
    const consent = async (cookie: string, extra = "") => {
      const response = await fetch(`${emulator.url}/oauth/authorize?${query}${extra}`, { redirect: "manual", headers: { cookie } });
      const code = new URL(response.headers.get("location")!).searchParams.get("code")!;
      const token = await fetch(`${emulator.url}/oauth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
      });
      return viewerOf(((await token.json()) as { access_token: string }).access_token);
    };
    expect((await consent(`other=1; linear_emulator_user=${member.id}`)).id).toBe(member.id);
    expect((await consent(`linear_emulator_user=${member.id}`, `&user=${admin.id}`)).id).toBe(admin.id);
  });

  it("the user's organization is the one consented for, whichever is newest", async () => {
    const first = await control.createOrganization({ name: "First" });
    const member = await control.createUser(first.organizationId, { name: "Carol" });
    await control.createOrganization({ name: "Newer" });
    expect((await viewerOf(await signIn({ user: member.id }))).organization.id).toBe(first.organizationId);
  });

  it("keeps acting as the same person after a refresh", async () => {
    const org = await control.createOrganization({ name: "Refresh" });
    const member = await control.createUser(org.organizationId, { name: "Dan" });
    const back = await authorize({ user: member.id });
    const form = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
    const post = (body: Record<string, string>) =>
      fetch(`${emulator.url}/oauth/token`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ...form, ...body }) }).then(
        (r) => r.json() as Promise<{ access_token: string; refresh_token: string }>,
      );
    const first = await post({ grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: REDIRECT_URI });
    const refreshed = await post({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect((await viewerOf(refreshed.access_token)).id).toBe(member.id);
  });

  it("an app token still answers viewer as the app user", async () => {
    const org = await control.createOrganization({ name: "App" });
    expect(await viewerOf(org.accessToken)).toMatchObject({ id: org.appUserId, app: true, admin: false });
  });

  it("a user token issued through the control API acts for the chosen person", async () => {
    const org = await control.createOrganization({ name: "Control" });
    const member = await control.createUser(org.organizationId, { name: "Erin" });
    const tokens = await control.issueTokens(org.organizationId, { actor: "user", scopes: ["read"], userId: member.id });
    expect((await viewerOf(tokens.accessToken)).id).toBe(member.id);
    await expect(control.issueTokens(org.organizationId, { actor: "app", userId: member.id })).rejects.toThrow(/HTTP 400/);
    await expect(control.issueTokens(org.organizationId, { actor: "user", userId: org.appUserId })).rejects.toThrow(/HTTP 400/);
  });

  it("refuses an unknown user, the app user, and a user of another organization, back at the redirect URI", async () => {
    const org = await control.createOrganization({ name: "Refusals" });
    const other = await control.createOrganization({ name: "Other" });
    const outsider = await control.createUser(other.organizationId, { name: "Frank" });
    const cases: Record<string, string>[] = [{ user: crypto.randomUUID() }, { user: org.appUserId }, { user: outsider.id, organization: org.organizationId }];
    for (const params of cases) {
      const back = await authorize(params);
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
      expect(back.searchParams.get("error")).toBe("invalid_request");
      expect(back.searchParams.get("state")).toBe("st-1");
      expect(back.searchParams.get("code")).toBeNull();
    }
  });

  it("a revoked user token no longer reads the viewer", async () => {
    const org = await control.createOrganization({ name: "Revoke" });
    const token = await signIn({ organization: org.organizationId });
    const revoke = await fetch(`${emulator.url}/oauth/revoke`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    expect(revoke.status).toBe(200);
    await expect(viewerOf(token)).rejects.toBeInstanceOf(AuthenticationLinearError);
  });
});
