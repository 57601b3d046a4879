/**
 * The statuses of an agent session, as its IssueSession keeps them and the D1
 * mirror, the API and the panel show them: one list, and which of them mean
 * the work is over.
 */
export const SESSION_STATUSES = ["pending", "active", "awaiting_input", "ready", "waiting_for_budget", "complete", "error", "stopped"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const ENDED_SESSION_STATUSES = ["complete", "error", "stopped"] as const satisfies readonly SessionStatus[];

/** Not over yet: set up, running, waiting for an answer or for budget (the overview's active tasks, a repository's open sessions). */
export const WORKING_SESSION_STATUSES = SESSION_STATUSES.filter((status) => !(ENDED_SESSION_STATUSES as readonly string[]).includes(status));

export function isEndedStatus(status: string): boolean {
  return (ENDED_SESSION_STATUSES as readonly string[]).includes(status);
}
