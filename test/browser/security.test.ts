/**
 * The panel's security contract in a real browser: a state-changing request
 * carrying the session cookie but not its CSRF token is refused and changes
 * nothing (from the panel's own page and from another origin of the same
 * site, where SameSite=Strict still sends the cookie); every HTML page
 * carries the security headers; the CSP really blocks inline script; and every
 * page loads with no console error and no failed request, with a screenshot.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearProblems, startBrowserHarness, type BrowserHarness, type InBrowser } from "./harness";
import { unexpectedProblems } from "./problems";

let h: BrowserHarness;
/** Another origin on 127.0.0.1 (another port): cross-origin, but the same site, so the browser sends the SameSite=Strict cookie along. */
let attacker: Server;
let attackerUrl: string;

/** A page that posts a form to `action` as soon as it loads, as a malicious page would. */
function attackPage(action: string, fields: Record<string, string>, enctype = "application/x-www-form-urlencoded"): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name='${name.replace(/'/g, "&#39;")}' value='${value.replace(/'/g, "&#39;")}'>`)
    .join("");
  return `<!doctype html><form method="post" action="${action}" enctype="${enctype}">${inputs}</form><script>document.forms[0].submit()</script>`;
}

beforeAll(async () => {
  h = await startBrowserHarness();
  const pages: Record<string, string> = {
    "/logout": attackPage(`${h.url}/logout`, { reason: "bye" }),
    // The classic CSRF on a JSON API: a text/plain form whose body reads as JSON.
    "/create-repository": attackPage(`${h.url}/api/repositories`, { '{"name":"csrf-evil","x":"': '"}' }, "text/plain"),
  };
  attacker = createServer((req, res) => {
    const page = pages[req.url ?? ""];
    res.writeHead(page ? 200 : 404, { "content-type": "text/html" }).end(page ?? "no such page");
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => attacker?.close(resolve));
  await h?.close();
});

async function repositoryNames(): Promise<string[]> {
  const response = await h.api("/api/repositories");
  expect(response.status).toBe(200);
  return ((await response.json()) as { repositories: Array<{ name: string }> }).repositories.map((r) => r.name);
}

/** Whether the page's context is still signed in: the overview answers instead of sending it to /login. */
async function stillSignedIn(page: Page): Promise<boolean> {
  await page.goto("/");
  return new URL(page.url()).pathname === "/";
}

describe("CSRF", () => {
  it("a script's POST with the cookie but without the right X-CSRF-Token is refused with 403 and creates nothing", async () => {
    const page = await h.newPage({ expected: [{ status: 403, path: "/api/repositories", method: "POST" }] });
    await h.signInWithKey(page);
    const token = await page.locator('meta[name="csrf-token"]').getAttribute("content");
    expect(token).toBeTruthy();

    const post = (name: string, csrf: string | null) =>
      page.evaluate(
        async ({ name, csrf }) => {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (csrf !== null) headers["x-csrf-token"] = csrf;
          const response = await fetch("/api/repositories", { method: "POST", headers, body: JSON.stringify({ name }) });
          return { status: response.status, body: await response.text() };
        },
        { name, csrf },
      );

    const without = await post("csrf-without", null);
    expect(without.status).toBe(403);
    expect(without.body).toContain("CSRF");
    const wrong = await post("csrf-wrong", `${token}x`);
    expect(wrong.status).toBe(403);
    const names = await repositoryNames();
    expect(names).not.toContain("csrf-without");
    expect(names).not.toContain("csrf-wrong");

    // The same request with the page's token goes through: the refusals above were about the token, not the body.
    const right = await post("csrf-right", token);
    expect(right.status).toBe(201);
    const created = JSON.parse(right.body) as { id: string };
    expect(await repositoryNames()).toContain("csrf-right");
    expect((await h.api(`/api/repositories/${created.id}`, { method: "DELETE" })).ok).toBe(true);
    await h.expectNoProblems(page);
    await page.context().close();
  });

  it("a form on another origin posting to /logout without _csrf is refused with 403, and the session lives on", async () => {
    // The refusal is a plain-text page with no <link rel="icon">, so Chromium asks for /favicon.ico, which the edge does not serve.
    const page = await h.newPage({ expected: [{ status: 403, path: "/logout", method: "POST" }, { status: 404, path: "/favicon.ico" }] });
    await h.signInWithKey(page);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url() === `${h.url}/logout`),
      page.goto(`${attackerUrl}/logout`),
    ]);
    expect(response.status()).toBe(403);
    // The browser did send the cookie (same site): the CSRF token is what stopped it.
    expect(await response.request().headerValue("cookie")).toContain("cyrus_session=");
    await page.waitForLoadState("load");
    expect(await stillSignedIn(page)).toBe(true);
    await h.expectNoProblems(page);
    await page.context().close();
  });

  it("a text/plain form on another origin posting JSON to the API is refused with 403 and creates nothing", async () => {
    // The refusal is JSON, with no <link rel="icon">, so Chromium asks for /favicon.ico, which the edge does not serve.
    const page = await h.newPage({ expected: [{ status: 403, path: "/api/repositories", method: "POST" }, { status: 404, path: "/favicon.ico" }] });
    await h.signInWithKey(page);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url() === `${h.url}/api/repositories`),
      page.goto(`${attackerUrl}/create-repository`),
    ]);
    expect(response.status()).toBe(403);
    expect(await response.request().headerValue("cookie")).toContain("cyrus_session=");
    expect(await repositoryNames()).not.toContain("csrf-evil");
    await h.expectNoProblems(page);
    await page.context().close();
  });
});

/** The contract every HTML page keeps (DESIGN.md, "The control panel"). */
function expectSecurityHeaders(headers: Record<string, string>, where: string) {
  const csp = headers["content-security-policy"];
  expect(csp, `${where}: Content-Security-Policy`).toBeTruthy();
  const directives = new Map(
    csp!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name!.toLowerCase(), values] as const),
  );
  expect(directives.get("default-src"), `${where}: default-src`).toContain("'self'");
  const scriptSrc = directives.get("script-src") ?? directives.get("default-src") ?? [];
  expect(scriptSrc, `${where}: script-src`).not.toContain("'unsafe-inline'");
  expect(scriptSrc, `${where}: script-src`).not.toContain("'unsafe-eval'");
  // Nothing from another origin: only keywords like 'self', no hosts or schemes.
  expect(scriptSrc.filter((source) => !source.startsWith("'")), `${where}: script-src origins`).toEqual([]);
  expect(directives.get("frame-ancestors"), `${where}: frame-ancestors`).toEqual(["'none'"]);
  expect(headers["x-content-type-options"], `${where}: X-Content-Type-Options`).toBe("nosniff");
  expect(["same-origin", "no-referrer"], `${where}: Referrer-Policy`).toContain(headers["referrer-policy"]);
}

const PAGES = [
  { path: "/", name: "overview", title: "Overview" },
  { path: "/sessions", name: "sessions", title: "Sessions" },
  { path: "/analytics", name: "analytics", title: "Analytics" },
  { path: "/repositories", name: "repositories", title: "Repositories" },
  { path: "/settings", name: "settings", title: "Settings" },
];

describe("every page", () => {
  it("/login (signed out): security headers, no console error or failed request", async () => {
    const page = await h.newPage();
    const response = await page.goto("/login");
    expect(response?.status()).toBe(200);
    expectSecurityHeaders(response!.headers(), "/login");
    await expect(page.locator("h1")).toHaveText("Sign in to Cyrus Edge");
    await h.expectNoProblems(page);
    await h.screenshot(page, "panel-login");
    await page.context().close();
  });

  it.each(PAGES)("$path: security headers, no console error or failed request", async ({ path, name, title }) => {
    const page = await h.newPage();
    await h.signInWithKey(page);
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    expectSecurityHeaders(response!.headers(), path);
    await expect(page.locator('header nav a[aria-current="page"]')).toHaveText(title);
    await h.expectNoProblems(page);
    await h.screenshot(page, `panel-${name}`);
    await page.context().close();
  });

  it("the CSP blocks an injected inline script, and the violation shows as a console error", async () => {
    const page = await h.newPage();
    await h.signInWithKey(page);
    // As an XSS would: a <script> element with inline code, added to the page.
    await page.evaluate(() => {
      const { document } = globalThis as InBrowser;
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.append(script);
    });
    expect(await page.evaluate(() => (globalThis as InBrowser).window.injected)).toBeUndefined();
    const problems = unexpectedProblems(page);
    expect(problems.some((p) => p.kind === "console" && p.type === "error" && /Content Security Policy/i.test(p.text)), JSON.stringify(problems)).toBe(true);
    clearProblems(page);
    await h.expectNoProblems(page);
    await page.context().close();
  });
});
