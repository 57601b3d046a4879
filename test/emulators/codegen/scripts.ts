/**
 * Run scripts: how a run plays out, set per organization through the control
 * API (a queue consumed by successive creates and resumes, then a default).
 * Parsing applies the defaults once, so a run stores exactly what it follows.
 */
import { HttpError } from "./http";
import type { PullRequestSpec, ResolvedScript, RunScript, ScriptMatch } from "./types";

export const DEFAULT_SCRIPT: ResolvedScript = {
  durationMs: 60_000,
  finalStatus: "COMPLETE",
  runningStatus: "ACTIVE",
  pullRequests: null,
  prOpensAtMs: null,
  result: null,
  summary: null,
  logEvery: 10_000,
  neverEnds: false,
  match: null,
  repeat: false,
};

const SUCCESS = new Set(["complete", "completed", "success"]);

/** The contract maps COMPLETE, completed, complete and success (any case) to success. */
export function isSuccess(status: string): boolean {
  return SUCCESS.has(status.toLowerCase());
}

const LOWERCASE: Record<string, string> = {
  COMPLETE: "completed",
  ACTIVE: "running",
  RUNNING: "running",
};

/** The statuses the docs' examples use: "completed", "failed", "running". */
export function lowercaseStatus(status: string): string {
  return LOWERCASE[status] ?? status.toLowerCase();
}

function nonNegative(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new HttpError(400, `${name} must be a non-negative number`);
  return value;
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !value) throw new HttpError(400, `${name} must be a non-empty string`);
  return value;
}

function pullRequests(value: unknown, at: string): number | PullRequestSpec[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) throw new HttpError(400, `${at}.pullRequests must be a non-negative integer or a list`);
    return value;
  }
  if (!Array.isArray(value)) throw new HttpError(400, `${at}.pullRequests must be a non-negative integer or a list`);
  return value.map((item: unknown, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new HttpError(400, `${at}.pullRequests[${i}] must be an object`);
    const pr = item as Record<string, unknown>;
    const spec: PullRequestSpec = {};
    const title = text(pr.title, `${at}.pullRequests[${i}].title`);
    const url = text(pr.url, `${at}.pullRequests[${i}].url`);
    const branch = text(pr.head_branch_name, `${at}.pullRequests[${i}].head_branch_name`);
    if (title !== undefined) spec.title = title;
    if (url !== undefined) spec.url = url;
    if (branch !== undefined) spec.head_branch_name = branch;
    return spec;
  });
}

function scriptMatch(value: unknown, at: string): ScriptMatch | null {
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, `${at}.match must be an object`);
  const m = value as Record<string, unknown>;
  const unknown = Object.keys(m).filter((k) => k !== "promptContains" && k !== "metadata");
  if (unknown.length > 0) throw new HttpError(400, `${at}.match has unknown fields: ${unknown.join(", ")}`);
  const match: ScriptMatch = {};
  const promptContains = text(m.promptContains, `${at}.match.promptContains`);
  if (promptContains !== undefined) match.promptContains = promptContains;
  if (m.metadata !== undefined) {
    const metadata = m.metadata;
    const primitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata) || !Object.values(metadata).every(primitive)) {
      throw new HttpError(400, `${at}.match.metadata must map keys to strings, numbers, booleans or null`);
    }
    match.metadata = metadata as ScriptMatch["metadata"];
  }
  return match;
}

/** Whether a queued script is for this run: a script without `match` is for any. */
export function scriptFits(script: ResolvedScript, run: { prompt: string; metadata: Record<string, unknown> | null }): boolean {
  const match = script.match;
  if (!match) return true;
  if (match.promptContains !== undefined && !run.prompt.includes(match.promptContains)) return false;
  return Object.entries(match.metadata ?? {}).every(([key, value]) => run.metadata?.[key] === value);
}

/** Validates a script from the control API and fills in its defaults. */
export function resolveScript(value: unknown, at = "script"): ResolvedScript {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, `${at} must be an object`);
  const s = value as RunScript & Record<string, unknown>;
  const known = new Set(["durationMs", "finalStatus", "runningStatus", "pullRequests", "prOpensAtMs", "result", "summary", "logEvery", "neverEnds", "match", "repeat"]);
  const unknown = Object.keys(s).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new HttpError(400, `${at} has unknown fields: ${unknown.join(", ")}`);
  if (s.neverEnds !== undefined && typeof s.neverEnds !== "boolean") throw new HttpError(400, `${at}.neverEnds must be a boolean`);
  if (s.repeat !== undefined && typeof s.repeat !== "boolean") throw new HttpError(400, `${at}.repeat must be a boolean`);
  if (s.result !== undefined && typeof s.result !== "string") throw new HttpError(400, `${at}.result must be a string`);
  if (s.summary !== undefined && typeof s.summary !== "string") throw new HttpError(400, `${at}.summary must be a string`);
  return {
    durationMs: nonNegative(s.durationMs, `${at}.durationMs`) ?? DEFAULT_SCRIPT.durationMs,
    finalStatus: text(s.finalStatus, `${at}.finalStatus`) ?? DEFAULT_SCRIPT.finalStatus,
    runningStatus: text(s.runningStatus, `${at}.runningStatus`) ?? DEFAULT_SCRIPT.runningStatus,
    pullRequests: pullRequests(s.pullRequests, at) ?? null,
    prOpensAtMs: nonNegative(s.prOpensAtMs, `${at}.prOpensAtMs`) ?? null,
    result: s.result ?? null,
    summary: s.summary ?? null,
    logEvery: nonNegative(s.logEvery, `${at}.logEvery`) ?? DEFAULT_SCRIPT.logEvery,
    neverEnds: s.neverEnds ?? false,
    match: scriptMatch(s.match, at),
    repeat: s.repeat ?? false,
  };
}

/** `owner/repo#42` for a GitHub PR URL, the URL itself otherwise. */
function prLabel(url: string): string {
  const match = /github\.com\/([^/]+\/[^/]+)\/pull\/(\d+)/.exec(url);
  return match ? `${match[1]}#${match[2]}` : url;
}

/** A default result, in the markdown Codegen writes. */
export function defaultResult(finalStatus: string, prUrls: string[]): string {
  if (isSuccess(finalStatus)) {
    const prs = prUrls.length > 0 ? `\n\nPull request: ${prUrls.map((url) => `[${prLabel(url)}](${url})`).join(", ")}` : "";
    return `## Summary\n\nI implemented the requested change, added tests and checked that the suite passes.${prs}\n`;
  }
  return `The agent run ended with status \`${finalStatus}\` before finishing the task.`;
}

export function defaultSummary(finalStatus: string, prCount: number): string {
  if (isSuccess(finalStatus)) return prCount > 0 ? `Implemented the change and opened ${prCount} pull request${prCount > 1 ? "s" : ""}.` : "Implemented the change.";
  return `Stopped with status ${finalStatus}.`;
}
