#!/usr/bin/env node
/**
 * `npm start`: the whole edge on this machine, on local D1 and Durable Objects.
 * 1. Creates .dev.vars with fresh local secrets the first time (never committed).
 * 2. Applies the D1 migrations to the local database.
 * 3. Copies the control panel's client libraries into public/assets/vendor/.
 * 4. Runs `wrangler dev --local`; extra arguments pass through (e.g. `-- --var NAME:value`),
 *    and once it answers, says where the control panel is and how to sign in.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";

const port = process.env.PORT ?? "8787";

if (!existsSync(".dev.vars")) {
  const apiKey = randomBytes(24).toString("base64url");
  writeFileSync(
    ".dev.vars",
    [
      "# Local secrets for `npm start`, generated once. Never commit this file.",
      `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`,
      `CYRUS_API_KEY=${apiKey}`,
      `LINEAR_WEBHOOK_SECRET=${randomBytes(24).toString("base64url")}`,
      "# Fill these in from your Linear OAuth app (see README) to install into a real workspace:",
      "LINEAR_CLIENT_ID=",
      "LINEAR_CLIENT_SECRET=",
      "",
    ].join("\n"),
  );
  console.log(`Created .dev.vars with local secrets. Your API key: ${apiKey}`);
}

const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], { stdio: "inherit", env: { ...process.env, CI: "1" } });
if (migrate.status !== 0) {
  console.error("Could not apply the local D1 migrations (see above).");
  process.exit(migrate.status ?? 1);
}

const assets = spawnSync(process.execPath, ["scripts/copy-assets.mjs"], { stdio: "inherit" });
if (assets.status !== 0) {
  console.error("Could not copy the control panel's assets (see above): run `npm install` first.");
  process.exit(assets.status ?? 1);
}

const dev = spawn("wrangler", ["dev", "--local", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));

/** Waits for the edge to answer, then says where to look. */
const origin = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 120_000;
while (Date.now() < deadline && dev.exitCode === null) {
  try {
    if ((await fetch(`${origin}/health`)).ok) {
      console.log(
        [
          "",
          "  Cyrus Edge is running on local D1 and Durable Objects.",
          `  Control panel  ${origin}/  — sign in with the admin key: the CYRUS_API_KEY line of .dev.vars`,
          `  JSON API       ${origin}/api/  — Authorization: Bearer <CYRUS_API_KEY>`,
          `  Linear         webhooks to ${origin}/webhooks/linear, install at ${origin}/oauth/linear/authorize`,
          "  The panel's setup checklist shows the rest. Ctrl-C stops it.",
          "",
        ].join("\n"),
      );
      break;
    }
  } catch {
    // not listening yet
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
