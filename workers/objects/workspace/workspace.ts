/**
 * Workspace: one per Linear organization, named by its id. It owns:
 * - the workspace's Linear token: the only place that refreshes it, one refresh
 *   at a time, because refresh tokens rotate and two concurrent refreshes would
 *   lock the workspace out. D1 holds the encrypted tokens; this object is their
 *   single writer;
 * - the local agents' hub (local-agent-hub.ts): their
 *   WebSockets, the queue of local tasks and its leases;
 * - the budget ledger (ledger-store.ts): every run's
 *   worst-case cost is reserved here before it starts, and settled after;
 *   runs refused for lack of room today wait here, first come first, and are
 *   woken when room appears: a settlement or release, a raised limit, or the
 *   next UTC day (the alarm, shared with the hub).
 */
import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../../../src/config";
import { TokenCipher } from "../../../src/crypto/token-cipher";
import { createDb, type Db } from "../../../src/db/client";
import { recordAudit } from "../../../src/db/queries/audit";
import { findWorkspace, markWorkspaceRevoked, storeRefreshedTokens, upsertWorkspace } from "../../../src/db/queries/workspaces";
import { LinearOAuthError, refreshAccessToken } from "../../../src/linear/oauth";
import { createLogger, describeError, type Logger } from "../../../src/log";
import type { AppEnv } from "../../env";
import { nextUtcMidnight, type BudgetLimits } from "../../../src/domain/budget";
import { budgetLimitsFor } from "../../../src/domain/workspace-settings";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import { LedgerStore } from "./ledger-store";
import type { AccessTokenResult, AgentsStatus, BudgetWaiterRef, InstallInput, LocalTaskInput, WorkspaceRpc } from "../contracts";
import { issueSessionStub } from "../stubs";
import { LocalAgentHub } from "./local-agent-hub";

/** A wake that could not reach its session is tried again this much later. */
const BUDGET_WAKE_RETRY_MS = 30_000;

