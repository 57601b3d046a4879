import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { alerts } from "../schema";
import type { Alert } from "../../domain/alert-rules";

export type AlertRow = typeof alerts.$inferSelect;

/** Records the alert unless this condition already alerted in this period; true when it is new. */
export async function claimAlert(db: Db, workspaceId: string, alert: Alert, at: number): Promise<string | null> {
  const id = crypto.randomUUID();
  const rows = await db
    .insert(alerts)
    .values({ id, workspaceId, kind: alert.kind, periodKey: alert.periodKey, text: alert.text, status: "pending", createdAt: at })
    .onConflictDoNothing()
    .returning({ id: alerts.id });
  return rows[0]?.id ?? null;
}

export async function finishAlert(db: Db, id: string, status: "sent" | "failed" | "no_webhook", error: string | null): Promise<void> {
  await db.update(alerts).set({ status, error }).where(eq(alerts.id, id));
}

export async function listAlerts(db: Db, workspaceId: string, limit = 100): Promise<AlertRow[]> {
  return db.select().from(alerts).where(and(eq(alerts.workspaceId, workspaceId))).orderBy(desc(alerts.createdAt)).limit(limit).all();
}
