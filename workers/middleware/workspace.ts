import { findWorkspace, listActiveWorkspaces } from "../../src/db/queries/workspaces";
import { factory } from "../factory";

/**
 * Which workspace an /api request acts on: `?workspace=<organizationId>`, or the
 * only one installed. With several and none named, the caller must choose.
 */
export const resolveWorkspace = factory.createMiddleware(async (c, next) => {
  const requested = c.req.query("workspace");
  if (requested) {
    const row = await findWorkspace(c.var.db, requested);
    if (!row) return c.json({ error: `no workspace ${requested} is installed` }, 404);
    c.set("workspaceId", row.id);
    return next();
  }
  const active = await listActiveWorkspaces(c.var.db);
  if (active.length === 0) {
    return c.json({ error: "no Linear workspace is installed yet: open /oauth/linear/authorize to install the app" }, 409);
  }
  if (active.length > 1) {
    const ids = active.map((w) => `${w.id} (${w.name})`).join(", ");
    return c.json({ error: `several workspaces are installed: add ?workspace=<organizationId>, one of ${ids}` }, 400);
  }
  c.set("workspaceId", active[0]!.id);
  await next();
});
