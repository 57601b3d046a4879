/**
 * The install side of a workspace, for the settings page: whether its tokens
 * can be refreshed (never the tokens), and the workspaces that uninstalled the
 * app, which only a re-install brings back.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../client";
import { workspaces } from "../schema";

export interface WorkspaceInstall {
  id: string;
  name: string;
  installedAt: number;
  updatedAt: number;
  tokenExpiresAt: number;
  hasRefreshToken: boolean;
  revokedAt: number | null;
}

const installColumns = {
  id: workspaces.id,
  name: workspaces.name,
  installedAt: workspaces.installedAt,
  updatedAt: workspaces.updatedAt,
  tokenExpiresAt: workspaces.tokenExpiresAt,
  hasRefreshToken: isNotNull(workspaces.refreshTokenEnc).mapWith(Boolean),
  revokedAt: workspaces.revokedAt,
};

export async function findWorkspaceInstall(db: Db, id: string): Promise<WorkspaceInstall | undefined> {
  return db.select(installColumns).from(workspaces).where(eq(workspaces.id, id)).get();
}

export async function listRevokedInstalls(db: Db): Promise<WorkspaceInstall[]> {
  return db.select(installColumns).from(workspaces).where(and(isNotNull(workspaces.revokedAt))).all();
}
