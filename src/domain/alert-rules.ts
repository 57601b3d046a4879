/**
 * When to tell a team about its agents, as pure decisions: the day's budget
 * nearly spent, the success rate falling, local tasks waiting with no agent
 * online. Each alert has a period key, so the same condition alerts once per
 * period however often it is checked.
 */
export type AlertKind = "budget" | "success_rate" | "agents_offline" | "test";

export interface Alert {
  kind: AlertKind;
  /** The period the alert covers (a UTC day or hour): the dedupe key with the kind. */
  periodKey: string;
  text: string;
  details: Record<string, unknown>;
}

export function budgetAlert(input: { day: string; usedTodayUsd: number; maxPerDayUsd: number | null; fraction: number }): Alert | null {
  if (input.maxPerDayUsd === null || input.maxPerDayUsd <= 0) return null;
  const share = input.usedTodayUsd / input.maxPerDayUsd;
  if (share < input.fraction) return null;
  return {
    kind: "budget",
    periodKey: input.day,
    text: `Cyrus: ${Math.round(share * 100)}% of today's agent budget is reserved or spent ($${input.usedTodayUsd.toFixed(2)} of $${input.maxPerDayUsd.toFixed(2)}). New runs that do not fit will wait.`,
    details: { usedTodayUsd: input.usedTodayUsd, maxPerDayUsd: input.maxPerDayUsd, share },
  };
}

/** Below `minTasks` a rate means little (one failure of two is not a trend). */
export function successRateAlert(input: { day: string; tasks: number; succeeded: number; threshold: number; minTasks?: number }): Alert | null {
  if (input.tasks < (input.minTasks ?? 5)) return null;
  const rate = input.succeeded / input.tasks;
  if (rate >= input.threshold) return null;
  return {
    kind: "success_rate",
    periodKey: input.day,
    text: `Cyrus: only ${Math.round(rate * 100)}% of today's ${input.tasks} agent runs succeeded (alert below ${Math.round(input.threshold * 100)}%).`,
    details: { tasks: input.tasks, succeeded: input.succeeded, rate },
  };
}

export function agentsOfflineAlert(input: { at: number; repository: string; issueIdentifier: string | null }): Alert {
  const hour = new Date(input.at).toISOString().slice(0, 13);
  return {
    kind: "agents_offline",
    periodKey: `${hour}:${input.repository}`,
    text: `Cyrus: a local task for \`${input.repository}\`${input.issueIdentifier ? ` (${input.issueIdentifier})` : ""} is waiting and no local agent that serves it is online. Start one with \`cyrus connect\`.`,
    details: { repository: input.repository, issueIdentifier: input.issueIdentifier },
  };
}

/**
 * A message that says plainly it is a test, sent on demand from the settings
 * so a team can see its webhook works. `nonce` makes its period key unique: a
 * test is never deduplicated the way a real condition is.
 */
export function testAlert(input: { at: number; actor: string; nonce: string }): Alert {
  return {
    kind: "test",
    periodKey: `${new Date(input.at).toISOString()}:${input.nonce}`,
    text: `Cyrus: [TEST] this is a test alert, sent from the control panel by ${input.actor}. Nothing is wrong. Real alerts (budget, success rate, agents offline) arrive here the same way.`,
    details: { test: true, sentBy: input.actor },
  };
}

/** A body Slack's incoming webhooks accept, with the structured fields beside it for other receivers. */
export function webhookBody(workspaceId: string, alert: Alert): Record<string, unknown> {
  return { text: alert.text, kind: alert.kind, workspace: workspaceId, period: alert.periodKey, details: alert.details };
}
