/**
 * The workspace's own Codegen credentials, used for its cloud runs instead of
 * the edge's defaults. Write-only: the token is encrypted at rest and never
 * returned; GET says only whether and which credentials are in use.
 */
import { z } from "zod";
import { TokenCipher } from "../../../src/crypto/token-cipher";
import { recordAudit } from "../../../src/db/queries/audit";
import { findWorkspace, storeCodegenCredentials } from "../../../src/db/queries/workspaces";
import { factory } from "../../factory";
import { validate } from "../../validation";

const CredentialsSchema = z.strictObject({
  orgId: z.number().int().positive(),
  apiToken: z.string().trim().min(8).max(500),
});

export const codegenRoutes = factory
  .createApp()
  .get("/credentials", async (c) => {
    const workspace = await findWorkspace(c.var.db, c.var.workspaceId);
    if (workspace?.codegenOrgId && workspace.codegenApiTokenEnc) return c.json({ configured: true, source: "workspace", orgId: workspace.codegenOrgId });
    const defaultOrg = Number(c.env.CODEGEN_ORG_ID);
    if (c.env.CODEGEN_API_TOKEN && Number.isInteger(defaultOrg) && defaultOrg > 0) return c.json({ configured: true, source: "default", orgId: defaultOrg });
    return c.json({ configured: false, source: null, orgId: null });
  })
  .put("/credentials", validate("json", CredentialsSchema), async (c) => {
    const { orgId, apiToken } = c.req.valid("json");
    const { db, workspaceId } = c.var;
    const apiTokenEnc = await new TokenCipher(c.env.ENCRYPTION_KEY).encrypt(apiToken);
    await storeCodegenCredentials(db, workspaceId, { orgId, apiTokenEnc }, Date.now());
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "codegen.credentials_set", details: { orgId } });
    return c.body(null, 204);
  })
  .delete("/credentials", async (c) => {
    const { db, workspaceId } = c.var;
    await storeCodegenCredentials(db, workspaceId, null, Date.now());
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "codegen.credentials_cleared" });
    return c.body(null, 204);
  });
