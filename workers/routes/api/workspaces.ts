import { listActiveWorkspaces } from "../../../src/db/queries/workspaces";
import { visibleWorkspaces } from "../../../src/domain/panel/access";
import { factory } from "../../factory";

/** Installed workspaces the caller may see, without their tokens. */
export const workspaceRoutes = factory.createApp().get("/", async (c) => {
  const rows = visibleWorkspaces(c.var.principal, await listActiveWorkspaces(c.var.db));
  return c.json({
    workspaces: rows.map((w) => ({
      id: w.id,
      name: w.name,
      urlKey: w.urlKey,
      appUserId: w.appUserId,
      installedAt: new Date(w.installedAt).toISOString(),
      tokenExpiresAt: new Date(w.tokenExpiresAt).toISOString(),
    })),
  });
});
