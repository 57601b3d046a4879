/**
 * Linear's OAuth 2.0 endpoints for apps (shared/contracts §2): authorize
 * auto-approves for one organization, the token endpoint exchanges codes
 * (client secret or PKCE S256) and rotates refresh tokens, revoke ends a grant.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Emulator } from "./emulator";
import { applyFault } from "./fault-responses";
import { readBody, redirect, sendJson } from "./http";
import type { OAuthCall } from "./recorder";
import { CLIENT_CREDENTIALS_TTL_SECONDS, type Grant, type GrantActor, s256 } from "./tokens";

const KNOWN_SCOPES = new Set([
  "read",
  "write",
  "issues:create",
  "comments:create",
  "timeSchedule:write",
  "admin",
  "app:assignable",
  "app:mentionable",
  "customer:read",
  "customer:write",
  "initiative:read",
  "initiative:write",
]);

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function record(emulator: Emulator, call: Omit<OAuthCall, "at">): void {
  emulator.recorder.recordOAuth({ at: new Date().toISOString(), ...call });
}

/** Scopes arrive comma-separated; returns the list, or the reason it is refused. */
function parseScopes(raw: string | null, actor: GrantActor): string[] | { error: string } {
  if (!raw) return { error: "scope is required" };
  const scopes = raw.split(",").map((s) => s.trim());
  const unknown = scopes.find((s) => !KNOWN_SCOPES.has(s));
  if (unknown !== undefined) return { error: `Invalid scope: ${JSON.stringify(unknown)} (scopes are comma-separated)` };
  if (!scopes.includes("read")) return { error: "The read scope is required" };
  if (actor === "app" && scopes.includes("admin")) return { error: "The admin scope cannot be requested with actor=app" };
  if (actor !== "app" && scopes.some((s) => s.startsWith("app:"))) return { error: "app:* scopes require actor=app" };
  return [...new Set(scopes)];
}

function redirectUriAllowed(emulator: Emulator, value: string | null): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  } catch {
    return false;
  }
  const allowed = emulator.config.redirectUris;
  return allowed === null || allowed.includes(value);
}

function withParams(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return url.toString();
}

/** The emulator's stand-in for Linear's own sign-in cookie: who this browser is signed in to Linear as. */
export const BROWSER_USER_COOKIE = "linear_emulator_user";

function browserUser(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === BROWSER_USER_COOKIE) return decodeURIComponent(value.join("=")) || null;
  }
  return null;
}

export function handleAuthorize(emulator: Emulator, req: IncomingMessage, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const clientId = q.get("client_id");
  const redirectUri = q.get("redirect_uri");
  const state = q.get("state");
  const refuse = (status: number, error: string, description: string) => {
    record(emulator, { organizationId: null, endpoint: "authorize", status, error });
    sendJson(res, status, { error, error_description: description });
  };
  if (!clientId || clientId !== emulator.config.clientId) return refuse(400, "invalid_client", "Unknown client_id");
  if (!redirectUriAllowed(emulator, redirectUri)) return refuse(400, "invalid_request", "Invalid redirect_uri");

  const fail = (error: string, description: string) => {
    record(emulator, { organizationId: null, endpoint: "authorize", status: 302, error });
    redirect(res, withParams(redirectUri, { error, error_description: description, state }));
  };
  if (q.get("response_type") !== "code") return fail("unsupported_response_type", "response_type must be code");
  const actorParam = q.get("actor");
  if (actorParam !== null && actorParam !== "app" && actorParam !== "user") return fail("invalid_request", "actor must be app or user");
  const actor: GrantActor = actorParam === "app" ? "app" : "user";
  const scopes = parseScopes(q.get("scope"), actor);
  if (!Array.isArray(scopes)) return fail("invalid_scope", scopes.error);
  const challenge = q.get("code_challenge");
  const method = q.get("code_challenge_method");
  if (challenge !== null && method !== "S256") return fail("invalid_request", "code_challenge_method must be S256");
  if (challenge === null && method !== null) return fail("invalid_request", "code_challenge_method without code_challenge");
  if (challenge !== null && !/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) return fail("invalid_request", "code_challenge must be a base64url S256 digest");

  const requestedOrg = q.get("organization");
  if (requestedOrg && !emulator.store.orgs.has(requestedOrg)) return fail("invalid_request", "Unknown organization");
  // Who is signed in to Linear in this browser (emulator only): the `user` parameter, else the browser's
  // emulated Linear session cookie. Their organization is the one consented for.
  const requestedUser = q.get("user") ?? browserUser(req);
  const userOrg = requestedUser ? emulator.store.ownerOf(requestedUser.toLowerCase()) : undefined;
  const user = userOrg?.users.get(requestedUser!.toLowerCase());
  if (requestedUser && (!user || user.app)) return fail("invalid_request", "Unknown user");
  if (requestedOrg && userOrg && userOrg.id !== requestedOrg) return fail("invalid_request", "That user is not a member of that organization");
  // Without `user`, the organization's first member (an admin) consents at once.
  const newest = () => (emulator.store.currentOrgId ? emulator.store.org(emulator.store.currentOrgId) : emulator.store.createOrganization());
  const org = userOrg ?? (requestedOrg ? emulator.store.org(requestedOrg) : newest());
  const orgId = org.id;
  const userId = user?.id ?? org.humanUserId;
  const code = emulator.tokens.createCode({ clientId, redirectUri, scopes, actor, orgId, userId, codeChallenge: challenge });
  record(emulator, { organizationId: orgId, endpoint: "authorize", status: 302 });
  redirect(res, withParams(redirectUri, { code: code.code, state }));
}

