/**
 * A typed client for the emulator's control API. Uses only `fetch` (and pure
 * types), so tests in Node and in workerd can both use it.
 */
import type { CallKind, CallRecord, ClockView, CreatedOrganization, EmulatorStats, FaultRule, FaultSpec, RateLimits, ResolvedScript, RunScript, RunView } from "./types";

export type * from "./types";

export class CodegenEmulatorControl {
  constructor(readonly baseUrl: string) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`codegen emulator ${method} ${path}: HTTP ${response.status} ${json.error ?? ""}`);
    return json;
  }

  /** A new organization with its own API token; one repo unless `repos` says otherwise (`[]` for none). */
  createOrganization(input: { repos?: Array<{ id?: number; name: string }>; allowance?: number | null } = {}) {
    return this.#call<CreatedOrganization>("POST", "/organizations", input);
  }

  /** Gives a token (a new one without `apiToken`) access to the organization. */
  grantToken(orgId: number, input: { apiToken?: string } = {}) {
    return this.#call<{ apiToken: string; tokenHash: string; userId: number; orgIds: number[] }>("POST", `/organizations/${orgId}/tokens`, input);
  }

  setAllowance(orgId: number, allowance: number | null) {
    return this.#call<{ allowance: number | null; used: number }>("POST", `/organizations/${orgId}/allowance`, { allowance });
  }

  /** Queues scripts for the next creates and resumes (appended unless `replace`), and/or sets the default. */
  script(orgId: number, input: { scripts?: RunScript[]; default?: RunScript; replace?: boolean }) {
    return this.#call<{ queue: ResolvedScript[]; default: ResolvedScript }>("POST", `/organizations/${orgId}/scripts`, input);
  }

  scripts(orgId: number) {
    return this.#call<{ queue: ResolvedScript[]; default: ResolvedScript }>("GET", `/organizations/${orgId}/scripts`);
  }

  runs(orgId: number) {
    return this.#call<{ runs: RunView[] }>("GET", `/organizations/${orgId}/runs`).then((r) => r.runs);
  }

  addFault(spec: FaultSpec) {
    return this.#call<{ fault: FaultRule }>("POST", "/faults", spec).then((r) => r.fault);
  }

  faults() {
    return this.#call<{ faults: FaultRule[] }>("GET", "/faults").then((r) => r.faults);
  }

  clearFaults(orgId?: number) {
    return this.#call<{ removed: number }>("DELETE", `/faults${orgId === undefined ? "" : `?orgId=${orgId}`}`);
  }

  calls(filter: { orgId?: number; kind?: CallKind } = {}) {
    const query = new URLSearchParams();
    if (filter.orgId !== undefined) query.set("orgId", String(filter.orgId));
    if (filter.kind) query.set("kind", filter.kind);
    return this.#call<{ calls: CallRecord[] }>("GET", `/calls?${query}`).then((r) => r.calls);
  }

  stats(orgId?: number) {
    return this.#call<EmulatorStats>("GET", `/stats${orgId === undefined ? "" : `?orgId=${orgId}`}`);
  }

  clock() {
    return this.#call<ClockView>("GET", "/clock");
  }

  advanceClock(advanceMs: number) {
    return this.#call<ClockView>("POST", "/clock", { advanceMs });
  }

  setTimeScale(timeScale: number) {
    return this.#call<ClockView>("POST", "/clock", { timeScale });
  }

  config() {
    return this.#call<{ timeScale: number; rateLimits: RateLimits }>("GET", "/config");
  }

  reset() {
    return this.#call<{ ok: true }>("POST", "/reset", {});
  }
}
