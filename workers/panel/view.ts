/**
 * What every panel page knows before it renders: who is signed in, which
 * workspaces they may see, the one shown now (none on a fresh edge), the
 * session's CSRF token for the page's forms and scripts, and whether the
 * settings are theirs to change.
 */
import { setCookie } from "hono/cookie";
import { listActiveWorkspaces, type WorkspaceRow } from "../../src/db/queries/workspaces";
import { canChangeSettings, visibleWorkspaces, type Principal } from "../../src/domain/panel/access";
import { factory } from "../factory";
import { requestWorkspace, WORKSPACE_COOKIE } from "../middleware/workspace";

export interface PanelView {
  principal: Principal;
  workspaces: Pick<WorkspaceRow, "id" | "name" | "urlKey">[];
  /** The workspace shown; null when none is installed (or the user's organization has not installed the app). */
  workspace: Pick<WorkspaceRow, "id" | "name" | "urlKey" | "installedAt" | "tokenExpiresAt" | "appUserId"> | null;
  /** Why there is no workspace, for the page to say. */
  workspaceProblem: string | null;
  csrfToken: string;
  canChange: boolean;
  /** The origin users and Linear reach this edge at. */
  origin: string;
}

export const loadPanelView = factory.createMiddleware(async (c, next) => {
  const principal = c.var.principal;
  const session = c.var.panelSession!;
  const installed = await listActiveWorkspaces(c.var.db);
  const choice = await requestWorkspace(c, installed);
  const workspace = choice.ok ? (installed.find((w) => w.id === choice.workspaceId) ?? null) : null;
  if (workspace && principal.kind === "admin_key" && c.req.query("workspace")) {
    // The admin's choice sticks as they move between pages.
    setCookie(c, WORKSPACE_COOKIE, workspace.id, { httpOnly: true, sameSite: "Strict", path: "/", secure: new URL(c.req.url).protocol === "https:" });
  }
  c.set("panelView", {
    principal,
    workspaces: visibleWorkspaces(principal, installed).map(({ id, name, urlKey }) => ({ id, name, urlKey })),
    workspace,
    workspaceProblem: choice.ok ? null : choice.error,
    csrfToken: session.csrfToken,
    canChange: canChangeSettings(principal),
    origin: c.var.config.PUBLIC_URL ?? new URL(c.req.url).origin,
  });
  await next();
});
