/**
 * What a Codegen call that did not succeed means for the step that made it:
 * held back by our own rate budget (wait, without counting an attempt), a
 * retryable failure (again, with backoff or Codegen's Retry-After, at most
 * MAX_CLOUD_RETRIES times), or the end of trying (the session is told why).
 */

/** Codegen failures are retried at most this many times before the session says it gave up. */
export const MAX_CLOUD_RETRIES = 3;

export interface CloudFailure {
  kind: "retryable" | "final";
  message: string;
  retryAfterMs: number | null;
  /** The call may have taken effect (a timeout, a dropped connection). */
  outcomeUnknown: boolean;
}

export type CloudCallAnswer =
  | { status: "deferred"; retryAt: number }
  | { status: "unconfigured"; message: string }
  | { status: "failed"; failure: CloudFailure };

export type CloudFailureOutcome =
  | { kind: "wait"; at: number; error: string }
  | { kind: "retry"; error: string; uncertain: boolean; at: number | null }
  | { kind: "give-up"; message: string };

/** `failedAttempts`: how many earlier attempts of this step failed. */
export function cloudFailureOutcome(answer: CloudCallAnswer, failedAttempts: number, now: number): CloudFailureOutcome {
  switch (answer.status) {
    case "deferred":
      return { kind: "wait", at: answer.retryAt, error: "waiting for the Codegen rate budget" };
    case "unconfigured":
      return { kind: "give-up", message: answer.message };
    case "failed": {
      const { failure } = answer;
      if (failure.kind === "final") return { kind: "give-up", message: failure.message };
      if (failedAttempts >= MAX_CLOUD_RETRIES) return { kind: "give-up", message: `${failure.message} (gave up after ${failedAttempts + 1} attempts)` };
      return { kind: "retry", error: failure.message, uncertain: failure.outcomeUnknown, at: failure.retryAfterMs !== null ? now + failure.retryAfterMs : null };
    }
  }
}
