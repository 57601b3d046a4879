/**
 * CodegenGate: one per Codegen credential, named `codegen:<org id>:<token hash>`.
 * Every call to Codegen goes through it, inside the credential's published
 * limits (10 creates a minute, 60 reads per 30 s, 60 log reads a minute), which
 * every workspace on that credential shares.
 *
 * It also watches running work for the IssueSessions: one list call reports
 * every recent run, so instead of each session polling its own run, the gate
 * refreshes the list and tells a session when its run changed. Refreshes are
 * paid from an allowance each watched run earns (src/domain/poll-allowance.ts)
 * and timed by src/domain/cloud-polling.ts: often while some run is expected
 * to end (from its session's estimate, else from the runs this gate saw end),
 * rarely while none is. Runs too old for the list's first page are fetched one
 * by one, at a pace that slows with their age, from the same allowance.
 *
 * The gate only loads, asks those functions, stores and performs: when its
 * alarm fires it refreshes, because the alarm was set where the decision said.
 */
import { DurableObject } from "cloudflare:workers";
import { CodegenClient, CodegenError } from "../../../src/codegen/client";
import { findRunByAttemptKey } from "../../../src/codegen/find-run";
import type { AgentRun } from "../../../src/codegen/schemas";
import { classifyRunStatus } from "../../../src/codegen/status";
import { readConfig, type EdgeConfig } from "../../../src/config";
import { createDb, type Db } from "../../../src/db/client";
import { CLOSED_BREAKER, isAvailable, recordFailure, recordSuccess, type BreakerState } from "../../../src/domain/circuit-breaker";
import { nextListRefresh, runPollInterval, type PollingKnobs, type RefreshDecision } from "../../../src/domain/cloud-polling";
import { accrue, canSpend, spend, type Allowance } from "../../../src/domain/poll-allowance";
import { endWindow, isEndWindow, type EndWindow } from "../../../src/domain/run-end-window";
import { codegenLimits, type CodegenCallKind } from "../../../src/domain/rate-window";
import { createLogger, describeError, type Logger } from "../../../src/log";
import { credentialForRef, type CodegenCredential } from "../../codegen-credentials";
import type { CloudRunObservation, CodegenCredentialRef, CodegenFailure, CodegenGateRpc, CodegenLogPage, GateHealth, GateResult, GateStatus } from "../contracts";
import { CodegenGateStore, type WatchedRun } from "./store";
import type { AppEnv } from "../../env";
import { issueSessionStub } from "../stubs";

/** Thrown inside the gate when a call would exceed the budget; turned into `deferred`. */
class BudgetSpent extends Error {
  constructor(readonly retryAt: number) {
    super("Codegen rate budget spent");
  }
}

/**
 * The list and direct reads one watched run may cost per hour of its life, on
 * average (issue 10 allows 60; Codegen allows 7,200 reads an hour per
 * credential). Below 60 because a run earns until the gate has heard it end.
 */
const WATCH_CALLS_PER_RUN_HOUR = 50;

/** The least margin (real ms) our rate windows keep over Codegen's; see #spend. */
const RATE_WINDOW_MIN_MARGIN_MS = 250;

