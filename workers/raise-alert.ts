/**
 * Raises an alert: recorded in D1 first (once per condition per period), then
 * posted as JSON to the workspace's webhook (Slack-compatible). A failed post is
 * recorded and logged; it never fails the work that raised it. The settings'
 * "send a test alert" goes through here too, so it proves what real alerts do.
 */
import type { Db } from "../src/db/client";
import { claimAlert, finishAlert } from "../src/db/queries/alerts";
import { webhookBody, type Alert } from "../src/domain/alert-rules";
import { describeError, type Logger } from "../src/log";

/** What became of one alert: already raised this period, recorded without a webhook, or the webhook's answer. */
export type AlertOutcome =
  | { status: "duplicate" }
  | { status: "no_webhook" }
  | { status: "sent"; httpStatus: number }
  | { status: "failed"; httpStatus?: number; error: string };

export async function raiseAlert(db: Db, log: Logger, workspaceId: string, webhookUrl: string | null, alert: Alert): Promise<AlertOutcome> {
  const id = await claimAlert(db, workspaceId, alert, Date.now());
  if (!id) return { status: "duplicate" };
  if (!webhookUrl) {
    await finishAlert(db, id, "no_webhook", null);
    log.info("alert recorded (no webhook configured)", { kind: alert.kind, period: alert.periodKey });
    return { status: "no_webhook" };
  }
  try {
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(webhookBody(workspaceId, alert)),
      signal: AbortSignal.timeout(10_000),
    });
    // The body is not ours to keep, but an unread body holds the connection open.
    await response.body?.cancel();
    if (response.ok) {
      await finishAlert(db, id, "sent", null);
      return { status: "sent", httpStatus: response.status };
    }
    const error = `the webhook answered HTTP ${response.status}`;
    await finishAlert(db, id, "failed", error);
    log.warn("alert webhook refused", { kind: alert.kind, status: response.status });
    return { status: "failed", httpStatus: response.status, error };
  } catch (error) {
    await finishAlert(db, id, "failed", describeError(error));
    log.warn("alert webhook failed", { kind: alert.kind, error: describeError(error) });
    return { status: "failed", error: `the webhook could not be reached: ${describeError(error)}` };
  }
}