interface ClientCredentials {
  clientId: string | null;
  clientSecret: string | null;
  viaBasic: boolean;
}

function clientCredentials(req: IncomingMessage, form: URLSearchParams): ClientCredentials | { error: string } {
  const header = req.headers.authorization;
  const fromForm = { clientId: form.get("client_id"), clientSecret: form.get("client_secret") };
  if (header?.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { error: "malformed Basic credentials" };
    const clientId = decodeURIComponent(decoded.slice(0, colon));
    const clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    if ((fromForm.clientId && fromForm.clientId !== clientId) || fromForm.clientSecret) return { error: "client credentials sent twice" };
    return { clientId, clientSecret, viaBasic: true };
  }
  return { ...fromForm, viaBasic: false };
}

function tokenResponse(grant: Grant, ttlSeconds: number) {
  const body: Record<string, unknown> = {
    access_token: grant.accessToken,
    token_type: "Bearer",
    expires_in: ttlSeconds,
    // Requested comma-separated, returned space-separated.
    scope: grant.scopes.join(" "),
  };
  if (grant.refreshToken) body.refresh_token = grant.refreshToken;
  return body;
}

export async function handleToken(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const form = new URLSearchParams(text);
  const grantType = form.get("grant_type") ?? undefined;
  let organizationId: string | null = null;
  const answer = (status: number, body: Record<string, unknown>) => {
    record(emulator, { organizationId, endpoint: "token", grantType, status, ...(typeof body.error === "string" ? { error: body.error } : {}) });
    sendJson(res, status, body, { "Cache-Control": "no-store" });
  };
  if (contentType !== "application/x-www-form-urlencoded") {
    return answer(400, { error: "invalid_request", error_description: "Content-Type must be application/x-www-form-urlencoded" });
  }
  const refreshGrant = form.get("refresh_token") ? emulator.tokens.byRefreshToken(form.get("refresh_token")!) : undefined;
  organizationId = refreshGrant?.orgId ?? null;
  const fault = emulator.faults.take({ organizationId, rootFields: [], path: "/oauth/token" });
  if (fault && (await applyFault(fault, res, "before"))) {
    record(emulator, { organizationId, endpoint: "token", grantType, status: res.statusCode, fault: fault.kind });
    return;
  }

  const credentials = clientCredentials(req, form);
  if ("error" in credentials) return answer(400, { error: "invalid_request", error_description: credentials.error });
  const badClient = (description: string) => answer(credentials.viaBasic ? 401 : 400, { error: "invalid_client", error_description: description });
  if (credentials.clientId !== emulator.config.clientId) return badClient("Unknown client_id");
  const secretOk = credentials.clientSecret !== null && safeEqual(credentials.clientSecret, emulator.config.clientSecret);
  if (credentials.clientSecret !== null && !secretOk) return badClient("Invalid client_secret");
  const ttl = emulator.config.tokenTtlSeconds;
  const invalidGrant = (description: string) => answer(400, { error: "invalid_grant", error_description: description });

  if (grantType === "authorization_code") {
    const code = emulator.tokens.code(form.get("code") ?? "");
    if (!code || code.clientId !== credentials.clientId) return invalidGrant("Invalid authorization code");
    organizationId = code.orgId;
    if (code.usedAtMs !== null) {
      // A replayed code is a sign of theft: end what it issued (RFC 6749 §4.1.2).
      for (const id of code.grantIds) {
        const issued = emulator.tokens.get(id);
        if (issued) emulator.tokens.end(issued, "revoked");
      }
      return invalidGrant("Authorization code has already been used");
    }
    if (code.expiresAtMs <= emulator.store.clock.nowMs()) return invalidGrant("Authorization code has expired");
    if (form.get("redirect_uri") !== code.redirectUri) return invalidGrant("redirect_uri does not match the authorization request");
    const verifier = form.get("code_verifier");
    if (code.codeChallenge !== null) {
      if (!verifier) return invalidGrant("code_verifier is required");
      if (s256(verifier) !== code.codeChallenge) return invalidGrant("code_verifier does not match the code_challenge");
    } else if (!secretOk) {
      return badClient("client_secret is required");
    }
    code.usedAtMs = emulator.store.clock.nowMs();
    const grant = emulator.tokens.issue({ orgId: code.orgId, clientId: code.clientId, actor: code.actor, userId: code.userId, scopes: code.scopes, ttlSeconds: ttl, withRefresh: true, source: "authorization_code" });
    code.grantIds.push(grant.id);
    return answer(200, tokenResponse(grant, ttl));
  }

  if (grantType === "refresh_token") {
    if (!secretOk) return badClient("client_secret is required");
    const old = refreshGrant;
    if (!old || old.clientId !== credentials.clientId) return invalidGrant("Invalid refresh token");
    if (old.endedAtMs !== null) return invalidGrant(`Refresh token is no longer valid (${old.endReason})`);
    emulator.tokens.end(old, "rotated");
    const grant = emulator.tokens.issue({ orgId: old.orgId, clientId: old.clientId, actor: old.actor, userId: old.userId, scopes: old.scopes, ttlSeconds: ttl, withRefresh: true, source: "refresh_token" });
    return answer(200, tokenResponse(grant, ttl));
  }

  if (grantType === "client_credentials") {
    if (!secretOk) return badClient("client_secret is required");
    const scopes = parseScopes(form.get("scope")?.replace(/\s+/g, ",") ?? "read", "app");
    if (!Array.isArray(scopes)) return answer(400, { error: "invalid_scope", error_description: scopes.error });
    const requestedOrg = form.get("organization");
    const orgId = requestedOrg ?? emulator.store.currentOrgId;
    if (!orgId || !emulator.store.orgs.has(orgId)) return invalidGrant("The app is not installed in any workspace");
    organizationId = orgId;
    // Only one client-credentials token is active at a time.
    emulator.tokens.endWhere((g) => g.orgId === orgId && g.source === "client_credentials", "revoked");
    const grant = emulator.tokens.issue({ orgId, clientId: credentials.clientId, actor: "app", scopes, ttlSeconds: CLIENT_CREDENTIALS_TTL_SECONDS, withRefresh: false, source: "client_credentials" });
    return answer(200, tokenResponse(grant, CLIENT_CREDENTIALS_TTL_SECONDS));
  }

  return answer(400, { error: "unsupported_grant_type", error_description: `Unsupported grant_type ${JSON.stringify(grantType ?? null)}` });
}

export async function handleRevoke(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  const form = new URLSearchParams(text);
  const header = req.headers.authorization;
  const value = header?.startsWith("Bearer ") ? header.slice(7).trim() : (form.get("access_token") ?? form.get("refresh_token") ?? form.get("token"));
  const grant = value ? emulator.tokens.find(value) : undefined;
  const answer = (status: number, body: Record<string, unknown>) => {
    record(emulator, { organizationId: grant?.orgId ?? null, endpoint: "revoke", status, ...(typeof body.error === "string" ? { error: body.error } : {}) });
    sendJson(res, status, body);
  };
  if (!grant) return answer(401, { error: "invalid_token", error_description: "Could not authenticate the token to revoke" });
  if (grant.endedAtMs !== null) return answer(400, { error: "invalid_request", error_description: `Token could not be revoked: it is already ${grant.endReason}` });
  emulator.tokens.end(grant, "revoked");
  return answer(200, { success: true });
}
