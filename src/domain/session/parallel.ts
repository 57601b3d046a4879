/**
 * A hybrid-parallel parent, in the session: the plan accepted (read from the
 * issue's sub-issues, or proposed by a planning task and then created as
 * sub-issues), children released as their blockers finish and within the cap,
 * their reports, a retry, a stop, the validation task, and the one answer.
 * Which child starts, retries or is canceled is `advanceParallelRun`
 * (src/domain/parallel/); this turns its decisions into the session's effects
 * and keeps Linear's agent plan in step.
 */
import { branchNameFor } from "../../prompts/cloud-run";
import { agentPlanChanged, agentPlanSteps, type AgentPlanStatus } from "../parallel/agent-plan";
import { DEFAULT_PARALLEL_MAX_CHILDREN } from "../parallel/caps";
import { initialChildStates } from "../parallel/child-state";
import { advanceParallelRun, type ParallelDecision, type ParallelEvent } from "../parallel/parallel-run";
import { itemLabel, type Plan, type PlanDecision } from "../parallel/plan";
import { planThought } from "../parallel/plan-thoughts";
import type { SessionEvent } from "./events";
import type { ParallelFacts, ParentLink, SessionState, StepContext } from "./state";
import { Transition, unchanged, type StepResult } from "./transition";

type Event<T extends SessionEvent["type"]> = Extract<SessionEvent, { type: T }>;

/** How long a delegated child may take to report its start before the parent counts the attempt as failed. */
export const CHILD_START_DEADLINE_MS = 10 * 60_000;

const ACTIVE_PARALLEL = new Set<ParallelFacts["status"]>(["planning", "creating", "running", "validating"]);

/** Whether the parent's own follow-ups and stops concern a parallel run rather than one execution. */
export function parallelRunning(state: Pick<SessionState, "parallel">): boolean {
  return !!state.parallel && ACTIVE_PARALLEL.has(state.parallel.status) && state.parallel.status !== "planning";
}

function freshRun(now: number, changes: Partial<ParallelFacts>): ParallelFacts {
  return { status: "running", plan: null, children: [], links: {}, plannerAttemptKey: null, validation: null, startedAt: now, endedAt: null, ...changes };
}

function maxRunning(context: StepContext): number {
  return context.config.parallelMaxChildren ?? DEFAULT_PARALLEL_MAX_CHILDREN;
}

/** A planning task is about to run for this parent: its attempt is remembered, so its result is read as a plan. */
export function startPlanning(t: Transition, plannerAttemptKey: string): void {
  t.parallel = freshRun(t.now, { status: "planning", plannerAttemptKey });
  t.record("parallel.planning", "No sub-issues: a planning task proposes how to split the issue");
  t.thought("This issue has no sub-issues, so I'm first working out how to split it into parts that can run in parallel.");
}

/**
 * What the plan decision means. `parallel`: sub-issues that exist run at once;
 * proposed ones are created first. `single`: said, and the caller runs the
 * issue as hybrid-smart would. `invalid`: the session ends in an error naming
 * every problem. Answers whether the caller should run the issue as one task.
 */
