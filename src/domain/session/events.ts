/**
 * Everything that can happen to a session after intake, as data: what a job
 * learned from Linear, Codegen, a local agent or the Workspace, a timer that
 * came due, or a request from the API. `step` is the only reader.
 */
import type { TaskEvent, TaskResult } from "../../protocol/messages";
import type { ExecutorDecision } from "../select-executor";
import type { TaskAnalysis } from "../task-analysis";
import type { RequeueNotice } from "../task-assignment";
import type { ExecutorKind } from "../executor";
import type { ParentLink, PullRequest } from "./state";
import type { PlanDecision } from "../parallel/plan";

/** What Codegen says about a run, as the CodegenGate passes it on. */
export interface RunObservation {
  runId: number;
  status: string | null;
  webUrl: string | null;
  result: string | null;
  summary: string | null;
  pullRequests: PullRequest[];
  observedAt: number;
}

/** The Workspace's answer to a reservation (its ledger left out). */
export type ReservationAnswer = { ok: true } | { ok: false; wait: boolean; reason: string; remainingUsd: number | null };

/** The TaskOrchestrator's choice for a routed task, with the budget reservation taken for it. */
export interface PlannedExecution {
  attemptKey: string;
  decision: ExecutorDecision;
  analysis: Pick<TaskAnalysis, "agentType" | "complexity" | "signals">;
  estimate: { localUsd: number; cloudUsd: number };
  /** What the ledger reserved (or would) for the chosen executor. */
  worstCaseUsd: number;
  /** The local run's `maxBudgetUsd` (null: no cap). */
  localMaxBudgetUsd: number | null;
  /** null when nothing could run it, so nothing was reserved. */
  reservation: ReservationAnswer | null;
}

export interface RoutedRepository {
  id: string;
  name: string;
  gitUrl: string | null;
  codegenRepoId: number | null;
  baseBranch: string;
}

export type SessionEvent =
  // ---- preparing and choosing ----
  | {
      type: "prepared";
      issue: { identifier: string; title: string };
      /** The workflow state the issue was moved to (Linear's started state), if it was moved. */
      movedTo: string | null;
      route: { matched: true; repository: RoutedRepository; rule: string; reason: string } | { matched: false; reason: string; message: string };
      plan: PlannedExecution | null;
      /** Hybrid-parallel: the plan read from the issue's sub-issues, or that a planner must propose one. */
      parallel?: { kind: "plan"; decision: PlanDecision } | { kind: "needs-planner" } | null;
      /** A hybrid-parallel child: its parent's answer (null: not a child of a running plan). */
      parentLink?: ParentLink | null;
    }
  /** A session waiting for budget was chosen for and reserved for again. */
  /** `afterPlanning`: a planner declined to split, so the issue runs as one task, chosen for anew. */
  | { type: "replanned"; plan: PlannedExecution; afterPlanning?: boolean }
  /** The Workspace says the budget may have room. `planPending`: a re-plan is queued already. */
  | { type: "budget.room"; planPending: boolean }
  | { type: "fallback.reserved"; fromAttemptKey: string; to: ExecutorKind; reason: string; attemptKey: string; amountUsd: number; localMaxBudgetUsd: number | null; reservation: ReservationAnswer }
  // ---- hybrid-parallel: the parent ----
  /** The sub-issues of a proposed plan exist in Linear now (created idempotently with the ids the plan gave them). */
  | { type: "parallel.sub-issues-created"; identifiers: Record<string, string> }
  /** A child's session reported in. `reportId` makes a retried report count once. */
  | { type: "parallel.child-report"; childIssueId: string; childSessionId: string; kind: "started" | "waiting" | "succeeded" | "failed" | "canceled"; reason: string | null; pullRequests: string[]; at: number }
  /** The validation task was planned and its worst case reserved (or refused). */
  | { type: "parallel.validation-planned"; plan: PlannedExecution | null; reason: string | null }
  /** A delegated child's start deadline passed (its timer). */
  | { type: "parallel.child-start-overdue"; key: string; attempt: number }
  /** A follow-up for the parent while its children run: it goes to the parent (the validation holds the children to it). */
  | { type: "parallel.follow-up" }
  // ---- from the API ----
  | { type: "stop.requested"; source: "api" }
  | { type: "retry.requested" }
  // ---- starting an attempt (either executor) ----
  | { type: "start.requested"; attemptKey: string; attempt: number; executor: ExecutorKind; resumeFrom: string | null }
  // ---- the cloud ----
  | { type: "cloud.gate-chosen"; gateName: string; credential: string }
  | { type: "cloud.create-sent" }
  /** The create's answer says no run was made (refused before sending, or a definite failure). */
  | { type: "cloud.create-not-made" }
  | { type: "cloud.run-adopted"; run: RunObservation; twins: number[] }
  | { type: "cloud.start-failed"; message: string }
  | { type: "cloud.observed"; run: RunObservation }
  | { type: "cloud.finish-due" }
  | { type: "cloud.deadline-passed"; deadlineAt: number; timeoutAction: "fallback" | "ask" }
  | { type: "cloud.logs-read"; read: { ok: true; texts: string[]; total: number } | { ok: false } }
  | { type: "cloud.checked"; seen: RunObservation | null }
  | { type: "cloud.resumed"; status: string | null }
  | { type: "cloud.resume-failed"; message: string }
  /** The run was stopped; what Codegen said when asked to take its agent off the pull request. */
  | { type: "cloud.stopped"; removal: { asked: false } | { asked: true; ok: true } | { asked: true; ok: false; message: string } }
  // ---- a local agent ----
  | { type: "local.queued"; agentsOnline: number; freshSession: boolean; resumeFrom: string | null; resumedClaudeSessionId: string | null }
  | { type: "local.accepted"; agentId: string; hostname: string }
  /** `flushQueued`: a batch of tool calls is already due to go to Linear. */
  | { type: "local.event"; event: TaskEvent; flushQueued: boolean }
  /** `baselineTotalUsd`: the Claude session's running total last recorded, from which this run's cost is the difference. */
  | { type: "local.result"; agentId: string; result: TaskResult; baselineTotalUsd: number | null }
  | { type: "local.requeued"; taskId: string; agentId: string | null; reason: string; lastNotice: RequeueNotice | null }
  | { type: "local.rejected"; reason: string }
  | { type: "local.queue-timeout"; waitedMs: number }
  | { type: "local.tools-flushed"; count: number }
  | { type: "local.prompt-delivered"; sent: { messageId: string; text: string } | null }
  | { type: "local.prompt-not-running" }
  | { type: "local.stopped-before-start" }
  // ---- either executor ----
  /** A stop reached an execution that was not running: nothing to stop. */
  | { type: "stop.nothing-running" };
