/**
 * Sorts anything a Linear call can throw into what the caller should do next.
 * The SDK wraps GraphQL and HTTP failures in LinearError subclasses; a failed
 * fetch (DNS, reset, timeout) surfaces as a plain TypeError or AbortError.
 */
import { LinearError, LinearErrorType, RatelimitedLinearError } from "@linear/sdk";

export type LinearFailure =
  /** Linear asked us to slow down: wait until `retryAt` (epoch ms) if it said when. */
  | { kind: "rate_limited"; retryAt?: number; message: string }
  /** The request may or may not have taken effect (5xx, network, timeout): retry, checking first. */
  | { kind: "transient"; message: string }
  /** The token was refused: refresh it, then retry. */
  | { kind: "unauthenticated"; message: string }
  /** The entity we tried to create already exists (a retried create whose first answer was lost). */
  | { kind: "already_exists"; message: string }
  /** Linear refused the request itself: retrying the same request cannot help. */
  | { kind: "rejected"; message: string };

interface RawGraphQLError {
  message?: string;
  extensions?: { code?: string; type?: string; statusCode?: number; userPresentableMessage?: string };
}

function rawErrors(error: LinearError): RawGraphQLError[] {
  const raw = error.raw as { response?: { errors?: RawGraphQLError[] } } | undefined;
  return raw?.response?.errors ?? [];
}

/** A short message for logs and users: the SDK's own message embeds the whole query. */
function conciseMessage(error: LinearError): string {
  const first = error.errors?.[0]?.message ?? rawErrors(error)[0]?.message;
  return first ?? `Linear answered HTTP ${error.status ?? "?"}`;
}

export function classifyLinearError(error: unknown, now = Date.now()): LinearFailure {
  if (!(error instanceof LinearError)) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind: "transient", message: `could not reach Linear (${message})` };
  }
  const message = conciseMessage(error);
  const raw = rawErrors(error);
  const rateLimited =
    error instanceof RatelimitedLinearError ||
    error.type === LinearErrorType.Ratelimited ||
    error.status === 429 ||
    raw.some((e) => e.extensions?.code === "RATELIMITED" || e.extensions?.statusCode === 429);
  if (rateLimited) return { kind: "rate_limited", retryAt: rateLimitResetAt(error, now), message };
  if (raw.some((e) => /already exists/i.test(e.message ?? "")) || /already exists/i.test(message)) {
    return { kind: "already_exists", message };
  }
  // The SDK labels every bare 4xx (other than 403 and 429) an authentication error;
  // only a 401 or an explicit "authentication error" from GraphQL means the token was refused.
  const tokenRefused =
    error.status === 401 ||
    raw.some((e) => e.extensions?.type === "authentication error" || e.extensions?.code === "AUTHENTICATION_ERROR");
  if (tokenRefused) return { kind: "unauthenticated", message };
  // A fetch that never got an answer (refused, reset, timed out) is wrapped with no status and no errors.
  if (error.status === undefined && raw.length === 0) return { kind: "transient", message: `could not reach Linear (${message})` };
  const status = error.status ?? 0;
  if (
    status >= 500 ||
    error.type === LinearErrorType.NetworkError ||
    error.type === LinearErrorType.InternalError ||
    error.type === LinearErrorType.LockTimeout
  ) {
    return { kind: "transient", message };
  }
  return { kind: "rejected", message };
}

/** When the limit resets, from the reset headers (epoch ms) or Retry-After (seconds). */
function rateLimitResetAt(error: LinearError, now: number): number | undefined {
  if (error instanceof RatelimitedLinearError) {
    const resets = [error.requestsResetAt, error.complexityResetAt].filter((t): t is number => typeof t === "number" && t > now);
    if (resets.length > 0) return Math.max(...resets);
    if (typeof error.retryAfter === "number") return now + error.retryAfter * 1000;
  }
  const raw = error.raw as { response?: { headers?: Headers } } | undefined;
  const headers = raw?.response?.headers;
  const reset = Number(headers?.get?.("x-ratelimit-requests-reset") ?? NaN);
  if (Number.isFinite(reset) && reset > now) return reset;
  const retryAfter = Number(headers?.get?.("retry-after") ?? NaN);
  if (Number.isFinite(retryAfter)) return now + retryAfter * 1000;
  return undefined;
}
