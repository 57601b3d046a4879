/**
 * `GET /api/audit?limit=&before=`: the workspace's audit log, newest first,
 * keyset-paged on (created_at, id) — `nextCursor` goes back as `before`. The
 * admin key also sees the edge's own entries (sign-ins with the key, failed
 * sign-ins), which belong to no workspace. Details never hold a secret: the
 * writers record names, ids and which fields changed, not values.
 */
import { z } from "zod";
import { listAuditPage, type AuditCursor, type AuditRow } from "../../../src/db/queries/audit";
import type { Principal } from "../../../src/domain/panel/access";
import { factory } from "../../factory";
import { validate } from "../../validation";
import { encodeKeysetCursor, KeysetCursorSchema } from "../../keyset-cursor";

export const MAX_AUDIT_PAGE = 200;

export const AuditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
  before: KeysetCursorSchema.optional(),
});

/** Entries of no workspace are the edge's own: only the admin key, which spans every workspace, reads them. */
export const seesEdgeWideAudit = (principal: Principal): boolean => principal.kind === "admin_key";

export function presentAuditEntry(row: AuditRow) {
  return {
    id: row.id,
    at: new Date(row.createdAt).toISOString(),
    actor: row.actor,
    action: row.action,
    details: row.details ?? {},
    /** null for the edge's own entries. */
    workspaceId: row.workspaceId,
  };
}

export const auditRoutes = factory.createApp().get("/", validate("query", AuditQuerySchema), async (c) => {
  const { limit, before } = c.req.valid("query");
  const { rows, next } = await listAuditPage(c.var.db, { workspaceId: c.var.workspaceId, includeEdgeWide: seesEdgeWideAudit(c.var.principal), before, limit });
  return c.json({ entries: rows.map(presentAuditEntry), nextCursor: next ? encodeKeysetCursor(next) : null });
});
