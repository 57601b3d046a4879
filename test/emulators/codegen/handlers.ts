/**
 * The endpoints, once a request is authenticated, within its rate limit and
 * allowed into its organization. Each validates its input the FastAPI way,
 * reads or changes the store, and returns the 200 body.
 */
import { allowanceReached, noRepos, repoNotFound, runNotFound } from "./errors";
import { runLogs } from "./logs";
import type { OrgRecord, RunRecord, TokenRecord } from "./model";
import type { BanAction } from "./routes";
import { nextScript, runResponse, startSegment, stopForPr } from "./runs";
import type { CodegenStore } from "./store";
import { type EndpointKind, SOURCE_TYPES } from "./types";
import { Issues, boolean, dict, integer, literal, optional, parseBody, queryInt, required, string, stringList } from "./validation";

export interface RequestContext {
  store: CodegenStore;
  org: OrgRecord;
  token: TokenRecord;
  nowMs: number;
  url: URL;
  body: string;
  /** The `agent_run_id` path parameter (get, logs) or the action (ban). */
  runIdParam: number | null;
  action: BanAction | null;
  /** A `lowercaseStatus` fault: for a create, the run's whole life; otherwise this answer. */
  lowercase: boolean;
}

export interface Served {
  body: unknown;
  runId?: number;
}

const MAX_PAGE = 100;

function page(total: number, skip: number, limit: number) {
  return { total, page: Math.floor(skip / limit) + 1, size: limit, pages: Math.ceil(total / limit) };
}

function findRun(ctx: RequestContext, runId: number): RunRecord {
  const run = ctx.store.run(ctx.org, runId);
  if (!run) throw runNotFound();
  return run;
}

function create(ctx: RequestContext): Served {
  const issues = new Issues();
  const body = parseBody(ctx.body);
  const prompt = required(body, "prompt", issues, (v, loc) => string(v, loc, issues, { minLength: 1 }));
  const images = optional(body, "images", (v, loc) => stringList(v, loc, issues));
  const metadata = optional(body, "metadata", (v, loc) => dict(v, loc, issues));
  const repoId = optional(body, "repo_id", (v, loc) => integer(v, loc, issues));
  const model = optional(body, "model", (v, loc) => string(v, loc, issues));
  const agentType = optional(body, "agent_type", (v, loc) => literal(v, ["codegen", "claude_code"], loc, issues));
  issues.check();

  const { org, store, nowMs } = ctx;
  if (org.repos.length === 0) throw noRepos();
  const repo = repoId === undefined ? org.repos[0]! : org.repos.find((r) => r.id === repoId);
  if (!repo) throw repoNotFound(repoId!);
  if (org.allowance !== null && org.runs.length >= org.allowance) throw allowanceReached();

  const run: RunRecord = {
    id: store.nextRunId(),
    orgId: org.id,
    repoId: repo.id,
    userId: ctx.token.userId,
    tokenHash: ctx.token.hash,
    prompt: prompt!,
    images: images?.length ?? 0,
    model: model ?? null,
    agentType: agentType ?? null,
    metadata: metadata ?? null,
    createdAtMs: nowMs,
    segments: [],
    lowercase: ctx.lowercase,
    banned: false,
    removedFromPr: false,
  };
  startSegment(run, repo, nextScript(org, run), prompt!, nowMs, () => store.nextPrId());
  store.addRun(org, run);
  return { body: runResponse(run, nowMs), runId: run.id };
}

function get(ctx: RequestContext): Served {
  const run = findRun(ctx, ctx.runIdParam!);
  return { body: runResponse(run, ctx.nowMs, ctx.lowercase), runId: run.id };
}

