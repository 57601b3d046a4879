/**
 * Linear's guidance for agents: when starting on an issue delegated to you,
 * move it to the team's first "started" state, unless it is already started or
 * closed. A pure decision, so the rule is tested apart from the API calls.
 */
export interface IssueStateSnapshot {
  delegateId?: string | null;
  stateType?: string | null;
  teamStates: { id: string; name: string; type: string; position: number }[];
}

const LEAVE_ALONE = new Set(["started", "completed", "canceled", "duplicate"]);

export function startedStateToMoveTo(issue: IssueStateSnapshot, appUserId: string): { id: string; name: string } | null {
  if (issue.delegateId !== appUserId) return null;
  if (issue.stateType && LEAVE_ALONE.has(issue.stateType)) return null;
  const started = issue.teamStates.filter((s) => s.type === "started").sort((a, b) => a.position - b.position)[0];
  return started ? { id: started.id, name: started.name } : null;
}
