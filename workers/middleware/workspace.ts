import { getCookie } from "hono/cookie";
import type { Context } from "hono";
import { listActiveWorkspaces, type WorkspaceRow } from "../../src/db/queries/workspaces";
import { chooseWorkspace, type WorkspaceChoice } from "../../src/domain/panel/access";
import { factory, type AppBindings } from "../factory";

/** The panel remembers the admin's last workspace in this cookie; `?workspace=` wins over it. */
export const WORKSPACE_COOKIE = "cyrus_workspace";

/** Which workspace the request acts on, as far as its principal may see (src/domain/panel/access.ts). */
export async function requestWorkspace(c: Context<AppBindings>, installed?: WorkspaceRow[]): Promise<WorkspaceChoice> {
  installed ??= await listActiveWorkspaces(c.var.db);
  const remembered = c.var.panelSession ? getCookie(c, WORKSPACE_COOKIE) : undefined;
  return chooseWorkspace(c.var.principal, installed, c.req.query("workspace") || undefined, remembered);
}

/**
 * For /api routes that act on one workspace: `?workspace=<organizationId>`, or
 * the only one installed (a Linear user's is always their own).
 */
export const resolveWorkspace = factory.createMiddleware(async (c, next) => {
  const choice = await requestWorkspace(c);
  if (!choice.ok) return c.json({ error: choice.error }, choice.status);
  c.set("workspaceId", choice.workspaceId);
  await next();
});
