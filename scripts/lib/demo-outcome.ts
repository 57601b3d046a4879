/**
 * What the demo expects of each issue it delegates, how it reads what really
 * happened (the edge's session detail from its API, and Linear's side), and
 * the summary it prints: where each issue ran, how it ended, what it cost.
 */
import type { SessionDetail } from "../../workers/session-history/present";
import type { EdgeApi } from "./edge-api";

export interface Expectation {
  /** Where the work should end up running. */
  executor: "local" | "cloud";
  /** The executor that should have been tried first and failed over from. */
  fallbackFrom?: "local" | "cloud";
  /** Whether a pull request should be linked on the issue. */
  pullRequest: boolean;
}

/** Linear's side of an issue: how the agent's work ended there, and which links the issue carries. */
export interface LinearSide {
  ending: { type: string; body?: string } | undefined;
  attachmentUrls: string[];
}

/** The edge's session detail once its D1 mirror shows the session ended with its run measured; it trails by a few seconds. */
export async function settledSession(api: EdgeApi, agentSessionId: string, timeoutMs: number): Promise<SessionDetail> {
  const deadline = Date.now() + timeoutMs;
  let detail: SessionDetail | null = null;
  for (;;) {
    detail = await api<SessionDetail>("GET", `/api/sessions/${agentSessionId}`).catch(() => null);
    const measured = detail?.executions.some((run) => run.outcome !== null && run.endedAt !== null);
    if (detail?.summary.result.ended && measured) return detail;
    if (Date.now() > deadline) {
      throw new Error(`the edge's record of session ${agentSessionId} did not show it ended and measured within ${timeoutMs / 1000} s (status: ${detail?.session.status ?? "unknown"})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Everything about an issue that is not as expected, in words; empty when it ended as intended. */
export function problemsWith(identifier: string, expected: Expectation, detail: SessionDetail, linear: LinearSide): string[] {
  const problems: string[] = [];
  const ranOn = detail.session.executor;
  if (ranOn !== expected.executor) problems.push(`${identifier} should have run ${where(expected.executor)} but ran ${ranOn ? where(ranOn) : "nowhere"}`);
  const fellBack = detail.summary.fallbacks.find((f) => f.to === expected.executor);
  if (expected.fallbackFrom && !fellBack) problems.push(`${identifier} should have fallen back from ${expected.fallbackFrom === "cloud" ? "the cloud" : "a local agent"}, but its timeline shows no fallback`);
  if (!expected.fallbackFrom && detail.summary.fallbacks.length) problems.push(`${identifier} fell back unexpectedly: ${detail.summary.fallbacks[0]!.summary}`);
  if (linear.ending?.type !== "response") {
    problems.push(`${identifier} should have ended with a response in Linear, but ${linear.ending ? `ended with an ${linear.ending.type}: ${linear.ending.body ?? ""}` : "it has none"}`);
  }
  if (expected.pullRequest) {
    const prs = detail.summary.result.prUrls;
    if (!prs.length) problems.push(`${identifier} should have opened a pull request, but its run reported none`);
    else if (!prs.some((url) => linear.attachmentUrls.includes(url))) problems.push(`${identifier}'s pull request ${prs[0]} is not linked on the issue in Linear`);
  }
  return problems;
}

/** One line per issue: identifier, where it ran, result, cost and duration. */
export function summaryLines(rows: Array<{ identifier: string; title: string; detail: SessionDetail }>): string[] {
  const table = rows.map(({ identifier, title, detail }) => {
    const fallback = detail.summary.fallbacks[0];
    const ranOn = fallback?.from && fallback.to ? `${fallback.from} → ${fallback.to}` : (detail.session.executor ?? "nowhere");
    const prs = detail.summary.result.prUrls;
    const result = `${detail.session.status}${prs.length ? `, ${prs.join(" ")}` : ""}`;
    const { costUsd, estimated, durationMs } = detail.summary.cost;
    const cost = `$${costUsd.toFixed(2)}${estimated ? " (estimated)" : ""}`;
    return [identifier, truncate(title, 34), ranOn, cost, `${(durationMs / 1000).toFixed(1)} s`, result];
  });
  const head = ["issue", "title", "ran", "cost", "took", "result"];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
  return [line(head), ...table.map(line)];
}

function where(executor: string): string {
  return executor === "local" ? "on a local agent" : executor === "cloud" ? "in the cloud" : executor;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
