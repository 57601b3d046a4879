/**
 * Settings → Alerts: the webhook (Slack-compatible) and the thresholds, a
 * button that sends a test alert through the real alert path, and the recent
 * alerts with what became of each. The stored webhook URL is a secret (whoever
 * has a Slack webhook URL may post to the channel): it is shown as its origin
 * only, and the field sets a new one.
 */
import type { AlertRow } from "../../../../src/db/queries/alerts";
import { maskWebhookUrl, type SettingsWithSources } from "../../../../src/domain/panel/settings-view";
import { AdminButton, AdminForm } from "../../components/admin-form";
import { Ago, Badge, percent } from "../../components/format";
import type { PanelView } from "../../view";
import { From } from "./execution";

function RecentAlerts({ alerts }: { alerts: AlertRow[] }) {
  if (alerts.length === 0) return <p class="muted">No alert has been raised in this workspace.</p>;
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Kind</th>
          <th scope="col">Message</th>
          <th scope="col">Delivery</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr>
            <td>
              <Ago at={alert.createdAt} />
            </td>
            <td>{alert.kind.replace(/_/g, " ")}</td>
            <td>{alert.text}</td>
            <td>
              <Badge value={alert.status === "sent" ? "ok" : alert.status === "failed" ? "failed" : "pending"} label={alert.status.replace(/_/g, " ")} />
              {alert.error ? <div class="muted">{alert.error}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AlertsSection({ view, settings, alerts }: { view: PanelView; settings: SettingsWithSources; alerts: AlertRow[] }) {
  const masked = maskWebhookUrl(settings.webhookUrl.value);
  return (
    <article id="alerts">
      <header>
        <h2>Alerts</h2>
        <p class="muted">Sent as JSON (Slack's incoming-webhook shape) when today's budget is nearly spent, when the success rate falls, and when local work waits with no agent online.</p>
      </header>
      <p>
        Webhook: {masked ? <code>{masked}</code> : <span class="muted">none: alerts are only recorded here</span>}
      </p>
      <AdminForm view={view} api="/api/config" method="PUT" changedOnly submit="Save alert settings" label="Alert settings" id="alert-settings">
        <label for="webhookUrl">
          {masked ? "New webhook URL" : "Webhook URL"}
          <input id="webhookUrl" name="alerts.webhookUrl" type="url" data-empty="omit" value="" autocomplete="off" placeholder={masked ? "leave blank to keep the current one" : "https://hooks.slack.com/services/…"} />
        </label>
        <div class="grid">
          <label for="budgetFraction">
            Budget alert at (share of the daily limit, 0–1)
            <input id="budgetFraction" name="alerts.budgetFraction" type="number" min={0.01} max={1} step="0.01" data-type="number" data-empty="omit" value={settings.budgetFraction.value} />
            <From setting={settings.budgetFraction} show={percent} />
          </label>
          <label for="successRateBelow">
            Success-rate alert below (0–1)
            <input id="successRateBelow" name="alerts.successRateBelow" type="number" min={0} max={1} step="0.01" data-type="number" data-empty="omit" value={settings.successRateBelow.value} />
            <From setting={settings.successRateBelow} show={percent} />
          </label>
        </div>
      </AdminForm>
      {view.canChange ? (
        <div class="actions">
          <AdminButton view={view} api="/api/alerts/test" method="POST" then="show" id="send-test-alert">
            Send a test alert
          </AdminButton>
          {masked ? (
            <AdminButton
              view={view}
              class="secondary outline"
              api="/api/config"
              method="PUT"
              body={{ alerts: { webhookUrl: null } }}
              confirm="Remove the alert webhook? Alerts will only be recorded here."
            >
              Remove the webhook
            </AdminButton>
          ) : null}
          <output data-status hidden></output>
        </div>
      ) : null}
      <h3>Recent alerts</h3>
      <RecentAlerts alerts={alerts} />
    </article>
  );
}
