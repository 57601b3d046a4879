/**
 * A run's life, computed from the clock at read time (no timers): each
 * segment works for its script's duration, then ends in its final status;
 * PRs appear when they open; `result` and `summary` once the run has ended.
 */
import type { OrgRecord, PrRecord, RepoRecord, RunRecord, Segment } from "./model";
import { defaultResult, defaultSummary, isSuccess, lowercaseStatus, scriptFits } from "./scripts";
import type { AgentRunResponse, PullRequest, PullRequestSpec, ResolvedScript, RunSegmentView, RunView } from "./types";

export const CANCELLED = "CANCELLED";

export function webUrl(runId: number): string {
  return `https://app.codegen.com/agent/trace/${runId}`;
}

function naturalEnd(segment: Segment): number {
  return segment.script.neverEnds ? Number.POSITIVE_INFINITY : segment.startedAtMs + segment.script.durationMs;
}

/** When the segment stops working: its scripted end, or earlier if it was cut. */
export function segmentEnd(segment: Segment): number {
  const end = naturalEnd(segment);
  return segment.cut ? Math.min(end, segment.cut.atMs) : end;
}

function current(run: RunRecord): Segment {
  return run.segments.at(-1)!;
}

export function isRunning(run: RunRecord, nowMs: number): boolean {
  return nowMs < segmentEnd(current(run));
}

/** The status as scripted, before any lowercasing. */
export function rawStatus(run: RunRecord, nowMs: number): string {
  const segment = current(run);
  if (nowMs < segmentEnd(segment)) return segment.script.runningStatus;
  if (segment.cut && segment.cut.atMs < naturalEnd(segment)) return CANCELLED;
  return segment.script.finalStatus;
}