/** Refresh this long before expiry, so a token never expires in the middle of a burst of calls. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class Workspace extends DurableObject<AppEnv> implements WorkspaceRpc {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #cipher: TokenCipher;
  /** The refresh in flight, shared by every caller that needs a token meanwhile. */
  #refreshing: Promise<AccessTokenResult> | null = null;
  /**
   * The decrypted token, kept in memory: every write to the stored tokens goes
   * through this object (install, refresh, revoke), so the copy cannot go stale.
   */
  #cached: Extract<AccessTokenResult, { ok: true }> | null = null;
  readonly #hub: LocalAgentHub;
  readonly #ledger: LedgerStore;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    const config = readConfig(env as unknown as Record<string, unknown>);
    this.#db = createDb(env.DB);
    this.#log = createLogger(config.LOG_LEVEL, { component: "Workspace" });
    this.#cipher = new TokenCipher(env.ENCRYPTION_KEY);
    this.#hub = new LocalAgentHub(ctx, env, config, this.#log);
    this.#ledger = new LedgerStore(ctx.storage);
    // Agents ping every 20 s; this answer costs no wake-up, and its timestamp is the agent's liveness.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** The agent WebSocket, forwarded by the Worker after it checked the token (headers set by the Worker only). */
  override async fetch(request: Request): Promise<Response> {
    const tokenId = request.headers.get("x-cyrus-agent-token-id");
    const workspaceId = request.headers.get("x-cyrus-workspace-id");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || !tokenId || !workspaceId) {
      return new Response("expected an agent WebSocket upgrade", { status: 400 });
    }
    return this.#hub.accept(tokenId, workspaceId);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.#hub.onMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.#hub.onClose(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.#hub.onClose(ws);
  }

  /**
   * Never throws: leases, queue deadlines and resends, then the runs waiting
   * for budget when their wake is due (a new UTC day), then re-armed at the
   * earliest of the two next due times.
   */
  override async alarm(): Promise<void> {
    let next: number | null = Date.now() + 30_000;
    try {
      next = await this.#hub.runDue();
    } catch (error) {
      this.#log.error("hub alarm failed", { error: describeError(error) });
    }
    try {
      const due = this.#ledger.wakeDueAt();
      if (due !== null && due <= Date.now()) await this.#wakeBudgetWaiters();
    } catch (error) {
      this.#log.error("budget wake failed", { error: describeError(error) });
      this.#ledger.setWakeDueAt(Date.now() + BUDGET_WAKE_RETRY_MS);
    } finally {
      const budgetDue = this.#ledger.wakeDueAt();
      const at = next === null ? budgetDue : budgetDue === null ? next : Math.min(next, budgetDue);
      if (at !== null) await this.ctx.storage.setAlarm(at).catch(() => undefined);
    }
  }

  async enqueueLocalTask(input: LocalTaskInput) {
    return this.#hub.enqueueTask(input);
  }

  async localAvailability(repository: string) {
    return this.#hub.availability(repository);
  }

  async sendLocalPrompt(taskId: string, text: string) {
    return this.#hub.sendPrompt(taskId, text);
  }

  async stopLocalTask(taskId: string, graceMs: number) {
    return this.#hub.stopTask(taskId, graceMs);
  }

  /**
   * Reserves a run's worst case against the limits, atomically; the same id
   * again is the same reservation. With `waiter`, a refusal that waiting can
   * cure (`wait: true`) is queued in the same transaction, and the session is
   * told (`resumeAfterBudget`) when its worst case fits.
   */
  async reserveBudget(request: { id: string; amountUsd: number; repository: string | null }, limits: BudgetLimits, waiter?: BudgetWaiterRef) {
    const result = this.#ledger.reserve(request, limits, Date.now(), waiter);
    if (!result.ok && result.wait && waiter) await this.#armAlarmBy(this.#ledger.wakeDueAt());
    return result;
  }

  /** Records what a run cost; what it reserved beyond that is free again, for the runs waiting. */
  async settleBudget(id: string, actualUsd: number): Promise<void> {
    this.#ledger.settle(id, actualUsd, Date.now());
    await this.#wakeBudgetWaitersSafely();
  }

  async releaseBudget(id: string): Promise<void> {
    this.#ledger.release(id, Date.now());
    await this.#wakeBudgetWaitersSafely();
  }

  /** The limits may have changed (`PUT /api/config`): wake the waiting runs that fit now. */
  async recheckBudgetWaiters(): Promise<void> {
    await this.#wakeBudgetWaitersSafely();
  }

  /** A waiting session was stopped: it leaves the queue. */
  async cancelBudgetWait(agentSessionId: string): Promise<void> {
    this.#ledger.dropWaiters(agentSessionId);
  }

  async #wakeBudgetWaitersSafely(): Promise<void> {
    try {
      await this.#wakeBudgetWaiters();
    } catch (error) {
      // The ledger's change stands; the waiters are looked at again shortly.
      this.#log.error("budget wake failed", { error: describeError(error) });
      this.#ledger.setWakeDueAt(Date.now() + BUDGET_WAKE_RETRY_MS);
      await this.#armAlarmBy(Date.now() + BUDGET_WAKE_RETRY_MS);
    }
  }

  /**
   * Tells each waiting session whose worst case fits now, in arrival order, to
   * start again; its own reservation then decides, atomically as ever. A
   * session no longer waiting (stopped, ended) leaves the queue, which frees
   * what it held for the next one, so the queue is looked at again.
   */
  async #wakeBudgetWaiters(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const waiting = this.#ledger.waiters();
      if (waiting.length === 0) {
        this.#ledger.setWakeDueAt(null);
        return;
      }
      const config = readConfig(this.env as unknown as Record<string, unknown>);
      const settings = await loadWorkspaceSettings(this.#db, waiting[0]!.organizationId);
      const now = Date.now();
      const woken = this.#ledger.wake((repository) => budgetLimitsFor(config, settings, repository), now);
      let dropped = false;
      let unreached = false;
      for (const waiter of woken) {
        try {
          const answer = await issueSessionStub(this.env, waiter.sessionObject).resumeAfterBudget(waiter.agentSessionId);
          if (!answer.waiting) dropped = this.#ledger.dropWaiters(waiter.agentSessionId) > 0 || dropped;
        } catch (error) {
          this.#log.warn("could not wake a session waiting for budget", { agentSessionId: waiter.agentSessionId, error: describeError(error) });
          this.#ledger.unwake(waiter.id);
          unreached = true;
        }
      }
      const left = this.#ledger.waiters().length > 0;
      const due = !left ? null : unreached ? now + BUDGET_WAKE_RETRY_MS : nextUtcMidnight(now);
      this.#ledger.setWakeDueAt(due);
      await this.#armAlarmBy(due);
      if (!dropped) return;
    }
  }

  /** Makes sure the alarm fires by `at`, never pushing an earlier one back (the hub shares it). */
  async #armAlarmBy(at: number | null): Promise<void> {
    if (at === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  async budgetStatus(limits: BudgetLimits, repository?: string) {
    return this.#ledger.status(limits, Date.now(), repository);
  }

  async revokeAgentToken(tokenId: string): Promise<number> {
    return this.#hub.revokeToken(tokenId);
  }

  /** For the control panel: every agent with the tasks it holds, and the tasks waiting for one. Cheap: no task specs. */
  async agentsStatus(): Promise<AgentsStatus> {
    const held = new Map<string, number>();
    let queuedTasks = 0;
    for (const task of this.#hub.tasks()) {
      if (task.state === "queued") queuedTasks++;
      else if ((task.state === "assigned" || task.state === "running") && task.agentId) held.set(task.agentId, (held.get(task.agentId) ?? 0) + 1);
    }
    const agents = this.#hub.agents().map(({ connectionId: _connection, tokenId: _token, ...agent }) => ({ ...agent, runningTasks: held.get(agent.agentId) ?? 0 }));
    return { agents, queuedTasks };
  }

  /** Stores (or replaces) the workspace's tokens after an OAuth install. */
  async install(input: InstallInput): Promise<void> {
    const now = Date.now();
    this.#cached = null;
    await upsertWorkspace(this.#db, {
      id: input.organizationId,
      name: input.name,
      urlKey: input.urlKey,
      appUserId: input.appUserId,
      accessTokenEnc: await this.#cipher.encrypt(input.tokens.accessToken),
      refreshTokenEnc: input.tokens.refreshToken ? await this.#cipher.encrypt(input.tokens.refreshToken) : null,
      tokenExpiresAt: input.tokens.expiresAt,
      scope: input.tokens.scope,
      installedAt: now,
      updatedAt: now,
    });
    await recordAudit(this.#db, {
      workspaceId: input.organizationId,
      actor: input.installedBy,
      action: "workspace.installed",
      details: { name: input.name, urlKey: input.urlKey, scope: input.tokens.scope },
      at: now,
    });
    this.#log.info("workspace installed", { organizationId: input.organizationId });
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async getLinearAccessToken(organizationId: string): Promise<AccessTokenResult> {
    const current = this.#cached ?? (await this.#readStoredToken(organizationId));
    if (!current.ok || current.expiresAt - Date.now() > TOKEN_REFRESH_MARGIN_MS) return current;
    return this.#refreshOnce(organizationId, current.accessToken);
  }

  /**
   * Linear refused `rejectedToken`. Refresh unless the token has changed since
   * (another caller already refreshed it), in which case the new one is returned.
   */
  async refreshAfterRejection(organizationId: string, rejectedToken: string): Promise<AccessTokenResult> {
    const current = await this.#readStoredToken(organizationId);
    if (!current.ok || current.accessToken !== rejectedToken) return current;
    return this.#refreshOnce(organizationId, rejectedToken);
  }

  /** Linear told us the app was uninstalled: stop using the workspace's tokens. */
  async revoke(organizationId: string, reason: string): Promise<void> {
    this.#cached = null;
    const changed = await markWorkspaceRevoked(this.#db, organizationId, Date.now());
    if (changed) {
      await recordAudit(this.#db, { workspaceId: organizationId, actor: "linear", action: "workspace.revoked", details: { reason } });
      this.#log.warn("workspace revoked", { organizationId, reason });
    }
  }

  #refreshOnce(organizationId: string, staleToken: string): Promise<AccessTokenResult> {
    this.#refreshing ??= this.#refresh(organizationId, staleToken).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(organizationId: string, staleToken: string): Promise<AccessTokenResult> {
    const config = readConfig(this.env as unknown as Record<string, unknown>);
    if (!this.env.LINEAR_CLIENT_ID || !this.env.LINEAR_CLIENT_SECRET) {
      return { ok: false, reason: "misconfigured", message: "LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET must be set to refresh Linear tokens" };
    }
    const row = await findWorkspace(this.#db, organizationId);
    if (!row) return { ok: false, reason: "not_installed", message: `workspace ${organizationId} is not installed` };
    if (!row.refreshTokenEnc) {
      return { ok: false, reason: "refresh_failed", message: "the Linear token expired and there is no refresh token: reinstall the app" };
    }
    const refreshToken = await this.#cipher.decrypt(row.refreshTokenEnc);
    try {
      const tokens = await refreshAccessToken(
        { apiUrl: config.LINEAR_API_URL, clientId: this.env.LINEAR_CLIENT_ID, clientSecret: this.env.LINEAR_CLIENT_SECRET },
        refreshToken,
      );
      // Stored before anyone uses it: the old refresh token is already dead at Linear.
      await storeRefreshedTokens(this.#db, organizationId, {
        accessTokenEnc: await this.#cipher.encrypt(tokens.accessToken),
        refreshTokenEnc: tokens.refreshToken ? await this.#cipher.encrypt(tokens.refreshToken) : row.refreshTokenEnc,
        tokenExpiresAt: tokens.expiresAt,
        updatedAt: Date.now(),
      });
      this.#log.info("linear token refreshed", { organizationId });
      this.#cached = { ok: true, accessToken: tokens.accessToken, appUserId: row.appUserId, expiresAt: tokens.expiresAt };
      return this.#cached;
    } catch (error) {
      if (error instanceof LinearOAuthError && error.code === "invalid_grant") {
        // Someone stored a newer pair since we read it (a re-install): use that one.
        const latest = await this.#readStoredToken(organizationId);
        if (latest.ok && latest.accessToken !== staleToken) return latest;
      }
      const message = `could not refresh the Linear token: ${describeError(error)}`;
      this.#log.error("linear token refresh failed", { organizationId, error: describeError(error) });
      await recordAudit(this.#db, { workspaceId: organizationId, actor: "edge", action: "workspace.token_refresh_failed", details: { error: describeError(error) } });
      return { ok: false, reason: "refresh_failed", message };
    }
  }

  async #readStoredToken(organizationId: string): Promise<AccessTokenResult> {
    const row = await findWorkspace(this.#db, organizationId);
    if (!row) return { ok: false, reason: "not_installed", message: `workspace ${organizationId} has not installed the app` };
    if (row.revokedAt) return { ok: false, reason: "revoked", message: `workspace ${row.name} uninstalled the app` };
    try {
      const accessToken = await this.#cipher.decrypt(row.accessTokenEnc);
      this.#cached = { ok: true, accessToken, appUserId: row.appUserId, expiresAt: row.tokenExpiresAt };
      return this.#cached;
    } catch (error) {
      return { ok: false, reason: "misconfigured", message: `cannot decrypt the stored token (was ENCRYPTION_KEY changed?): ${describeError(error)}` };
    }
  }
}
