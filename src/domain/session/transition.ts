/**
 * A small builder for one step's result: the new state (never the old objects
 * changed in place) and the effects in the order they were decided, which is
 * the order Linear sees them.
 */
import type { AgentActivityContent, AgentSessionUpdate } from "../../linear/linear-api";
import type { JobSpec } from "../job-specs";
import type { Effect } from "./effects";
import type { ExecutionChanges, ExecutionFacts, ParallelFacts, ParentLink, SessionChanges, SessionFacts, SessionState, StepContext } from "./state";

export interface StepResult {
  state: SessionState;
  effects: Effect[];
}

export class Transition {
  session: SessionFacts;
  execution: ExecutionFacts | null;
  parallel: ParallelFacts | null;
  parentLink: ParentLink | null;
  readonly effects: Effect[] = [];

  constructor(
    state: SessionState,
    readonly context: StepContext,
  ) {
    this.session = state.session;
    this.execution = state.execution;
    this.parallel = state.parallel ?? null;
    this.parentLink = state.parentLink ?? null;
  }

  get now(): number {
    return this.context.now;
  }

  get sessionId(): string {
    return this.session.id;
  }

  updateSession(changes: SessionChanges): this {
    this.session = { ...this.session, ...changes };
    return this;
  }

  /** Changes the execution the event concerns; a step without one has nothing to change. */
  updateExecution(changes: ExecutionChanges): this {
    if (this.execution) this.execution = { ...this.execution, ...changes };
    return this;
  }

  /** An activity in the session's Linear thread. */
  say(content: AgentActivityContent, options: { ephemeral?: boolean } = {}): this {
    return this.queue({
      kind: "linear.activity",
      payload: { activityId: this.context.newId(), agentSessionId: this.sessionId, content, ...(options.ephemeral ? { ephemeral: true } : {}) },
    });
  }

  thought(body: string): this {
    return this.say({ type: "thought", body });
  }

  updateLinearSession(update: AgentSessionUpdate): this {
    return this.queue({ kind: "linear.session-update", payload: { agentSessionId: this.sessionId, update } });
  }

  record(kind: string, summary: string, data?: Record<string, unknown>): this {
    this.effects.push({ kind: "timeline", entry: { agentSessionId: this.sessionId, kind, summary, ...(data ? { data } : {}) } });
    return this;
  }

  queue(job: JobSpec, dueAt?: number): this {
    this.effects.push(dueAt === undefined ? { kind: "job", job } : { kind: "job", job, dueAt });
    return this;
  }

  result(): StepResult {
    return { state: { session: this.session, execution: this.execution, parallel: this.parallel, parentLink: this.parentLink }, effects: this.effects };
  }
}

/** A step that changes nothing (a replayed or stale event). */
export function unchanged(state: SessionState): StepResult {
  return { state, effects: [] };
}
