/**
 * Adopting a run whose create answer was lost (a timeout, a reset, a 5xx on the
 * POST). Codegen has no idempotency key and no lookup by metadata, so the only way
 * back to the run is to page through the newest API runs and match the attempt key
 * we put in its metadata (prompt.ts `runMetadata`).
 */
import type { CodegenClient } from "./client";
import { MAX_PAGE_SIZE } from "./client";
import type { AgentRun } from "./schemas";

/** Codegen's clock and ours may disagree; a run is never looked for further back than this before the intent. */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;
const DEFAULT_MAX_PAGES = 5;

export interface FindRunOptions {
  attemptKey: string;
  /** Epoch ms when we recorded the intent to create, before sending the POST. */
  intentAt: number;
  maxPages?: number;
}

export interface FoundRun {
  /** The oldest run carrying the key: the one to adopt. */
  run: AgentRun | null;
  /** Other runs with the same key (a create that was sent twice): report them, do not keep them silently. */
  twins: AgentRun[];
  pagesRead: number;
}

export async function findRunByAttemptKey(client: Pick<CodegenClient, "listRuns">, options: FindRunOptions): Promise<FoundRun> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (options.attemptKey === "") throw new RangeError("attemptKey is empty");
  if (!Number.isFinite(options.intentAt)) throw new RangeError(`intentAt must be epoch ms, got ${options.intentAt}`);
  if (!Number.isSafeInteger(maxPages) || maxPages < 1) throw new RangeError(`maxPages must be a positive integer, got ${maxPages}`);
  const horizon = options.intentAt - CLOCK_SKEW_MARGIN_MS;

  // By id: a run created while we page shifts the list, so the last run of one page is the first of the next.
  const matches = new Map<number, AgentRun>();
  let pagesRead = 0;
  while (pagesRead < maxPages) {
    const page = await client.listRuns({ sourceType: "API", limit: MAX_PAGE_SIZE, skip: pagesRead * MAX_PAGE_SIZE });
    pagesRead += 1;
    for (const run of page.items) {
      if (run.metadata?.cyrus_attempt_key === options.attemptKey) matches.set(run.id, run);
    }
    if (page.items.length < MAX_PAGE_SIZE) break;
    // Saves reading an empty page after a full last one; `total` is optional in fastapi-pagination.
    if (typeof page.total === "number" && pagesRead * MAX_PAGE_SIZE >= page.total) break;
    const times = page.items.map(createdAt).filter(Number.isFinite);
    // Newest first: once a page reaches back past the horizon, older pages cannot hold our run.
    if (times.length > 0 && Math.min(...times) < horizon) break;
  }

  const [run = null, ...twins] = [...matches.values()].sort(oldestFirst);
  return { run, twins, pagesRead };
}

function createdAt(run: AgentRun): number {
  return run.created_at ? Date.parse(run.created_at) : Number.NaN;
}

/** By creation time, then id; a run without a readable time sorts after those with one. */
function oldestFirst(a: AgentRun, b: AgentRun): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  const ka = Number.isFinite(ta) ? ta : Number.POSITIVE_INFINITY;
  const kb = Number.isFinite(tb) ? tb : Number.POSITIVE_INFINITY;
  if (ka !== kb) return ka - kb;
  return a.id - b.id;
}
