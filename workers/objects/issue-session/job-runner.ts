/**
 * The IssueSession's job loop: what its alarm runs. Jobs run in passes, so a
 * job that queues a follow-up due at once (a finished run queues its response)
 * has it sent in the same wake-up. Within a lane jobs run in order; a lane whose
 * job did not succeed waits for its retry; once Linear says to slow down, every
 * Linear job waits for the reset, and that pause survives wake-ups.
 */
import { describeError } from "../../../src/log";
import { JOB_GIVE_UP_AFTER_MS, retryAt, runJob } from "./run-job";
import type { JobContext, JobOutcome } from "./job-context";
import type { JobRecord } from "./store";

export async function runDueJobs(context: JobContext, maxJobs: number): Promise<void> {
  const { store } = context;
  const stalledLanes = new Set<string>();
  let linearPausedUntil = Number(store.getMeta("linear_paused_until") ?? 0);
  let ran = 0;
  while (ran < maxJobs) {
    const waiting = new Set(stalledLanes);
    let progressed = false;
    for (const job of store.pendingJobs()) {
      if (waiting.has(job.lane)) continue;
      const now = context.now();
      if (job.dueAt > now || ran >= maxJobs) {
        waiting.add(job.lane);
        continue;
      }
      if (linearPausedUntil > now && usesLinear(job.kind)) {
        store.retryJob(job.id, { dueAt: linearPausedUntil, error: "waiting for Linear's rate limit to reset", uncertain: false, countAttempt: false });
        waiting.add(job.lane);
        stalledLanes.add(job.lane);
        continue;
      }
      ran++;
      progressed = true;
      const outcome = await runOne(job, context);
      if (outcome.kind !== "done") {
        waiting.add(job.lane);
        stalledLanes.add(job.lane);
      }
      if (outcome.kind === "retry" && outcome.pauseLinearUntil && outcome.pauseLinearUntil > linearPausedUntil) {
        linearPausedUntil = outcome.pauseLinearUntil;
        store.setMeta("linear_paused_until", String(linearPausedUntil));
      }
    }
    if (!progressed) break;
  }
}

/** Runs one job and records how it went: done, retried with backoff, or given up on (and said on the timeline). */
async function runOne(job: JobRecord, context: JobContext): Promise<JobOutcome> {
  const { store, log } = context;
  let outcome: JobOutcome;
  try {
    outcome = await runJob(job, context);
  } catch (error) {
    outcome = { kind: "retry", error: describeError(error) };
  }
  const now = context.now();
  if (outcome.kind === "done") {
    context.transaction(() => {
      store.completeJob(job.id, now);
      if (job.kind === "d1.sync" && store.hasUnsyncedState()) store.ensureSyncJob(now);
    });
    return outcome;
  }
  if (outcome.kind === "retry" && now - job.createdAt < JOB_GIVE_UP_AFTER_MS) {
    const at = outcome.at && outcome.at > now ? outcome.at : retryAt(job, context.config, now);
    store.retryJob(job.id, { dueAt: at, error: outcome.error, uncertain: outcome.uncertain ?? false, countAttempt: outcome.countAttempt ?? true });
    log.warn("job will be retried", { job: job.kind, id: job.id, attempts: job.attempts + 1, retryInMs: at - now, error: outcome.error });
    return outcome;
  }
  const error = outcome.error;
  context.transaction(() => {
    store.failJob(job.id, error, now);
    store.appendTimeline({ agentSessionId: agentSessionOf(job), kind: "outbox.failed", summary: `Gave up on ${job.kind}: ${error}`, data: { jobId: job.id } }, now);
  });
  log.error("job failed for good", { job: job.kind, id: job.id, error });
  return { kind: "failed", error };
}

function usesLinear(kind: JobRecord["kind"]): boolean {
  return kind.startsWith("linear.") || kind === "session.prepare";
}

function agentSessionOf(job: JobRecord): string | null {
  return "agentSessionId" in job.payload ? job.payload.agentSessionId : null;
}
