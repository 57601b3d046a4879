/**
 * The workspace's own Codegen credentials, used for its cloud runs instead of
 * the edge's defaults. Write-only: the token is encrypted at rest and never
 * returned; GET says only whether and which credentials are in use.
 */
import { findWorkspace } from "../../../src/db/queries/workspaces";
import { CodegenCredentialsSchema, setCodegenCredentials } from "../../codegen-credentials";
import { factory } from "../../factory";
import { validate } from "../../validation";

export const codegenRoutes = factory
  .createApp()
  .get("/credentials", async (c) => {
    const workspace = await findWorkspace(c.var.db, c.var.workspaceId);
    if (workspace?.codegenOrgId && workspace.codegenApiTokenEnc) return c.json({ configured: true, source: "workspace", orgId: workspace.codegenOrgId });
    const defaultOrg = Number(c.env.CODEGEN_ORG_ID);
    if (c.env.CODEGEN_API_TOKEN && Number.isInteger(defaultOrg) && defaultOrg > 0) return c.json({ configured: true, source: "default", orgId: defaultOrg });
    return c.json({ configured: false, source: null, orgId: null });
  })
  .put("/credentials", validate("json", CodegenCredentialsSchema), async (c) => {
    await setCodegenCredentials(c.env, c.var.db, { workspaceId: c.var.workspaceId, actor: c.var.actor, credentials: c.req.valid("json"), at: Date.now() });
    return c.body(null, 204);
  })
  .delete("/credentials", async (c) => {
    await setCodegenCredentials(c.env, c.var.db, { workspaceId: c.var.workspaceId, actor: c.var.actor, credentials: null, at: Date.now() });
    return c.body(null, 204);
  });
