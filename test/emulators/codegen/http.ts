/** The emulator's HTTP helpers: the ones both emulators share, answering JSON as FastAPI does. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readJson, sendJson as sendJsonShared } from "../shared/http";

export { HttpError, readBody, sendText, sleep } from "../shared/http";

/** A control-API body: a JSON object, or `{}` when empty. */
export function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  return readJson(req);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonShared(res, status, body, { "Content-Type": "application/json", ...headers });
}
