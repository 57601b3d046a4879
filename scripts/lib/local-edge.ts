/**
 * Runs the edge as a user would locally (`wrangler dev --local`), on a fresh
 * local D1 and Durable Object store in a temporary directory, wired to the
 * emulators through `--var`. For the benchmarks and the demo.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface LocalEdge {
  url: string;
  vars: Record<string, string>;
  stop(): Promise<void>;
  /**
   * SIGKILLs wrangler and the workerd it runs, as a crash would: nothing is
   * flushed or shut down. Needs `processGroup: true`. Resolves once wrangler exited.
   */
  kill(): Promise<void>;
}

/** The vars that point a local edge at the Linear emulator, with throwaway local secrets. */
export function emulatedLinearVars(emulatorUrl: string, secrets: { webhookSecret: string; clientId: string; clientSecret: string; apiKey: string }): Record<string, string> {
  return {
    LINEAR_API_URL: emulatorUrl,
    LINEAR_AUTHORIZE_URL: `${emulatorUrl}/oauth/authorize`,
    LINEAR_WEBHOOK_SECRET: secrets.webhookSecret,
    LINEAR_CLIENT_ID: secrets.clientId,
    LINEAR_CLIENT_SECRET: secrets.clientSecret,
    ENCRYPTION_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
    CYRUS_API_KEY: secrets.apiKey,
  };
}

/**
 * The vars that point a local edge at a Codegen emulator running `scale` times
 * faster than real time: Codegen's rate windows and the timing knobs scale with it.
 */
export function scaledCodegenVars(emulatorUrl: string, scale: number): Record<string, string> {
  return {
    CODEGEN_API_URL: emulatorUrl,
    CODEGEN_TIME_SCALE: String(scale),
    CODEGEN_POLL_INITIAL_MS: String(Math.round(5_000 / scale)),
    CODEGEN_POLL_MAX_MS: String(Math.round(60_000 / scale)),
    CODEGEN_RUN_TIMEOUT_MS: String(Math.round(3_600_000 / scale)),
    RETRY_BASE_MS: String(Math.round(1_000 / scale)),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * `persistTo`: run on the local state already in this directory (seeded, say, with
 * `wrangler d1 execute --local --persist-to`) instead of a fresh temporary one; the
 * caller owns it, so `stop()` leaves it in place.
 * `processGroup`: run wrangler in a process group of its own, so that `kill()` can
 * take workerd down with it (a SIGKILL to wrangler alone leaves workerd running).
 */
export async function startLocalEdge(vars: Record<string, string>, options: { quiet?: boolean; persistTo?: string; processGroup?: boolean } = {}): Promise<LocalEdge> {
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "cyrus-edge-"));
  const port = await freePort();
  const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env: { ...process.env, CI: "1" },
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`could not apply migrations:\n${migrate.stdout}\n${migrate.stderr}`);

  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistTo, "--show-interactive-dev-session=false"];
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  const child: ChildProcess = spawn("wrangler", args, { env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"], detached: options.processGroup ?? false });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (!options.quiet) process.stderr.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`wrangler dev did not answer /health within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    url,
    vars,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      if (!options.persistTo) rmSync(persistTo, { recursive: true, force: true });
    },
    async kill() {
      if (!options.processGroup || child.pid === undefined) throw new Error("kill() needs startLocalEdge(vars, { processGroup: true })");
      const exited = child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : Promise.resolve();
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
      await exited;
    },
  };
}

/** Installs the app into an emulated organization through the real OAuth routes, as an admin's browser would. */
export async function installThroughOAuth(edgeUrl: string, organizationId: string): Promise<void> {
  const start = await fetch(`${edgeUrl}/oauth/linear/authorize`, { redirect: "manual" });
  const authorize = new URL(start.headers.get("location") ?? "");
  authorize.searchParams.set("organization", organizationId);
  const consent = await fetch(authorize, { redirect: "manual" });
  const callback = consent.headers.get("location");
  if (consent.status !== 302 || !callback) throw new Error(`Linear emulator did not approve: HTTP ${consent.status}`);
  const done = await fetch(callback);
  if (!done.ok) throw new Error(`install failed: HTTP ${done.status} ${await done.text()}`);
}
