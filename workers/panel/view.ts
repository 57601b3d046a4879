/**
 * What every panel page knows before it renders: who is signed in, which
 * workspaces they may see, the one shown now (none on a fresh edge), the
 * session's CSRF token for the page's forms and scripts, and whether the
 * settings are theirs to change.
 */
import { setCookie } from "hono/cookie";
import { listActiveWorkspaces } from "../../src/db/queries/workspaces";
import { canChangeSettings, visibleWorkspaces } from "../../src/domain/panel/access";
import { factory } from "../factory";
import { requestWorkspace, WORKSPACE_COOKIE } from "../middleware/workspace";
import type { PanelView } from "./panel-view";

export type { PanelView };

export const loadPanelView = factory.createMiddleware(async (c, next) => {
  const principal = c.var.principal;
  const session = c.var.panelSession!;
  const installed = await listActiveWorkspaces(c.var.db);
  const choice = await requestWorkspace(c, installed);
  const workspace = choice.ok ? (installed.find((w) => w.id === choice.workspaceId) ?? null) : null;
  if (workspace && principal.kind === "admin_key" && c.req.query("workspace") && !c.req.path.startsWith("/live/")) {
    // The admin's choice sticks as they move between pages (a page's own live stream, which names its workspace on every reconnect, never changes it).
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