function list(ctx: RequestContext): Served {
  const issues = new Issues();
  const { searchParams } = ctx.url;
  const userIdRaw = searchParams.get("user_id");
  const userId = userIdRaw === null ? undefined : integer(userIdRaw, ["query", "user_id"], issues);
  const sourceRaw = searchParams.get("source_type");
  const sourceType = sourceRaw === null ? undefined : literal(sourceRaw, SOURCE_TYPES, ["query", "source_type"], issues, "enum");
  const skip = queryInt(ctx.url, "skip", issues, { fallback: 0, ge: 0 });
  const limit = queryInt(ctx.url, "limit", issues, { fallback: MAX_PAGE, ge: 1, le: MAX_PAGE });
  issues.check();

  const runs = ctx.org.runs
    .filter((r) => (userId === undefined || r.userId === userId) && (sourceType === undefined || sourceType === "API"))
    .sort((a, b) => b.createdAtMs - a.createdAtMs || b.id - a.id);
  const items = runs.slice(skip, skip + limit).map((r) => runResponse(r, ctx.nowMs, ctx.lowercase));
  return { body: { items, ...page(runs.length, skip, limit) } };
}

function resume(ctx: RequestContext): Served {
  const issues = new Issues();
  const body = parseBody(ctx.body);
  const runId = required(body, "agent_run_id", issues, (v, loc) => integer(v, loc, issues));
  const prompt = required(body, "prompt", issues, (v, loc) => string(v, loc, issues, { minLength: 1 }));
  optional(body, "images", (v, loc) => stringList(v, loc, issues));
  issues.check();

  const run = findRun(ctx, runId!);
  const repo = ctx.org.repos.find((r) => r.id === run.repoId) ?? { id: run.repoId, name: "acme/app", nextPrNumber: 1 };
  startSegment(run, repo, nextScript(ctx.org, { prompt: prompt!, metadata: run.metadata }), prompt!, ctx.nowMs, () => ctx.store.nextPrId());
  return { body: runResponse(run, ctx.nowMs, ctx.lowercase), runId: run.id };
}

function logs(ctx: RequestContext): Served {
  const issues = new Issues();
  const skip = queryInt(ctx.url, "skip", issues, { fallback: 0, ge: 0 });
  const limit = queryInt(ctx.url, "limit", issues, { fallback: MAX_PAGE, ge: 1, le: MAX_PAGE });
  const reverseRaw = ctx.url.searchParams.get("reverse");
  const reverse = reverseRaw === null ? false : (boolean(reverseRaw, ["query", "reverse"], issues) ?? false);
  issues.check();

  const run = findRun(ctx, ctx.runIdParam!);
  const all = runLogs(run, ctx.nowMs);
  if (reverse) all.reverse();
  const view = runResponse(run, ctx.nowMs, ctx.lowercase);
  return {
    body: {
      id: view.id,
      organization_id: view.organization_id,
      status: view.status,
      created_at: view.created_at,
      web_url: view.web_url,
      result: view.result,
      metadata: view.metadata,
      logs: all.slice(skip, skip + limit),
      total_logs: all.length,
      page: Math.floor(skip / limit) + 1,
      size: limit,
      pages: Math.ceil(all.length / limit),
    },
    runId: run.id,
  };
}

/** Ban and remove-from-pr flag the run's PR and stop the agents working on it; unban lifts the flag. */
function ban(ctx: RequestContext): Served {
  const issues = new Issues();
  const body = parseBody(ctx.body);
  const runId = required(body, "agent_run_id", issues, (v, loc) => integer(v, loc, issues));
  optional(body, "before_card_order_id", (v, loc) => string(v, loc, issues));
  optional(body, "after_card_order_id", (v, loc) => string(v, loc, issues));
  issues.check();

  const run = findRun(ctx, runId!);
  if (ctx.action === "unban") run.banned = false;
  else {
    if (ctx.action === "ban") run.banned = true;
    else run.removedFromPr = true;
    stopForPr(run, ctx.nowMs);
  }
  return { body: {}, runId: run.id };
}

export const HANDLERS: Record<EndpointKind, (ctx: RequestContext) => Served> = { create, get, list, resume, logs, ban };
