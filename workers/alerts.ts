/**
 * Raises an alert: recorded in D1 first (once per condition per period), then
 * posted as JSON to the workspace's webhook (Slack-compatible). A failed post is
 * recorded and logged; it never fails the work that raised it.
 */
import type { Db } from "../src/db/client";
import { claimAlert, finishAlert } from "../src/db/queries/alerts";
import { webhookBody, type Alert } from "../src/domain/alerts";
import { describeError, type Logger } from "../src/log";

export async function raiseAlert(db: Db, log: Logger, workspaceId: string, webhookUrl: string | null, alert: Alert): Promise<void> {
  const id = await claimAlert(db, workspaceId, alert, Date.now());
  if (!id) return;
  if (!webhookUrl) {
    await finishAlert(db, id, "no_webhook", null);
    log.info("alert recorded (no webhook configured)", { kind: alert.kind, period: alert.periodKey });
    return;
  }
  try {
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(webhookBody(workspaceId, alert)),
      signal: AbortSignal.timeout(10_000),
    });
    await finishAlert(db, id, response.ok ? "sent" : "failed", response.ok ? null : `the webhook answered HTTP ${response.status}`);
  } catch (error) {
    await finishAlert(db, id, "failed", describeError(error));
    log.warn("alert webhook failed", { kind: alert.kind, error: describeError(error) });
  }
}
