import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Where the browser tests leave their screenshots: CI keeps this folder as the run's artifact. */
export const SCREENSHOTS_DIR = join(REPO_ROOT, ".screenshots");
