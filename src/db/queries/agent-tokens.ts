import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { agentTokens } from "../schema";

export type AgentTokenRow = typeof agentTokens.$inferSelect;

export async function insertAgentToken(db: Db, row: Omit<AgentTokenRow, "lastUsedAt" | "revokedAt">): Promise<void> {
  await db.insert(agentTokens).values({ ...row, lastUsedAt: null, revokedAt: null });
}

export async function listAgentTokens(db: Db, workspaceId: string): Promise<AgentTokenRow[]> {
  return db.select().from(agentTokens).where(eq(agentTokens.workspaceId, workspaceId)).orderBy(desc(agentTokens.createdAt)).all();
}

/** The live token with this hash, if any: what /agent/connect authenticates against. */
export async function findLiveAgentTokenByHash(db: Db, tokenHash: string): Promise<AgentTokenRow | undefined> {
  return db.select().from(agentTokens).where(and(eq(agentTokens.tokenHash, tokenHash), isNull(agentTokens.revokedAt))).get();
}

export async function revokeAgentToken(db: Db, workspaceId: string, id: string, at: number): Promise<boolean> {
  const rows = await db
    .update(agentTokens)
    .set({ revokedAt: at })
    .where(and(eq(agentTokens.workspaceId, workspaceId), eq(agentTokens.id, id), isNull(agentTokens.revokedAt)))
    .returning({ id: agentTokens.id });
  return rows.length > 0;
}

export async function touchAgentToken(db: Db, id: string, at: number): Promise<void> {
  await db.update(agentTokens).set({ lastUsedAt: at }).where(eq(agentTokens.id, id));
}
