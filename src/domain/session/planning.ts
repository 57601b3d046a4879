/**
 * After preparation: the issue routed to a repository (or a question when
 * none fits), the orchestrator's choice applied with its reservation — start,
 * wait for budget, or a message that says why nothing starts — and the moves
 * to a fallback executor.
 */
import { budgetRefused, budgetWaiting, executorChosen, fallingBack, noExecutorMessage, routedMessage } from "../linear-copy";
import type { SessionEvent, PlannedExecution } from "./events";
import { Transition, unchanged, type StepResult } from "./transition";
import { acceptPlanDecision, startPlanning } from "./parallel";
import type { SessionState, StepContext } from "./state";

type Event<T extends SessionEvent["type"]> = Extract<SessionEvent, { type: T }>;

export function prepared(state: SessionState, event: Event<"prepared">, context: StepContext): StepResult {
  const { session } = state;
  // Routed already (a replayed job after a lost completion), or stopped meanwhile: nothing to redo, nothing to say twice.
  if (session.stopRequestedAt || session.routedAt) return unchanged(state);
  const t = new Transition(state, context);
  t.updateSession({ issueIdentifier: event.issue.identifier, issueTitle: event.issue.title });
  if (event.parentLink) {
    t.parentLink = event.parentLink;
    t.record("parallel.child_of", `Part of a parallel run (parent session ${event.parentLink.parentSessionId})`, { ...event.parentLink });
  }
  if (event.movedTo) t.record("issue.started", `Moved ${event.issue.identifier} to ${event.movedTo}`);
  const { route } = event;
  if (!route.matched) {
    t.updateSession({ status: "awaiting_input" });
    t.record("session.unrouted", `No repository: ${route.reason}`);
    t.say({ type: "elicitation", body: route.message });
    return t.result();
  }
  const repo = route.repository;
  t.updateSession({
    status: "ready",
    repositoryId: repo.id,
    repositoryName: repo.name,
    repositoryGitUrl: repo.gitUrl,
    codegenRepoId: repo.codegenRepoId,
    baseBranch: repo.baseBranch,
    routedAt: t.now,
  });
  t.record("session.routed", `Routed to ${repo.name} (${route.rule})`, { repositoryId: repo.id, rule: route.rule });
  t.thought(routedMessage(repo.name, repo.baseBranch, route.reason));
  const intent = event.parallel;
  if (intent?.kind === "plan" && acceptPlanDecision(t, intent.decision) !== "single") return t.result();
  if (intent?.kind === "needs-planner" && event.plan) startPlanning(t, event.plan.attemptKey);
  if (event.plan) applyPlan(t, event.plan);
  return t.result();
}

/** A session waiting for budget, chosen for and reserved for again. Stopped while we asked: nothing starts, and the reservation goes back. */
export function replanned(state: SessionState, event: Event<"replanned">, context: StepContext): StepResult {
  const t = new Transition(state, context);
  const expected = event.afterPlanning ? "ready" : "waiting_for_budget";
  if (state.session.status !== expected || state.session.stopRequestedAt) {
    if (event.plan.reservation?.ok) t.queue({ kind: "budget.release", payload: { agentSessionId: t.sessionId, attemptKey: event.plan.attemptKey } });
    return t.result();
  }
  applyPlan(t, event.plan);
  // Started, or ended for good (no executor could ever run it): it leaves the Workspace's queue.
  if (!event.afterPlanning && t.session.status !== "waiting_for_budget") t.queue({ kind: "budget.leave-queue", payload: { agentSessionId: t.sessionId } });
  return t.result();
}

/** The Workspace may have room: decide and reserve again, once (a queued re-plan covers a second wake). */
export function budgetRoom(state: SessionState, event: Event<"budget.room">, context: StepContext): StepResult {
  const { session } = state;
  if (session.status !== "waiting_for_budget" || session.stopRequestedAt || event.planPending) return unchanged(state);
  return new Transition(state, context).queue({ kind: "session.plan", payload: { agentSessionId: session.id } }).result();
}

