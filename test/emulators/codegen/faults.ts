/**
 * Injected failures, consumed in the order they were added. A rule matches a
 * request by organization (the `org_id` in its path) and endpoint family;
 * each use counts down its `count`. Scoping a rule to an organization keeps
 * parallel tests apart.
 */
import { randomUUID } from "node:crypto";
import { HttpError } from "./http";
import { ENDPOINT_KINDS, type EndpointKind, FAULT_KINDS, type FaultKind, type FaultRule } from "./types";

const SLOW_DEFAULT_MS = 2_000;

function optionalNumber(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new HttpError(400, `${name} must be a non-negative number`);
  return value;
}

export function parseFaultSpec(body: Record<string, unknown>): Omit<FaultRule, "id"> {
  const kind = body.kind;
  if (!FAULT_KINDS.includes(kind as FaultKind)) throw new HttpError(400, `kind must be one of ${FAULT_KINDS.join(", ")}`);
  const count = optionalNumber(body.count, "count") ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new HttpError(400, "count must be a positive integer");
  const orgId = optionalNumber(body.orgId, "orgId");
  if (orgId !== null && !Number.isInteger(orgId)) throw new HttpError(400, "orgId must be an integer");
  const endpoint = body.endpoint ?? null;
  if (endpoint !== null && !ENDPOINT_KINDS.includes(endpoint as EndpointKind)) throw new HttpError(400, `endpoint must be one of ${ENDPOINT_KINDS.join(", ")}`);
  const mode = body.mode ?? "destroy";
  if (mode !== "destroy" && mode !== "500" && mode !== "hang") throw new HttpError(400, `mode must be "destroy", "500" or "hang"`);
  const message = body.message ?? null;
  if (message !== null && typeof message !== "string") throw new HttpError(400, "message must be a string");
  return {
    kind: kind as FaultKind,
    orgId,
    endpoint: endpoint as EndpointKind | null,
    count,
    remaining: count,
    delayMs: optionalNumber(body.delayMs, "delayMs") ?? (kind === "slow" ? SLOW_DEFAULT_MS : 0),
    retryAfterSeconds: optionalNumber(body.retryAfterSeconds, "retryAfterSeconds"),
    mode,
    message,
  };
}

export class FaultQueue {
  #rules: FaultRule[] = [];

  add(spec: Omit<FaultRule, "id">): FaultRule {
    const rule = { ...spec, id: randomUUID() };
    this.#rules.push(rule);
    return { ...rule };
  }

  list(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** Takes one use of the first rule matching this request, if any. */
  take(request: { orgId: number | null; kind: EndpointKind }): FaultRule | null {
    const rule = this.#rules.find((r) => (r.orgId === null || r.orgId === request.orgId) && (r.endpoint === null || r.endpoint === request.kind));
    if (!rule) return null;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
    return { ...rule };
  }

  clear(orgId?: number | null): number {
    const before = this.#rules.length;
    this.#rules = orgId == null ? [] : this.#rules.filter((r) => r.orgId !== orgId);
    return before - this.#rules.length;
  }
}
