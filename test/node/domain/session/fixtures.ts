/** Builders for the session reducer's table tests: a state in a named phase, and readers of a step's effects. */
import type { Effect, ExecutionFacts, SessionFacts, SessionState, StepContext } from "../../../../src/domain/session";
import { newExecution } from "../../../../src/domain/session/control";
import type { JobSpec } from "../../../../src/domain/job-specs";
import type { ExecutorDecision } from "../../../../src/domain/select-executor";
import type { PlannedExecution } from "../../../../src/domain/session";

export const NOW = 1_800_000_000_000;

export function context(overrides: Partial<StepContext> = {}): StepContext {
  let n = 0;
  return { now: NOW, newId: () => `id-${++n}`, config: { runTimeoutMs: 60 * 60_000, pollMaxMs: 60_000 }, ...overrides };
}

export function session(overrides: Partial<SessionFacts> = {}): SessionFacts {
  return {
    id: "as-1",
    issueId: "issue-1",
    issueIdentifier: "ENG-1",
    issueTitle: "Fix the login",
    status: "active",
    repositoryId: "repo-1",
    repositoryName: "acme/web",
    repositoryGitUrl: "https://github.com/acme/web.git",
    codegenRepoId: 7,
    baseBranch: "main",
    agentType: "builder",
    complexity: "medium",
    executor: "cloud",
    fallback: null,
    routedAt: NOW - 60_000,
    stopRequestedAt: null,
    error: null,
    endedAt: null,
    ...overrides,
  };
}

export function execution(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  // A cloud run in progress: the domain's fresh attempt, adopted and running.
  return {
    ...newExecution({ attemptKey: "as-1:1", attempt: 1, executor: "cloud" }, "as-1", NOW - 120_000),
    state: "running",
    gateName: "gate",
    credential: "{}",
    runId: 42,
    webUrl: "https://codegen.example/run/42",
    codegenStatus: "ACTIVE",
    startedAt: NOW - 60_000,
    deadlineAt: NOW + 3_000_000,
    ...overrides,
  };
}

export function localExecution(overrides: Partial<ExecutionFacts> = {}): ExecutionFacts {
  return execution({ executor: "local", runId: null, webUrl: null, codegenStatus: null, gateName: null, credential: null, taskId: "as-1:1", state: "running", agentId: "agent-1", hostname: "laptop", ...overrides });
}

export function state(s: Partial<SessionFacts> = {}, e: Partial<ExecutionFacts> | null = {}): SessionState {
  return { session: session(s), execution: e === null ? null : execution(e) };
}

export function jobs(effects: Effect[]): JobSpec[] {
  return effects.flatMap((e) => (e.kind === "job" ? [e.job] : []));
}

export function jobKinds(effects: Effect[]): string[] {
  return jobs(effects).map((j) => (j.kind === "linear.activity" ? `activity:${j.payload.content.type}` : j.kind));
}

export function timelineKinds(effects: Effect[]): string[] {
  return effects.flatMap((e) => (e.kind === "timeline" ? [e.entry.kind] : []));
}

export function activities(effects: Effect[]): { type: string; body: string }[] {
  return jobs(effects).flatMap((j) => (j.kind === "linear.activity" && "body" in j.payload.content ? [{ type: j.payload.content.type, body: j.payload.content.body }] : []));
}

export function dueAt(effects: Effect[], kind: string): number | undefined {
  const found = effects.find((e) => e.kind === "job" && e.job.kind === kind);
  return found?.kind === "job" ? (found.dueAt ?? NOW) : undefined;
}

export function decision(overrides: Partial<ExecutorDecision> = {}): ExecutorDecision {
  return { executor: "cloud", reason: "a cloud run fits", waitForLocal: false, fallback: null, waitForBudget: null, ...overrides } as ExecutorDecision;
}

export function planned(overrides: Partial<PlannedExecution> = {}): PlannedExecution {
  return {
    attemptKey: "as-1:1",
    decision: decision(),
    analysis: { agentType: "builder", complexity: "medium", signals: ["default"] },
    estimate: { localUsd: 0.5, cloudUsd: 2 },
    worstCaseUsd: 4,
    localMaxBudgetUsd: 1.5,
    reservation: { ok: true },
    ...overrides,
  };
}
