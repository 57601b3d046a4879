/**
 * "Sign in with Linear" in a real browser, through the emulated Linear's
 * consent page as a chosen person: a member sees the settings read-only, a
 * Linear admin changes them; and two workspaces are kept apart for a member of
 * one of them (pages and API show only their own sessions and repositories,
 * and naming the other workspace is a 404).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installThroughOAuth } from "../../scripts/lib/local-edge";
import type { CreatedOrganization, CreatedUser } from "../emulators/linear/control-client";
import { expectResponse, startBrowserHarness, type BrowserHarness, type InBrowser } from "./harness";

let h: BrowserHarness;
let acme: CreatedOrganization;
let globex: CreatedOrganization;
let acmeMember: CreatedUser;
let acmeAdmin: CreatedUser;

beforeAll(async () => {
  h = await startBrowserHarness();
  acme = h.org!;
  globex = await h.linear.createOrganization({ name: "Globex", urlKey: "globex", teams: [{ key: "GLX", name: "Globex Engineering" }] });
  await installThroughOAuth(h.url, globex.organizationId);
  acmeMember = await h.linear.createUser(acme.organizationId, { name: "Bob Member", email: "bob@acme.test" });
  acmeAdmin = await h.linear.createUser(acme.organizationId, { name: "Alice Admin", email: "alice@acme.test", admin: true });
}, 180_000);
afterAll(async () => {
  await h?.close();
});

/** Signs the browser in to (the emulated) Linear as `userId`, as Linear's own sign-in would: who then consents. */
async function signedInToLinearAs(page: Page, userId: string): Promise<void> {
  await page.context().addCookies([{ name: "linear_emulator_user", value: userId, url: h.linearUrl }]);
}

/** From /login, "Sign in with Linear", approving at the emulated Linear as `user`, and on to `next`. */
async function signInWithLinear(page: Page, user: CreatedUser, next: string): Promise<void> {
  await signedInToLinearAs(page, user.id);
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await Promise.all([page.waitForURL((url) => url.pathname + url.search === next), page.getByRole("button", { name: "Sign in with Linear" }).click()]);
  await page.waitForLoadState("load");
  await expect(page.locator(".who")).toContainText(user.name);
}

const csrfOf = (page: Page) => page.locator('meta[name="csrf-token"]').getAttribute("content");

/** A request from the page itself (its cookie, and the CSRF token when given). */
function fetchFromPage(page: Page, path: string, init: { method?: string; body?: unknown; csrf?: string | null } = {}) {
  return page.evaluate(
    async ({ path, method, body, csrf }) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (csrf) headers["x-csrf-token"] = csrf;
      const response = await fetch(path, { method: method ?? "GET", headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: await response.text() };
    },
    { path, method: init.method, body: init.body, csrf: init.csrf ?? null },
  );
}

async function strategyOf(org: CreatedOrganization): Promise<string> {
  const response = await h.api(`/api/config?workspace=${org.organizationId}`);
  return ((await response.json()) as { effective: { strategy: string } }).effective.strategy;
}

