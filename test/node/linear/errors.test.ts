import { GraphQLClientError, LinearError, parseLinearError, RatelimitedLinearError } from "@linear/sdk";
import { describe, expect, it } from "vitest";
import { classifyLinearError } from "../../../src/linear/errors";

const NOW = 1_773_883_618_412;
const QUERY = "mutation agentActivityCreate($input: AgentActivityCreateInput!) { agentActivityCreate(input: $input) { success } }";

interface RawError {
  message?: string;
  path?: string[];
  extensions?: { code?: string; type?: string; userError?: boolean; userPresentableMessage?: string; statusCode?: number };
}

/**
 * A LinearError exactly as the SDK builds one: a graphql-request ClientError for the
 * HTTP response, passed through the SDK's own parseLinearError.
 */
function linearError(status: number, errors: RawError[] = [], headers: Record<string, string> = {}): LinearError {
  const response = { status, headers: new Headers(headers), data: undefined, ...(errors.length ? { errors } : {}) };
  const clientError = new GraphQLClientError(response as ConstructorParameters<typeof GraphQLClientError>[0], {
    query: QUERY,
    variables: { input: { agentSessionId: "sess-uuid" } },
  });
  return parseLinearError(clientError as Parameters<typeof parseLinearError>[0]);
}

describe("classifyLinearError: rate limits", () => {
  it("HTTP 429 with x-ratelimit-requests-reset: rate_limited, retryAt from the header", () => {
    const error = linearError(429, [], { "x-ratelimit-requests-reset": String(NOW + 30_000), "x-ratelimit-requests-remaining": "0" });
    expect(error).toBeInstanceOf(RatelimitedLinearError);
    expect(classifyLinearError(error, NOW)).toEqual({ kind: "rate_limited", retryAt: NOW + 30_000, message: "Linear answered HTTP 429" });
  });

  it("HTTP 429: the later of the requests and complexity resets wins", () => {
    const error = linearError(429, [], {
      "x-ratelimit-requests-reset": String(NOW + 30_000),
      "x-ratelimit-complexity-reset": String(NOW + 90_000),
    });
    expect(classifyLinearError(error, NOW)).toMatchObject({ kind: "rate_limited", retryAt: NOW + 90_000 });
  });

  it("HTTP 429 with Retry-After only: retryAt is now + seconds", () => {
    const error = linearError(429, [], { "retry-after": "12" });
    expect(classifyLinearError(error, NOW)).toMatchObject({ kind: "rate_limited", retryAt: NOW + 12_000 });
  });

  it("HTTP 429 with a reset already in the past and no Retry-After: no retryAt", () => {
    const error = linearError(429, [], { "x-ratelimit-requests-reset": String(NOW - 1_000) });
    const failure = classifyLinearError(error, NOW);
    expect(failure.kind).toBe("rate_limited");
    expect(failure.kind === "rate_limited" && failure.retryAt).toBeUndefined();
  });

  it("HTTP 400 with extensions.code RATELIMITED (how Linear answers): rate_limited, retryAt from the header", () => {
    const error = linearError(
      400,
      [{ message: "Rate limit exceeded", extensions: { code: "RATELIMITED", userPresentableMessage: "You have exceeded the rate limit." } }],
      { "x-ratelimit-requests-reset": String(NOW + 45_000) },
    );
    expect(error).not.toBeInstanceOf(RatelimitedLinearError);
    expect(classifyLinearError(error, NOW)).toEqual({
      kind: "rate_limited",
      retryAt: NOW + 45_000,
      message: "You have exceeded the rate limit.",
    });
  });

  it("HTTP 400 RATELIMITED with Retry-After only", () => {
    const error = linearError(400, [{ message: "Rate limit exceeded", extensions: { code: "RATELIMITED" } }], { "retry-after": "3" });
    expect(classifyLinearError(error, NOW)).toMatchObject({ kind: "rate_limited", retryAt: NOW + 3_000 });
  });

  it("a GraphQL error typed ratelimited", () => {
    const error = linearError(400, [{ message: "Too many requests", extensions: { type: "ratelimited" } }]);
    expect(classifyLinearError(error, NOW)).toMatchObject({ kind: "rate_limited", message: "Too many requests" });
  });

  it("a GraphQL error with extensions.statusCode 429", () => {
    const error = linearError(200, [{ message: "slow down", extensions: { statusCode: 429 } }]);
    expect(classifyLinearError(error, NOW).kind).toBe("rate_limited");
  });
});

