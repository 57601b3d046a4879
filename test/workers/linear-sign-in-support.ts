/**
 * "Sign in with Linear" driven the way a browser does it, for workerd tests:
 * the edge's /login/linear redirect, Linear's consent page (the emulator, as a
 * chosen person), and the edge's callback; then requests with the cookie.
 */
import { expect } from "vitest";
import { sha256Hex } from "../../src/crypto/hash";
import { edgeFetch, emulator, env } from "./support";

export interface PanelSignIn {
  cookie: string;
  csrfToken: string;
  ip: string;
}

export interface EmulatedUser {
  id: string;
  name: string;
  email: string;
  admin: boolean;
}

/** Each test signs in from an address of its own, so the failed-sign-in throttle of one never slows another. */
export function freshIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}

export async function createLinearUser(organizationId: string, fields: { name: string; admin?: boolean; email?: string }): Promise<EmulatedUser> {
  return emulator<EmulatedUser>(`/_emulator/organizations/${organizationId}/users`, fields);
}

/**
 * The state cookie each sign-in's browser got from /login/linear, by state: the
 * callback sends it back as that browser would (a callback from another
 * browser is refused; `linearCallback(..., { otherBrowser: true })`).
 */
const stateCookies = new Map<string, string>();

/** GET /login/linear: where the edge sends the browser (Linear's authorize URL). */
export async function startLinearSignIn(ip: string, next?: string): Promise<URL> {
  const response = await edgeFetch(`/login/linear${next ? `?next=${encodeURIComponent(next)}` : ""}`, { redirect: "manual", headers: { "cf-connecting-ip": ip } });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location")!);
  const cookie = /(cyrus_sign_in_state=[^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
  expect(cookie).toBeDefined();
  stateCookies.set(location.searchParams.get("state")!, cookie!);
  return location;
}

/** Linear's consent page, as `userId`: where Linear sends the browser back (the edge's callback, with code and state). */
export async function approveAsUser(authorizeUrl: URL, userId: string): Promise<URL> {
  const url = new URL(authorizeUrl);
  url.searchParams.set("user", userId);
  const consent = await fetch(url, { redirect: "manual" });
  expect(consent.status).toBe(302);
  return new URL(consent.headers.get("location")!);
}

export async function linearCallback(back: URL, ip: string, cookie?: string, options: { otherBrowser?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { "cf-connecting-ip": ip, accept: "text/html" };
  const stateCookie = options.otherBrowser ? undefined : stateCookies.get(back.searchParams.get("state") ?? "");
  const cookies = [cookie, stateCookie].filter(Boolean);
  if (cookies.length) headers.cookie = cookies.join("; ");
  return edgeFetch(`${back.pathname}${back.search}`, { redirect: "manual", headers });
}

export function sessionCookieOf(response: Response): string | null {
  const match = /(?:^|,\s*)(cyrus_session=[^;]+)/.exec(response.headers.get("set-cookie") ?? "");
  return match ? match[1]! : null;
}

/** The CSRF token our pages would carry for this sign-in (read where the edge keeps it). */
export async function csrfTokenOf(cookie: string): Promise<string> {
  const id = await sha256Hex(cookie.slice("cyrus_session=".length));
  const row = await env.DB.prepare("SELECT csrf_token FROM panel_sessions WHERE id = ?").bind(id).first<{ csrf_token: string }>();
  if (!row) throw new Error("no panel session for this cookie");
  return row.csrf_token;
}

/**
 * A callback that let the person in: a session cookie, and a page that moves
 * the browser on to `next` by itself (a refresh, not a redirect: see SignedIn
 * in workers/panel/linear-sign-in.tsx).
 */
export function expectSignedIn(response: Response, next = "/"): void {
  expect(response.status).toBe(200);
  expect(response.headers.get("refresh")).toBe(`0; url=${next}`);
  expect(response.headers.get("location")).toBeNull();
  expect(sessionCookieOf(response)).not.toBeNull();
}

/** The whole round trip as `userId`; expects to be let in. */
export async function signInWithLinear(userId: string, next = "/"): Promise<PanelSignIn> {
  const ip = freshIp();
  const back = await approveAsUser(await startLinearSignIn(ip, next), userId);
  const response = await linearCallback(back, ip);
  expectSignedIn(response, next);
  expect(await response.text()).toContain(`href="${next}"`);
  const cookie = sessionCookieOf(response);
  expect(cookie).not.toBeNull();
  return { cookie: cookie!, csrfToken: await csrfTokenOf(cookie!), ip };
}

/** A request as the signed-in person, with the CSRF token on anything that changes state. */
export async function asSignedIn(session: PanelSignIn, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", session.cookie);
  const method = (init.method ?? "GET").toUpperCase();
  if (!["GET", "HEAD"].includes(method)) headers.set("x-csrf-token", session.csrfToken);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return edgeFetch(path, { ...init, headers, redirect: "manual" });
}
