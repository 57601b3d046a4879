/**
 * Injected failures, consumed in the order they were added. A rule matches a
 * request by organization, GraphQL root field and path; each use counts down
 * its `count`. Scoping a rule to an organization keeps parallel tests apart.
 */
import { randomUUID } from "node:crypto";
import { HttpError } from "./http";

export const FAULT_KINDS = ["http500", "http502", "ratelimit429", "ratelimit400", "slow", "commitThenFail", "hang"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  id: string;
  kind: FaultKind;
  organizationId: string | null;
  rootField: string | null;
  path: string | null;
  remaining: number;
  /** Wait this long before answering (the whole point of `slow`; 2 s by default there). */
  delayMs: number;
  /** Rate limits: when the limit resets, from now (Retry-After and X-RateLimit-Requests-Reset). */
  resetAfterMs: number;
  /** Rate limits: leave out `extensions.type`, as a Linear that only sets `code: "RATELIMITED"` would. */
  omitErrorType: boolean;
}

export interface FaultMatch {
  organizationId: string | null;
  rootFields: string[];
  path: string;
}

function optionalString(value: unknown, name: string): string | null {
  if (value == null) return null;
  if (typeof value !== "string" || !value) throw new HttpError(400, `${name} must be a non-empty string`);
  return value;
}

function optionalNumber(value: unknown, name: string, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new HttpError(400, `${name} must be a non-negative number`);
  return value;
}

export function parseFaultSpec(body: Record<string, unknown>): Omit<FaultRule, "id"> {
  const kind = body.kind;
  if (!FAULT_KINDS.includes(kind as FaultKind)) throw new HttpError(400, `kind must be one of ${FAULT_KINDS.join(", ")}`);
  const count = optionalNumber(body.count, "count", 1);
  if (!Number.isInteger(count) || count < 1) throw new HttpError(400, "count must be a positive integer");
  return {
    kind: kind as FaultKind,
    organizationId: optionalString(body.organizationId, "organizationId"),
    rootField: optionalString(body.rootField, "rootField"),
    path: optionalString(body.path, "path"),
    remaining: count,
    delayMs: optionalNumber(body.delayMs, "delayMs", kind === "slow" ? 2_000 : 0),
    resetAfterMs: optionalNumber(body.resetAfterMs, "resetAfterMs", 60_000),
    omitErrorType: body.omitErrorType === true,
  };
}

export class FaultQueue {
  #rules: FaultRule[] = [];

  add(spec: Omit<FaultRule, "id">): FaultRule {
    const rule = { ...spec, id: randomUUID() };
    this.#rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** Takes one use of the first rule matching this request, if any. */
  take(request: FaultMatch): FaultRule | null {
    const rule = this.#rules.find(
      (r) =>
        (r.organizationId === null || r.organizationId === request.organizationId) &&
        (r.rootField === null || request.rootFields.includes(r.rootField)) &&
        // A rule without a path is for the GraphQL endpoint; OAuth faults name their path.
        (r.path === null ? request.path === "/graphql" : r.path === request.path),
    );
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    return { ...rule };
  }

  clear(organizationId?: string | null): number {
    const before = this.#rules.length;
    this.#rules = organizationId ? this.#rules.filter((r) => r.organizationId !== organizationId) : [];
    return before - this.#rules.length;
  }
}

export const INTERNAL_ERROR_BODY = {
  errors: [
    {
      message: "Internal server error",
      extensions: {
        type: "internal error",
        code: "INTERNAL_SERVER_ERROR",
        statusCode: 500,
        userError: false,
        userPresentableMessage: "An unexpected error occurred. Please try again.",
      },
    },
  ],
};

/** What a gateway in front of Linear answers when the origin is down: HTML, not JSON. */
export const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";

export function rateLimitResponse(rule: FaultRule, nowMs: number): { status: number; headers: Record<string, string>; body: unknown } {
  const resetAt = nowMs + rule.resetAfterMs;
  const extensions: Record<string, unknown> = {
    code: "RATELIMITED",
    statusCode: 429,
    userError: true,
    userPresentableMessage: "Rate limit exceeded. Please try again later.",
  };
  if (!rule.omitErrorType) extensions.type = "ratelimited";
  return {
    status: rule.kind === "ratelimit429" ? 429 : 400,
    headers: {
      "Retry-After": String(Math.ceil(rule.resetAfterMs / 1000)),
      "X-RateLimit-Requests-Limit": "5000",
      "X-RateLimit-Requests-Remaining": "0",
      "X-RateLimit-Requests-Reset": String(resetAt),
    },
    body: { errors: [{ message: "Rate limit exceeded", extensions }] },
  };
}
