import { and, desc, eq, gt, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { auditLog } from "../schema";

export type AuditRow = typeof auditLog.$inferSelect;

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

export interface AuditCursor {
  createdAt: number;
  id: string;
}

export interface AuditPageQuery {
  workspaceId: string;
  /** Also the edge's own entries (workspace_id NULL: admin-key sign-ins, failed sign-ins), for the admin key only. */
  includeEdgeWide: boolean;
  before?: AuditCursor;
  limit: number;
}

/**
 * One scope's entries older than the cursor (exported for the test that
 * checks its query plan), newest first. `workspace_id = ?`
 * (or `IS NULL`) plus the range on created_at is one ordered walk of
 * audit_log_workspace_created; only ties within a millisecond sort by id.
 */
export function scopePage(db: Db, scope: SQL | undefined, before: AuditCursor | undefined, limit: number) {
  const older = before ? or(lt(auditLog.createdAt, before.createdAt), and(eq(auditLog.createdAt, before.createdAt), lt(auditLog.id, before.id))) : undefined;
  return db
    .select()
    .from(auditLog)
    .where(and(scope, older))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit);
}

const newestFirst = (a: AuditRow, b: AuditRow) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The audit log newest first, keyset-paged on (created_at, id). With the
 * edge-wide entries, the two scopes are read as two index walks (an OR of them
 * would not walk one index in order) and merged; one more row than asked is
 * read, so the caller knows whether a next page exists.
 */
export async function listAuditPage(db: Db, query: AuditPageQuery): Promise<{ rows: AuditRow[]; next: AuditCursor | null }> {
  const take = query.limit + 1;
  const workspaceRows = scopePage(db, eq(auditLog.workspaceId, query.workspaceId), query.before, take);
  const rows = query.includeEdgeWide
    ? (await db.batch([workspaceRows, scopePage(db, isNull(auditLog.workspaceId), query.before, take)])).flat().sort(newestFirst).slice(0, take)
    : await workspaceRows.all();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > query.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/**
 * When the edge last failed to refresh the workspace's Linear token, if that
 * was after `since` (when the tokens were last stored): a walk of
 * audit_log_workspace_created over that range only.
 */
export async function lastTokenRefreshFailure(db: Db, workspaceId: string, since: number): Promise<number | null> {
  const row = await db
    .select({ at: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, workspaceId), gt(auditLog.createdAt, since), eq(auditLog.action, "workspace.token_refresh_failed")))
    .orderBy(desc(auditLog.createdAt))
    .limit(1)
    .get();
  return row?.at ?? null;
}