export function acceptPlanDecision(t: Transition, decision: PlanDecision): "parallel" | "single" | "ended" {
  for (const note of decision.notes) t.record("parallel.note", note);
  if (decision.kind === "single") {
    t.parallel = null;
    t.record("parallel.single", decision.reason);
    t.thought(decision.reason);
    return "single";
  }
  if (decision.kind === "invalid") {
    const message = `I could not run this issue in parallel:\n${decision.problems.map((p) => `- ${p}`).join("\n")}`;
    t.parallel = t.parallel ? { ...t.parallel, status: "error", endedAt: t.now } : null;
    t.updateSession({ status: "error", error: decision.problems[0] ?? "the plan is invalid", endedAt: t.now });
    t.record("parallel.invalid", decision.problems.join("; "));
    t.say({ type: "error", body: message });
    return "ended";
  }
  const { plan } = decision;
  const creating = plan.items.some((item) => item.issueId === null);
  // A proposed item gets its sub-issue's id now, before the create is sent: a replayed create meets its first attempt.
  const items = plan.items.map((item) => (item.issueId ? item : { ...item, issueId: t.context.newId() }));
  const accepted: Plan = { ...plan, items };
  // The planner's run continues into this plan; anything older (a retried parent's last run) starts afresh.
  const base = t.parallel?.status === "planning" ? t.parallel : freshRun(t.now, {});
  t.parallel = { ...base, status: creating ? "creating" : "running", plan: accepted, children: initialChildStates(accepted) };
  t.updateSession({ status: "active" });
  const names = items.map((item) => `- ${itemLabel(item)}${item.dependsOn.length ? ` (after ${item.dependsOn.map((key) => labelOf(accepted, key)).join(", ")})` : ""}`);
  t.record("parallel.planned", `Split into ${items.length} sub-tasks (${plan.source})`, { keys: items.map((i) => i.key) });
  t.thought(`Splitting this into ${items.length} sub-tasks that run in parallel where their dependencies allow:\n${names.join("\n")}`);
  updateLinearPlan(t, null);
  if (creating) t.queue({ kind: "parallel.create-sub-issues", payload: { agentSessionId: t.sessionId } });
  else advance(t, { type: "begin" });
  return "parallel";
}

export function subIssuesCreated(state: SessionState, event: Event<"parallel.sub-issues-created">, context: StepContext): StepResult {
  const run = state.parallel;
  if (!run?.plan || run.status !== "creating") return unchanged(state);
  const t = new Transition(state, context);
  const plan: Plan = { ...run.plan, items: run.plan.items.map((item) => ({ ...item, identifier: event.identifiers[item.key] ?? item.identifier })) };
  t.parallel = { ...run, plan, status: "running" };
  t.record("parallel.sub_issues_created", `Created ${Object.keys(event.identifiers).length} sub-issues`, { identifiers: event.identifiers });
  updateLinearPlan(t, run);
  advance(t, { type: "begin" });
  return t.result();
}

/** A child reported in. Reports for an issue outside the plan, or after the parent ended, change nothing (a late start is stopped). */
export function childReport(state: SessionState, event: Event<"parallel.child-report">, context: StepContext): StepResult {
  const run = state.parallel;
  const item = run?.plan?.items.find((candidate) => candidate.issueId === event.childIssueId);
  if (!run?.plan || !item) return unchanged(state);
  const t = new Transition(state, context);
  const link = run.links[item.key] ?? { agentSessionId: null, pullRequests: [] };
  const links = { ...run.links, [item.key]: { agentSessionId: event.childSessionId, pullRequests: event.pullRequests.length ? event.pullRequests : link.pullRequests } };
  t.parallel = { ...run, links };
  const child = run.children.find((c) => c.key === item.key);
  if (run.status !== "running") {
    // The parent stopped or ended while this child was being delegated: it does not run on.
    if (event.kind === "started" && (run.status === "stopped" || run.status === "error")) {
      t.queue({ kind: "parallel.stop-child", payload: { agentSessionId: t.sessionId, childIssueId: event.childIssueId, childSessionId: event.childSessionId } });
    }
    return t.result();
  }
  const attempt = child?.attempts ?? 0;
  if (event.kind === "waiting") {
    t.record("parallel.child_waiting", `${itemLabel(item)} waits for budget`, { key: item.key, childSessionId: event.childSessionId });
    t.thought(`${itemLabel(item)} waits for budget: today's budget cannot pay for its worst case yet. It starts by itself when there is room.`);
    return t.result();
  }
  const happened: ParallelEvent =
    event.kind === "started"
      ? { type: "child_started", key: item.key, attempt, at: event.at }
      : event.kind === "succeeded"
        ? { type: "child_succeeded", key: item.key, attempt, at: event.at }
        : event.kind === "failed"
          ? { type: "child_failed", key: item.key, attempt, at: event.at, reason: event.reason ?? "the child's session ended in an error" }
          : { type: "child_canceled", key: item.key, attempt, at: event.at, reason: event.reason ?? "the child's session was stopped" };
  t.record(`parallel.child_${event.kind}`, `${itemLabel(item)} ${event.kind}${event.reason ? `: ${event.reason}` : ""}`, { key: item.key, childSessionId: event.childSessionId, pullRequests: event.pullRequests });
  advance(t, happened);
  return t.result();
}

