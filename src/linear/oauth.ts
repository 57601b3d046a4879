/**
 * Linear's OAuth 2.0 for apps: the authorize URL, the code exchange and the
 * refresh. Refresh tokens rotate (each refresh returns a new one and retires the
 * old), so only the Workspace object calls `refreshAccessToken`, one at a time.
 */
import { z } from "zod";
import { bytesToBase64Url, randomToken } from "../crypto/encoding";

export const LINEAR_APP_SCOPES = ["read", "write", "app:assignable", "app:mentionable"] as const;

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  // Requested comma-separated, returned space-separated; very old apps got an array.
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  refresh_token: z.string().min(1).optional(),
});

export interface LinearTokens {
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
  scope: string;
}

/** Linear refused a token request; `code` is the OAuth error code (e.g. `invalid_grant`). */
export class LinearOAuthError extends Error {
  constructor(
    readonly code: string,
    description: string,
    readonly status: number,
  ) {
    super(`Linear refused the token request (${code}): ${description}`);
    this.name = "LinearOAuthError";
  }
}

export interface OAuthClient {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface AuthorizeRequest {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
}

/** Installing the app in a workspace: it acts as itself (actor=app) with the app scopes. */
export function buildAuthorizeUrl(options: AuthorizeRequest): string {
  return authorizeUrl(options, "app", LINEAR_APP_SCOPES);
}

/**
 * "Sign in with Linear": the person authorizes as themselves (actor=user) and
 * only `read`, enough to learn who they are; the token is not kept.
 */
export function buildSignInAuthorizeUrl(options: AuthorizeRequest): string {
  return authorizeUrl(options, "user", ["read"]);
}

function authorizeUrl(options: AuthorizeRequest, actor: "app" | "user", scopes: readonly string[]): string {
  const url = new URL(options.authorizeUrl);
  url.searchParams.set("client_id", options.clientId);
  url.searchParams.set("redirect_uri", options.redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", scopes.join(","));
  url.searchParams.set("state", options.state);
  url.searchParams.set("actor", actor);
  url.searchParams.set("code_challenge", options.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

/** A PKCE verifier and its S256 challenge. */
export async function createPkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomToken(32);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: bytesToBase64Url(new Uint8Array(digest)) };
}

export function exchangeAuthorizationCode(
  client: OAuthClient,
  input: { code: string; redirectUri: string; codeVerifier: string },
  now = Date.now(),
): Promise<LinearTokens> {
  return requestTokens(
    client,
    {
      grant_type: "authorization_code",
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    },
    now,
  );
}

export function refreshAccessToken(client: OAuthClient, refreshToken: string, now = Date.now()): Promise<LinearTokens> {
  return requestTokens(
    client,
    { grant_type: "refresh_token", refresh_token: refreshToken, client_id: client.clientId, client_secret: client.clientSecret },
    now,
  );
}

/**
 * Ends a token at Linear (`POST /oauth/revoke`). Best effort: the caller has
 * already decided not to keep the token, so a failure is only worth logging.
 */
export async function revokeToken(apiUrl: string, accessToken: string): Promise<{ ok: true } | { ok: false; status: number }> {
  const response = await fetch(`${apiUrl.replace(/\/+$/, "")}/oauth/revoke`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(15_000),
  });
  await response.body?.cancel();
  return response.ok ? { ok: true } : { ok: false, status: response.status };
}

async function requestTokens(client: OAuthClient, form: Record<string, string>, now: number): Promise<LinearTokens> {
  const response = await fetch(`${client.apiUrl.replace(/\/+$/, "")}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LinearOAuthError("invalid_response", `HTTP ${response.status}, not JSON`, response.status);
  }
  if (!response.ok) {
    const error = z.object({ error: z.string(), error_description: z.string().optional() }).safeParse(json);
    throw new LinearOAuthError(
      error.success ? error.data.error : "http_error",
      error.success ? (error.data.error_description ?? "no description") : `HTTP ${response.status}`,
      response.status,
    );
  }
  const parsed = TokenResponseSchema.safeParse(json);
  if (!parsed.success) throw new LinearOAuthError("invalid_response", z.prettifyError(parsed.error), response.status);
  const { access_token, refresh_token, expires_in, scope } = parsed.data;
  return {
    accessToken: access_token,
    refreshToken: refresh_token,
    expiresAt: now + expires_in * 1000,
    scope: Array.isArray(scope) ? scope.join(" ") : (scope ?? ""),
  };
}
