/**
 * What the agent says in Linear, in one place, so the voice stays consistent
 * and tests can refer to the same words.
 */

export function acknowledgement(issueIdentifier: string | null | undefined): string {
  return issueIdentifier
    ? `On it: reading ${issueIdentifier} and deciding where the work should run.`
    : "On it: reading your request.";
}

export const NO_ISSUE_MESSAGE =
  "I work on Linear issues, and this conversation isn't attached to one. Delegate an issue to me, or mention me in a comment on the issue you want done.";

export function routedMessage(repositoryName: string, baseBranch: string, reason: string): string {
  return `I'll work in the repository \`${repositoryName}\` (from \`${baseBranch}\`) because ${reason}.`;
}

export function promptNoted(body: string): string {
  const excerpt = body.length > 120 ? `${body.slice(0, 117)}...` : body;
  return `Noted your message: "${excerpt}"`;
}

export const STOPPED_NOTHING_RUNNING = "Stopped. Nothing was running for this session, so nothing was interrupted and nothing changed.";

export function workspaceUnavailable(detail: string): string {
  return `I can't reach Linear for this workspace: ${detail}`;
}