/** The parent is stopped: running children are stopped, the rest canceled. */
export function stopParallel(t: Transition): void {
  const run = t.parallel;
  if (!run || !ACTIVE_PARALLEL.has(run.status)) return;
  if (!run.plan) {
    t.parallel = { ...run, status: "stopped", endedAt: t.now };
    return;
  }
  advance(t, { type: "parent_stopped", at: t.now });
  t.parallel = { ...t.parallel!, status: "stopped", endedAt: t.now };
  updateLinearPlan(t, run);
}

/** The validation task's executor was chosen and its worst case reserved: it starts, or the parent ends saying why it cannot. */
export function validationPlanned(state: SessionState, event: Event<"parallel.validation-planned">, context: StepContext): StepResult {
  const run = state.parallel;
  const plan = event.plan;
  if (!run || run.status !== "validating" || run.validation?.attemptKey) {
    // Not needed any more (the parent stopped meanwhile, or a replay): what was reserved goes back.
    if (!plan?.reservation?.ok || run?.validation?.attemptKey === plan.attemptKey) return unchanged(state);
    return new Transition(state, context).queue({ kind: "budget.release", payload: { agentSessionId: state.session.id, attemptKey: plan.attemptKey } }).result();
  }
  const t = new Transition(state, context);
  const executor = plan?.decision.executor ?? null;
  if (!plan || !executor || (plan.reservation && !plan.reservation.ok)) {
    const why = event.reason ?? (plan?.reservation && !plan.reservation.ok ? plan.reservation.reason : (plan?.decision.reason ?? "nothing can run it"));
    endParallel(t, "error", { status: "failed", verdict: null });
    t.updateSession({ status: "error", error: `the validation task could not start: ${why}`, endedAt: t.now });
    t.say({ type: "error", body: `${summary(run)}\n\nThe validation task could not start: ${why}.` });
    return t.result();
  }
  t.parallel = { ...run, validation: { attemptKey: plan.attemptKey, status: "running", verdict: null } };
  t.record("parallel.validating", `Validating the pull requests ${executor === "local" ? "on a local agent" : "in the cloud"}`, { attemptKey: plan.attemptKey });
  t.thought(`Every sub-task is done. Checking their pull requests against the issue's acceptance criteria ${executor === "local" ? "on a local agent" : "in the cloud"}.`);
  updateLinearPlan(t, run);
  t.queue({ kind: "execution.start", payload: { executor, agentSessionId: t.sessionId, attemptKey: plan.attemptKey, resumeFrom: null, maxBudgetUsd: plan.localMaxBudgetUsd } });
  return t.result();
}

/** What an execution of a parallel parent is for: the planning task, the validation task, or ordinary work. */
export function executionPurpose(state: Pick<SessionState, "parallel">, attemptKey: string): "planner" | "validation" | "work" {
  const run = state.parallel;
  if (!run) return "work";
  if (run.plannerAttemptKey === attemptKey && run.status === "planning") return "planner";
  if (run.validation?.attemptKey === attemptKey) return "validation";
  return "work";
}

/** The planning task ended: its answer is the plan (or the reason there is none). */
export function plannerFinished(t: Transition, outcome: { ok: true; decision: PlanDecision } | { ok: false; error: string }): void {
  if (!outcome.ok) {
    t.parallel = t.parallel ? { ...t.parallel, status: "error", endedAt: t.now } : null;
    t.updateSession({ status: "error", error: `the planning task failed: ${outcome.error}`, endedAt: t.now });
    t.say({ type: "error", body: `The planning task that was to split this issue failed: ${outcome.error}` });
    return;
  }
  const accepted = acceptPlanDecision(t, outcome.decision);
  if (accepted === "single") {
    // Runs as one task, as hybrid-smart would: chosen and reserved again, as a new attempt.
    t.updateSession({ status: "ready" });
    t.queue({ kind: "session.plan", payload: { agentSessionId: t.sessionId, afterPlanning: true } });
  }
}

