/**
 * What the session reducer sees of one agent session: the session itself and
 * the execution attempt an event concerns, plus the few stored facts some
 * events need (loaded by the IssueSession before it steps). Plain data: the
 * IssueSession's stored records are supersets of these shapes.
 */
import type { ExecutionState } from "../execution-state";
import type { SessionStatus } from "../session-status";
import type { ExecutorKind } from "../executor";
import type { ChildState } from "../parallel/child-state";
import type { Plan } from "../parallel/plan";

export interface SessionFacts {
  id: string;
  issueId: string | null;
  issueIdentifier: string | null;
  issueTitle: string | null;
  status: SessionStatus;
  repositoryId: string | null;
  repositoryName: string | null;
  repositoryGitUrl: string | null;
  codegenRepoId: number | null;
  baseBranch: string | null;
  agentType: string | null;
  complexity: string | null;
  executor: string | null;
  /** Where the work goes if the chosen executor fails (the orchestrator's decision). */
  fallback: string | null;
  routedAt: number | null;
  stopRequestedAt: number | null;
  error: string | null;
  endedAt: number | null;
}

export interface PullRequest {
  url: string;
  title: string | null;
}

export interface ExecutionFacts {
  attemptKey: string;
  agentSessionId: string;
  attempt: number;
  executor: ExecutorKind;
  state: ExecutionState;
  gateName: string | null;
  credential: string | null;
  intentAt: number;
  /** When a Codegen create was sent whose answer has not said "not created"; null when none is outstanding. */
  createSentAt: number | null;
  runId: number | null;
  webUrl: string | null;
  codegenStatus: string | null;
  result: string | null;
  pullRequests: PullRequest[];
  startedAt: number | null;
  endedAt: number | null;
  deadlineAt: number | null;
  resumes: number;
  logsSeen: number;
  outcome: string | null;
  error: string | null;
  taskId: string | null;
  agentId: string | null;
  hostname: string | null;
  claudeSessionId: string | null;
  totalCostUsd: number | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  pendingTools: { tool: string; input: string }[];
  /** Follow-ups sent to the running local task, by message id, until its result says which went in. */
  sentPrompts: { id: string; text: string }[];
}

/** The fields of an execution a step may change (its identity is fixed when it is created). */
export type ExecutionChanges = Partial<Omit<ExecutionFacts, "attemptKey" | "agentSessionId" | "attempt" | "executor" | "intentAt">> & { twins?: number[] };

/** The fields of a session a step may change. */
export type SessionChanges = Partial<Omit<SessionFacts, "id" | "issueId">>;

export interface SessionState {
  session: SessionFacts;
  /** The execution the event concerns (or the session's latest); null when there is none yet. */
  execution: ExecutionFacts | null;
  /** A hybrid-parallel parent's run (absent or null for every other session). */
  parallel?: ParallelFacts | null;
  /** A hybrid-parallel child's parent, once the parent said this issue is in its plan. */
  parentLink?: ParentLink | null;
}

export type ParallelStatus = "planning" | "creating" | "running" | "validating" | "complete" | "error" | "stopped";

/** A parent's plan and where each child stands; the parent's IssueSession is its single writer. */
export interface ParallelFacts {
  status: ParallelStatus;
  plan: Plan | null;
  children: ChildState[];
  /** What each child's session reported, by plan key. */
  links: Record<string, { agentSessionId: string | null; pullRequests: string[] }>;
  /** The planning task's attempt, while a planner proposes the sub-tasks. */
  plannerAttemptKey: string | null;
  validation: { attemptKey: string | null; status: "pending" | "running" | "passed" | "failed"; verdict: string | null } | null;
  startedAt: number;
  endedAt: number | null;
}

export interface ParentLink {
  parentIssueId: string;
  parentSessionId: string;
  /** The branches of the sub-tasks this one depends on: it starts from them. */
  mergeBranches: string[];
}

/** What a step may read besides the state: the clock, fresh ids, and the deployment's timings. */
export interface StepContext {
  now: number;
  /** A fresh UUID: an activity's id is its dedupe key at Linear, so it is fixed when the activity is decided. */
  newId: () => string;
  config: {
    /** How long a Codegen run may take before the session stops waiting for it (`CODEGEN_RUN_TIMEOUT_MS`). */
    runTimeoutMs: number;
    /** Hybrid-parallel: children of one parent running at once (`PARALLEL_MAX_CHILDREN`). */
    parallelMaxChildren?: number;
    /** The slowest the CodegenGate polls a run (`CODEGEN_POLL_MAX_MS`): log reads and checks are paced from it. */
    pollMaxMs: number;
  };
}
