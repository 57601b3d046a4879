/**
 * Turns the orchestrator's plan into the session's next steps, inside the
 * session's transaction: the reason in Linear, the analysis recorded, and the
 * start of the chosen executor, or a message that says why nothing starts.
 */
import type { ReserveResult } from "../../src/domain/budget";
import { activityJob } from "../../src/domain/jobs";
import { budgetRefused, executorChosen, noExecutorMessage } from "../../src/domain/messages";
import type { JobContext } from "./jobs";
import type { ExecutionPlan } from "./orchestrate";

export function applyPlan(ctx: JobContext, agentSessionId: string, attemptKey: string, plan: ExecutionPlan, reservation: ReserveResult | null, now: number): void {
  const { decision, analysis } = plan;
  ctx.store.updateAgentSession(agentSessionId, { agentType: analysis.agentType, complexity: analysis.complexity, executor: decision.executor, fallback: decision.fallback }, now);
  ctx.store.appendTimeline(
    {
      agentSessionId,
      kind: "session.decision",
      summary: decision.reason,
      data: { executor: decision.executor, agentType: analysis.agentType, complexity: analysis.complexity, signals: analysis.signals, estimate: plan.estimate, worstCaseUsd: plan.worstCaseUsd, fallback: decision.fallback },
    },
    now,
  );
  if (!decision.executor) {
    ctx.store.updateAgentSession(agentSessionId, { status: "error", error: decision.reason, endedAt: now }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: noExecutorMessage(decision.reason) }), now);
    return;
  }
  if (reservation && !reservation.ok) {
    ctx.store.updateAgentSession(agentSessionId, { status: "error", error: reservation.reason, endedAt: now }, now);
    ctx.store.appendTimeline({ agentSessionId, kind: "budget.refused", summary: reservation.reason }, now);
    ctx.store.enqueueJob(activityJob(agentSessionId, { type: "error", body: budgetRefused(reservation.reason, plan.worstCaseUsd, reservation.remainingUsd) }), now);
    return;
  }
  ctx.store.enqueueJob(activityJob(agentSessionId, { type: "thought", body: executorChosen(decision.reason, analysis.agentType, analysis.complexity) }), now);
  ctx.store.enqueueJob(
    { kind: "execution.start", payload: { executor: decision.executor, agentSessionId, attemptKey, resumeFrom: null, maxBudgetUsd: plan.localMaxBudgetUsd } },
    now,
  );
}
