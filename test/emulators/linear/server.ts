/**
 * The Linear emulator as an HTTP server on 127.0.0.1: `/graphql`, `/oauth/*`
 * and the `/_emulator` control API (README.md). Tests start one per run and
 * give each test its own organization.
 */
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl } from "./control";
import { Emulator, type EmulatorOptions } from "./emulator";
import { GraphQLEndpoint } from "./graphql-handler";
import { HttpError, sendJson } from "./http";
import { handleAuthorize, handleRevoke, handleToken } from "./oauth";
import { resolvers, typeResolvers } from "./resolvers";
import { buildLinearSchema } from "./schema";

export interface LinearEmulatorOptions extends EmulatorOptions {
  port?: number;
  host?: string;
}

export interface LinearEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function route(emulator: Emulator, graphql: GraphQLEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const path = url.pathname;
  if (path === "/graphql") return graphql.handle(req, res);
  if (path === "/oauth/authorize" && req.method === "GET") return handleAuthorize(emulator, url, res);
  if (path === "/oauth/token" && req.method === "POST") return handleToken(emulator, req, res);
  if (path === "/oauth/revoke" && req.method === "POST") return handleRevoke(emulator, req, res);
  if (path.startsWith("/_emulator/")) return handleControl(emulator, req, res, url);
  throw new HttpError(404, `no route ${req.method} ${path}`);
}

/** Starts an emulator; `port: 0` (the default) picks a free port. */
export async function startLinearEmulator(options: LinearEmulatorOptions = {}): Promise<LinearEmulator> {
  const emulator = new Emulator(options);
  const graphql = new GraphQLEndpoint(emulator, buildLinearSchema(resolvers, typeResolvers));
  const server = createServer((req, res) => {
    route(emulator, graphql, req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      // An emulator bug: make it loud in the test output rather than a silent 500.
      console.error("[linear-emulator]", error);
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
      await emulator.webhooks.settle();
      // Requests held open by a `hang` fault would keep close() waiting forever.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
