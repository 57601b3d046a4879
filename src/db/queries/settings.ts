import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { workspaceSettings } from "../schema";
import { WorkspaceSettingsSchema, type WorkspaceSettings } from "../../domain/workspace-settings";

/** The stored settings; a row that no longer parses (an old shape) reads as none rather than failing every task. */
export async function loadWorkspaceSettings(db: Db, workspaceId: string): Promise<WorkspaceSettings> {
  const row = await db.select().from(workspaceSettings).where(eq(workspaceSettings.workspaceId, workspaceId)).get();
  const parsed = WorkspaceSettingsSchema.safeParse(row?.settings ?? {});
  return parsed.success ? parsed.data : {};
}

export async function saveWorkspaceSettings(db: Db, workspaceId: string, settings: WorkspaceSettings, at: number): Promise<void> {
  await db
    .insert(workspaceSettings)
    .values({ workspaceId, settings, updatedAt: at })
    .onConflictDoUpdate({ target: workspaceSettings.workspaceId, set: { settings, updatedAt: at } });
}