describe("classifyLinearError: transient", () => {
  it("HTTP 500", () => {
    expect(classifyLinearError(linearError(500), NOW)).toEqual({ kind: "transient", message: "Linear answered HTTP 500" });
  });

  it.each([502, 503, 504])("HTTP %i", (status) => {
    expect(classifyLinearError(linearError(status), NOW).kind).toBe("transient");
  });

  it("HTTP 500 even when the GraphQL error says invalid input", () => {
    expect(classifyLinearError(linearError(500, [{ message: "boom", extensions: { type: "invalid input" } }]), NOW).kind).toBe("transient");
  });

  it.each(["internal error", "lock timeout", "network error"])("a GraphQL error typed %s", (type) => {
    expect(classifyLinearError(linearError(200, [{ message: "try again", extensions: { type } }]), NOW)).toEqual({ kind: "transient", message: "try again" });
  });

  it("a plain TypeError (fetch failed)", () => {
    expect(classifyLinearError(new TypeError("fetch failed"), NOW)).toEqual({
      kind: "transient",
      message: "could not reach Linear (TypeError: fetch failed)",
    });
  });

  it("an AbortError (timeout)", () => {
    const abort = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(classifyLinearError(abort, NOW)).toEqual({
      kind: "transient",
      message: "could not reach Linear (TimeoutError: The operation was aborted due to timeout)",
    });
  });

  it("something that is not an Error at all", () => {
    expect(classifyLinearError("socket hang up", NOW)).toEqual({ kind: "transient", message: "could not reach Linear (socket hang up)" });
    expect(classifyLinearError(undefined, NOW).kind).toBe("transient");
  });
});

describe("classifyLinearError: unauthenticated", () => {
  it("extensions.type authentication error", () => {
    const error = linearError(400, [{ message: "Authentication required, not authenticated", extensions: { type: "authentication error", code: "AUTHENTICATION_ERROR" } }]);
    expect(classifyLinearError(error, NOW)).toEqual({ kind: "unauthenticated", message: "Authentication required, not authenticated" });
  });

  it("HTTP 401 without a body", () => {
    expect(classifyLinearError(linearError(401), NOW)).toEqual({ kind: "unauthenticated", message: "Linear answered HTTP 401" });
  });
});

describe("classifyLinearError: already exists", () => {
  it("a message containing 'already exists' (a retried create whose answer was lost)", () => {
    const error = linearError(400, [{ message: "Entity already exists", extensions: { type: "invalid input" } }]);
    expect(classifyLinearError(error, NOW)).toEqual({ kind: "already_exists", message: "Entity already exists" });
  });

  it("is found in the raw message even when the user-presentable message differs", () => {
    const error = linearError(400, [
      { message: "AgentActivity with id act-1 Already Exists", extensions: { type: "invalid input", userPresentableMessage: "Could not create the activity." } },
    ]);
    expect(classifyLinearError(error, NOW)).toEqual({ kind: "already_exists", message: "Could not create the activity." });
  });

  it("is found in the second of several errors", () => {
    const error = linearError(400, [{ message: "first problem" }, { message: "id already exists" }]);
    expect(classifyLinearError(error, NOW).kind).toBe("already_exists");
  });
});

describe("classifyLinearError: rejected", () => {
  it("extensions.type invalid input", () => {
    const error = linearError(400, [
      { message: "Argument Validation Error", extensions: { type: "invalid input", userError: true, userPresentableMessage: "body must not be empty" } },
    ]);
    expect(classifyLinearError(error, NOW)).toEqual({ kind: "rejected", message: "body must not be empty" });
  });

  it.each(["forbidden", "feature not accessible", "usage limit exceeded", "user error", "graphql error"])("a GraphQL error typed %s", (type) => {
    expect(classifyLinearError(linearError(400, [{ message: "no", extensions: { type } }]), NOW).kind).toBe("rejected");
  });

  it("HTTP 403 without a body", () => {
    expect(classifyLinearError(linearError(403), NOW)).toEqual({ kind: "rejected", message: "Linear answered HTTP 403" });
  });

  it("a GraphQL validation error (no extensions.type) on HTTP 400", () => {
    const error = linearError(400, [{ message: 'Cannot query field "nope" on type "Query".', extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }]);
    expect(classifyLinearError(error, NOW)).toEqual({ kind: "rejected", message: 'Cannot query field "nope" on type "Query".' });
  });

  it("uses a short message, never the SDK's message with the whole query", () => {
    const error = linearError(400, [{ message: "bad", extensions: { type: "invalid input" } }]);
    const failure = classifyLinearError(error, NOW);
    expect(failure.message).toBe("bad");
    expect(failure.message).not.toContain("agentActivityCreate");
  });

  // The SDK types every bare 4xx (but 403/429) as an authentication error; only a 401
  // or an explicit GraphQL authentication error means the token was refused.
  it.each([400, 404, 413])("HTTP %i without GraphQL errors is rejected, not unauthenticated", (status) => {
    expect(classifyLinearError(linearError(status), NOW).kind).toBe("rejected");
  });
});

describe("classifyLinearError: SDK errors built directly", () => {
  it("accepts a LinearError passed through parseLinearError twice (already parsed)", () => {
    const error = linearError(500);
    expect(parseLinearError(error)).toBe(error);
    expect(classifyLinearError(parseLinearError(error), NOW).kind).toBe("transient");
  });

  it("uses Date.now() when no clock is given", () => {
    const error = linearError(429, [], { "retry-after": "60" });
    const before = Date.now();
    const failure = classifyLinearError(error);
    expect(failure.kind === "rate_limited" && failure.retryAt).toBeGreaterThanOrEqual(before + 60_000);
  });
});
