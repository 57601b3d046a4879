import { listActiveWorkspaces } from "../../../src/db/queries/workspaces";
import { factory } from "../../factory";

/** Installed workspaces, without their tokens. */
export const workspaceRoutes = factory.createApp().get("/", async (c) => {
  const rows = await listActiveWorkspaces(c.var.db);
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
