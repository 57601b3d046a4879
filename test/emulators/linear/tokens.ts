/**
 * OAuth grants and the tokens that carry them. A refresh ends its grant
 * ("rotated") and starts a new one, so the old access and refresh tokens both
 * stop working, as with Linear's rotating refresh tokens. Expiry follows the
 * emulator's clock.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { EmulatorClock } from "./clock";

export type GrantActor = "app" | "user";

export interface Grant {
  id: string;
  orgId: string;
  clientId: string;
  actor: GrantActor;
  /** The person an actor=user token acts for (the one who consented); `null` for app tokens. */
  userId: string | null;
  scopes: string[];
  accessToken: string;
  refreshToken: string | null;
  accessExpiresAtMs: number;
  endedAtMs: number | null;
  endReason: "revoked" | "rotated" | "uninstalled" | null;
  source: "authorization_code" | "refresh_token" | "client_credentials" | "installed";
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  actor: GrantActor;
  orgId: string;
  /** The person who consented at the authorize page. */
  userId: string;
  expiresAtMs: number;
  codeChallenge: string | null;
  usedAtMs: number | null;
  /** Grants issued from this code, revoked if the code is replayed. */
  grantIds: string[];
}

const CODE_TTL_MS = 10 * 60 * 1000;
export const CLIENT_CREDENTIALS_TTL_SECONDS = 30 * 24 * 60 * 60;

function token(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("hex")}`;
}

export function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export class TokenStore {
  readonly #clock: EmulatorClock;
  readonly #grants = new Map<string, Grant>();
  readonly #byAccess = new Map<string, Grant>();
  readonly #byRefresh = new Map<string, Grant>();
  readonly #codes = new Map<string, AuthorizationCode>();

  constructor(clock: EmulatorClock) {
    this.#clock = clock;
  }

  issue(fields: {
    orgId: string;
    clientId: string;
    actor: GrantActor;
    userId?: string | null;
    scopes: string[];
    ttlSeconds: number;
    withRefresh: boolean;
    source: Grant["source"];
  }): Grant {
    const grant: Grant = {
      id: randomUUID(),
      orgId: fields.orgId,
      clientId: fields.clientId,
      actor: fields.actor,
      userId: fields.actor === "user" ? (fields.userId ?? null) : null,
      scopes: fields.scopes,
      accessToken: token("lin_oauth_"),
      refreshToken: fields.withRefresh ? token("lin_refresh_") : null,
      accessExpiresAtMs: this.#clock.nowMs() + fields.ttlSeconds * 1000,
      endedAtMs: null,
      endReason: null,
      source: fields.source,
    };
    this.#grants.set(grant.id, grant);
    this.#byAccess.set(grant.accessToken, grant);
    if (grant.refreshToken) this.#byRefresh.set(grant.refreshToken, grant);
    return grant;
  }

  /** The grant behind a usable access token: known, not ended, not expired. */
  authenticate(accessToken: string): Grant | null {
    const grant = this.#byAccess.get(accessToken);
    if (!grant || grant.endedAtMs !== null || grant.accessExpiresAtMs <= this.#clock.nowMs()) return null;
    return grant;
  }

  byRefreshToken(refreshToken: string): Grant | undefined {
    return this.#byRefresh.get(refreshToken);
  }

  /** Any grant carrying this token, access or refresh, active or not. */
  find(tokenValue: string): Grant | undefined {
    return this.#byAccess.get(tokenValue) ?? this.#byRefresh.get(tokenValue);
  }

  end(grant: Grant, reason: NonNullable<Grant["endReason"]>): void {
    if (grant.endedAtMs !== null) return;
    grant.endedAtMs = this.#clock.nowMs();
    grant.endReason = reason;
  }

  endWhere(predicate: (grant: Grant) => boolean, reason: NonNullable<Grant["endReason"]>): number {
    let count = 0;
    for (const grant of this.#grants.values()) {
      if (grant.endedAtMs === null && predicate(grant)) {
        this.end(grant, reason);
        count += 1;
      }
    }
    return count;
  }

  get(id: string): Grant | undefined {
    return this.#grants.get(id);
  }

  createCode(fields: Omit<AuthorizationCode, "code" | "expiresAtMs" | "usedAtMs" | "grantIds">): AuthorizationCode {
    const code: AuthorizationCode = { ...fields, code: randomBytes(24).toString("hex"), expiresAtMs: this.#clock.nowMs() + CODE_TTL_MS, usedAtMs: null, grantIds: [] };
    this.#codes.set(code.code, code);
    return code;
  }

  code(value: string): AuthorizationCode | undefined {
    return this.#codes.get(value);
  }

  reset(): void {
    this.#grants.clear();
    this.#byAccess.clear();
    this.#byRefresh.clear();
    this.#codes.clear();
  }
}
