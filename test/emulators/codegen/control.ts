/**
 * The control API under `/_emulator`: unauthenticated JSON endpoints through
 * which tests register organizations and tokens, script runs, inject faults,
 * move the clock and read back calls and stats. Documented in README.md.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Emulator } from "./emulator";
import { parseFaultSpec } from "./faults";
import { HttpError, readJsonObject, sendJson } from "./http";
import { runView } from "./runs";
import { resolveScript } from "./scripts";
import type { CreateOrganizationInput } from "./store";
import { type CallKind, type ClockView, type CreatedOrganization, ENDPOINT_KINDS } from "./types";

type Body = Record<string, unknown>;
type Handler = (emulator: Emulator, params: string[], body: Body, url: URL) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

function orgIdParam(raw: string | undefined): number {
  if (!raw || !/^\d+$/.test(raw)) throw new HttpError(400, "orgId must be an integer");
  return Number(raw);
}

function queryOrgId(url: URL): number | null {
  const raw = url.searchParams.get("orgId");
  return raw === null || raw === "" ? null : orgIdParam(raw);
}

function allowance(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new HttpError(400, "allowance must be a non-negative integer or null");
  return value;
}

function repos(value: unknown): CreateOrganizationInput["repos"] {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new HttpError(400, "repos must be [{ id?, name }]");
  return value.map((repo: unknown) => {
    const r = repo as { id?: unknown; name?: unknown } | null;
    if (typeof r?.name !== "string" || !r.name) throw new HttpError(400, "every repo needs a name");
    if (r.id !== undefined && (typeof r.id !== "number" || !Number.isInteger(r.id) || r.id < 1)) throw new HttpError(400, "a repo id must be a positive integer");
    return r.id === undefined ? { name: r.name } : { id: r.id, name: r.name };
  });
}

function clockView(emulator: Emulator): ClockView {
  const nowMs = emulator.clock.nowMs();
  return { now: new Date(nowMs).toISOString(), nowMs, offsetMs: emulator.clock.offsetMs, timeScale: emulator.clock.timeScale };
}

const ORG = "(\\d+)";

const routes: Route[] = [
  { method: "GET", pattern: /^\/_emulator\/health$/, handler: () => ({ ok: true }) },
  {
    method: "POST",
    pattern: /^\/_emulator\/organizations$/,
    handler: (emulator, _params, body): CreatedOrganization => {
      const { org, token } = emulator.store.createOrganization({ repos: repos(body.repos), allowance: allowance(body.allowance) });
      return {
        orgId: org.id,
        apiToken: token.token,
        tokenHash: token.hash,
        userId: token.userId,
        repos: org.repos.map((r) => ({ id: r.id, name: r.name })),
        allowance: org.allowance,
      };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ORG}/tokens$`),
    handler: (emulator, [orgId], body) => {
      const org = emulator.store.org(orgIdParam(orgId));
      if (body.apiToken !== undefined && (typeof body.apiToken !== "string" || !/^\S+$/.test(body.apiToken))) throw new HttpError(400, "apiToken must be a non-empty string without spaces");
      const token = emulator.store.grantToken(org, body.apiToken as string | undefined);
      return { apiToken: token.token, tokenHash: token.hash, userId: token.userId, orgIds: [...token.orgIds] };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ORG}/allowance$`),
    handler: (emulator, [orgId], body) => {
      const org = emulator.store.org(orgIdParam(orgId));
      org.allowance = allowance(body.allowance);
      return { allowance: org.allowance, used: org.runs.length };
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/_emulator/organizations/${ORG}/scripts$`),
    handler: (emulator, [orgId], body) => {
      const org = emulator.store.org(orgIdParam(orgId));
      if (body.scripts !== undefined && !Array.isArray(body.scripts)) throw new HttpError(400, "scripts must be a list");
      const queued = ((body.scripts as unknown[] | undefined) ?? []).map((s, i) => resolveScript(s, `scripts[${i}]`));
      const fallback = body.default === undefined ? undefined : resolveScript(body.default, "default");
      if (body.replace === true) org.scriptQueue.length = 0;
      org.scriptQueue.push(...queued);
      if (fallback) org.defaultScript = fallback;
      return { queue: org.scriptQueue, default: org.defaultScript };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/_emulator/organizations/${ORG}/scripts$`),
    handler: (emulator, [orgId]) => {
      const org = emulator.store.org(orgIdParam(orgId));
      return { queue: org.scriptQueue, default: org.defaultScript };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^/_emulator/organizations/${ORG}/runs$`),
    handler: (emulator, [orgId]) => {
      const org = emulator.store.org(orgIdParam(orgId));
      const nowMs = emulator.clock.nowMs();
      return { runs: org.runs.map((run) => runView(run, nowMs)) };
    },
  },
  { method: "POST", pattern: /^\/_emulator\/faults$/, handler: (emulator, _params, body) => ({ fault: emulator.faults.add(parseFaultSpec(body)) }) },
  { method: "GET", pattern: /^\/_emulator\/faults$/, handler: (emulator) => ({ faults: emulator.faults.list() }) },
  { method: "DELETE", pattern: /^\/_emulator\/faults$/, handler: (emulator, _params, _body, url) => ({ removed: emulator.faults.clear(queryOrgId(url)) }) },
  {
    method: "GET",
    pattern: /^\/_emulator\/calls$/,
    handler: (emulator, _params, _body, url) => {
      const kind = url.searchParams.get("kind") || null;
      if (kind !== null && kind !== "other" && !ENDPOINT_KINDS.includes(kind as never)) throw new HttpError(400, `kind must be one of ${ENDPOINT_KINDS.join(", ")}, other`);
      return { calls: emulator.recorder.filter({ orgId: queryOrgId(url), kind: kind as CallKind | null }) };
    },
  },
  { method: "GET", pattern: /^\/_emulator\/stats$/, handler: (emulator, _params, _body, url) => emulator.stats.snapshot(queryOrgId(url)) },
  { method: "GET", pattern: /^\/_emulator\/clock$/, handler: (emulator) => clockView(emulator) },
  {
    method: "POST",
    pattern: /^\/_emulator\/clock$/,
    handler: (emulator, _params, body) => {
      try {
        if (body.timeScale !== undefined) emulator.clock.setTimeScale(body.timeScale as number);
        if (body.advanceMs !== undefined) emulator.clock.advance(body.advanceMs as number);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
      return clockView(emulator);
    },
  },
  { method: "GET", pattern: /^\/_emulator\/config$/, handler: (emulator) => ({ timeScale: emulator.clock.timeScale, rateLimits: emulator.limits }) },
  {
    method: "POST",
    pattern: /^\/_emulator\/reset$/,
    handler: (emulator) => {
      emulator.reset();
      return { ok: true };
    },
  },
];

export async function handleControl(emulator: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const candidates = routes.filter((r) => r.pattern.test(url.pathname));
  if (candidates.length === 0) throw new HttpError(404, `no control endpoint ${url.pathname}`);
  const route = candidates.find((r) => r.method === req.method);
  if (!route) throw new HttpError(405, `${req.method} is not supported on ${url.pathname}`);
  const params = route.pattern.exec(url.pathname)!.slice(1);
  const body = req.method === "POST" ? await readJsonObject(req) : {};
  sendJson(res, 200, await route.handler(emulator, params, body, url));
}
