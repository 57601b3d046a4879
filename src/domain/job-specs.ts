/**
 * The work an IssueSession's alarm does, as data. Each job belongs to a lane;
 * within a lane jobs run strictly in order (the outbox to Linear is one lane per
 * agent session, so activities appear in the order they were decided). Timers
 * (deadlines, periodic checks) get lanes of their own so a job due later never
 * holds up one due now.
 */
import type { AgentActivityContent, AgentSessionUpdate } from "../linear/linear-api";
import type { ExecutorKind, FollowUpRequest, StartRequest, StopRequest } from "./executor";

export type JobSpec =
  | { kind: "linear.activity"; payload: { activityId: string; agentSessionId: string; content: AgentActivityContent; ephemeral?: boolean } }
  | { kind: "linear.session-update"; payload: { agentSessionId: string; update: AgentSessionUpdate } }
  | { kind: "linear.attachment"; payload: { agentSessionId: string; issueId: string; url: string; title: string } }
  | { kind: "linear.comment"; payload: LinearCommentPayload }
  | { kind: "session.prepare"; payload: { agentSessionId: string } }
  /** A session waiting for budget was told there may be room: decide and reserve again (routing stands). */
  | { kind: "session.plan"; payload: { agentSessionId: string; afterPlanning?: boolean } }
  | { kind: "execution.start"; payload: StartRequest & { executor: ExecutorKind } }
  | { kind: "execution.followup"; payload: FollowUpRequest & { executor: ExecutorKind } }
  | { kind: "execution.stop"; payload: StopRequest & { executor: ExecutorKind } }
  | { kind: "cloud.watch"; payload: { agentSessionId: string; attemptKey: string } }
  | { kind: "cloud.finish"; payload: { agentSessionId: string; attemptKey: string } }
  | { kind: "cloud.deadline"; payload: { agentSessionId: string; attemptKey: string; deadlineAt: number } }
  | { kind: "cloud.logs"; payload: { agentSessionId: string; attemptKey: string } }
  | { kind: "cloud.check"; payload: { agentSessionId: string; attemptKey: string } }
  | { kind: "local.flush-tools"; payload: { agentSessionId: string; attemptKey: string } }
  | { kind: "session.fallback"; payload: { agentSessionId: string; fromAttemptKey: string; to: "local" | "cloud"; reason: string } }
  | { kind: "metrics.record"; payload: { agentSessionId: string; attemptKey: string } }
  /** A reservation the session no longer needs goes back to the day's budget. */
  | { kind: "budget.release"; payload: { agentSessionId: string; attemptKey: string } }
  /** A session that stopped waiting for budget leaves the Workspace's queue. */
  | { kind: "budget.leave-queue"; payload: { agentSessionId: string } }
  | { kind: "alert.agents-offline"; payload: { agentSessionId: string; repository: string; issueIdentifier: string | null } }
  /** Hybrid-parallel parent: create the plan's sub-issues and their `blocks` relations, with the ids the plan gave them. */
  | { kind: "parallel.create-sub-issues"; payload: { agentSessionId: string } }
  /** Delegate a child's sub-issue to the app (attempt 1), or retry its session (attempt 2). */
  | { kind: "parallel.start-child"; payload: { agentSessionId: string; key: string; attempt: number; childIssueId: string; childSessionId: string | null } }
  /** The timer by which a delegated child must have reported its start. */
  | { kind: "parallel.child-deadline"; payload: { agentSessionId: string; key: string; attempt: number } }
  | { kind: "parallel.stop-child"; payload: { agentSessionId: string; childIssueId: string; childSessionId: string } }
  /** Choose where the validation task runs and reserve its worst case. */
  | { kind: "parallel.validate"; payload: { agentSessionId: string } }
  /** Hybrid-parallel child: tell the parent's IssueSession it started or ended (retried; `reportId` makes it count once). */
  | {
      kind: "parallel.report";
      payload: { agentSessionId: string; parentIssueId: string; reportId: string; kind: "started" | "waiting" | "succeeded" | "failed" | "canceled"; reason: string | null; pullRequests: string[]; at: number };
    }
  | { kind: "d1.sync"; payload: Record<string, never> };

export type JobKind = JobSpec["kind"];

/**
 * A comment the edge writes in an agent session's thread on someone's behalf
 * (a message sent from the panel). `commentId` is fixed when the job is queued:
 * Linear takes a client id, so a retried create meets its first attempt.
 */
export interface LinearCommentPayload {
  commentId: string;
  agentSessionId: string;
  issueId: string;
  /** The thread's root comment; null posts on the issue itself. */
  parentId: string | null;
  body: string;
  /** Shown as the author (Linear's `createAsUser`, for actor=app tokens). */
  createAsUser: string | null;
}

export function laneOf(spec: JobSpec): string {
  switch (spec.kind) {
    case "linear.activity":
    case "linear.session-update":
    case "linear.attachment":
    case "linear.comment":
      return `linear:${spec.payload.agentSessionId}`;
    case "session.prepare":
    case "session.plan":
      return `prepare:${spec.payload.agentSessionId}`;
    case "execution.start":
    case "execution.followup":
    case "execution.stop":
    case "cloud.watch":
    case "cloud.finish":
    case "session.fallback":
      return `run:${spec.payload.agentSessionId}`;
    case "local.flush-tools":
      return `linear:${spec.payload.agentSessionId}`;
    case "cloud.deadline":
    case "cloud.logs":
    case "cloud.check":
      return `${spec.kind}:${spec.payload.agentSessionId}`;
    // Its own lane: the D1 mirror's sync waits on purpose, and a run's cost must not wait behind it.
    case "metrics.record":
      return `metrics:${spec.payload.agentSessionId}`;
    case "budget.release":
    case "budget.leave-queue":
      return `budget:${spec.payload.agentSessionId}`;
    case "alert.agents-offline":
      return `alerts:${spec.payload.agentSessionId}`;
    case "parallel.create-sub-issues":
    case "parallel.start-child":
    case "parallel.stop-child":
    case "parallel.validate":
      return `parallel:${spec.payload.agentSessionId}`;
    case "parallel.report":
      return `parent:${spec.payload.agentSessionId}`;
    // A lane per child: one child's deadline never waits behind another's.
    case "parallel.child-deadline":
      return `parallel.deadline:${spec.payload.agentSessionId}:${spec.payload.key}`;
    case "d1.sync":
      return "d1";
  }
}

/** A thought, as an outbox job with its activity id fixed now (the id is the dedupe key). */
export function activityJob(agentSessionId: string, content: AgentActivityContent, options: { ephemeral?: boolean } = {}): JobSpec {
  return { kind: "linear.activity", payload: { activityId: crypto.randomUUID(), agentSessionId, content, ...(options.ephemeral ? { ephemeral: true } : {}) } };
}
