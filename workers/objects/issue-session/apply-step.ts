/**
 * Load, step, store: how every event after intake reaches the session. In one
 * storage transaction the session and the execution the event concerns are
 * read, `step` decides, and its new state and effects are stored (the effects
 * as jobs in their lanes, so each happens exactly once). Nothing is decided here.
 */
import { ParallelFactsSchema, ParentLinkSchema, readStored } from "../../../src/domain/session/stored-facts";
import { step, timelineOf, jobsOf, type ParallelFacts, type ParentLink, type SessionEvent, type SessionState, type StepContext, type StepResult } from "../../../src/domain/session";
import type { JobContext } from "./job-context";

/** Which execution an event concerns: a named attempt, or the session's latest. */
export type ExecutionRef = { attemptKey: string } | "latest";

function stepContext(ctx: Pick<JobContext, "now" | "config">): StepContext {
  return {
    now: ctx.now(),
    newId: () => crypto.randomUUID(),
    config: { runTimeoutMs: ctx.config.CODEGEN_RUN_TIMEOUT_MS, pollMaxMs: ctx.config.CODEGEN_POLL_MAX_MS, parallelMaxChildren: ctx.config.PARALLEL_MAX_CHILDREN },
  };
}

/**
 * Applies one event to one agent session. Answers the step's result (null when
 * the session is unknown or there was no event). The caller must not hold a
 * transaction. `event` may be a function, run inside the transaction: a
 * message's dedupe claim and the facts it needs are then stored and read
 * atomically with its effect (null: a duplicate, nothing to apply).
 */
export function applyEvent(ctx: JobContext, agentSessionId: string, execution: ExecutionRef, event: SessionEvent | (() => SessionEvent | null)): StepResult | null {
  return ctx.transaction(() => {
    const state = loadState(ctx, agentSessionId, execution);
    if (!state) return null;
    const happened = typeof event === "function" ? event() : event;
    if (!happened) return null;
    const result = step(state, happened, stepContext(ctx));
    storeResult(ctx, state, result);
    return result;
  });
}

/** The state `step` sees; null when the session is unknown. */
export function loadState(ctx: Pick<JobContext, "store">, agentSessionId: string, execution: ExecutionRef): SessionState | null {
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!session) return null;
  const exec = execution === "latest" ? ctx.store.latestExecution(agentSessionId) : ctx.store.getExecution(execution.attemptKey);
  return { session, execution: exec, parallel: loadParallel(ctx, agentSessionId), parentLink: loadParentLink(ctx, agentSessionId) };
}

/** A parallel parent's run, kept as one JSON value beside the session (written only through `step`). */
export function loadParallel(ctx: Pick<JobContext, "store">, agentSessionId: string): ParallelFacts | null {
  return readStored(ParallelFactsSchema, ctx.store.getMeta(parallelKey(agentSessionId)));
}

export function loadParentLink(ctx: Pick<JobContext, "store">, agentSessionId: string): ParentLink | null {
  return readStored(ParentLinkSchema, ctx.store.getMeta(parentLinkKey(agentSessionId)));
}

const parallelKey = (agentSessionId: string) => `parallel:${agentSessionId}`;
const parentLinkKey = (agentSessionId: string) => `parent_link:${agentSessionId}`;

function storeResult(ctx: JobContext, before: SessionState, result: StepResult): void {
  const now = ctx.now();
  const { store } = ctx;
  const sessionChanges = changedFields(before.session, result.state.session);
  if (sessionChanges) store.updateAgentSession(before.session.id, sessionChanges, now);
  const after = result.state.execution;
  if (after) {
    const created = before.execution?.attemptKey !== after.attemptKey;
    if (created) {
      store.createExecution({ attemptKey: after.attemptKey, agentSessionId: after.agentSessionId, attempt: after.attempt, executor: after.executor, intentAt: after.intentAt });
    }
    const base = created ? store.getExecution(after.attemptKey) : before.execution;
    const executionChanges = base ? changedFields(base, after) : null;
    if (executionChanges) {
      const { attemptKey: _a, agentSessionId: _s, attempt: _n, executor: _e, intentAt: _i, ...changes } = executionChanges;
      if (Object.keys(changes).length) store.updateExecution(after.attemptKey, changes);
    }
  }
  const id = before.session.id;
  if (JSON.stringify(before.parallel ?? null) !== JSON.stringify(result.state.parallel ?? null)) {
    store.setMeta(parallelKey(id), JSON.stringify(result.state.parallel ?? null));
    store.ensureSyncJob(now);
  }
  if (JSON.stringify(before.parentLink ?? null) !== JSON.stringify(result.state.parentLink ?? null)) {
    store.setMeta(parentLinkKey(id), JSON.stringify(result.state.parentLink ?? null));
  }
  for (const entry of timelineOf(result.effects)) store.appendTimeline(entry, now);
  for (const { job, dueAt } of jobsOf(result.effects)) store.enqueueJob(job, now, dueAt ?? now);
}

/** The fields of `after` that differ from `before` (by value), or null when none do. */
function changedFields<T extends object>(before: T, after: T): Partial<T> | null {
  if (before === after) return null;
  const changes: Partial<T> = {};
  let any = false;
  for (const key of Object.keys(after) as (keyof T)[]) {
    const a = before[key];
    const b = after[key];
    if (a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b))) continue;
    changes[key] = b;
    any = true;
  }
  return any ? changes : null;
}
