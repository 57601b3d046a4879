import type { Db } from "../client";
import { auditLog } from "../schema";

export async function recordAudit(
  db: Db,
  entry: { workspaceId: string | null; actor: string; action: string; details?: Record<string, unknown>; at?: number },
): Promise<void> {
  await db.insert(auditLog).values({
    id: crypto.randomUUID(),
    workspaceId: entry.workspaceId,
    actor: entry.actor,
    action: entry.action,
    details: entry.details ?? null,
    createdAt: entry.at ?? Date.now(),
  });
}
