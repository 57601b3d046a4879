/**
 * The one error the Codegen client throws, already sorted into what the caller
 * should do next. Its message is meant for the user (it carries Codegen's own
 * words, prefixed by what we were doing) and never contains the API token.
 */
export type CodegenErrorKind =
  /** Try the same request again later (network, timeout, 5xx, 429). */
  | "retryable"
  /** Retrying the same request cannot help (4xx, a malformed answer). */
  | "final";

export interface CodegenErrorInit {
  kind: CodegenErrorKind;
  message: string;
  status?: number;
  retryAfterMs?: number;
  outcomeUnknown?: boolean;
}

export class CodegenError extends Error {
  readonly kind: CodegenErrorKind;
  /** The HTTP status Codegen answered with; absent when no answer arrived. */
  readonly status?: number;
  /** How long Codegen asked us to wait (Retry-After), in ms. */
  readonly retryAfterMs?: number;
  /**
   * The request may have taken effect at Codegen but we cannot tell (a POST that
   * timed out, lost its connection, got a 5xx or an unreadable 200). Before sending
   * it again the caller must reconcile: for a create, `findRunByAttemptKey`.
   */
  readonly outcomeUnknown: boolean;

  constructor(init: CodegenErrorInit) {
    super(init.message);
    this.name = "CodegenError";
    this.kind = init.kind;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof CodegenError && error.kind === "retryable";
}

/**
 * A Retry-After header in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * A date in the past means "now" (0); anything unreadable is ignored.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse also accepts bare numbers and other shapes; an HTTP date always names a weekday or month.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}
