/**
 * The workspace's configuration: strategy, limits, price model, label map,
 * whether local work counts against the budget, alert settings, per-repository
 * overrides, and its Codegen credentials (write-only). A change applies to the
 * next task, with no redeploy, and to the tasks waiting for budget (the
 * Workspace looks at its queue again). `POST /api/codegen/test` checks credentials.
 */
import { CodegenClient, CodegenError } from "../../../src/codegen/client";
import { recordAudit } from "../../../src/db/queries/audit";
import { loadWorkspaceSettings, saveWorkspaceSettings } from "../../../src/db/queries/settings";
import { auditedSettingsChange } from "../../../src/domain/settings-audit";
import { effectiveSettings, mergeSettings, WorkspaceSettingsSchema } from "../../../src/domain/workspace-settings";
import { canChangeSettings } from "../../../src/domain/panel/access";
import { maskWebhookUrl } from "../../../src/domain/panel/settings-view";
import { describeError } from "../../../src/log";
import { CodegenCredentialsSchema, resolveCodegenCredential, setCodegenCredentials } from "../../codegen-credentials";
import { factory } from "../../factory";
import { validate } from "../../validation";
import { workspaceStub } from "../../objects/stubs";

const ConfigChangeSchema = WorkspaceSettingsSchema.extend({
  codegen: CodegenCredentialsSchema.nullable().optional(),
});

export const configRoutes = factory
  .createApp()
  .get("/", async (c) => {
    const { db, workspaceId, config } = c.var;
    let stored = await loadWorkspaceSettings(db, workspaceId);
    // The alert webhook's URL is its credential (Slack's carry the secret in the path): only those who may change it see it whole.
    if (!canChangeSettings(c.var.principal) && stored.alerts?.webhookUrl) stored = { ...stored, alerts: { ...stored.alerts, webhookUrl: maskWebhookUrl(stored.alerts.webhookUrl) } };
    const credential = await resolveCodegenCredential(c.env, db, workspaceId);
    return c.json({
      effective: effectiveSettings(config, stored),
      stored,
      repositories: Object.fromEntries(Object.keys(stored.repositories ?? {}).map((name) => [name, effectiveSettings(config, stored, name)])),
      codegen: credential ? { configured: true, source: credential.ref.source, orgId: credential.orgId } : { configured: false, source: null, orgId: null },
    });
  })
  .put("/", validate("json", ConfigChangeSchema), async (c) => {
    const { db, workspaceId, config } = c.var;
    const { codegen, ...change } = c.req.valid("json");
    const merged = mergeSettings(await loadWorkspaceSettings(db, workspaceId), change);
    const now = Date.now();
    await saveWorkspaceSettings(db, workspaceId, merged, now);
    // The same path as PUT /api/codegen/credentials (the CLI's `cyrus codegen setup` sets them here).
    if (codegen !== undefined) await setCodegenCredentials(c.env, db, { workspaceId, actor: c.var.actor, credentials: codegen, at: now });
    await recordAudit(db, {
      workspaceId,
      actor: c.var.actor,
      action: "config.updated",
      // The new values, never a secret: the webhook URL only as set/cleared, the Codegen token not at all.
      details: { fields: Object.keys(change), changes: auditedSettingsChange(change), codegen: codegen === undefined ? "unchanged" : codegen ? "set" : "cleared" },
    });
    // A raised limit may make room for tasks waiting for budget: they start now, in the order they arrived.
    try {
      await workspaceStub(c.env, workspaceId).recheckBudgetWaiters();
    } catch (error) {
      c.var.log.warn("could not ask the workspace to recheck its budget queue", { error: describeError(error) });
    }
    return c.json({ effective: effectiveSettings(config, merged), stored: merged });
  });

export const codegenTestRoutes = factory.createApp().post("/", async (c) => {
  const credential = await resolveCodegenCredential(c.env, c.var.db, c.var.workspaceId);
  if (!credential) return c.json({ ok: false, error: "no Codegen credentials are configured: PUT /api/config with { codegen: { orgId, apiToken } }, or set CODEGEN_ORG_ID and CODEGEN_API_TOKEN" }, 400);
  try {
    const client = new CodegenClient({ baseUrl: c.var.config.CODEGEN_API_URL, apiToken: credential.apiToken, orgId: credential.orgId, timeoutMs: 15_000 });
    const page = await client.listRuns({ limit: 1 });
    return c.json({ ok: true, source: credential.ref.source, orgId: credential.orgId, runsVisible: page.total ?? page.items.length });
  } catch (error) {
    const message = error instanceof CodegenError ? error.message : describeError(error);
    return c.json({ ok: false, source: credential.ref.source, orgId: credential.orgId, error: message }, 400);
  }
});
