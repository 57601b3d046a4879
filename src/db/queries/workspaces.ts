import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { workspaces } from "../schema";

export type WorkspaceRow = typeof workspaces.$inferSelect;

export async function findWorkspace(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  return db.select().from(workspaces).where(eq(workspaces.id, id)).get();
}

export async function listActiveWorkspaces(db: Db): Promise<WorkspaceRow[]> {
  return db.select().from(workspaces).where(isNull(workspaces.revokedAt)).all();
}

/** Installs or re-installs a workspace; a re-install clears an earlier revocation and keeps its Codegen credentials. */
export async function upsertWorkspace(db: Db, row: Omit<WorkspaceRow, "revokedAt" | "codegenOrgId" | "codegenApiTokenEnc">): Promise<void> {
  await db
    .insert(workspaces)
    .values({ ...row, revokedAt: null })
    .onConflictDoUpdate({
      target: workspaces.id,
      set: {
        name: row.name,
        urlKey: row.urlKey,
        appUserId: row.appUserId,
        accessTokenEnc: row.accessTokenEnc,
        refreshTokenEnc: row.refreshTokenEnc,
        tokenExpiresAt: row.tokenExpiresAt,
        scope: row.scope,
        installedAt: row.installedAt,
        revokedAt: null,
        updatedAt: row.updatedAt,
      },
    });
}

export async function storeRefreshedTokens(
  db: Db,
  id: string,
  tokens: { accessTokenEnc: string; refreshTokenEnc: string | null; tokenExpiresAt: number; updatedAt: number },
): Promise<void> {
  await db.update(workspaces).set(tokens).where(eq(workspaces.id, id));
}

export async function markWorkspaceRevoked(db: Db, id: string, at: number): Promise<boolean> {
  const rows = await db
    .update(workspaces)
    .set({ revokedAt: at, updatedAt: at })
    .where(and(eq(workspaces.id, id), isNull(workspaces.revokedAt)))
    .returning({ id: workspaces.id });
  return rows.length > 0;
}

export async function storeCodegenCredentials(db: Db, id: string, credentials: { orgId: number; apiTokenEnc: string } | null, at: number): Promise<boolean> {
  const rows = await db
    .update(workspaces)
    .set({ codegenOrgId: credentials?.orgId ?? null, codegenApiTokenEnc: credentials?.apiTokenEnc ?? null, updatedAt: at })
    .where(eq(workspaces.id, id))
    .returning({ id: workspaces.id });
  return rows.length > 0;
}
