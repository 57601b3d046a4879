/**
 * Retrying assertions on a playwright-core Locator, as @playwright/test has
 * them: each one re-reads the page until it holds or its time runs out (10 s
 * unless `{ timeout }` says otherwise), so a test waits for what the user
 * would see instead of sleeping. `await expect(locator).toHaveText("…")`;
 * `.not` works too. Registered by importing harness.ts.
 */
import type { Locator } from "playwright-core";
import { expect } from "vitest";

type Text = string | RegExp;
interface Wait {
  timeout?: number;
}

interface LocatorMatchers {
  /** The element's whole text (whitespace collapsed) is `expected`, or matches it. */
  toHaveText(expected: Text, options?: Wait): Promise<void>;
  /** The element's text (whitespace collapsed) contains `expected`, or matches it. */
  toContainText(expected: Text, options?: Wait): Promise<void>;
  /** The locator matches exactly `count` elements. */
  toHaveCount(count: number, options?: Wait): Promise<void>;
  /** The element has the attribute (with that value, when given). */
  toHaveAttribute(name: string, value?: Text, options?: Wait): Promise<void>;
  /** The element's class list has the class (a string), or its class attribute matches (a RegExp). */
  toHaveClass(expected: Text, options?: Wait): Promise<void>;
  /** An input's, select's or textarea's current value. */
  toHaveValue(expected: Text, options?: Wait): Promise<void>;
  toBeVisible(options?: Wait): Promise<void>;
  toBeHidden(options?: Wait): Promise<void>;
}

declare module "vitest" {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> extends LocatorMatchers {}
}

const DEFAULT_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

/** "toHaveText" → "to have text", for messages. */
const words = (name: string) => name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
const collapse = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();
const matches = (actual: string, expected: Text, whole: boolean) =>
  typeof expected === "string" ? (whole ? actual === expected : actual.includes(expected)) : expected.test(actual);

function isLocator(value: unknown): value is Locator {
  return typeof value === "object" && value !== null && typeof (value as Locator).waitFor === "function" && typeof (value as Locator).count === "function";
}

/**
 * Reads `read` until `pass(actual)` is what the assertion wants (true, or
 * false under `.not`) or the time is up; an error while reading (say, a strict
 * locator matching two elements) fails either way.
 */
function retrying<A>(name: string, read: (locator: Locator) => Promise<A>, pass: (actual: A) => boolean, expected: unknown) {
  return async function (this: { isNot?: boolean; utils: { printReceived(v: unknown): string; printExpected(v: unknown): string } }, received: unknown, options?: Wait) {
    // vitest leaves isNot undefined (not false) without `.not`.
    const isNot = Boolean(this.isNot);
    if (!isLocator(received)) return { pass: isNot, message: () => `${name} expects a playwright Locator, got ${this.utils.printReceived(received)}` };
    const timeout = options?.timeout ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    let actual: A | undefined;
    let passed = false;
    let error: unknown = null;
    for (;;) {
      try {
        actual = await read(received);
        passed = pass(actual);
        error = null;
        if (passed !== isNot) break;
      } catch (e) {
        error = e;
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    if (error) return { pass: isNot, message: () => `${name}: ${received.toString()}: ${error instanceof Error ? error.message : String(error)}` };
    return {
      pass: passed,
      actual,
      expected,
      message: () =>
        `expected ${received.toString()} ${isNot ? "not " : ""}${words(name)} ${this.utils.printExpected(expected)} within ${timeout} ms; it had ${this.utils.printReceived(actual)}`,
    };
  };
}

expect.extend({
  toHaveText(received: unknown, expected: Text, options?: Wait) {
    return retrying("toHaveText", async (l) => collapse(await l.textContent()), (a) => matches(a, expected, true), expected).call(this, received, options);
  },
  toContainText(received: unknown, expected: Text, options?: Wait) {
    return retrying("toContainText", async (l) => collapse(await l.textContent()), (a) => matches(a, expected, false), expected).call(this, received, options);
  },
  toHaveCount(received: unknown, count: number, options?: Wait) {
    return retrying("toHaveCount", (l) => l.count(), (a) => a === count, count).call(this, received, options);
  },
  toHaveAttribute(received: unknown, name: string, value?: Text | Wait, options?: Wait) {
    const wanted = typeof value === "string" || value instanceof RegExp ? value : undefined;
    const wait = wanted === undefined ? (value as Wait | undefined) : options;
    return retrying("toHaveAttribute", (l) => l.getAttribute(name), (a) => a !== null && (wanted === undefined || matches(a, wanted, true)), wanted ?? name).call(this, received, wait);
  },
  toHaveClass(received: unknown, expected: Text, options?: Wait) {
    const has = (a: string | null) => (typeof expected === "string" ? (a ?? "").split(/\s+/).includes(expected) : expected.test(a ?? ""));
    return retrying("toHaveClass", (l) => l.getAttribute("class"), has, expected).call(this, received, options);
  },
  toHaveValue(received: unknown, expected: Text, options?: Wait) {
    return retrying("toHaveValue", (l) => l.inputValue(), (a) => matches(a, expected, true), expected).call(this, received, options);
  },
  toBeVisible(received: unknown, options?: Wait) {
    return retrying("toBeVisible", (l) => l.isVisible(), (a) => a, true).call(this, received, options);
  },
  toBeHidden(received: unknown, options?: Wait) {
    return retrying("toBeHidden", (l) => l.isHidden(), (a) => a, true).call(this, received, options);
  },
});
