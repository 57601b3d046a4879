/**
 * Runs an emulator's request handler as an HTTP server on loopback: errors an
 * emulator throws on purpose (`HttpError`) become `{ error }` answers; anything
 * else is an emulator bug, made loud in the test output rather than a quiet 500.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpError, sendJson } from "./http";

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serveEmulator(
  name: string,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  options: { host?: string; port?: number; beforeClose?: () => Promise<void> } = {},
): Promise<RunningEmulator> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return void res.end();
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      console.error(`[${name}]`, error);
      sendJson(res, 500, { error: "emulator failure", detail: error instanceof Error ? error.message : String(error) });
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    async close() {
      await options.beforeClose?.();
      // Requests held open by a `hang` fault would keep close() waiting forever.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
