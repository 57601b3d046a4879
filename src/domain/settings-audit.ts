/**
 * What the audit log keeps of a settings change: the new values, except the
 * alert webhook's URL, which is a secret (whoever has a Slack webhook URL may
 * post to the channel) and is recorded only as set or cleared.
 */
import type { WorkspaceSettings } from "./workspace-settings";

export function auditedSettingsChange(change: WorkspaceSettings): Record<string, unknown> {
  if (!change.alerts || change.alerts.webhookUrl === undefined) return { ...change };
  const { webhookUrl, ...alerts } = change.alerts;
  return { ...change, alerts: { ...alerts, webhookUrl: webhookUrl === null ? "cleared" : "set" } };
}
