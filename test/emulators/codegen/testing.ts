/**
 * A bare client of the emulated Codegen API for tests: every answer comes
 * back as status, headers and parsed body, errors included, so tests assert
 * on exactly what a product would receive. `fetch` only (runs in workerd too).
 */
import type { AgentRunLogsResponse, AgentRunResponse, Page } from "./types";

/** What an error answer carries instead: `{message, status_code}`, or FastAPI's `{detail}` (a list, or a string for 404/405). */
export interface ErrorFields {
  message?: string;
  status_code?: number;
  detail?: any;
}

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (the success shape or the error fields); the raw text when it is not JSON. */
  body: T & ErrorFields;
}

export class CodegenApiClient {
  constructor(
    readonly baseUrl: string,
    readonly orgId: number,
    readonly token: string | null,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, init: { rawBody?: string; signal?: AbortSignal } = {}): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (this.token !== null) headers.Authorization = `Bearer ${this.token}`;
    const payload = init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: init.signal });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (a gateway page): kept as text
    }
    return { status: response.status, headers: response.headers, body: parsed as T & ErrorFields };
  }

  #org(path: string, alpha = false): string {
    return `/v1${alpha ? "/alpha" : ""}/organizations/${this.orgId}${path}`;
  }

  create(body: Record<string, unknown> = { prompt: "Fix ENG-1: the checkout button does nothing on iOS" }, init?: { signal?: AbortSignal }) {
    return this.request<AgentRunResponse>("POST", this.#org("/agent/run"), body, init);
  }

  get(runId: number | string) {
    return this.request<AgentRunResponse>("GET", this.#org(`/agent/run/${runId}`));
  }

  list(query: Record<string, string | number> = {}) {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    return this.request<Page<AgentRunResponse>>("GET", `${this.#org("/agent/runs")}?${search}`);
  }

  resume(body: Record<string, unknown>) {
    return this.request<AgentRunResponse>("POST", this.#org("/agent/run/resume"), body);
  }

  logs(runId: number | string, query: Record<string, string | number | boolean> = {}, options: { alpha?: boolean } = {}) {
    const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    return this.request<AgentRunLogsResponse>("GET", `${this.#org(`/agent/run/${runId}/logs`, options.alpha ?? true)}?${search}`);
  }

  ban(action: "ban" | "unban" | "remove-from-pr", body: Record<string, unknown>) {
    return this.request<Record<string, never>>("POST", this.#org(`/agent/run/${action}`), body);
  }
}
