/**
 * Starting and ending a panel sign-in. The cookie carries a random token and
 * only its hash is stored; the cookie is HttpOnly, SameSite=Strict, Path=/,
 * Secure on https, and lasts as long as the stored session (7 days).
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { randomToken } from "../../src/crypto/encoding";
import { sha256Hex } from "../../src/crypto/hash";
import { insertPanelSession, PANEL_SESSION_TTL_MS, revokePanelSession, type PanelSessionRow } from "../../src/db/queries/panel-sessions";
import { clearSignInFailures, readSignInFailures, writeSignInFailures } from "../../src/db/queries/panel-sessions";
import { recordFailure, signInGate, type SignInGate } from "../../src/domain/panel/sign-in-throttle";
import type { AppBindings } from "../factory";
import { SESSION_COOKIE } from "../middleware/principal";
import { WORKSPACE_COOKIE } from "../middleware/workspace";

export type NewPanelSession = Pick<PanelSessionRow, "kind" | "linearUserId" | "name" | "email" | "organizationId" | "linearAdmin">;

const isHttps = (c: Context<AppBindings>) => new URL(c.req.url).protocol === "https:";

export async function startPanelSession(c: Context<AppBindings>, who: NewPanelSession): Promise<void> {
  const token = randomToken(32);
  const now = Date.now();
  await insertPanelSession(c.var.db, {
    id: await sha256Hex(token),
    ...who,
    csrfToken: randomToken(24),
    createdAt: now,
    expiresAt: now + PANEL_SESSION_TTL_MS,
  });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: isHttps(c),
    maxAge: Math.floor(PANEL_SESSION_TTL_MS / 1000),
  });
}

/** Ends the session on the server, so the old cookie works nowhere, and clears the cookies. */
export async function endPanelSession(c: Context<AppBindings>, session: PanelSessionRow): Promise<void> {
  await revokePanelSession(c.var.db, session.id, Date.now());
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
  deleteCookie(c, WORKSPACE_COOKIE, { path: "/", secure: isHttps(c) });
}

/**
 * The client a failed sign-in is counted against: its address as Cloudflare
 * saw it (hashed, so the table holds no addresses).
 */
export async function signInClientKey(c: Context<AppBindings>): Promise<string> {
  const address = c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "unknown";
  return sha256Hex(`sign-in:${address}`);
}

export async function signInAllowed(c: Context<AppBindings>, clientKey: string): Promise<SignInGate> {
  return signInGate(await readSignInFailures(c.var.db, clientKey), Date.now());
}

export async function noteFailedSignIn(c: Context<AppBindings>, clientKey: string): Promise<void> {
  const record = recordFailure(await readSignInFailures(c.var.db, clientKey), Date.now());
  await writeSignInFailures(c.var.db, clientKey, record);
}

export async function noteSuccessfulSignIn(c: Context<AppBindings>, clientKey: string): Promise<void> {
  await clearSignInFailures(c.var.db, clientKey);
}
