/**
 * The Linear emulator as an HTTP server on 127.0.0.1: `/graphql`, `/oauth/*`
 * and the `/_emulator` control API (README.md). Tests start one per run and
 * give each test its own organization.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleControl } from "./control";
import { Emulator, type EmulatorOptions } from "./emulator";
import { GraphQLEndpoint } from "./graphql-handler";
import { HttpError } from "./http";
import { serveEmulator } from "../shared/serve";
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
  if (path === "/oauth/authorize" && req.method === "GET") return handleAuthorize(emulator, req, url, res);
  if (path === "/oauth/token" && req.method === "POST") return handleToken(emulator, req, res);
  if (path === "/oauth/revoke" && req.method === "POST") return handleRevoke(emulator, req, res);
  if (path.startsWith("/_emulator/")) return handleControl(emulator, req, res, url);
  throw new HttpError(404, `no route ${req.method} ${path}`);
}

/** Starts an emulator; `port: 0` (the default) picks a free port. */
export async function startLinearEmulator(options: LinearEmulatorOptions = {}): Promise<LinearEmulator> {
  const emulator = new Emulator(options);
  const graphql = new GraphQLEndpoint(emulator, buildLinearSchema(resolvers, typeResolvers));
  return serveEmulator("linear-emulator", (req, res) => route(emulator, graphql, req, res), {
    ...options,
    // Webhooks still being sent finish first, so a test's receiver sees every delivery.
    beforeClose: () => emulator.webhooks.settle(),
  });
}
