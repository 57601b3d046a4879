/**
 * The browser tests' world: the Linear and Codegen emulators, the edge as a
 * user runs it (`wrangler dev --local` on a fresh local D1 and Durable Object
 * store), an organization installed through the real OAuth routes, and a
 * headless Chromium. One harness per test file (each file starts its own
 * edge), shared by the file's tests; README.md beside this file shows a test.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import { startCodegenEmulator, type CodegenEmulator } from "../emulators/codegen/server";
import { LinearEmulatorControl, type CreatedOrganization } from "../emulators/linear/control-client";
import { startLinearEmulator, type LinearEmulator } from "../emulators/linear/server";
import { emulatedLinearVars, installThroughOAuth, scaledCodegenVars, startLocalEdge, type LocalEdge } from "../../scripts/lib/local-edge";
import { launchChromium } from "./chromium";
import { executeLocalD1 } from "./local-d1";
import { SCREENSHOTS_DIR } from "./paths";
import { describeProblem, expectResponse, recordProblems, unexpectedProblems, type ExpectedResponse } from "./problems";
import "./matchers";

export { clearProblems, expectResponse, type ExpectedResponse, type Problem } from "./problems";

/**
 * The browser's globals, for `page.evaluate` callbacks: the project typechecks
 * without the DOM library (workerd's types would clash with it), so write
 * `page.evaluate(() => (globalThis as InBrowser).document.title)`.
 */
export type InBrowser = typeof globalThis & { window: any; document: any; location: any };

export const API_KEY = "browser-test-api-key";
export const WEBHOOK_SECRET = "browser-test-webhook-secret";
const CLIENT_ID = "browser-test-client";
const CLIENT_SECRET = "browser-test-secret";

export interface HarnessOptions {
  /** Install an emulated organization through the OAuth routes (default true); false leaves a fresh edge with no workspace. */
  install?: boolean;
  /** The installed organization's name, url key and teams (default "Acme", "acme", team ENG). */
  organization?: { name?: string; urlKey?: string; teams?: Array<{ key: string; name?: string }> };
  /** Codegen's time runs this many times faster, and the edge's Codegen timings with it (default 60: a minute lasts a second). */
  codegenTimeScale?: number;
  /** More `--var`s for the edge, over the harness's own. */
  vars?: Record<string, string>;
}

export interface BrowserHarness {
  /** The edge's origin, e.g. http://127.0.0.1:40123; pages opened by the harness resolve relative URLs against it. */
  url: string;
  apiKey: string;
  /** The `--persist-to` directory of the edge's local D1 and Durable Objects (see `sql`). */
  persistDir: string;
  edge: LocalEdge;
  linear: LinearEmulatorControl;
  linearUrl: string;
  codegen: CodegenEmulatorControl;
  codegenUrl: string;
  /** The installed organization (its id is the workspace id), or null with `install: false`. */
  org: CreatedOrganization | null;
  browser: Browser;
  /** A fresh browser context (its own cookies) whose relative URLs go to the edge. */
  newContext(): Promise<BrowserContext>;
  /** A page that records its problems (see `expectNoProblems`); in a fresh context unless one is given. */
  newPage(options?: { context?: BrowserContext; expected?: ExpectedResponse[] }): Promise<Page>;
  /** Signs the page's context in at /login with the admin key; lands on `next` (default "/"). */
  signInWithKey(page: Page, options?: { next?: string }): Promise<void>;
  /** Fails the test with every console error or warning, uncaught exception, failed request or error response the page had that the test did not declare. */
  expectNoProblems(page: Page): Promise<void>;
  /** Saves a full-page PNG as .screenshots/<name>.png at the repo root; answers its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** The edge's API with the admin key as bearer; a string body is sent as JSON. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** SQL against the edge's local D1 (`wrangler d1 execute --local`); answers the last statement's rows. */
  sql<Row = Record<string, unknown>>(command: string): Promise<Row[]>;
  close(): Promise<void>;
}