/** The validation task ended: the parent's one answer, with every pull request and the verdict. */
export function validationFinished(t: Transition, outcome: { ok: boolean; verdict: string | null; error: string | null }): void {
  const run = t.parallel;
  if (!run) return;
  if (!outcome.ok) {
    endParallel(t, "error", { status: "failed", verdict: outcome.error });
    t.updateSession({ status: "error", error: `the validation task failed: ${outcome.error ?? "no reason given"}`, endedAt: t.now });
    t.say({ type: "error", body: `${summary(run)}\n\nThe validation task failed: ${outcome.error ?? "no reason given"}.` });
    return;
  }
  endParallel(t, "complete", { status: "passed", verdict: outcome.verdict });
  t.updateSession({ status: "complete", error: null, endedAt: t.now });
  t.say({ type: "response", body: `${summary(run)}\n\n**Validation:** ${outcome.verdict?.trim() || "passed"}` });
}

function endParallel(t: Transition, status: "complete" | "error", validation: { status: "passed" | "failed"; verdict: string | null }): void {
  const before = t.parallel!;
  t.parallel = { ...before, status, endedAt: t.now, validation: { attemptKey: before.validation?.attemptKey ?? null, ...validation } };
  updateLinearPlan(t, before);
}

/** The sub-tasks and every pull request, for the parent's answer. */
function summary(run: ParallelFacts): string {
  const items = run.plan?.items ?? [];
  const lines = items.map((item) => {
    const child = run.children.find((c) => c.key === item.key);
    const prs = run.links[item.key]?.pullRequests ?? [];
    return `- ${itemLabel(item)}: ${child?.status ?? "pending"}${prs.length ? ` — ${prs.join(", ")}` : ""}`;
  });
  return `Done in ${items.length} parallel sub-tasks:\n${lines.join("\n")}`;
}

/** One parallel event through `advanceParallelRun`, its decisions as effects, Linear's plan and one thought. */
function advance(t: Transition, event: ParallelEvent): void {
  const run = t.parallel!;
  const plan = run.plan!;
  const step = advanceParallelRun(plan, run.children, event, { maxRunning: maxRunning(t.context) });
  t.parallel = { ...run, children: step.children };
  const thought = event.type === "parent_stopped" ? null : planThought(plan, run.children, step.children);
  if (thought) t.thought(thought);
  for (const decision of step.decisions) perform(t, decision);
  updateLinearPlan(t, run);
}

function perform(t: Transition, decision: ParallelDecision): void {
  const run = t.parallel!;
  const item = run.plan!.items.find((candidate) => candidate.key === ("key" in decision ? decision.key : ""));
  switch (decision.type) {
    case "start_child":
      if (!item?.issueId) return;
      t.queue({
        kind: "parallel.start-child",
        payload: { agentSessionId: t.sessionId, key: decision.key, attempt: decision.attempt, childIssueId: item.issueId, childSessionId: run.links[decision.key]?.agentSessionId ?? null },
      });
      // If Linear never starts the child's session, the plan must not wait forever.
      t.queue({ kind: "parallel.child-deadline", payload: { agentSessionId: t.sessionId, key: decision.key, attempt: decision.attempt } }, t.now + CHILD_START_DEADLINE_MS);
      return;
    case "stop_child": {
      const childSessionId = run.links[decision.key]?.agentSessionId;
      if (item?.issueId && childSessionId) t.queue({ kind: "parallel.stop-child", payload: { agentSessionId: t.sessionId, childIssueId: item.issueId, childSessionId } });
      return;
    }
    case "cancel_child":
      t.record("parallel.child_canceled", `${item ? itemLabel(item) : decision.key} canceled: ${decision.reason}`, { key: decision.key });
      return;
    case "validate":
      t.parallel = { ...run, status: "validating", validation: { attemptKey: null, status: "pending", verdict: null } };
      t.queue({ kind: "parallel.validate", payload: { agentSessionId: t.sessionId } });
      return;
    case "fail_parent":
      t.parallel = { ...run, status: "error", endedAt: t.now };
      t.updateSession({ status: "error", error: decision.failures.map((f) => `${f.label}: ${f.reason}`).join("; ") || "the parallel run did not complete", endedAt: t.now });
      t.record("parallel.failed", decision.message, { failures: decision.failures });
      t.say({ type: "error", body: decision.message });
      return;
  }
}

