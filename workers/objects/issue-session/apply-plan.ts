/**
 * Turns the orchestrator's plan into the session's next steps, inside the
 * session's transaction: the reason in Linear, the analysis recorded, and the
 * start of the chosen executor, a wait for budget (the Workspace queued the
 * refused reservation and will wake the session: `session.plan`), or a message
 * that says why nothing starts.
 */
import type { ReserveResult } from "../../../src/domain/budget";
import { activityJob } from "../../../src/domain/job-specs";
import { budgetRefused, budgetWaiting, executorChosen, noExecutorMessage } from "../../../src/domain/linear-copy";
import type { JobContext } from "./job-context";
import type { ExecutionPlan } from "./orchestrate";

export function applyPlan(ctx: JobContext, agentSessionId: string, attemptKey: string, plan: ExecutionPlan, reservation: ReserveResult | null, now: number): void {
  const { decision, analysis } = plan;
  // Blocked only by today's spend, the task waits for the executor the strategy would choose once there is room.
  const executor = decision.executor ?? decision.waitForBudget?.executor ?? null;
  const wasWaiting = ctx.store.getAgentSession(agentSessionId)?.status === "waiting_for_budget";
  ctx.store.updateAgentSession(agentSessionId, { agentType: analysis.agentType, complexity: analysis.complexity, executor, fallback: decision.fallback }, now);
  ctx.store.appendTimeline(
    {
      agentSessionId,
      kind: "session.decision",
      summary: decision.reason,
      data: { executor: decision.executor, waitForBudget: decision.waitForBudget?.executor ?? null, agentType: analysis.agentType, complexity: analysis.complexity, signals: analysis.signals, estimate: plan.estimate, worstCaseUsd: plan.worstCaseUsd, fallback: decision.fallback },
    },
    now,
  );
  if (!executor) {
    ctx.store.updateAgentSession(agentSessionId, { status: "error", error: decision.reason, endedAt: now }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: noExecutorMessage(decision.reason) }), now);
    return;
  }
  if (reservation && !reservation.ok && reservation.wait) {
    ctx.store.updateAgentSession(agentSessionId, { status: "waiting_for_budget" }, now);
    ctx.store.appendTimeline(
      { agentSessionId, kind: "budget.waiting", summary: reservation.reason, data: { executor, worstCaseUsd: plan.worstCaseUsd, remainingUsd: reservation.remainingUsd } },
      now,
    );
    // Said once: a wake that finds the room taken again leaves the task waiting quietly.
    if (!wasWaiting) ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: budgetWaiting(plan.worstCaseUsd, reservation.remainingUsd) }), now);
    return;
  }
  if (reservation && !reservation.ok) {
    ctx.store.updateAgentSession(agentSessionId, { status: "error", error: reservation.reason, endedAt: now }, now);
    ctx.store.appendTimeline({ agentSessionId, kind: "budget.refused", summary: reservation.reason }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: budgetRefused(reservation.reason, plan.worstCaseUsd, reservation.remainingUsd) }), now);
    return;
  }
  if (wasWaiting) {
    ctx.store.updateAgentSession(agentSessionId, { status: "ready" }, now);
    ctx.store.appendTimeline({ agentSessionId, kind: "budget.resumed", summary: `The budget has room for ${executor === "cloud" ? "the cloud run" : "the local run"}: starting` }, now);
  }
  const reason = decision.executor ? decision.reason : (decision.waitForBudget?.reason ?? decision.reason);
  ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: executorChosen(reason, analysis.agentType, analysis.complexity) }), now);
  ctx.store.enqueueJob(
    { kind: "execution.start", payload: { executor, agentSessionId, attemptKey, resumeFrom: null, maxBudgetUsd: plan.localMaxBudgetUsd } },
    now,
  );
}
