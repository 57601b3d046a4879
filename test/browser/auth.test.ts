/**
 * Signing in and out of the panel in a real browser: where a signed-out user
 * is sent and where they land after signing in, wrong keys and their
 * slowdown, the session cookie's attributes, sign-out ending the session on
 * the server, and an expired session.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBrowserHarness, type BrowserHarness } from "./harness";

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

describe("signed out", () => {
  it.each(["/", "/sessions", "/settings"])("%s redirects to /login, and signing in lands there", async (path) => {
    const page = await h.newPage();
    const response = await page.goto(`${path}?from=test`);
    expect(pathOf(page.url())).toBe(`/login?next=${encodeURIComponent(`${path}?from=test`)}`);
    expect(response?.status()).toBe(200);
    const redirect = await response?.request().redirectedFrom()?.response();
    expect([302, 303]).toContain(redirect?.status());
    await h.expectNoProblems(page);

    await page.locator('input[name="key"]').fill(h.apiKey);
    await page.getByRole("button", { name: "Sign in with the admin key" }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
    expect(pathOf(page.url())).toBe(`${path}?from=test`);
    await page.context().close();
  });
});
