/**
 * A Linear client for one alarm run, bound to the workspace's current token.
 * The token comes from the Workspace object (the only place that refreshes it);
 * when Linear refuses it, we ask the Workspace for a fresh one once.
 */
import { LinearApi } from "../../../src/linear/linear-api";
import type { AppEnv } from "../../env";
import type { AccessTokenResult } from "../contracts";
import { workspaceStub } from "../stubs";

export type LinearAccess =
  | { ok: true; api: LinearApi; accessToken: string; appUserId: string }
  | { ok: false; reason: Exclude<AccessTokenResult, { ok: true }>["reason"]; message: string };

/** Reuse a token until this long before it expires; the Workspace refreshes it from there. */
const REUSE_MARGIN_MS = 10 * 60 * 1000;

/**
 * Lives as long as the IssueSession instance, so alarm runs do not each ask the
 * Workspace (one object per organization, shared by every issue) for the token.
 * Failures are never cached.
 */
export class LinearAccessProvider {
  #current: Promise<LinearAccess> | null = null;
  #reusableUntil = 0;

  constructor(
    private readonly env: AppEnv,
    private readonly organizationId: string,
    private readonly apiUrl: string,
  ) {}

  get(): Promise<LinearAccess> {
    if (!this.#current || Date.now() >= this.#reusableUntil) {
      this.#current = this.#load((ws) => ws.getLinearAccessToken(this.organizationId));
    }
    return this.#current;
  }

  /** Linear refused the token we used: get a refreshed one (or the one someone else just refreshed). */
  async refresh(rejectedToken: string): Promise<LinearAccess> {
    this.#current = this.#load((ws) => ws.refreshAfterRejection(this.organizationId, rejectedToken));
    return this.#current;
  }

  async #load(call: (ws: DurableObjectStub<import("../workspace/workspace").Workspace>) => Promise<AccessTokenResult>): Promise<LinearAccess> {
    const stub = workspaceStub(this.env, this.organizationId);
    const result = await call(stub);
    if (!result.ok) {
      this.#reusableUntil = 0;
      return { ok: false, reason: result.reason, message: result.message };
    }
    this.#reusableUntil = result.expiresAt - REUSE_MARGIN_MS;
    return {
      ok: true,
      api: new LinearApi({ apiUrl: this.apiUrl, accessToken: result.accessToken }),
      accessToken: result.accessToken,
      appUserId: result.appUserId,
    };
  }
}
