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

export function cloudStarted(webUrl: string | null, repositoryName: string, branchName: string): string {
  const where = webUrl ? ` You can follow it here: ${webUrl}` : "";
  return `Working on this in a Codegen cloud sandbox, in \`${repositoryName}\` on branch \`${branchName}\`.${where}`;
}

export function cloudSucceeded(result: string | null, pullRequests: { url: string; title: string | null }[], webUrl: string | null): string {
  const summary = (result ?? "").trim() || "The Codegen run finished.";
  const prs = pullRequests.length
    ? `\n\nPull request${pullRequests.length > 1 ? "s" : ""}:\n${pullRequests.map((p) => `- [${p.title ?? p.url}](${p.url})`).join("\n")}`
    : "\n\nThe run opened no pull request.";
  const link = webUrl ? `\n\nRun: ${webUrl}` : "";
  return `${truncate(summary, 4_000)}${prs}${link}`;
}

export function cloudFailed(reason: string, webUrl: string | null): string {
  return `The Codegen run did not succeed: ${reason}.${webUrl ? ` Its log is at ${webUrl}.` : ""}`;
}

export function cloudCouldNotStart(detail: string): string {
  return `I couldn't start a Codegen cloud run: ${detail}`;
}

export function cloudTimedOut(limitMinutes: number, webUrl: string | null): string {
  return `The Codegen run has passed its time limit of ${limitMinutes} minutes without finishing. It may still be working, so I'm not starting anything else; I'll keep watching it and post its result if it ends.${webUrl ? ` Run: ${webUrl}` : ""}`;
}

export function cloudStoppedWithPr(prUrl: string, webUrl: string | null): string {
  return `Stopped. I asked Codegen to remove its agent from ${prUrl}: that stops every Codegen agent working on that pull request; the pull request itself stays open with the commits made so far.${webUrl ? ` Run: ${webUrl}` : ""}`;
}

export function cloudStoppedWithoutPr(webUrl: string | null): string {
  return `Stopped watching the Codegen run. Codegen has no way to cancel a run before it opens a pull request, so it may still finish on its own; I won't post its result.${webUrl ? ` Run: ${webUrl}` : ""}`;
}

export function cloudResumed(webUrl: string | null): string {
  return `Passed your message to the Codegen run; it is working again.${webUrl ? ` Run: ${webUrl}` : ""}`;
}

export function cloudProgress(entries: string[]): string {
  return entries.map((e) => `- ${truncate(e, 300)}`).join("\n");
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

export function noExecutorMessage(reason: string): string {
  return `I can't run this yet: ${reason}.`;
}

export function localQueued(repositoryName: string, agentsOnline: number): string {
  return agentsOnline > 0
    ? `Queued for a local agent that serves \`${repositoryName}\`.`
    : `Waiting for a local agent that serves \`${repositoryName}\` to connect (\`cyrus connect --repo ${repositoryName}=<path>\`).`;
}

export function localStarted(hostname: string): string {
  return `Working on this on ${hostname} with Claude Code.`;
}

export function localFreshSession(): string {
  return "The machine that ran this before is gone, so I'm starting a fresh Claude session with the conversation so far.";
}

export function localRequeued(reason: string): string {
  return `${reason}; the task went back to the queue and will continue on the next agent that can take it.`;
}

export function localQueueTimeout(repositoryName: string, minutes: number): string {
  return `No local agent that serves \`${repositoryName}\` took this task within ${minutes} minutes, so I stopped waiting. Connect one (\`cyrus connect\`) and mention me again.`;
}

export function localSucceeded(text: string, prUrls: string[]): string {
  const body = text.trim() || "Done.";
  const prs = prUrls.length ? `\n\nPull request${prUrls.length > 1 ? "s" : ""}:\n${prUrls.map((u) => `- ${u}`).join("\n")}` : "";
  return `${body.length > 4000 ? `${body.slice(0, 3997)}...` : body}${prs}`;
}

export function localFailed(error: string): string {
  return `The local run did not finish: ${error}`;
}

export function localStopped(text: string): string {
  return `Stopped.${text.trim() ? ` Where it got to: ${text.trim().slice(0, 2000)}` : ""}`;
}

export function localFollowUpPassed(): string {
  return "Passed your message to the local run.";
}

export function localContinuing(): string {
  return "Continuing in the same Claude session with your message.";
}

export function executorChosen(reason: string, agentType: string, complexity: string): string {
  return `${reason} (task: ${agentType}, ${complexity} complexity)`;
}

export function budgetRefused(reason: string, worstCaseUsd: number, remainingUsd: number | null): string {
  const left = remainingUsd === null ? "" : ` $${remainingUsd.toFixed(2)} is left today;`;
  return `I won't start this: ${reason}.${left} this run could cost up to $${worstCaseUsd.toFixed(2)}. Raise the limit (PUT /api/config) or try again later.`;
}

/** A task parked until the budget has room for its worst case. */
export function budgetWaiting(worstCaseUsd: number, remainingUsd: number | null): string {
  const left = remainingUsd === null ? "" : ` and $${remainingUsd.toFixed(2)} is left of today's budget`;
  return `Waiting for budget: this run needs up to $${worstCaseUsd.toFixed(2)}${left}. It starts by itself, in the order tasks arrived, when a running task settles for less than it reserved, the day ends (UTC), or an admin raises the daily limit (PUT /api/config). Stop the session to cancel it.`;
}

export function fallingBack(to: "local" | "cloud", reason: string): string {
  return to === "local" ? `Falling back to a local agent: ${reason}.` : `Falling back to a Codegen cloud run: ${reason}.`;
}

/** A follow-up that asks for the local fallback after a cloud run passed its time limit. */
export const RUN_LOCALLY = /\brun (it )?locally\b/i;

export function cloudTimedOutAsk(limitMinutes: number, webUrl: string | null): string {
  return `The Codegen run has passed its time limit of ${limitMinutes} minutes without finishing. It may still be working, so I haven't started anything else. Reply "run locally" to start a local run now (the cloud run may still finish too), or wait and I'll post its result if it ends.${webUrl ? ` Run: ${webUrl}` : ""}`;
}

export const RETRYING = "Trying this again, as an admin asked.";
