/**
 * What went wrong on a page, as a user's browser would show it in its
 * console: console errors and warnings (CSP violations are console errors),
 * uncaught exceptions, requests that failed, and responses of 400 or more.
 * A test declares the error responses it provokes on purpose; everything else
 * fails `expectNoProblems`.
 */
import type { Page } from "playwright-core";

export type Problem =
  | { kind: "console"; type: string; text: string; url: string }
  | { kind: "pageerror"; text: string }
  | { kind: "requestfailed"; method: string; url: string; text: string }
  | { kind: "response"; method: string; url: string; status: number };

/** An error response the test provokes on purpose. `path` matches the URL's pathname (a string exactly, a RegExp anywhere). */
export interface ExpectedResponse {
  status: number;
  path?: string | RegExp;
  method?: string;
}

interface Recorder {
  problems: Problem[];
  expected: ExpectedResponse[];
}

const recorders = new WeakMap<Page, Recorder>();

/** Chromium's own console line for an error response; its location is the resource's URL. */
const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d+)/;

export function recordProblems(page: Page): void {
  const recorder: Recorder = { problems: [], expected: [] };
  recorders.set(page, recorder);
  page.on("console", (message) => {
    const type = message.type();
    if (type !== "error" && type !== "warning") return;
    recorder.problems.push({ kind: "console", type, text: message.text(), url: message.location().url });
  });
  page.on("pageerror", (error) => recorder.problems.push({ kind: "pageerror", text: error.stack ?? error.message }));
  page.on("requestfailed", (request) => {
    const text = request.failure()?.errorText ?? "failed";
    // Cut short because the page navigated or closed (an open event stream, a favicon still loading, a download): not the server's failure.
    if (text === "net::ERR_ABORTED") return;
    recorder.problems.push({ kind: "requestfailed", method: request.method(), url: request.url(), text });
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    recorder.problems.push({ kind: "response", method: response.request().method(), url: response.url(), status: response.status() });
  });
}

function recorderOf(page: Page): Recorder {
  const recorder = recorders.get(page);
  if (!recorder) throw new Error("this page was not opened with the harness's newPage(): its problems are not recorded");
  return recorder;
}

/** Declares an error response (and Chromium's console line about it) as intended by the test. */
export function expectResponse(page: Page, expected: ExpectedResponse): void {
  recorderOf(page).expected.push(expected);
}

function pathMatches(url: string, path: string | RegExp | undefined): boolean {
  if (path === undefined) return true;
  const pathname = URL.canParse(url) ? new URL(url).pathname : url;
  return typeof path === "string" ? pathname === path : path.test(pathname);
}

function isExpected(problem: Problem, expected: ExpectedResponse[]): boolean {
  if (problem.kind === "response") {
    return expected.some((e) => e.status === problem.status && pathMatches(problem.url, e.path) && (!e.method || e.method.toUpperCase() === problem.method));
  }
  if (problem.kind === "console") {
    const status = FAILED_RESOURCE.exec(problem.text)?.[1];
    return status !== undefined && expected.some((e) => e.status === Number(status) && pathMatches(problem.url, e.path));
  }
  return false;
}

/** The problems recorded so far that the test did not declare. */
export function unexpectedProblems(page: Page): Problem[] {
  const { problems, expected } = recorderOf(page);
  return problems.filter((problem) => !isExpected(problem, expected));
}

export function describeProblem(problem: Problem): string {
  switch (problem.kind) {
    case "console":
      return `console ${problem.type}: ${problem.text}${problem.url ? ` (${problem.url})` : ""}`;
    case "pageerror":
      return `uncaught: ${problem.text}`;
    case "requestfailed":
      return `request failed: ${problem.method} ${problem.url}: ${problem.text}`;
    case "response":
      return `HTTP ${problem.status}: ${problem.method} ${problem.url}`;
  }
}

/** Forgets what was recorded so far (say, after a step that provoked errors on purpose). */
export function clearProblems(page: Page): void {
  recorderOf(page).problems.length = 0;
}