describe("signing in with Linear", () => {
  it("a member lands where they were going and sees the settings read-only; a change from the page is refused", async () => {
    const page = await h.newPage({ expected: [{ status: 403, path: "/api/config", method: "PUT" }] });
    await signInWithLinear(page, acmeMember, "/settings");
    await expect(page.getByRole("note")).toContainText("Only a Linear admin of this workspace");
    const execution = page.locator('[aria-label="Execution settings"]');
    await expect(execution).toHaveCount(1);
    expect(await execution.evaluate((el) => (el as unknown as { tagName: string }).tagName)).not.toBe("FORM");
    expect(await page.locator("#strategy").isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Save execution settings" }).count()).toBe(0);

    const before = await strategyOf(acme);
    const attempt = await fetchFromPage(page, "/api/config", { method: "PUT", body: { strategy: before === "cloud-only" ? "local-only" : "cloud-only" }, csrf: await csrfOf(page) });
    expect(attempt.status).toBe(403);
    expect(attempt.body).toContain("Linear admin");
    expect(await strategyOf(acme)).toBe(before);
    await h.expectNoProblems(page);
    await h.screenshot(page, "linear-sign-in-member-settings");
    await page.context().close();
  });

  it("a Linear admin changes a setting through the settings form", async () => {
    const page = await h.newPage();
    await signInWithLinear(page, acmeAdmin, "/settings");
    expect(await page.getByRole("note").filter({ hasText: "Only a Linear admin" }).count()).toBe(0);
    const target = (await strategyOf(acme)) === "cost-optimized" ? "local-only" : "cost-optimized";
    await page.locator("#strategy").selectOption(target);
    await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Save execution settings" }).click()]);
    expect(await strategyOf(acme)).toBe(target);
    expect(await page.locator("#strategy").inputValue()).toBe(target);
    await h.expectNoProblems(page);
    await h.screenshot(page, "linear-sign-in-admin-settings");
    await page.context().close();
  });

  it("a person whose workspace has not installed the app is told so, and stays signed out", async () => {
    const initech = await h.linear.createOrganization({ name: "Initech", urlKey: "initech" });
    const page = await h.newPage({ expected: [{ status: 403, path: "/login/linear/callback" }] });
    await signedInToLinearAs(page, initech.userId);
    await page.goto("/login");
    await Promise.all([page.waitForURL((url) => url.pathname === "/login/linear/callback"), page.getByRole("button", { name: "Sign in with Linear" }).click()]);
    await expect(page.getByRole("alert")).toContainText("“Initech” has not installed Cyrus Edge");
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("cyrus_session");
    await h.expectNoProblems(page);
    await h.screenshot(page, "linear-sign-in-not-installed");
    await page.context().close();
  });
});

describe("two workspaces, a member of one", () => {
  it("never sees the other's sessions or repositories, on the pages or through the API, and naming the other is as if it did not exist", async () => {
    // Each workspace gets a repository and a session of its own (Globex's through the API with the admin key).
    for (const [org, name] of [
      [acme, "acme-web"],
      [globex, "globex-secret-app"],
    ] as const) {
      const created = await h.api(`/api/repositories?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name, isCatchAll: true }) });
      expect(created.status).toBe(201);
    }
    const theirIssue = await h.linear.createIssue(globex.organizationId, { title: "Globex-only issue", teamKey: "GLX" });
    const delegated = await h.api(`/api/issues/${theirIssue.identifier}/delegate?workspace=${globex.organizationId}`, { method: "POST" });
    expect(delegated.status).toBe(202);
    const theirSession = ((await delegated.json()) as { agentSessionId: string }).agentSessionId;

    const page = await h.newPage({ expected: [{ status: 404, path: /^\/api\// }] });
    await signInWithLinear(page, acmeMember, "/");
    // The member starts work in their own workspace from the page, as the panel's form does.
    const ourIssue = await h.linear.createIssue(acme.organizationId, { title: "Acme issue from the panel", teamKey: "ENG" });
    const started = await page.evaluate(
      (identifier) => (globalThis as InBrowser).window.cyrusApi("POST", `/api/issues/${identifier}/delegate`),
      ourIssue.identifier.toLowerCase(),
    );
    expect(started).toMatchObject({ ok: true, issue: { identifier: ourIssue.identifier } });
    const ourSession = (started as { agentSessionId: string }).agentSessionId;

    // Both sessions reach the edge through Linear's webhook and its D1 mirror.
    const sessionIds = async (org: CreatedOrganization) =>
      ((await (await h.api(`/api/sessions?workspace=${org.organizationId}`)).json()) as { sessions: Array<{ id: string }> }).sessions.map((s) => s.id);
    await expect.poll(() => sessionIds(globex), { timeout: 30_000 }).toContain(theirSession);
    await expect.poll(() => sessionIds(acme), { timeout: 30_000 }).toContain(ourSession);

    const apiAsMember = async (path: string) => fetchFromPage(page, path);
    const sessions = await apiAsMember("/api/sessions");
    expect(sessions.status).toBe(200);
    expect(sessions.body).toContain(ourSession);
    expect(sessions.body).not.toContain(theirSession);
    const repositories = await apiAsMember("/api/repositories");
    expect(repositories.body).toContain("acme-web");
    expect(repositories.body).not.toContain("globex-secret-app");
    const workspaces = await apiAsMember("/api/workspaces");
    expect(workspaces.body).not.toContain(globex.organizationId);
    for (const path of [`/api/sessions?workspace=${globex.organizationId}`, `/api/repositories?workspace=${globex.organizationId}`, `/api/sessions/${theirSession}`]) {
      expect((await apiAsMember(path)).status, path).toBe(404);
    }

    for (const path of ["/", "/sessions", "/repositories", "/settings", "/analytics"]) {
      await page.goto(path);
      const html = await page.content();
      expect(html, path).not.toContain(theirSession);
      expect(html, path).not.toContain("globex-secret-app");
      expect(html, path).not.toContain(theirIssue.identifier);
      expect(html, path).not.toContain("Globex");
    }
    await page.goto("/sessions");
    expect(await page.content()).toContain(ourIssue.identifier);
    await page.goto("/repositories");
    expect(await page.content()).toContain("acme-web");
    await h.screenshot(page, "linear-sign-in-member-repositories");

    expectResponse(page, { status: 404, path: `/sessions/${theirSession}` });
    const theirDetail = await page.goto(`/sessions/${theirSession}`);
    expect(theirDetail?.status()).toBe(404);
    expect(await page.content()).not.toContain(theirIssue.identifier);
    // Naming the other workspace on a page: it is not there for this member (the API answers 404 above).
    for (const path of ["/", "/sessions", "/repositories", "/settings"]) {
      await page.goto(`${path}?workspace=${globex.organizationId}`);
      const html = await page.content();
      expect(html, path).toContain(`no workspace ${globex.organizationId} is installed`);
      expect(html, path).not.toContain("globex-secret-app");
      expect(html, path).not.toContain(theirSession);
      expect(html, path).not.toContain(theirIssue.identifier);
    }
    await h.expectNoProblems(page);
    await page.context().close();
  });
});

describe("start work from the panel (the overview's Start work form)", () => {
  async function startWork(page: Page, typed: string): Promise<void> {
    await page.getByRole("textbox", { name: "Start work on a Linear issue" }).fill(typed);
    await page.getByRole("button", { name: "Start work" }).click();
  }

  it("a member types an identifier (or pastes a Linear link) and gets a link to the new session; an unknown one says so", async () => {
    const first = await h.linear.createIssue(acme.organizationId, { title: "Started from the form", teamKey: "ENG" });
    const second = await h.linear.createIssue(acme.organizationId, { title: "Pasted as a link", teamKey: "ENG" });
    const page = await h.newPage({ expected: [{ status: 404, path: "/api/issues/ENG-99999/delegate", method: "POST" }] });
    await signInWithLinear(page, acmeMember, "/");
    const status = page.locator("form[data-start-work] output[data-status]");

    await startWork(page, ` ${first.identifier.toLowerCase()} `);
    await expect(status).toContainText(`Started: ${first.identifier} · Started from the form`);
    const href = await status.locator("a").getAttribute("href");
    // The session's page waits (?starting=N) for the session to be recorded.
    expect(href).toMatch(/^\/sessions\/[0-9a-f-]{36}\?starting=1$/);
    const inLinear = (await h.linear.state(acme.organizationId)).agentSessions.filter((s) => s.issueId === first.id).map((s) => s.id);
    expect(inLinear).toEqual([href!.slice("/sessions/".length, href!.indexOf("?"))]);
    expect(await page.getByRole("textbox", { name: "Start work on a Linear issue" }).inputValue()).toBe("");

    await startWork(page, `https://linear.app/acme/issue/${second.identifier}/pasted-as-a-link`);
    await expect(status).toContainText(`Started: ${second.identifier} · Pasted as a link`);

    await startWork(page, "ENG-99999");
    await expect(status).toContainText("no issue ENG-99999 in this workspace's Linear");
    await expect(status).toHaveClass(/error/);
    await h.expectNoProblems(page);
    await h.screenshot(page, "linear-sign-in-start-work-form");
    await page.context().close();
  });
});
