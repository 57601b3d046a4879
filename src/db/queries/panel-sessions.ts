import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { FailureRecord } from "../../domain/panel/sign-in-throttle";
import type { Db } from "../client";
import { panelSessions, signInFailures } from "../schema";

export type PanelSessionRow = typeof panelSessions.$inferSelect;

/** The longest a panel sign-in lasts (src/domain/panel/access.ts): rows older than this past their expiry are dropped. */
export const PANEL_SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function insertPanelSession(db: Db, row: Omit<PanelSessionRow, "revokedAt">): Promise<void> {
  // Expired sign-ins are useless; dropping them here keeps the table small without a cron.
  await db.delete(panelSessions).where(lt(panelSessions.expiresAt, row.createdAt - PANEL_SESSION_TTL_MS));
  await db.insert(panelSessions).values({ ...row, revokedAt: null });
}

/** A live (not expired, not signed out) panel session by the hash of its cookie token. */
export async function findLivePanelSession(db: Db, id: string, now: number): Promise<PanelSessionRow | undefined> {
  return db
    .select()
    .from(panelSessions)
    .where(and(eq(panelSessions.id, id), isNull(panelSessions.revokedAt), gt(panelSessions.expiresAt, now)))
    .get();
}

export async function revokePanelSession(db: Db, id: string, now: number): Promise<void> {
  await db.update(panelSessions).set({ revokedAt: now }).where(and(eq(panelSessions.id, id), isNull(panelSessions.revokedAt)));
}

export async function readSignInFailures(db: Db, clientKey: string): Promise<FailureRecord | null> {
  const row = await db.select().from(signInFailures).where(eq(signInFailures.clientKey, clientKey)).get();
  return row ? { failures: row.failures, lastFailedAt: row.lastFailedAt, blockedUntil: row.blockedUntil } : null;
}

/**
 * Writes `next` only if the stored record is still `expected` (null: none
 * stored): a compare-and-swap, so two attempts counted at once cannot both
 * read the same count. Says whether it wrote.
 */
export async function swapSignInFailures(db: Db, clientKey: string, expected: FailureRecord | null, next: FailureRecord): Promise<boolean> {
  if (!expected) {
    const inserted = await db.insert(signInFailures).values({ clientKey, ...next }).onConflictDoNothing().returning({ clientKey: signInFailures.clientKey });
    return inserted.length === 1;
  }
  const updated = await db
    .update(signInFailures)
    .set(next)
    .where(
      and(
        eq(signInFailures.clientKey, clientKey),
        eq(signInFailures.failures, expected.failures),
        eq(signInFailures.lastFailedAt, expected.lastFailedAt),
        eq(signInFailures.blockedUntil, expected.blockedUntil),
      ),
    )
    .returning({ clientKey: signInFailures.clientKey });
  return updated.length === 1;
}

export async function clearSignInFailures(db: Db, clientKey: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.clientKey, clientKey));
}
