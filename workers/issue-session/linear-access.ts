/**
 * A Linear client for one alarm run, bound to the workspace's current token.
 * The token comes from the Workspace object (the only place that refreshes it);
 * when Linear refuses it, we ask the Workspace for a fresh one once.
 */
import { LinearApi } from "../../src/linear/linear-api";
import type { AppEnv } from "../env";
import type { AccessTokenResult } from "../durable-objects/workspace";

export type LinearAccess =
  | { ok: true; api: LinearApi; accessToken: string; appUserId: string }
  | { ok: false; reason: Exclude<AccessTokenResult, { ok: true }>["reason"]; message: string };

export class LinearAccessProvider {
  #current: Promise<LinearAccess> | null = null;

  constructor(
    private readonly env: AppEnv,
    private readonly organizationId: string,
    private readonly apiUrl: string,
  ) {}

  get(): Promise<LinearAccess> {
    this.#current ??= this.#load((ws) => ws.getLinearAccessToken(this.organizationId));
    return this.#current;
  }

  /** Linear refused the token we used: get a refreshed one (or the one someone else just refreshed). */
  async refresh(rejectedToken: string): Promise<LinearAccess> {
    this.#current = this.#load((ws) => ws.refreshAfterRejection(this.organizationId, rejectedToken));
    return this.#current;
  }

  async #load(call: (ws: DurableObjectStub<import("../durable-objects/workspace").Workspace>) => Promise<AccessTokenResult>): Promise<LinearAccess> {
    const stub = this.env.WORKSPACE.get(this.env.WORKSPACE.idFromName(this.organizationId));
    const result = await call(stub);
    if (!result.ok) return { ok: false, reason: result.reason, message: result.message };
    return {
      ok: true,
      api: new LinearApi({ apiUrl: this.apiUrl, accessToken: result.accessToken }),
      accessToken: result.accessToken,
      appUserId: result.appUserId,
    };
  }
}