export class CodegenGate extends DurableObject<AppEnv> implements CodegenGateRpc {
  readonly #store: CodegenGateStore;
  readonly #config: EdgeConfig;
  readonly #db: Db;
  readonly #log: Logger;
  readonly #credentials = new Map<string, Promise<CodegenCredential | null>>();
  #alarmRun: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#config = readConfig(env as unknown as Record<string, unknown>);
    this.#store = new CodegenGateStore(ctx.storage);
    this.#db = createDb(env.DB);
    this.#log = createLogger(this.#config.LOG_LEVEL, { component: "CodegenGate" });
  }

  async createRun(ref: CodegenCredentialRef, input: { prompt: string; metadata: Record<string, string>; repoId: number | null }): Promise<GateResult<CloudRunObservation>> {
    const result = await this.#call(ref, "create", async (client) =>
      observe(await client.createRun({ prompt: input.prompt, metadata: input.metadata, ...(input.repoId ? { repoId: input.repoId } : {}) }), Date.now()),
    );
    // Only Codegen being unreachable or failing counts against its health; a refusal (4xx) is about the request.
    if (result.status === "ok") this.#setBreaker(recordSuccess(this.#breaker(), Date.now()));
    if (result.status === "failed" && result.failure.kind === "retryable") this.#setBreaker(recordFailure(this.#breaker(), Date.now()));
    return result;
  }

  /** Whether the cloud looks healthy for this credential: a circuit breaker over recent create failures. */
  async health(): Promise<GateHealth> {
    const breaker = this.#breaker();
    return { available: isAvailable(breaker, Date.now()), state: breaker.state, failures: breaker.failures };
  }

  /** For the control panel: the breaker, the share of each rate window in use now, and how many runs are watched. */
  async status(): Promise<GateStatus> {
    const now = Date.now();
    const limits = codegenLimits(this.#config.CODEGEN_TIME_SCALE);
    const usage = (Object.keys(limits) as CodegenCallKind[]).map((kind) => ({
      kind,
      used: this.#store.callsInWindow(kind, now - limits[kind].windowMs),
      limit: limits[kind].limit,
      windowMs: limits[kind].windowMs,
    }));
    return { ...(await this.health()), usage, watchedRuns: this.#store.watched().length };
  }

  #breaker(): BreakerState {
    const stored = this.#store.getMeta("breaker");
    return stored ? (JSON.parse(stored) as BreakerState) : CLOSED_BREAKER;
  }

  #setBreaker(state: BreakerState): void {
    this.#store.setMeta("breaker", JSON.stringify(state));
  }

  /** Finds a run whose create answer was lost, by the attempt key in its metadata. */
  async findRun(ref: CodegenCredentialRef, input: { attemptKey: string; intentAt: number }): Promise<GateResult<{ run: CloudRunObservation | null; twins: number[] }>> {
    return this.#call(ref, "read", async (client) => {
      const budgeted = { listRuns: (page: Parameters<CodegenClient["listRuns"]>[0]) => this.#spend("read").then(() => client.listRuns(page)) };
      const found = await findRunByAttemptKey(budgeted, { attemptKey: input.attemptKey, intentAt: input.intentAt });
      return { run: found.run ? observe(found.run, Date.now()) : null, twins: found.twins.map((t) => t.id) };
    }, { slotTaken: false });
  }

  async resumeRun(ref: CodegenCredentialRef, input: { runId: number; prompt: string }): Promise<GateResult<CloudRunObservation>> {
    return this.#call(ref, "read", async (client) => observe(await client.resumeRun({ agentRunId: input.runId, prompt: input.prompt }), Date.now()));
  }

  async readLogs(ref: CodegenCredentialRef, input: { runId: number; skip: number }): Promise<GateResult<CodegenLogPage>> {
    return this.#call(ref, "logs", async (client) => {
      const page = await client.getLogs(input.runId, { skip: input.skip, limit: 100 });
      // The run's log starts with the prompt we sent (USER_MESSAGE): not progress, and not worth echoing into Linear.
      const entries = page.logs.filter((log) => log.message_type?.toUpperCase() !== "USER_MESSAGE").map((log) => ({
        at: log.created_at ?? null,
        type: log.message_type ?? null,
        text: [log.thought, log.tool_name ? `${log.tool_name}` : null, log.observation].filter((t): t is string => typeof t === "string" && t.length > 0).join(" · "),
      }));
      return { total: page.total_logs ?? input.skip + entries.length, entries };
    });
  }

  async removeFromPr(ref: CodegenCredentialRef, input: { runId: number }): Promise<GateResult<true>> {
    return this.#call(ref, "read", async (client) => {
      await client.removeFromPr(input.runId);
      return true as const;
    });
  }

  /**
   * Starts watching a run for a session; the session hears of every change
   * through `onCloudRunUpdate`. `expectedEnd` (durations from the run's start
   * within which similar runs ended) times the refreshes around its end; without
   * it the gate uses the runs it saw end.
   */
  async watchRun(ref: CodegenCredentialRef, input: { runId: number; sessionObject: string; runCreatedAt: number | null; expectedEnd?: EndWindow | null }): Promise<void> {
    const now = Date.now();
    const known = this.#store.getRun(input.runId) !== null;
    // Earned by the runs watched until now, before the count changes.
    this.#accrue(now);
    this.#store.watch({ runId: input.runId, sessionObject: input.sessionObject, credential: JSON.stringify(ref), runCreatedAt: input.runCreatedAt }, now);
    if (isEndWindow(input.expectedEnd)) this.#store.setExpectedEnd(input.runId, input.expectedEnd);
    const current = await this.ctx.storage.getAlarm();
    // Sessions re-register their run from a periodic check: that must not pull refreshes forward.
    if (known && current !== null) return;
    const next = this.#decide(now);
    if (next && (current === null || current > next.at)) await this.ctx.storage.setAlarm(next.at);
  }

  async unwatchRun(runId: number): Promise<void> {
    this.#unwatch(runId, Date.now());
  }

  /** The last thing the gate saw of a run (no call to Codegen), for a session's own safety check. */
  async lastObservation(runId: number): Promise<CloudRunObservation | null> {
    const run = this.#store.getRun(runId);
    return run?.snapshot ? (JSON.parse(run.snapshot) as CloudRunObservation) : null;
  }

  override async alarm(): Promise<void> {
    if (this.#alarmRun) return this.#alarmRun;
    this.#alarmRun = this.#refresh()
      .catch((error: unknown) => this.#log.error("refresh failed", { error: describeError(error) }))
      .finally(async () => {
        this.#alarmRun = null;
        const next = this.#decide(Date.now());
        if (next) await this.ctx.storage.setAlarm(next.at).catch(() => undefined);
      });
    return this.#alarmRun;
  }

  #knobs(): PollingKnobs {
    return {
      fastMs: this.#config.CODEGEN_POLL_INITIAL_MS,
      maxMs: this.#config.CODEGEN_POLL_MAX_MS,
      hourMs: 3_600_000 / this.#config.CODEGEN_TIME_SCALE,
      callsPerRunHour: WATCH_CALLS_PER_RUN_HOUR,
    };
  }

  /** When to refresh next: each run's expected end (its session's estimate, else what this gate saw end) and the allowance. */
  #decide(now: number): RefreshDecision | null {
    const watched = this.#store.watched();
    const given = this.#store.expectedEnds();
    const seen = endWindow(this.#store.endedDurations());
    const runs = watched.map((run) => ({ startedAt: run.runCreatedAt ?? run.watchedSince, window: given.get(run.runId) ?? seen }));
    return nextListRefresh({ now, runs, allowance: accrue(this.#store.allowance(), watched.length, now, this.#knobs()) }, this.#knobs());
  }

  /** The allowance brought up to `now` and stored: call before the watched set changes. */
  #accrue(now: number): Allowance {
    const allowance = accrue(this.#store.allowance(), this.#store.watched().length, now, this.#knobs());
    this.#store.setAllowance(allowance);
    return allowance;
  }

  /** One watching call paid. An alarm fires where a decision put it, so it was covered; never below zero if not. */
  #payForWatching(): void {
    this.#store.setAllowance(spend(this.#store.allowance()));
  }

  #unwatch(runId: number, now: number): void {
    this.#accrue(now);
    this.#store.unwatch(runId);
  }

  /** One list call for every watched run, direct reads for runs the list no longer shows, then notifications. */
  async #refresh(): Promise<void> {
    const watched = this.#store.watched();
    if (watched.length === 0) return;
    const ref = JSON.parse(watched[0]!.credential) as CodegenCredentialRef;
    const credential = await this.#credential(ref);
    if (!credential) {
      this.#log.error("codegen credential is no longer configured; runs cannot be watched", { runs: watched.length });
      return;
    }
    const client = this.#client(credential);
    const now = Date.now();
    this.#accrue(now);
    try {
      await this.#spend("read");
      this.#payForWatching();
      const page = await client.listRuns({ sourceType: "API", limit: 100 });
      const byId = new Map(page.items.map((run) => [run.id, run]));
      const missing: WatchedRun[] = [];
      for (const run of watched) {
        const seen = byId.get(run.runId);
        if (seen) this.#record(run, observe(seen, now));
        else if (run.nextDirectCheckAt <= now) missing.push(run);
      }
      for (const run of missing.sort((a, b) => a.nextDirectCheckAt - b.nextDirectCheckAt)) {
        // Direct reads come from the same allowance; what it cannot pay for waits for a later refresh.
        if (!canSpend(this.#store.allowance())) break;
        await this.#spend("read");
        this.#payForWatching();
        this.#record(run, observe(await client.getRun(run.runId), Date.now()));
        const age = Date.now() - (run.runCreatedAt ?? run.watchedSince);
        this.#store.scheduleDirectCheck(run.runId, Date.now() + runPollInterval(age, { initialMs: this.#config.CODEGEN_POLL_INITIAL_MS, maxMs: this.#config.CODEGEN_POLL_MAX_MS }));
      }
    } catch (error) {
      if (!(error instanceof BudgetSpent)) this.#log.warn("codegen refresh failed", { error: describeError(error) });
    }
    await this.#notifyChanges();
  }

  #record(run: WatchedRun, observation: CloudRunObservation): void {
    const fingerprint = `${observation.status ?? ""}|${observation.pullRequests.map((p) => p.url).join(",")}`;
    if (fingerprint === run.fingerprint) return;
    this.#store.recordObservation(run.runId, { fingerprint, snapshot: JSON.stringify(observation), at: observation.observedAt });
    const wasRunning = !run.snapshot || classifyRunStatus((JSON.parse(run.snapshot) as CloudRunObservation).status).phase === "running";
    // Seen ending: how long it took tells when the next runs will probably end.
    if (wasRunning && classifyRunStatus(observation.status).phase !== "running") {
      this.#store.recordEnded(Math.max(0, observation.observedAt - (run.runCreatedAt ?? run.watchedSince)));
    }
  }

  async #notifyChanges(): Promise<void> {
    for (const run of this.#store.watched()) {
      if (!run.fingerprint || !run.snapshot || run.fingerprint === run.notifiedFingerprint) continue;
      const observation = JSON.parse(run.snapshot) as CloudRunObservation;
      try {
        const session = issueSessionStub(this.env, run.sessionObject);
        await session.onCloudRunUpdate(observation);
        this.#store.markNotified(run.runId, run.fingerprint);
        // A finished run needs no more watching once its session has heard.
        if (classifyRunStatus(observation.status).phase !== "running") this.#unwatch(run.runId, Date.now());
      } catch (error) {
        // Stays unnotified: the next refresh tries again.
        this.#log.warn("could not tell a session about its run", { runId: run.runId, error: describeError(error) });
      }
    }
  }

  async #call<T>(
    ref: CodegenCredentialRef,
    kind: CodegenCallKind,
    work: (client: CodegenClient) => Promise<T>,
    options: { slotTaken?: boolean } = {},
  ): Promise<GateResult<T>> {
    const credential = await this.#credential(ref);
    if (!credential) return { status: "unconfigured", message: "no Codegen credentials are configured (set CODEGEN_ORG_ID and CODEGEN_API_TOKEN, or the workspace's own)" };
    try {
      if (options.slotTaken !== false) await this.#spend(kind);
      return { status: "ok", value: await work(this.#client(credential)) };
    } catch (error) {
      if (error instanceof BudgetSpent) return { status: "deferred", retryAt: error.retryAt };
      return { status: "failed", failure: toFailure(error) };
    }
  }

  /**
   * Codegen counts a call when it arrives, we when we send it; under load the
   * two drift apart. A window a tenth longer than Codegen's keeps the difference
   * on our side of the limit, and never less than RATE_WINDOW_MIN_MARGIN_MS
   * longer: the drift is transit and queueing, which do not shrink with a
   * scaled clock (at 60x a minute's window lasts one real second).
   */
  async #spend(kind: CodegenCallKind): Promise<void> {
    const limit = codegenLimits(this.#config.CODEGEN_TIME_SCALE)[kind];
    const windowMs = Math.ceil(limit.windowMs + Math.max(limit.windowMs * 0.1, RATE_WINDOW_MIN_MARGIN_MS));
    const slot = this.#store.takeSlot(kind, { limit: limit.limit, windowMs }, Date.now());
    if (!slot.ok) throw new BudgetSpent(slot.retryAt);
  }

  #credential(ref: CodegenCredentialRef): Promise<CodegenCredential | null> {
    const key = JSON.stringify(ref);
    let credential = this.#credentials.get(key);
    if (!credential) {
      credential = credentialForRef(this.env, this.#db, ref);
      this.#credentials.set(key, credential);
      // A missing credential may be configured later: do not remember the absence.
      credential.then((c) => c ?? this.#credentials.delete(key)).catch(() => this.#credentials.delete(key));
    }
    return credential;
  }

  #client(credential: CodegenCredential): CodegenClient {
    return new CodegenClient({ baseUrl: this.#config.CODEGEN_API_URL, apiToken: credential.apiToken, orgId: credential.orgId });
  }
}

function observe(run: AgentRun, at: number): CloudRunObservation {
  return {
    runId: run.id,
    status: run.status ?? null,
    webUrl: run.web_url ?? null,
    result: run.result ?? null,
    summary: run.summary ?? null,
    pullRequests: (run.github_pull_requests ?? []).filter((p) => typeof p.url === "string").map((p) => ({ url: p.url as string, title: p.title ?? null })),
    observedAt: at,
  };
}

function toFailure(error: unknown): CodegenFailure {
  if (error instanceof CodegenError) {
    return { kind: error.kind, message: error.message, status: error.status ?? null, retryAfterMs: error.retryAfterMs ?? null, outcomeUnknown: error.outcomeUnknown };
  }
  return { kind: "retryable", message: `could not reach Codegen: ${describeError(error)}`, status: null, retryAfterMs: null, outcomeUnknown: true };
}
