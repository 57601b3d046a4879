/**
 * `POST /api/alerts/test`: sends a clearly labelled test message to the
 * workspace's alert webhook through the code real alerts take
 * (workers/alerts.ts), so a team sees what its webhook does with one. It is
 * recorded with the alerts and in the audit log (never the URL: a Slack
 * webhook URL is itself a secret).
 */
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import { recordAudit } from "../../../src/db/queries/audit";
import { testAlert } from "../../../src/domain/alert-rules";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import { raiseAlert } from "../../raise-alert";
import { factory } from "../../factory";

export const alertRoutes = factory.createApp().post("/test", async (c) => {
  const { db, workspaceId, config, log } = c.var;
  const { webhookUrl } = effectiveSettings(config, await loadWorkspaceSettings(db, workspaceId)).alerts;
  if (!webhookUrl) {
    return c.json({ ok: false, error: "no alert webhook is configured: set one in Settings → Alerts, or PUT /api/config with { alerts: { webhookUrl } }" }, 400);
  }
  const now = Date.now();
  const outcome = await raiseAlert(db, log, workspaceId, webhookUrl, testAlert({ at: now, actor: c.var.actor, nonce: crypto.randomUUID() }));
  const ok = outcome.status === "sent";
  const httpStatus = outcome.status === "sent" || outcome.status === "failed" ? outcome.httpStatus : undefined;
  await recordAudit(db, { workspaceId, actor: c.var.actor, action: "alerts.test_sent", details: { ok, ...(httpStatus !== undefined ? { status: httpStatus } : {}) }, at: now });
  if (outcome.status === "sent") {
    return c.json({ ok: true, status: outcome.httpStatus, message: `Test alert delivered: the webhook answered HTTP ${outcome.httpStatus}.` });
  }
  const error = outcome.status === "failed" ? outcome.error : `the test alert was not sent (${outcome.status})`;
  // 502: the edge did its part; the webhook did not take the message.
  return c.json({ ok: false, ...(httpStatus !== undefined ? { status: httpStatus } : {}), error }, 502);
});