/** Linear's agent plan, sent only when something a user would see changed. */
function updateLinearPlan(t: Transition, before: ParallelFacts | null): void {
  const after = t.parallel;
  if (!after?.plan) return;
  const steps = agentPlanSteps(after.plan, after.children, validationStatus(after));
  const previous = before?.plan ? agentPlanSteps(before.plan, before.children, validationStatus(before)) : null;
  if (previous && !agentPlanChanged(previous, steps)) return;
  // The last queued update wins: drop one this step already queued.
  const index = t.effects.findIndex((e) => e.kind === "job" && e.job.kind === "linear.session-update" && "plan" in e.job.payload.update);
  if (index >= 0) t.effects.splice(index, 1);
  t.updateLinearSession({ plan: steps });
}

function validationStatus(run: ParallelFacts): AgentPlanStatus {
  switch (run.validation?.status) {
    case "running":
      return "inProgress";
    case "passed":
      return "completed";
    case "failed":
      return "canceled";
    default:
      return run.status === "stopped" ? "canceled" : "pending";
  }
}

function labelOf(plan: Plan, key: string): string {
  const item = plan.items.find((candidate) => candidate.key === key);
  return item ? itemLabel(item) : key;
}

/**
 * The parent's answer to a child that asks whether it is part of a running
 * plan: its link (with the branches it starts from), or null.
 */
export function childBrief(state: Pick<SessionState, "parallel" | "session">, childIssueId: string): ParentLink | null {
  const run = state.parallel;
  const item = run?.plan?.items.find((candidate) => candidate.issueId === childIssueId);
  if (!run?.plan || !item || !state.session.issueId) return null;
  const mergeBranches = item.dependsOn
    .map((key) => run.plan!.items.find((candidate) => candidate.key === key)?.identifier)
    .filter((identifier): identifier is string => !!identifier)
    .map((identifier) => branchNameFor(identifier));
  return { parentIssueId: state.session.issueId, parentSessionId: state.session.id, mergeBranches };
}

/** A follow-up for the parent while its children run: recorded for the validation, and said so (the children keep their own threads). */
export function followUp(state: SessionState, _event: Event<"parallel.follow-up">, context: StepContext): StepResult {
  if (!parallelRunning(state)) return unchanged(state);
  const t = new Transition(state, context);
  t.record("parallel.follow_up", "A follow-up for the parent while its sub-tasks run");
  t.thought("Noted. The sub-tasks keep running; I'll hold their pull requests to this when I validate them. To change one sub-task, write in its own issue.");
  return t.result();
}

/** A delegated child never reported its start: the attempt counts as failed (retried once, like any failure). */
export function childStartOverdue(state: SessionState, event: Event<"parallel.child-start-overdue">, context: StepContext): StepResult {
  const run = state.parallel;
  const child = run?.children.find((c) => c.key === event.key);
  if (!run?.plan || run.status !== "running" || child?.status !== "starting" || child.attempts !== event.attempt) return unchanged(state);
  const t = new Transition(state, context);
  const minutes = Math.round(CHILD_START_DEADLINE_MS / 60_000);
  const reason = `its session did not start within ${minutes} minutes of its delegation (Linear sent no created webhook)`;
  t.record("parallel.child_start_overdue", reason, { key: event.key, attempt: event.attempt });
  advance(t, { type: "child_failed", key: event.key, attempt: event.attempt, at: t.now, reason });
  return t.result();
}
