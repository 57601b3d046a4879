/**
 * The calls the edge makes to the Codegen API (shared/contracts/external-apis.md §4).
 * Runtime-neutral: an injectable `fetch`, a per-request `AbortSignal.timeout`, Web APIs only.
 * Every answer is checked with zod; every failure is one CodegenError that says
 * whether to retry and whether a POST may have taken effect without our knowing.
 */
import { z } from "zod";
import { CodegenError, parseRetryAfter } from "./errors";
import {
  AgentRunListSchema,
  AgentRunLogsSchema,
  AgentRunSchema,
  CodegenErrorBodySchema,
  DetailErrorBodySchema,
  ValidationErrorBodySchema,
  type AgentRun,
  type AgentRunList,
  type AgentRunLogs,
} from "./schemas";

export { CodegenError, isRetryable } from "./errors";

/** Codegen's list and logs endpoints refuse a larger page. */
export const MAX_PAGE_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Enough of an unexpected text body to recognise it; an HTML error page is dropped entirely. */
const MAX_DETAIL_CHARS = 300;

export type AgentType = "codegen" | "claude_code";

export interface CodegenClientOptions {
  baseUrl: string;
  apiToken: string;
  orgId: number;
  fetch?: typeof fetch;
  /** Per request; a request still unanswered after this is treated as lost. */
  timeoutMs?: number;
  /** Epoch ms, for turning a Retry-After date into a delay; injectable for tests. */
  now?: () => number;
}

export interface CreateRunInput {
  prompt: string;
  metadata?: Record<string, string>;
  repoId?: number;
  agentType?: AgentType;
  model?: string;
}

export interface ListRunsInput {
  sourceType?: string;
  skip?: number;
  limit?: number;
}

export interface PageInput {
  skip?: number;
  limit?: number;
}

/** What we were doing, for the error message, and whether it changes anything at Codegen. */
interface Operation {
  what: string;
  sideEffect: boolean;
}

type Query = Record<string, string | number | undefined>;

