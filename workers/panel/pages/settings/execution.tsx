/**
 * Settings → Execution: strategy, limits, the cloud price model, the label
 * map, whether local work counts against the budget, and what a cloud run
 * that times out does. Each field shows the value that applies now and where
 * it comes from; the form sends only what changed (`PUT /api/config` merges),
 * so a value that follows the edge's vars keeps following them.
 */
import { EXECUTION_STRATEGIES } from "../../../../src/config";
import { describeSource, type SettingsWithSources, type Sourced } from "../../../../src/domain/panel/settings-view";
import { AGENT_TYPES } from "../../../../src/domain/workspace-settings";
import { AdminForm } from "../../components/admin-form";
import { usd } from "../../components/format";
import type { PanelView } from "../../view";

export function From<T>({ setting, show }: { setting: Sourced<T>; show?: (value: T) => string }) {
  return (
    <small>
      {show ? (
        <>
          Applies now: <strong>{show(setting.value)}</strong>, from{" "}
        </>
      ) : (
        "From "
      )}
      {describeSource(setting.source)}.
    </small>
  );
}

const limit = (value: number | null) => (value === null ? "no limit" : usd(value));

const STRATEGY_HELP: Record<(typeof EXECUTION_STRATEGIES)[number], string> = {
  "local-only": "always a local agent (the task waits for one)",
  "cloud-only": "always Codegen",
  "hybrid-smart": "small and coordinating work locally, large or isolated work in the cloud",
  "hybrid-parallel": "as hybrid-smart, preferring the cloud for work that can run beside other work",
  "cost-optimized": "locally, unless no agent can take it in time",
};

export function ExecutionSection({ view, settings }: { view: PanelView; settings: SettingsWithSources }) {
  return (
    <article id="execution">
      <header>
        <h2>Execution</h2>
        <p class="muted">Applies to the next task, with no redeploy. A repository may override the strategy and limits on its own page.</p>
      </header>
      <AdminForm view={view} api="/api/config" method="PUT" changedOnly submit="Save execution settings" label="Execution settings" id="execution-settings">
        <label for="strategy">
          Strategy
          <select id="strategy" name="strategy">
            {EXECUTION_STRATEGIES.map((strategy) => (
              <option value={strategy} selected={settings.strategy.value === strategy}>
                {strategy} — {STRATEGY_HELP[strategy]}
              </option>
            ))}
          </select>
          <From setting={settings.strategy} />
        </label>
        <div class="grid">
          <label for="maxCostPerTaskUsd">
            Max cost per task (USD)
            <input id="maxCostPerTaskUsd" name="maxCostPerTaskUsd" type="number" min={0} step="0.01" data-type="number" value={settings.maxCostPerTaskUsd.value ?? ""} placeholder="no limit" />
            <From setting={settings.maxCostPerTaskUsd} show={limit} />
          </label>
          <label for="maxCostPerDayUsd">
            Max cost per day (USD)
            <input id="maxCostPerDayUsd" name="maxCostPerDayUsd" type="number" min={0} step="0.01" data-type="number" value={settings.maxCostPerDayUsd.value ?? ""} placeholder="no limit" />
            <From setting={settings.maxCostPerDayUsd} show={limit} />
          </label>
        </div>
        <fieldset>
          <legend>Cloud price model (Codegen reports no cost: runs are priced with this)</legend>
          <div class="grid">
            <label for="perRunUsd">
              Per run (USD)
              <input id="perRunUsd" name="priceModel.perRunUsd" type="number" min={0} step="0.01" data-type="number" data-empty="omit" value={settings.perRunUsd.value} />
              <From setting={settings.perRunUsd} />
            </label>
            <label for="perMinuteUsd">
              Per minute (USD)
              <input id="perMinuteUsd" name="priceModel.perMinuteUsd" type="number" min={0} step="0.001" data-type="number" data-empty="omit" value={settings.perMinuteUsd.value} />
              <From setting={settings.perMinuteUsd} />
            </label>
          </div>
        </fieldset>
        <label for="labelMap">
          Label map (JSON: a Linear label → an agent type, one of {AGENT_TYPES.join(", ")})
          <textarea id="labelMap" name="labelMap" data-type="json" data-empty="omit" rows={4} spellcheck={false}>
            {JSON.stringify(settings.labelMap.value, null, 2)}
          </textarea>
          <From setting={settings.labelMap} />
          <small> Entries are added or changed; the API keeps a label once mapped.</small>
        </label>
        <label for="localCountsAgainstBudget">
          <input id="localCountsAgainstBudget" type="checkbox" role="switch" name="localCountsAgainstBudget" data-type="bool" checked={settings.localCountsAgainstBudget.value} />
          Local runs count against the budget (off for a Claude subscription: their cost is still recorded)
        </label>
        <From setting={settings.localCountsAgainstBudget} />
        <label for="cloudTimeoutAction">
          When a cloud run passes its time limit
          <select id="cloudTimeoutAction" name="cloudTimeoutAction">
            <option value="ask" selected={settings.cloudTimeoutAction.value === "ask"}>
              ask in Linear before starting a competing local run
            </option>
            <option value="fallback" selected={settings.cloudTimeoutAction.value === "fallback"}>
              fall back to a local run at once
            </option>
          </select>
          <From setting={settings.cloudTimeoutAction} />
        </label>
      </AdminForm>
    </article>
  );
}