export async function startBrowserHarness(options: HarnessOptions = {}): Promise<BrowserHarness> {
  const scale = options.codegenTimeScale ?? 60;
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error("browser harness cleanup:", error));
  };
  try {
    const linearEmulator: LinearEmulator = await startLinearEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    cleanups.push(() => linearEmulator.close());
    const codegenEmulator: CodegenEmulator = await startCodegenEmulator({ timeScale: scale });
    cleanups.push(() => codegenEmulator.close());

    const persistDir = mkdtempSync(join(tmpdir(), "cyrus-browser-"));
    cleanups.push(async () => rmSync(persistDir, { recursive: true, force: true }));
    const edge = await startLocalEdge(
      {
        ...emulatedLinearVars(linearEmulator.url, { webhookSecret: WEBHOOK_SECRET, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, apiKey: API_KEY }),
        ...scaledCodegenVars(codegenEmulator.url, scale),
        LOG_LEVEL: "warn",
        ...options.vars,
      },
      // EDGE_LOGS=1 shows wrangler's output while debugging a test.
      { persistTo: persistDir, quiet: !process.env.EDGE_LOGS },
    );
    cleanups.push(() => edge.stop());

    const linear = new LinearEmulatorControl(linearEmulator.url);
    const codegen = new CodegenEmulatorControl(codegenEmulator.url);
    await linear.configure({ webhookUrl: `${edge.url}/webhooks/linear`, webhookSecret: WEBHOOK_SECRET });
    let org: CreatedOrganization | null = null;
    if (options.install !== false) {
      org = await linear.createOrganization({ name: "Acme", urlKey: "acme", teams: [{ key: "ENG", name: "Engineering" }], ...options.organization });
      await installThroughOAuth(edge.url, org.organizationId);
    }

    const browser = await launchChromium();
    cleanups.push(() => browser.close());

    const newContext = () => browser.newContext({ baseURL: edge.url });

    const harness: BrowserHarness = {
      url: edge.url,
      apiKey: API_KEY,
      persistDir,
      edge,
      linear,
      linearUrl: linearEmulator.url,
      codegen,
      codegenUrl: codegenEmulator.url,
      org,
      browser,
      newContext,
      async newPage({ context, expected = [] } = {}) {
        const page = await (context ?? (await newContext())).newPage();
        recordProblems(page);
        for (const e of expected) expectResponse(page, e);
        return page;
      },
      async signInWithKey(page, { next } = {}) {
        await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : "/login");
        // Already signed in: /login sends the user straight on.
        if (new URL(page.url()).pathname !== "/login") return;
        await page.locator('form[action="/login"] input[name="key"]').fill(API_KEY);
        await Promise.all([
          page.waitForEvent("framenavigated", (frame) => frame === page.mainFrame()),
          page.locator('form[action="/login"] button[type="submit"]').click(),
        ]);
        await page.waitForLoadState("load");
        if (new URL(page.url()).pathname === "/login") {
          const alert = await page.locator('[role="alert"]').allTextContents();
          throw new Error(`sign-in with the admin key failed: ${alert.join(" ") || "still on /login"}`);
        }
      },
      async expectNoProblems(page) {
        await page.waitForLoadState("load");
        expect(unexpectedProblems(page).map(describeProblem), `problems on ${page.url()}`).toEqual([]);
      },
      async screenshot(page, name) {
        mkdirSync(SCREENSHOTS_DIR, { recursive: true });
        const path = join(SCREENSHOTS_DIR, `${name.replace(/[^\w.-]+/g, "-")}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      api(path, init = {}) {
        const headers = new Headers(init.headers);
        headers.set("authorization", `Bearer ${API_KEY}`);
        if (typeof init.body === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
        return fetch(`${edge.url}${path}`, { ...init, headers });
      },
      sql: <Row,>(command: string) => executeLocalD1<Row>(persistDir, command),
      close,
    };
    return harness;
  } catch (error) {
    await close();
    throw error;
  }
}