/**
 * The orchestrator's plan, in the session: the reason in Linear, the analysis
 * recorded, and the start of the chosen executor, a wait for budget (the
 * Workspace queued the refused reservation and will wake the session), or a
 * message that says why nothing starts.
 */
function applyPlan(t: Transition, plan: PlannedExecution): void {
  const { decision, analysis, reservation } = plan;
  // Blocked only by today's spend, the task waits for the executor the strategy would choose once there is room.
  const executor = decision.executor ?? decision.waitForBudget?.executor ?? null;
  const wasWaiting = t.session.status === "waiting_for_budget";
  t.updateSession({ agentType: analysis.agentType, complexity: analysis.complexity, executor, fallback: decision.fallback });
  t.record("session.decision", decision.reason, {
    executor: decision.executor,
    waitForBudget: decision.waitForBudget?.executor ?? null,
    agentType: analysis.agentType,
    complexity: analysis.complexity,
    signals: analysis.signals,
    estimate: plan.estimate,
    worstCaseUsd: plan.worstCaseUsd,
    fallback: decision.fallback,
  });
  if (!executor) {
    t.updateSession({ status: "error", error: decision.reason, endedAt: t.now });
    t.say({ type: "error", body: noExecutorMessage(decision.reason) });
    return;
  }
  if (reservation && !reservation.ok && reservation.wait) {
    t.updateSession({ status: "waiting_for_budget" });
    t.record("budget.waiting", reservation.reason, { executor, worstCaseUsd: plan.worstCaseUsd, remainingUsd: reservation.remainingUsd });
    // Said once: a wake that finds the room taken again leaves the task waiting quietly.
    if (!wasWaiting) t.thought(budgetWaiting(plan.worstCaseUsd, reservation.remainingUsd));
    return;
  }
  if (reservation && !reservation.ok) {
    t.updateSession({ status: "error", error: reservation.reason, endedAt: t.now });
    t.record("budget.refused", reservation.reason);
    t.say({ type: "error", body: budgetRefused(reservation.reason, plan.worstCaseUsd, reservation.remainingUsd) });
    return;
  }
  if (wasWaiting) {
    t.updateSession({ status: "ready" });
    t.record("budget.resumed", `The budget has room for ${executor === "cloud" ? "the cloud run" : "the local run"}: starting`);
  }
  const reason = decision.executor ? decision.reason : (decision.waitForBudget?.reason ?? decision.reason);
  t.thought(executorChosen(reason, analysis.agentType, analysis.complexity));
  t.queue({ kind: "execution.start", payload: { executor, agentSessionId: t.sessionId, attemptKey: plan.attemptKey, resumeFrom: null, maxBudgetUsd: plan.localMaxBudgetUsd } });
}

/**
 * The fallback executor's worst case was reserved (or refused) after the old
 * reservation was released. A refusal ends the session with the reason: a wait
 * would be woken by a re-plan, which could choose the executor that just failed.
 */
export function fallbackReserved(state: SessionState, event: Event<"fallback.reserved">, context: StepContext): StepResult {
  if (state.session.stopRequestedAt) {
    const t = new Transition(state, context);
    if (event.reservation.ok) t.queue({ kind: "budget.release", payload: { agentSessionId: t.sessionId, attemptKey: event.attemptKey } });
    return t.result();
  }
  const t = new Transition(state, context);
  const { to, reason, reservation } = event;
  t.record("session.fallback", `Fell back to ${to}: ${reason}`, { from: to === "local" ? "cloud" : "local", to, reservationOk: reservation.ok });
  if (!reservation.ok) {
    t.updateSession({ status: "error", error: reservation.reason, endedAt: t.now });
    t.say({ type: "error", body: budgetRefused(reservation.reason, event.amountUsd, reservation.remainingUsd) });
    return t.result();
  }
  t.updateSession({ executor: to, fallback: null, status: "active" });
  t.thought(fallingBack(to, reason));
  t.queue({ kind: "execution.start", payload: { executor: to, agentSessionId: t.sessionId, attemptKey: event.attemptKey, resumeFrom: null, maxBudgetUsd: event.localMaxBudgetUsd } });
  return t.result();
}
