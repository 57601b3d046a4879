import { and, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../client";
import { oauthStates } from "../schema";

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/**
 * What a state was issued for: `install` (the app, actor=app, /oauth/linear/*)
 * or `sign_in` (a person signing in to the panel, actor=user, /login/linear/*).
 */
export type OAuthStatePurpose = "install" | "sign_in";

export async function createOAuthState(
  db: Db,
  input: { state: string; codeVerifier: string; purpose: OAuthStatePurpose; returnTo?: string | null; now: number },
): Promise<void> {
  // Expired states are useless; dropping them here keeps the table small without a cron.
  await db.delete(oauthStates).where(lt(oauthStates.expiresAt, input.now - OAUTH_STATE_TTL_MS));
  await db.insert(oauthStates).values({
    state: input.state,
    codeVerifier: input.codeVerifier,
    purpose: input.purpose,
    returnTo: input.returnTo ?? null,
    createdAt: input.now,
    expiresAt: input.now + OAUTH_STATE_TTL_MS,
  });
}

export type ConsumedState =
  | { ok: true; codeVerifier: string; returnTo: string | null }
  | { ok: false; reason: "unknown" | "reused" | "expired" };

/**
 * Marks a state used and returns its verifier, exactly once: the conditional
 * UPDATE is atomic, so two callbacks racing with one state cannot both win.
 * A state issued for the other purpose is unknown here, and stays unused: an
 * install link cannot finish a sign-in, nor a sign-in an install.
 */
export async function consumeOAuthState(db: Db, state: string, purpose: OAuthStatePurpose, now: number): Promise<ConsumedState> {
  const ours = and(eq(oauthStates.state, state), eq(oauthStates.purpose, purpose));
  const claimed = await db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(and(ours, isNull(oauthStates.usedAt)))
    .returning()
    .get();
  if (claimed) {
    if (claimed.expiresAt < now) return { ok: false, reason: "expired" };
    return { ok: true, codeVerifier: claimed.codeVerifier, returnTo: claimed.returnTo };
  }
  const existing = await db.select().from(oauthStates).where(ours).get();
  return { ok: false, reason: existing ? "reused" : "unknown" };
}