export class CodegenClient {
  readonly #baseUrl: string;
  readonly #apiToken: string;
  readonly #orgId: number;
  readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: CodegenClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`Codegen baseUrl is not a URL: ${JSON.stringify(options.baseUrl)}`);
    }
    if (base.protocol !== "https:" && base.protocol !== "http:") throw new TypeError(`Codegen baseUrl must be http(s), got ${base.protocol}`);
    if (typeof options.apiToken !== "string" || options.apiToken.trim() === "") throw new TypeError("Codegen apiToken is empty");
    if (!Number.isSafeInteger(options.orgId) || options.orgId <= 0) throw new RangeError(`Codegen orgId must be a positive integer, got ${options.orgId}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`Codegen timeoutMs must be positive, got ${timeoutMs}`);

    this.#baseUrl = base.href.replace(/\/+$/, "");
    this.#apiToken = options.apiToken;
    this.#orgId = options.orgId;
    this.#timeoutMs = timeoutMs;
    this.#now = options.now ?? Date.now;
    // Called with globalThis as `this`: workerd throws "Illegal invocation" on a detached fetch.
    const injected = options.fetch;
    this.#fetch = injected ? (url, init) => injected.call(globalThis, url, init) : (url, init) => fetch(url, init);
  }

  /** Starts a run. Codegen answers 200 (not 201) and allows about 10 creates a minute. */
  async createRun(input: CreateRunInput): Promise<AgentRun> {
    if (input.repoId !== undefined) positiveInteger("repoId", input.repoId);
    const body = {
      prompt: input.prompt,
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      ...(input.repoId !== undefined ? { repo_id: input.repoId } : {}),
      ...(input.agentType !== undefined ? { agent_type: input.agentType } : {}),
      ...(input.model !== undefined ? { model: input.model } : {}),
    };
    return this.#call({ what: "create the run", sideEffect: true }, "POST", `${this.#org}/agent/run`, AgentRunSchema, { body });
  }

  async getRun(agentRunId: number): Promise<AgentRun> {
    positiveInteger("agentRunId", agentRunId);
    return this.#call({ what: `read run ${agentRunId}`, sideEffect: false }, "GET", `${this.#org}/agent/run/${agentRunId}`, AgentRunSchema);
  }

  /** Runs of the organisation, newest first. */
  async listRuns(input: ListRunsInput = {}): Promise<AgentRunList> {
    const query = pageQuery(input);
    if (input.sourceType !== undefined) query.source_type = input.sourceType;
    return this.#call({ what: "list runs", sideEffect: false }, "GET", `${this.#org}/agent/runs`, AgentRunListSchema, { query });
  }

  /** Sends a follow-up prompt to an existing run. */
  async resumeRun(input: { agentRunId: number; prompt: string }): Promise<AgentRun> {
    positiveInteger("agentRunId", input.agentRunId);
    const body = { agent_run_id: input.agentRunId, prompt: input.prompt };
    return this.#call({ what: `resume run ${input.agentRunId}`, sideEffect: true }, "POST", `${this.#org}/agent/run/resume`, AgentRunSchema, { body });
  }

  /** The run's steps. The OpenAPI puts this under /v1/alpha; the docs page omits it, the OpenAPI wins. */
  async getLogs(agentRunId: number, input: PageInput = {}): Promise<AgentRunLogs> {
    positiveInteger("agentRunId", agentRunId);
    const path = `/v1/alpha/organizations/${this.#orgId}/agent/run/${agentRunId}/logs`;
    return this.#call({ what: `read the logs of run ${agentRunId}`, sideEffect: false }, "GET", path, AgentRunLogsSchema, { query: pageQuery(input) });
  }

  /**
   * Codegen has no cancel endpoint; these are the nearest. They answer an untyped `{}`,
   * so there is nothing to validate or return: a 2xx is the whole answer.
   */
  async removeFromPr(agentRunId: number): Promise<void> {
    positiveInteger("agentRunId", agentRunId);
    await this.#call({ what: `remove run ${agentRunId} from its pull request`, sideEffect: true }, "POST", `${this.#org}/agent/run/remove-from-pr`, null, {
      body: { agent_run_id: agentRunId },
    });
  }

  /** Flags the run's pull request and stops every agent working on it. */
  async ban(agentRunId: number): Promise<void> {
    positiveInteger("agentRunId", agentRunId);
    await this.#call({ what: `ban run ${agentRunId}`, sideEffect: true }, "POST", `${this.#org}/agent/run/ban`, null, { body: { agent_run_id: agentRunId } });
  }

  get #org(): string {
    return `/v1/organizations/${this.#orgId}`;
  }

  async #call<S extends z.ZodType>(op: Operation, method: "GET" | "POST", path: string, schema: S, options?: { query?: Query; body?: unknown }): Promise<z.infer<S>>;
  async #call(op: Operation, method: "GET" | "POST", path: string, schema: null, options?: { query?: Query; body?: unknown }): Promise<void>;
  async #call(
    op: Operation,
    method: "GET" | "POST",
    path: string,
    schema: z.ZodType | null,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<unknown> {
    const url = new URL(this.#baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#apiToken}`, Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    // A fresh signal per request: a shared one, once fired, would abort every later request at once.
    const signal = AbortSignal.timeout(this.#timeoutMs);

    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url.href, {
        method,
        headers,
        signal,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      // The body can be lost after the status arrived: for a 2xx POST the run exists but we cannot read it.
      text = await response.text();
    } catch (error) {
      throw this.#unanswered(op, error, signal);
    }

    if (!response.ok) throw this.#refused(op, response, text);
    if (schema === null) return undefined;
    return this.#parse(op, response.status, schema, text);
  }

  #parse(op: Operation, status: number, schema: z.ZodType, text: string): unknown {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.#malformed(op, status, "the body is not JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw this.#malformed(op, status, z.prettifyError(parsed.error));
    return parsed.data;
  }

  #malformed(op: Operation, status: number, detail: string): CodegenError {
    return new CodegenError({
      kind: "final",
      status,
      // A POST that got a 2xx took effect: what it made is unknown, so the caller must reconcile.
      outcomeUnknown: op.sideEffect,
      message: this.#redact(`Codegen's answer when we tried to ${op.what} was malformed: ${detail}`),
    });
  }

  /** No answer at all: the request may or may not have reached Codegen. */
  #unanswered(op: Operation, error: unknown, signal: AbortSignal): CodegenError {
    const timedOut = signal.aborted || (error instanceof Error && error.name === "TimeoutError");
    const message = timedOut
      ? `Codegen did not answer within ${this.#timeoutMs / 1000} s when we tried to ${op.what}`
      : `Could not reach Codegen to ${op.what}: ${describeFailure(error)}`;
    return new CodegenError({ kind: "retryable", outcomeUnknown: op.sideEffect, message: this.#redact(message) });
  }

  #refused(op: Operation, response: Response, text: string): CodegenError {
    const status = response.status;
    const detail = errorDetail(text) ?? (response.statusText || "no details given");
    // 429 comes from the rate limiter, before anything is done; a 5xx may come after.
    const retryable = status >= 500 || status === 429 || status === 408;
    const retryAfterMs = retryable ? parseRetryAfter(response.headers.get("retry-after"), this.#now()) : undefined;
    const verb = status >= 500 ? "failed" : "refused";
    return new CodegenError({
      kind: retryable ? "retryable" : "final",
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      outcomeUnknown: op.sideEffect && status >= 500,
      message: this.#redact(`Codegen ${verb} to ${op.what} (${status}): ${detail}`),
    });
  }

  /** Belt and braces: nothing we build quotes the token, but a fetch error or an echoing server might. */
  #redact(text: string): string {
    return text.replaceAll(this.#apiToken, "[redacted]");
  }
}

/** Codegen's own words from an error body: `message`, FastAPI's 422 `detail`, or short plain text. */
function errorDetail(text: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const plain = text.trim().replace(/\s+/g, " ");
    if (plain === "" || plain.startsWith("<")) return undefined;
    return plain.length > MAX_DETAIL_CHARS ? `${plain.slice(0, MAX_DETAIL_CHARS)}…` : plain;
  }
  const body = CodegenErrorBodySchema.safeParse(json);
  if (body.success) return body.data.message;
  const validation = ValidationErrorBodySchema.safeParse(json);
  if (validation.success && validation.data.detail.length > 0) {
    return validation.data.detail.map((d) => `${d.loc.join(".")}: ${d.msg}`).join("; ");
  }
  const detail = DetailErrorBodySchema.safeParse(json);
  if (detail.success) return detail.data.detail;
  return undefined;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    // undici hides the real reason (ECONNRESET, ENOTFOUND) in `cause`.
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

function pageQuery(input: PageInput): Query {
  const query: Query = {};
  if (input.skip !== undefined) {
    if (!Number.isSafeInteger(input.skip) || input.skip < 0) throw new RangeError(`skip must be a non-negative integer, got ${input.skip}`);
    query.skip = input.skip;
  }
  if (input.limit !== undefined) {
    if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > MAX_PAGE_SIZE) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${input.limit}`);
    }
    query.limit = input.limit;
  }
  return query;
}
