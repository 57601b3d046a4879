#!/usr/bin/env node
// The `cyrus` CLI, straight from its TypeScript sources: no build step for the user.
// The sources are bundled with esbuild (already installed with tsx) into a cache
// inside the package, rebuilt whenever a source is newer, because a transpiling
// loader resident in every long-running agent costs memory. If bundling fails, the
// CLI runs through tsx instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "src/agent/cli.ts");
const bundle = join(root, "node_modules/.cache/cyrus/cli.mjs");

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function load() {
  try {
    const stale = !existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(join(root, "src"));
    if (stale) {
      mkdirSync(dirname(bundle), { recursive: true });
      // Built in a child process, so the long-running agent never carries esbuild in its memory.
      const options = { entryPoints: [entry], outfile: bundle, bundle: true, platform: "node", format: "esm", target: "node22", packages: "external", logLevel: "error" };
      const script = `require(require.resolve("esbuild", { paths: [${JSON.stringify(root)}] })).buildSync(${JSON.stringify(options)})`;
      const built = spawnSync(process.execPath, ["-e", script], { stdio: ["ignore", "ignore", "inherit"] });
      if (built.status !== 0) throw new Error("could not bundle the CLI");
    }
    return await import(pathToFileURL(bundle).href);
  } catch (error) {
    const { register } = await import("tsx/esm/api");
    register();
    return import(pathToFileURL(entry).href);
  }
}

const { main } = await load();
process.exit(await main());