export function visiblePrs(run: RunRecord, nowMs: number): PrRecord[] {
  return run.segments.flatMap((segment) => segment.prs.filter((pr) => pr.opensAtMs <= nowMs && pr.opensAtMs <= segmentEnd(segment)));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function prView(pr: PrRecord): PullRequest {
  return { id: pr.id, title: pr.title, url: pr.url, created_at: iso(pr.opensAtMs), head_branch_name: pr.headBranchName };
}

/** The `result` a segment ends with: its script's, or a default naming its PRs. */
export function scriptedResult(segment: Segment, prs: PrRecord[]): string {
  return segment.script.result ?? defaultResult(segment.script.finalStatus, prs.map((p) => p.url));
}

/** `result` and `summary` of the run once its current segment has ended. */
function outcome(run: RunRecord, nowMs: number): { result: string | null; summary: string | null } {
  const segment = current(run);
  if (nowMs < segmentEnd(segment)) return { result: null, summary: null };
  if (rawStatus(run, nowMs) === CANCELLED && segment.cut) return { result: null, summary: "The run was stopped: its pull request was flagged." };
  const prs = visiblePrs(run, nowMs);
  return {
    result: scriptedResult(segment, prs),
    summary: segment.script.summary ?? defaultSummary(segment.script.finalStatus, prs.length),
  };
}

export function reportedStatus(run: RunRecord, nowMs: number, lowercase: boolean): string {
  const status = rawStatus(run, nowMs);
  return run.lowercase || lowercase ? lowercaseStatus(status) : status;
}

export function runResponse(run: RunRecord, nowMs: number, lowercase = false): AgentRunResponse {
  const prs = visiblePrs(run, nowMs);
  return {
    id: run.id,
    organization_id: run.orgId,
    status: reportedStatus(run, nowMs, lowercase),
    created_at: iso(run.createdAtMs),
    web_url: webUrl(run.id),
    ...outcome(run, nowMs),
    source_type: "API",
    metadata: run.metadata,
    github_pull_requests: prs.length > 0 ? prs.map(prView) : null,
  };
}

function prTitle(prompt: string): string {
  const line = prompt.split("\n").find((l) => l.trim())?.trim() ?? "Codegen changes";
  return line.length > 72 ? `${line.slice(0, 69)}...` : line;
}

/**
 * Starts a segment (the create, or a resume) from `nowMs` and opens its PRs
 * on schedule. With no count in the script, a successful run opens one PR
 * unless it already has one (a resume pushes to the same PR).
 */
export function startSegment(run: RunRecord, repo: RepoRecord, script: ResolvedScript, prompt: string, nowMs: number, nextPrId: () => number): Segment {
  const previous = run.segments.at(-1);
  if (previous && nowMs < segmentEnd(previous)) previous.cut = { atMs: nowMs, reason: "resumed" };
  const hasPr = run.segments.some((s) => s.prs.length > 0);
  const specs: PullRequestSpec[] =
    script.pullRequests === null
      ? (isSuccess(script.finalStatus) || script.prOpensAtMs !== null) && !hasPr
        ? [{}]
        : []
      : typeof script.pullRequests === "number"
        ? Array.from({ length: script.pullRequests }, () => ({}))
        : script.pullRequests;
  const opensAfter = script.prOpensAtMs ?? (script.neverEnds ? Number.POSITIVE_INFINITY : script.durationMs);
  const opensAtMs = nowMs + (script.neverEnds ? opensAfter : Math.min(opensAfter, script.durationMs));
  const prs = specs.map((spec, i): PrRecord => {
    const number = repo.nextPrNumber++;
    const branch = spec.head_branch_name ?? `codegen-bot/run-${run.id}${specs.length > 1 ? `-${i + 1}` : ""}`;
    return {
      id: nextPrId(),
      title: spec.title ?? prTitle(prompt),
      url: spec.url ?? `https://github.com/${repo.name}/pull/${number}`,
      headBranchName: branch,
      opensAtMs,
    };
  });
  const segment: Segment = { startedAtMs: nowMs, prompt, script, prs, cut: null };
  run.segments.push(segment);
  return segment;
}

/** Ban and remove-from-pr stop the agents working on a PR: a working run with an open PR ends CANCELLED. */
export function stopForPr(run: RunRecord, nowMs: number): boolean {
  const segment = current(run);
  if (!(nowMs < segmentEnd(segment)) || visiblePrs(run, nowMs).length === 0) return false;
  segment.cut = { atMs: nowMs, reason: "stopped" };
  return true;
}

/**
 * The script for a run's create or resume: the first queued script that fits it
 * (taken off the queue unless it repeats), then the default. A resume is
 * matched on its own prompt and the run's metadata.
 */
export function nextScript(org: OrgRecord, run: { prompt: string; metadata: Record<string, unknown> | null }): ResolvedScript {
  const at = org.scriptQueue.findIndex((script) => scriptFits(script, run));
  if (at < 0) return org.defaultScript;
  const script = org.scriptQueue[at]!;
  if (!script.repeat) org.scriptQueue.splice(at, 1);
  return script;
}

export function runView(run: RunRecord, nowMs: number): RunView {
  const segments: RunSegmentView[] = run.segments.map((s) => {
    const end = segmentEnd(s);
    return {
      startedAt: iso(s.startedAtMs),
      prompt: s.prompt,
      script: s.script,
      endsAt: Number.isFinite(end) ? iso(end) : null,
      cut: s.cut ? { at: iso(s.cut.atMs), reason: s.cut.reason } : null,
    };
  });
  return {
    id: run.id,
    orgId: run.orgId,
    repoId: run.repoId,
    userId: run.userId,
    tokenHash: run.tokenHash,
    prompt: run.prompt,
    images: run.images,
    model: run.model,
    agentType: run.agentType,
    metadata: run.metadata,
    createdAt: iso(run.createdAtMs),
    status: rawStatus(run, nowMs),
    lowercase: run.lowercase,
    banned: run.banned,
    removedFromPr: run.removedFromPr,
    segments,
    response: runResponse(run, nowMs),
  };
}
