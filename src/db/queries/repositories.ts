import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "../client";
import { repositories } from "../schema";

export type RepositoryRow = typeof repositories.$inferSelect;

export interface RepositoryFields {
  name: string;
  gitUrl: string | null;
  baseBranch: string;
  teamKeys: string[];
  labels: string[];
  projectKeys: string[];
  isCatchAll: boolean;
  codegenRepoId: number | null;
}

export async function listRepositories(db: Db, workspaceId: string): Promise<RepositoryRow[]> {
  return db.select().from(repositories).where(eq(repositories.workspaceId, workspaceId)).orderBy(asc(repositories.createdAt), asc(repositories.name)).all();
}

export async function findRepository(db: Db, workspaceId: string, id: string): Promise<RepositoryRow | undefined> {
  return db.select().from(repositories).where(and(eq(repositories.workspaceId, workspaceId), eq(repositories.id, id))).get();
}

export async function findRepositoryByName(db: Db, workspaceId: string, name: string): Promise<RepositoryRow | undefined> {
  return db.select().from(repositories).where(and(eq(repositories.workspaceId, workspaceId), eq(repositories.name, name))).get();
}

/** Only one catch-all per workspace: setting it on one repository clears it on the others. */
async function clearOtherCatchAll(db: Db, workspaceId: string, keepId: string): Promise<void> {
  await db
    .update(repositories)
    .set({ isCatchAll: false })
    .where(and(eq(repositories.workspaceId, workspaceId), ne(repositories.id, keepId), eq(repositories.isCatchAll, true)));
}

export async function insertRepository(db: Db, workspaceId: string, fields: RepositoryFields, now: number): Promise<RepositoryRow> {
  const row: RepositoryRow = { id: crypto.randomUUID(), workspaceId, ...fields, createdAt: now, updatedAt: now };
  await db.insert(repositories).values(row);
  if (fields.isCatchAll) await clearOtherCatchAll(db, workspaceId, row.id);
  return row;
}

export async function updateRepository(
  db: Db,
  workspaceId: string,
  id: string,
  changes: Partial<RepositoryFields>,
  now: number,
): Promise<RepositoryRow | undefined> {
  const row = await db
    .update(repositories)
    .set({ ...changes, updatedAt: now })
    .where(and(eq(repositories.workspaceId, workspaceId), eq(repositories.id, id)))
    .returning()
    .get();
  if (row && changes.isCatchAll) await clearOtherCatchAll(db, workspaceId, id);
  return row;
}

export async function deleteRepository(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(repositories)
    .where(and(eq(repositories.workspaceId, workspaceId), eq(repositories.id, id)))
    .returning({ id: repositories.id });
  return rows.length > 0;
}
