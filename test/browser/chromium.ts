/**
 * Debian's Chromium, driven by playwright-core (no browser download). The
 * flags keep it from reaching the network on its own: CI machines and this
 * one have none, and a background request would only slow it down.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** `CHROMIUM_PATH` overrides the Debian package's location. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}
