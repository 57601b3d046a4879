/**
 * A hybrid-parallel child tells its parent's IssueSession when it starts and
 * when it ends, through a job (retried, and counted once by its report id).
 * Written once, around every step: whichever rule ended the session, the
 * parent hears of it.
 */
import { isEndedStatus } from "../session-status";
import type { SessionEvent } from "./events";
import type { SessionState, StepContext } from "./state";
import type { StepResult } from "./transition";
import type { Effect } from "./effects";

export function withParentReports(before: SessionState, event: SessionEvent, result: StepResult, context: StepContext): StepResult {
  const link = result.state.parentLink;
  if (!link) return result;
  const after = result.state.session;
  const started = event.type === "prepared" && !before.parentLink && result.state !== before;
  const restarted = event.type === "prepared" && !!before.parentLink && before.session.routedAt === null && after.routedAt !== null;
  const ended = !isEndedStatus(before.session.status) && isEndedStatus(after.status);
  if (!started && !restarted && !ended) return result;
  const kind: "started" | "succeeded" | "failed" | "canceled" = !ended ? "started" : after.status === "complete" ? "succeeded" : after.status === "stopped" ? "canceled" : "failed";
  const pullRequests = (result.state.execution?.pullRequests ?? []).map((pr) => pr.url);
  const report: Effect = {
    kind: "job",
    job: {
      kind: "parallel.report",
      payload: { agentSessionId: after.id, parentIssueId: link.parentIssueId, reportId: context.newId(), kind, reason: ended ? after.error : null, pullRequests, at: context.now },
    },
  };
  return { ...result, effects: [...result.effects, report] };
}
