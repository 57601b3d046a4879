import { and, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../client";
import { oauthStates } from "../schema";

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

export async function createOAuthState(db: Db, input: { state: string; codeVerifier: string; now: number }): Promise<void> {
  // Expired states are useless; dropping them here keeps the table small without a cron.
  await db.delete(oauthStates).where(lt(oauthStates.expiresAt, input.now - OAUTH_STATE_TTL_MS));
  await db.insert(oauthStates).values({
    state: input.state,
    codeVerifier: input.codeVerifier,
    createdAt: input.now,
    expiresAt: input.now + OAUTH_STATE_TTL_MS,
  });
}

export type ConsumedState = { ok: true; codeVerifier: string } | { ok: false; reason: "unknown" | "reused" | "expired" };

/**
 * Marks a state used and returns its verifier, exactly once: the conditional
 * UPDATE is atomic, so two callbacks racing with one state cannot both win.
 */
export async function consumeOAuthState(db: Db, state: string, now: number): Promise<ConsumedState> {
  const claimed = await db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(and(eq(oauthStates.state, state), isNull(oauthStates.usedAt)))
    .returning()
    .get();
  if (claimed) {
    if (claimed.expiresAt < now) return { ok: false, reason: "expired" };
    return { ok: true, codeVerifier: claimed.codeVerifier };
  }
  const existing = await db.select().from(oauthStates).where(eq(oauthStates.state, state)).get();
  return { ok: false, reason: existing ? "reused" : "unknown" };
}
