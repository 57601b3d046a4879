/**
 * How a job that talks to Linear turns every Linear failure into an outcome:
 * a refused token is refreshed once and retried, a rate limit waits for its
 * reset (and pauses every Linear job of the object), a transient failure is
 * retried (marked uncertain: it may have taken effect).
 */
import { classifyLinearError } from "../../../src/linear/errors";
import type { LinearApi } from "../../../src/linear/linear-api";
import type { JobContext, JobOutcome } from "./job-context";

export async function withLinear(ctx: JobContext, work: (api: LinearApi, appUserId: string) => Promise<JobOutcome>): Promise<JobOutcome> {
  let access = await ctx.linear.get();
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!access.ok) {
      if (access.reason === "revoked") return { kind: "failed", error: access.message };
      return { kind: "retry", error: access.message };
    }
    try {
      return await work(access.api, access.appUserId);
    } catch (error) {
      const failure = classifyLinearError(error, ctx.now());
      switch (failure.kind) {
        case "unauthenticated":
          if (attempt === 0) {
            access = await ctx.linear.refresh(access.accessToken);
            continue;
          }
          return { kind: "retry", error: `Linear refused the refreshed token: ${failure.message}` };
        case "rate_limited":
          return { kind: "retry", error: `rate limited by Linear: ${failure.message}`, at: failure.retryAt, countAttempt: false, pauseLinearUntil: failure.retryAt };
        case "transient":
          return { kind: "retry", error: failure.message, uncertain: true };
        case "already_exists":
          return { kind: "done" };
        case "rejected":
          return { kind: "failed", error: `Linear rejected the request: ${failure.message}` };
      }
    }
  }
  return { kind: "retry", error: "could not get a working Linear token" };
}

