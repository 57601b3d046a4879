/**
 * The demo's hybrid-parallel part: a parent issue whose three sub-issues are
 * the plan (the third blocked by the first two), in a repository whose
 * strategy is `hybrid-parallel`. What the demo expects of it, how it reads
 * what happened (the edge's session details, Linear's side), and the lines it
 * prints under the other issues.
 */
import type { SessionDetail } from "../../workers/session-history/present";
import type { RunScript } from "../../test/emulators/codegen/control-client";
import type { IssueTreeInput, OrganizationStateView } from "../../test/emulators/linear/control-client";
import { problemsWith, summaryLines } from "./demo-outcome";
import type { EdgeApi } from "./edge-api";
import { endingOn } from "./linear-watch";

/** The repository the parallel parent routes to (by its team), and its strategy override. */
export const PARALLEL_REPOSITORY = { name: "checkout", teamKey: "PAY", codegenRepo: "acme/checkout" };

const SUBTASKS = [
  { key: "api", title: "Add the saved-cards API", minutes: 6 },
  { key: "ui", title: "Saved-cards picker on the payment step", minutes: 6 },
  { key: "wire", title: "Wire the saved-cards picker to the API", minutes: 4, blockedBy: ["api", "ui"] },
];

export const PARALLEL_TREE: IssueTreeInput = {
  title: "Pay with a saved card",
  description: "Returning customers should be able to pay with a card they saved before.\n\n## Acceptance criteria\n- [ ] saved cards are listed on the payment step\n- [ ] paying with one needs no card number",
  teamKey: PARALLEL_REPOSITORY.teamKey,
  stateType: "unstarted",
  subIssues: SUBTASKS.map((t) => ({ key: t.key, title: t.title, description: `${t.title}.`, stateType: "unstarted", blockedBy: t.blockedBy })),
};

/** Codegen's scripts for the children (matched by title) and the validation; the validation's goes first, as its prompt names every title. */
export const PARALLEL_SCRIPTS: RunScript[] = [
  { match: { promptContains: "# Validate " }, repeat: true, durationMs: 60_000, finalStatus: "COMPLETE", pullRequests: 0, logEvery: 0, result: "Verdict: pass. The three pull requests meet their criteria and the tests pass with all of them applied." },
  ...SUBTASKS.map((t) => ({ match: { promptContains: t.title }, durationMs: t.minutes * 60_000, finalStatus: "COMPLETE", logEvery: 2 * 60_000, pullRequests: [{ title: t.title }], result: `${t.title}: done, with tests.` })),
];

export interface ParallelOutcome {
  parent: { identifier: string; title: string; detail: SessionDetail };
  children: Array<{ identifier: string; title: string; detail: SessionDetail }>;
}

/** The parent's detail once the mirror shows its run complete (or ended otherwise), and each child's. */
export async function settledParallel(api: EdgeApi, parentSessionId: string, timeoutMs: number): Promise<SessionDetail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await api<SessionDetail>("GET", `/api/sessions/${parentSessionId}`).catch(() => null);
    const run = detail?.parallel;
    if (detail?.summary.result.ended && run && ["complete", "error", "stopped"].includes(run.status) && run.figures) return detail;
    if (Date.now() > deadline) throw new Error(`the edge's record of the parallel parent ${parentSessionId} did not show its run ended within ${timeoutMs / 1000} s (status: ${run?.status ?? "unknown"})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Everything about the parallel part that is not as intended, in words. */
export function parallelProblems(outcome: ParallelOutcome, state: OrganizationStateView, parentIssueId: string): string[] {
  const { parent, children } = outcome;
  const problems: string[] = [];
  const run = parent.detail.parallel;
  const ending = endingOn(state, parentIssueId)?.content;
  if (ending?.type !== "response") problems.push(`${parent.identifier} should have ended with one response, but ${ending ? `ended with an ${ending.type}: ${ending.body ?? ""}` : "has none"}`);
  if (run?.status !== "complete") problems.push(`${parent.identifier}'s parallel run should be complete, but is ${run?.status ?? "missing"}`);
  const items = run?.items ?? [];
  if (items.length !== SUBTASKS.length || items.some((item) => item.status !== "succeeded")) {
    problems.push(`${parent.identifier}'s sub-tasks should all have succeeded: ${items.map((i) => `${i.identifier ?? i.key} ${i.status}`).join(", ") || "none"}`);
  }
  for (const child of children) {
    const attachmentUrls = state.attachments.filter((a) => a.issueId === child.detail.session.issueId).map((a) => a.url);
    problems.push(...problemsWith(child.identifier, { executor: "cloud", pullRequest: true }, child.detail, { ending: endingOn(state, child.detail.session.issueId ?? "")?.content, attachmentUrls }));
    for (const url of child.detail.summary.result.prUrls) {
      if (!ending?.body?.includes(url)) problems.push(`${parent.identifier}'s response should list ${child.identifier}'s pull request ${url}`);
    }
  }
  // The blocked sub-task started only after both of its blockers ended; the other two overlapped.
  const byTitle = new Map(items.map((item) => [item.title, item]));
  const [api, ui, wire] = SUBTASKS.map((t) => byTitle.get(t.title));
  const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
  if (api && ui && wire && !(at(wire.startedAt) >= Math.max(at(api.endedAt), at(ui.endedAt)))) problems.push(`${wire.identifier} should have started after ${api.identifier} and ${ui.identifier} ended`);
  if ((run?.figures?.peakConcurrency ?? 0) < 2) problems.push(`${parent.identifier}'s independent sub-tasks should have run at the same time (peak ${run?.figures?.peakConcurrency ?? 0})`);
  const plan = state.agentSessions.find((s) => s.id === parent.detail.session.id)?.plan;
  const steps = (typeof plan === "string" ? JSON.parse(plan) : (plan ?? [])) as Array<{ status: string }>;
  if (steps.length === 0 || steps.some((step) => step.status !== "completed")) problems.push(`${parent.identifier}'s plan in Linear should show every step completed: ${steps.map((s) => s.status).join(", ") || "no plan"}`);
  return problems;
}

/** The parent and its children as rows of the demo's table, then the run's figures. */
export function parallelSummaryLines(outcome: ParallelOutcome): string[] {
  const rows = [outcome.parent, ...outcome.children.map((child) => ({ ...child, identifier: `└ ${child.identifier}` }))];
  const figures = outcome.parent.detail.parallel?.figures;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const line = figures
    ? `${outcome.parent.identifier} hybrid-parallel: ${figures.children} sub-tasks, at most ${figures.peakConcurrency} at once; wall ${seconds(figures.wallMs)} (delegation to answer), critical path ${seconds(figures.criticalPathMs)}, one after another ${seconds(figures.childMsSum)}: ${figures.speedup ? `${figures.speedup.toFixed(2)}x` : "n/a"}`
    : `${outcome.parent.identifier} hybrid-parallel: no figures`;
  return [...summaryLines(rows), line];
}
