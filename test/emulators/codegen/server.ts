/**
 * The Codegen emulator as an HTTP server on 127.0.0.1: the agent-run API
 * under `/v1` and the `/_emulator` control API (README.md). Tests start one
 * per file and give each test its own organization.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handleApi } from "./api";
import { handleControl } from "./control";
import { Emulator, type EmulatorOptions } from "./emulator";
import { HttpError, sendJson } from "./http";

export interface CodegenEmulatorOptions extends EmulatorOptions {
  port?: number;
  host?: string;
}

export interface CodegenEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function route(emulator: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  if (url.pathname.startsWith("/_emulator/")) return handleControl(emulator, req, res, url);
  return handleApi(emulator, req, res, url);
}

/** Starts an emulator; `port: 0` (the default) picks a free port. */
export async function startCodegenEmulator(options: CodegenEmulatorOptions = {}): Promise<CodegenEmulator> {
  const emulator = new Emulator(options);
  const server = createServer((req, res) => {
    route(emulator, req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return void res.end();
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      // An emulator bug: make it loud in the test output rather than a quiet 500.
      console.error("[codegen-emulator]", error);
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
      // Requests held open by a `hang` fault would keep close() waiting forever.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
