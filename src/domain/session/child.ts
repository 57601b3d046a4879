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
  // A child the day's budget cannot pay for yet waits like any task; its parent says so too.
  const waiting = before.session.status !== "waiting_for_budget" && after.status === "waiting_for_budget";
  if (!started && !restarted && !ended && !waiting) return result;
  const kinds: ("started" | "waiting" | "succeeded" | "failed" | "canceled")[] = [];
  if (started || restarted) kinds.push("started");
  if (ended) kinds.push(after.status === "complete" ? "succeeded" : after.status === "stopped" ? "canceled" : "failed");
  else if (waiting) kinds.push("waiting");
  const pullRequests = (result.state.execution?.pullRequests ?? []).map((pr) => pr.url);
  const reports: Effect[] = kinds.map((kind) => ({
    kind: "job",
    job: {
      kind: "parallel.report",
      payload: { agentSessionId: after.id, parentIssueId: link.parentIssueId, reportId: context.newId(), kind, reason: kind === "waiting" ? "waiting for budget" : ended ? after.error : null, pullRequests, at: context.now },
    },
  }));
  return { ...result, effects: [...result.effects, ...reports] };
}
