/**
 * A fetch that answers like the Codegen API at the wire level: status codes, JSON
 * bodies and headers, as documented in shared/contracts/external-apis.md §4.
 * It records what the client sent, so tests check the request as Codegen would see it.
 */
import { expect } from "vitest";
import { CodegenClient, type CodegenClientOptions } from "../../../src/codegen/client";

export const TOKEN = "cg_live_S3cr3tT0ken_9f8e7d6c5b4a39281706";
export const BASE_URL = "https://api.codegen.test";
export const ORG_ID = 123;

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** The parsed JSON body, or undefined when none was sent. */
  body: unknown;
  signal: AbortSignal | undefined;
}

export type Answer = (request: SeenRequest) => Response | Promise<Response>;

export function codegenWire(answer: Answer) {
  const requests: SeenRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const raw = init?.body;
    const request: SeenRequest = {
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      headers: new Headers(init?.headers),
      body: typeof raw === "string" ? JSON.parse(raw) : raw === undefined || raw === null ? undefined : raw,
      signal: init?.signal ?? undefined,
    };
    requests.push(request);
    return answer(request);
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function clientWith(answer: Answer, options: Partial<CodegenClientOptions> = {}) {
  const wire = codegenWire(answer);
  const client = new CodegenClient({ baseUrl: BASE_URL, apiToken: TOKEN, orgId: ORG_ID, fetch: wire.fetch, ...options });
  return { client, requests: wire.requests };
}

/** The rejection of a promise that must reject; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail("expected the call to reject");
}

export function run(id: number, extra: Record<string, unknown> = {}) {
  return { id, organization_id: ORG_ID, status: "ACTIVE", created_at: "2025-10-01T12:00:00Z", source_type: "API", metadata: null, ...extra };
}
