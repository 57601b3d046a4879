/**
 * The Codegen emulator as an HTTP server on 127.0.0.1: the agent-run API
 * under `/v1` and the `/_emulator` control API (README.md). Tests start one
 * per file and give each test its own organization.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleApi } from "./api";
import { handleControl } from "./control";
import { Emulator, type EmulatorOptions } from "./emulator";
import { serveEmulator } from "../shared/serve";

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
  return serveEmulator("codegen-emulator", (req, res) => route(emulator, req, res), options);
}
