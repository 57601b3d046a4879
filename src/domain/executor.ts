/**
 * The one interface both executors implement, shaped for Durable Objects where
 * nothing waits in memory: each verb is a step the session's alarm runs (and may
 * run again), and what the executor learns later (a Codegen run's status, a
 * local agent's events and result) comes back as an update the session applies.
 * The IssueSession picks an executor by kind and sees only this.
 */
export type ExecutorKind = "local" | "cloud";

export interface StartRequest {
  agentSessionId: string;
  attemptKey: string;
  /** A local follow-up run that continues an earlier attempt's Claude session. */
  resumeFrom?: string | null;
  /** The local run's `maxBudgetUsd` (null: no cap). */
  maxBudgetUsd?: number | null;
}

export interface FollowUpRequest {
  agentSessionId: string;
  attemptKey: string;
  prompt: string;
}

export interface StopRequest {
  agentSessionId: string;
  attemptKey: string;
}

/** `Step` is what running a step yields (done, retry later, failed); `Context` what a step is given. */
export interface TaskExecutor<Context, Step, Update> {
  readonly kind: ExecutorKind;
  /** Starts the work (idempotently: a replay meets the attempt it already started). */
  start(context: Context, request: StartRequest, step: { attempts: number; uncertain: boolean }): Promise<Step>;
  /** Gives the running (or finished) work a follow-up from the user. */
  followUp(context: Context, request: FollowUpRequest, step: { attempts: number; uncertain: boolean }): Promise<Step>;
  /** Stops the work, saying in Linear what stopping did. */
  stop(context: Context, request: StopRequest, step: { attempts: number; uncertain: boolean }): Promise<Step>;
  /** Applies what the executor reports later: progress, the result. */
  receive(context: Context, update: Update): void;
}
