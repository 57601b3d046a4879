/**
 * The request pipeline of the public API, in the order a FastAPI service
 * behind a gateway would apply it: route (404/405), injected fault,
 * authentication (401), the token's rate limit (429), path parameters (422),
 * organization access (403), then the endpoint (422 on input, 404, 402).
 * Every request is recorded once, with the status it got (0 for none).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Emulator } from "./emulator";
import { ApiError, forbidden, rateLimited, unauthorized } from "./errors";
import { INTERNAL_ERROR_BODY, cannedAnswer } from "./fault-responses";
import { HANDLERS, type RequestContext, type Served } from "./handlers";
import { readBody, sleep } from "./http";
import { type ApiRoute, type BanAction, matchRoute } from "./routes";
import { hashToken } from "./store";
import { BUCKET_OF, type CallRecord, type FaultRule } from "./types";
import { Issues, integer } from "./validation";

function bearer(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match ? match[1]! : null;
}

function orgIdOf(raw: string | undefined): number | null {
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
}

interface Pending {
  route: ApiRoute;
  params: string[];
  url: URL;
  token: string | null;
  body: string;
  lowercase: boolean;
}

/** Authentication through the endpoint; throws ApiError for every refusal. */
function serve(emulator: Emulator, request: Pending, call: CallRecord, nowMs: number): Served {
  const { route, params } = request;
  const token = request.token ? emulator.store.tokens.get(request.token) : undefined;
  if (!token) throw unauthorized();

  const bucket = BUCKET_OF[route.kind];
  const decision = bucket ? emulator.limiter.check(token.hash, bucket, nowMs) : { allowed: true as const };
  emulator.stats.observeAttempt(call.orgId, token.hash, route.kind, nowMs, !decision.allowed);
  if (!decision.allowed) {
    call.rateLimited = true;
    // Codegen documents no Retry-After for its own limits, so none is sent.
    throw rateLimited();
  }

  const issues = new Issues();
  const orgId = integer(params[0], ["path", "org_id"], issues);
  const hasRunId = route.kind === "get" || route.kind === "logs";
  const runIdParam = hasRunId ? (integer(params[1], ["path", "agent_run_id"], issues) ?? null) : null;
  issues.check();

  const org = emulator.store.orgs.get(orgId!);
  if (!org || !token.orgIds.has(org.id)) throw forbidden();

  const ctx: RequestContext = {
    store: emulator.store,
    org,
    token,
    nowMs,
    url: request.url,
    body: request.body,
    runIdParam,
    action: route.kind === "ban" ? (params[1] as BanAction) : null,
    lowercase: request.lowercase,
  };
  return HANDLERS[route.kind](ctx);
}

function answer(emulator: Emulator, res: ServerResponse, call: CallRecord, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
  finish(emulator, call, status);
}

function finish(emulator: Emulator, call: CallRecord, status: number): void {
  call.status = status;
  emulator.recorder.record(call);
  emulator.stats.observeCall(call);
}

const JSON_HEADERS = { "Content-Type": "application/json" };

export async function handleApi(emulator: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? "GET";
  const match = matchRoute(method, url.pathname);
  const token = bearer(req);
  let nowMs = emulator.clock.nowMs();
  const call: CallRecord = {
    at: new Date(nowMs).toISOString(),
    atMs: nowMs,
    orgId: orgIdOf(match.params[0]),
    tokenHash: token ? hashToken(token) : null,
    kind: "route" in match ? match.route.kind : (match.kind ?? "other"),
    method,
    path: url.pathname,
    status: 0,
  };
  if (!("route" in match)) return answer(emulator, res, call, match.error.status, JSON.stringify(match.error.body), JSON_HEADERS);
  const { route } = match;

  const fault: FaultRule | null = emulator.faults.take({ orgId: call.orgId, kind: route.kind });
  if (fault) {
    call.fault = fault.kind;
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    // Never answer: the client times out, or the server's close() drops the socket.
    if (fault.kind === "hang") return finish(emulator, call, 0);
    const canned = cannedAnswer(fault, route.kind);
    if (canned) return answer(emulator, res, call, canned.status, canned.body, canned.headers);
  }

  const body = method === "POST" ? await readBody(req) : "";
  nowMs = emulator.clock.nowMs();
  call.atMs = nowMs;
  call.at = new Date(nowMs).toISOString();
  let status = 200;
  let text: string;
  let headers: Record<string, string> = JSON_HEADERS;
  try {
    const served = serve(emulator, { route, params: match.params, url, token, body, lowercase: fault?.kind === "lowercaseStatus" }, call, nowMs);
    if (served.runId !== undefined) call.runId = served.runId;
    text = JSON.stringify(served.body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status = error.status;
    text = JSON.stringify(error.body);
    headers = { ...JSON_HEADERS, ...error.headers };
  }

  // The work is done; the answer is lost.
  if (fault?.kind === "createdThenLost" && status === 200) {
    if (fault.mode === "500") return answer(emulator, res, call, 500, JSON.stringify(INTERNAL_ERROR_BODY), JSON_HEADERS);
    // As if the process that sent it died before the answer came: the connection stays open, unanswered.
    if (fault.mode === "hang") return finish(emulator, call, 0);
    res.socket?.destroy();
    return finish(emulator, call, 0);
  }
  answer(emulator, res, call, status, text, headers);
}
