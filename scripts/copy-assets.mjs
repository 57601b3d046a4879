#!/usr/bin/env node
/**
 * Copies the control panel's client libraries from node_modules (pinned in
 * package.json) into public/assets/vendor/, which wrangler serves as Workers
 * Static Assets under /assets/vendor/. Run by `npm install` (postinstall),
 * `npm start`, `npm run build` and `.ci/run`; the copies are never committed.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "public", "assets", "vendor");

/** [file in node_modules, name under /assets/vendor/] */
const FILES = [
  ["uplot/dist/uPlot.iife.min.js", "uplot.min.js"],
  ["uplot/dist/uPlot.min.css", "uplot.min.css"],
  ["@picocss/pico/css/pico.min.css", "pico.min.css"],
];

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const [from, to] of FILES) copyFileSync(join(root, "node_modules", from), join(target, to));
console.log(`copied ${FILES.length} client libraries to public/assets/vendor/`);
