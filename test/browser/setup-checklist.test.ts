/** A fresh edge, as a newcomer first sees it: signed in, the setup checklist with this deployment's URLs. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBrowserHarness, type BrowserHarness } from "./harness";

let h: BrowserHarness;

beforeAll(async () => {
  h = await startBrowserHarness({ install: false });
}, 180_000);

afterAll(async () => {
  await h?.close();
});

it("shows the setup checklist with this edge's URLs and a pre-filled Linear app link", async () => {
  const page = await h.newPage();
  await h.signInWithKey(page);
  expect(await page.locator("h1").textContent()).toBe("Welcome to Cyrus Edge");
  expect(await page.locator(".checklist li").count()).toBe(5);
  // The Linear app's secrets are set on this edge; nothing is installed yet.
  expect(await page.locator('[data-step="linear-app"]').getAttribute("class")).toBe("done");
  expect(await page.locator('[data-step="install"]').getAttribute("class")).toBe("todo");
  expect(await page.locator('[data-step="linear-app"]').textContent()).toContain(`${h.url}/webhooks/linear`);
  expect(await page.locator('[data-step="executor"] pre').textContent()).toContain(`npx cyrus connect --url ${h.url}`);

  const manifest = new URL((await page.getByRole("button", { name: "Create the Linear app, filled in" }).getAttribute("href"))!);
  expect(manifest.origin + manifest.pathname).toBe("https://linear.app/settings/api/applications/new");
  expect(manifest.searchParams.get("webhook.url")).toBe(`${h.url}/webhooks/linear`);
  expect(manifest.searchParams.getAll("webhook.resourceTypes")).toContain("AgentSessionEvent");
  expect(manifest.searchParams.getAll("oauth.redirect_uris")).toEqual([`${h.url}/oauth/linear/callback`, `${h.url}/login/linear/callback`]);

  expect(await page.getByRole("button", { name: "Install into Linear" }).getAttribute("href")).toBe("/oauth/linear/authorize");
  await h.expectNoProblems(page);
  await h.screenshot(page, "setup-checklist");
}, 60_000);
