/**
 * Signing in and out of the panel in a real browser: where a signed-out user
 * is sent and where they land after signing in, wrong keys and their
 * slowdown, the session cookie's attributes, sign-out ending the session on
 * the server, and an expired session.
 */
import { createHash } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectResponse, startBrowserHarness, type BrowserHarness, type InBrowser } from "./harness";

const SESSION_COOKIE = "cyrus_session";
const SEVEN_DAYS_S = 7 * 24 * 60 * 60;

let h: BrowserHarness;

beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h?.close();
});

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

async function sessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error(`no ${SESSION_COOKIE} cookie`);
  return cookie;
}

/** Submits the admin-key form with `key` and answers the POST's response (the page is then on its result). */
async function submitKey(page: Page, key: string) {
  await page.locator('input[name="key"]').fill(key);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login"),
    page.getByRole("button", { name: "Sign in with the admin key" }).click(),
  ]);
  await page.waitForLoadState("load");
  return response;
}

describe("signed out", () => {
  it.each(["/", "/sessions", "/settings"])("%s redirects to /login, and signing in lands there", async (path) => {
    const page = await h.newPage();
    const response = await page.goto(`${path}?from=test`);
    expect(pathOf(page.url())).toBe(`/login?next=${encodeURIComponent(`${path}?from=test`)}`);
    expect(response?.status()).toBe(200);
    const redirect = await response?.request().redirectedFrom()?.response();
    expect([302, 303]).toContain(redirect?.status());
    await h.expectNoProblems(page);

    await submitKey(page, h.apiKey);
    expect(pathOf(page.url())).toBe(`${path}?from=test`);
    await page.context().close();
  });
});

describe("signing in with the admin key", () => {
  it("a wrong key is refused with a message, and no session starts", async () => {
    const page = await h.newPage({ expected: [{ status: 401, path: "/login", method: "POST" }] });
    await page.goto("/login");
    const response = await submitKey(page, "not-the-key");
    expect(response.status()).toBe(401);
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not this edge's admin key");
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
    await h.expectNoProblems(page);
    await h.screenshot(page, "auth-wrong-key");
    await page.context().close();
  });

  it("many wrong keys are slowed down: 429 with Retry-After, and the page says how long to wait", async () => {
    const page = await h.newPage({ expected: [{ status: 401, path: "/login", method: "POST" }, { status: 429, path: "/login", method: "POST" }] });
    // A success clears the client's record, so this test starts from zero failures whatever ran before it.
    await h.signInWithKey(page);
    await page.context().clearCookies();
    await page.goto("/login");

    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof submitKey>> | null = null;
    for (let attempt = 0; attempt < 8 && !throttled; attempt++) {
      const response = await submitKey(page, `wrong-${attempt}`);
      statuses.push(response.status());
      if (response.status() === 429) throttled = response;
    }
    // The first failures cost nothing (401); then the client is blocked.
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(throttled, `statuses: ${statuses.join(", ")}`).not.toBeNull();
    const retryAfter = Number(await throttled!.headerValue("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/Too many failed sign-ins.*Try again in \d+ s/);
    await h.screenshot(page, "auth-throttled");

    // Once the block has passed (its end moved to now in local D1, rather than waited for), the right key signs in
    // (and clears the record for the other tests).
    await h.sql(`UPDATE sign_in_failures SET blocked_until = ${Date.now()}`);
    await submitKey(page, h.apiKey);
    expect(new URL(page.url()).pathname).toBe("/");
    await h.expectNoProblems(page);
    await page.context().close();
  });

  it("the right key lands on the overview with an HttpOnly, SameSite=Strict session cookie that expires within 7 days", async () => {
    const page = await h.newPage();
    await page.goto("/login");
    const response = await submitKey(page, h.apiKey);
    expect(response.status()).toBe(303);
    expect(new URL(page.url()).pathname).toBe("/");
    await expect(page.locator('header nav a[aria-current="page"]').textContent()).resolves.toBe("Overview");
    await expect(page.getByRole("button", { name: "Sign out" }).isVisible()).resolves.toBe(true);

    const cookie = await sessionCookie(page.context());
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    // Secure only on https; this edge is http://127.0.0.1.
    expect(cookie.secure).toBe(false);
    const now = Date.now() / 1000;
    expect(cookie.expires).toBeGreaterThan(now);
    expect(cookie.expires).toBeLessThanOrEqual(now + SEVEN_DAYS_S + 60);
    // The page's scripts cannot read it.
    await expect(page.evaluate(() => (globalThis as InBrowser).document.cookie as string)).resolves.not.toContain(SESSION_COOKIE);
    await page.context().close();
  });
});

describe("ending a session", () => {
  it("Sign out ends the session on the server: a copy of the old cookie works nowhere", async () => {
    const page = await h.newPage();
    await h.signInWithKey(page);
    const oldCookie = await sessionCookie(page.context());
    await expect(fetch(`${h.url}/api/repositories`, { headers: { cookie: `${SESSION_COOKIE}=${oldCookie.value}` } }).then((r) => r.status)).resolves.toBe(200);

    await Promise.all([page.waitForURL((url) => url.pathname === "/login"), page.getByRole("button", { name: "Sign out" }).click()]);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
    await h.expectNoProblems(page);

    // Someone who kept the cookie: a fresh browser with it is signed out, and the API refuses it.
    const replay = await h.newContext();
    await replay.addCookies([oldCookie]);
    const replayed = await h.newPage({ context: replay });
    await replayed.goto("/sessions");
    expect(pathOf(replayed.url())).toBe(`/login?next=${encodeURIComponent("/sessions")}`);
    const api = await fetch(`${h.url}/api/repositories`, { headers: { cookie: `${SESSION_COOKIE}=${oldCookie.value}` } });
    expect(api.status).toBe(401);
    await replay.close();
    await page.context().close();
  });

  it("an expired session is sent back to /login", async () => {
    const page = await h.newPage();
    await h.signInWithKey(page);
    await page.goto("/?period=now");
    expect(pathOf(page.url())).toBe("/?period=now");

    // The server stores the SHA-256 of the cookie's token; move that session's expiry into the past.
    const id = createHash("sha256").update((await sessionCookie(page.context())).value).digest("hex");
    const expired = await h.sql<{ id: string }>(`UPDATE panel_sessions SET expires_at = ${Date.now() - 1000} WHERE id = '${id}' RETURNING id`);
    expect(expired).toEqual([{ id }]);

    await page.goto("/?period=now");
    expect(pathOf(page.url())).toBe(`/login?next=${encodeURIComponent("/?period=now")}`);
    const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
    expectResponse(page, { status: 401, path: "/api/repositories" });
    const api = await page.evaluate(() => fetch("/api/repositories").then((r) => r.status));
    expect(api).toBe(401);
    expect(cookie, "the browser still holds the cookie; the server no longer honours it").toBeDefined();
    await h.expectNoProblems(page);
    await page.context().close();
  });
});
