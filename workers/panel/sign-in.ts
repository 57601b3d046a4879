/**
 * Starting and ending a panel sign-in. The cookie carries a random token and
 * only its hash is stored; the cookie is HttpOnly, SameSite=Strict, Path=/,
 * Secure on https, and lasts as long as the stored session (7 days for the
 * admin key, 12 hours for a Linear user: src/domain/panel/access.ts).
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { bytesToHex, randomToken } from "../../src/crypto/encoding";
import { sha256Hex } from "../../src/crypto/hash";
import { insertPanelSession, revokePanelSession, type PanelSessionRow } from "../../src/db/queries/panel-sessions";
import { signInLifetimeMs } from "../../src/domain/panel/access";
import { clearSignInFailures, readSignInFailures, swapSignInFailures } from "../../src/db/queries/panel-sessions";
import { claimAttempt, SIGN_IN_THROTTLE, type SignInGate } from "../../src/domain/panel/sign-in-throttle";
import type { AppBindings } from "../factory";
import { SESSION_COOKIE } from "../middleware/principal";
import { WORKSPACE_COOKIE } from "../middleware/workspace";

export type NewPanelSession = Pick<PanelSessionRow, "kind" | "linearUserId" | "name" | "email" | "organizationId" | "linearAdmin">;

const isHttps = (c: Context<AppBindings>) => new URL(c.req.url).protocol === "https:";

export async function startPanelSession(c: Context<AppBindings>, who: NewPanelSession): Promise<void> {
  const token = randomToken(32);
  const now = Date.now();
  const lifetimeMs = signInLifetimeMs(who.kind === "admin_key" ? "admin_key" : "linear");
  await insertPanelSession(c.var.db, {
    id: await sha256Hex(token),
    ...who,
    csrfToken: randomToken(24),
    createdAt: now,
    expiresAt: now + lifetimeMs,
  });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: isHttps(c),
    maxAge: Math.floor(lifetimeMs / 1000),
  });
}

/** Ends the session on the server, so the old cookie works nowhere, and clears the cookies. */
export async function endPanelSession(c: Context<AppBindings>, session: PanelSessionRow): Promise<void> {
  await revokePanelSession(c.var.db, session.id, Date.now());
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
  deleteCookie(c, WORKSPACE_COOKIE, { path: "/", secure: isHttps(c) });
}

/**
 * The client a sign-in attempt is counted against: its address as Cloudflare
 * saw it, keyed with ENCRYPTION_KEY (an HMAC: a plain hash of an IPv4 address
 * is reversed in minutes), so the table and the audit log hold no addresses.
 */
export async function signInClientKey(c: Context<AppBindings>): Promise<string> {
  const address = c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "unknown";
  const secret = c.env.ENCRYPTION_KEY;
  if (!secret) return sha256Hex(`sign-in:${address}`);
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`sign-in:${address}`));
  return bytesToHex(new Uint8Array(mac));
}

/** Swaps lost to concurrent attempts of the same client before this one gives up (and is refused). */
const CLAIM_TRIES = 8;

/**
 * Counts one sign-in attempt for the client, before its key or code is
 * checked (src/domain/panel/sign-in-throttle.ts): refused while the client is
 * blocked; a success clears the count (`noteSuccessfulSignIn`).
 */
export async function claimSignInAttempt(c: Context<AppBindings>, clientKey: string): Promise<SignInGate> {
  for (let i = 0; i < CLAIM_TRIES; i++) {
    const current = await readSignInFailures(c.var.db, clientKey);
    const claim = claimAttempt(current, Date.now());
    if (!claim.allowed) return claim;
    if (await swapSignInFailures(c.var.db, clientKey, current, claim.record)) return { allowed: true };
  }
  // So many attempts at once from one client: refuse this one rather than count it loosely.
  return { allowed: false, retryAfterMs: SIGN_IN_THROTTLE.firstBlockMs };
}

export async function noteSuccessfulSignIn(c: Context<AppBindings>, clientKey: string): Promise<void> {
  await clearSignInFailures(c.var.db, clientKey);
}
