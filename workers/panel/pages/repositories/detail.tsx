/**
 * `/repositories/:id`: the repository's fields and routing rules (edit,
 * delete), its overrides of the workspace's strategy and limits, and its work:
 * sessions still open, what it cost over the last 30 days, and the pull
 * requests of its recent runs.
 */
import { EXECUTION_STRATEGIES } from "../../../../src/config";
import type { RepositoryRow } from "../../../../src/db/queries/repositories";
import type { OpenSessionRow, RecentPullRequest } from "../../../../src/db/queries/repository-activity";
import { describeSource, type RepositorySettingsWithSources, type Sourced } from "../../../../src/domain/panel/settings-view";
import type { WorkspaceSettings } from "../../../../src/domain/workspace-settings";
import { AdminButton, AdminForm, panelHref, ReadOnlyNote } from "../../components/admin-form";
import { Ago, Badge, usd, ExternalLink } from "../../components/format";
import type { PanelView } from "../../view";
import { RepositoryFields } from "./fields";
import { RoutingRules } from "./list";

/** How far back the page looks for open sessions, cost and pull requests. */
export const ACTIVITY_WINDOW_DAYS = 30;

export interface RepositoryDetail {
  repository: RepositoryRow;
  override: NonNullable<WorkspaceSettings["repositories"]>[string] | undefined;
  effective: RepositorySettingsWithSources;
  openSessions: OpenSessionRow[];
  cost: { costUsd: number; tasks: number };
  pullRequests: RecentPullRequest[];
}

function SourceNote<T>({ setting, show }: { setting: Sourced<T>; show: (value: T) => string }) {
  return (
    <small>
      Applies now: <strong>{show(setting.value)}</strong>, from {describeSource(setting.source)}.
    </small>
  );
}

const limit = (value: number | null) => (value === null ? "no limit" : usd(value));

/**
 * The overrides live in the workspace settings under the repository's name
 * (`PUT /api/config` with `{ repositories: { <name>: {...} } }`); the name may
 * hold a '.', which panel.js would read as nesting, so
 * public/assets/repositories.js sends this form. Blank means "as the workspace".
 */
function OverridesForm({ view, detail }: { view: PanelView; detail: RepositoryDetail }) {
  const { override, effective, repository } = detail;
  const fields = (
    <>
      <label for="override-strategy">
        Strategy
        <select id="override-strategy" name="strategy">
          <option value="" selected={override?.strategy === undefined}>
            As the workspace
          </option>
          {EXECUTION_STRATEGIES.map((strategy) => (
            <option value={strategy} selected={override?.strategy === strategy}>
              {strategy}
            </option>
          ))}
        </select>
        <SourceNote setting={effective.strategy} show={String} />
      </label>
      <div class="grid">
        <label for="override-task">
          Max cost per task (USD)
          <input id="override-task" name="maxCostPerTaskUsd" type="number" min={0} step="0.01" value={override?.maxCostPerTaskUsd ?? ""} placeholder="as the workspace" />
          <SourceNote setting={effective.maxCostPerTaskUsd} show={limit} />
        </label>
        <label for="override-day">
          Max cost per day (USD)
          <input id="override-day" name="maxCostPerDayUsd" type="number" min={0} step="0.01" value={override?.maxCostPerDayUsd ?? ""} placeholder="as the workspace" />
          <SourceNote setting={effective.maxCostPerDayUsd} show={limit} />
          <small>A repository's daily limit applies on top of the workspace's.</small>
        </label>
      </div>
    </>
  );
  if (!view.canChange) {
    return (
      <div class="read-only" aria-label="Overrides of the workspace settings">
        <fieldset disabled>{fields}</fieldset>
      </div>
    );
  }
  return (
    <form aria-label="Overrides of the workspace settings" data-override-for={repository.name} method="post" action="">
      {fields}
      <div class="actions">
        <button type="submit">Save overrides</button>
      </div>
      <output data-status hidden></output>
    </form>
  );
}

function OpenSessions({ view, sessions }: { view: PanelView; sessions: OpenSessionRow[] }) {
  if (sessions.length === 0) return <p class="muted">No session of this repository is open (started in the last {ACTIVITY_WINDOW_DAYS} days).</p>;
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">Issue</th>
          <th scope="col">Status</th>
          <th scope="col">Executor</th>
          <th scope="col">Started</th>
          <th scope="col">Last change</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr>
            <td>
              <a href={panelHref(view, `/sessions/${encodeURIComponent(session.id)}`)}>{session.issueIdentifier ?? session.id}</a>{" "}
              {session.issueTitle ? <span class="muted">{session.issueTitle}</span> : null}
            </td>
            <td>
              <Badge value={session.status} />
            </td>
            <td>{session.executor ?? <span class="muted">—</span>}</td>
            <td>
              <Ago at={session.createdAt} />
            </td>
            <td>
              <Ago at={session.updatedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Only http(s) URLs become links: a pull request URL comes from an agent's output. */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

function PullRequests({ view, pulls }: { view: PanelView; pulls: RecentPullRequest[] }) {
  if (pulls.length === 0) return <p class="muted">No pull request from this repository's runs in the last {ACTIVITY_WINDOW_DAYS} days.</p>;
  return (
    <ul>
      {pulls.map((pull) => (
        <li>
          {isWebUrl(pull.url) ? (
            <ExternalLink href={pull.url}>
              {pull.url}
            </ExternalLink>
          ) : (
            <code>{pull.url}</code>
          )}{" "}
          <span class="muted">
            ({pull.executor}, <Ago at={pull.startedAt} />, <a href={panelHref(view, `/sessions/${encodeURIComponent(pull.sessionId)}`)}>session</a>)
          </span>
        </li>
      ))}
    </ul>
  );
}

export function RepositoryDetailPage({ view, detail }: { view: PanelView; detail: RepositoryDetail }) {
  const { repository } = detail;
  return (
    <>
      <nav aria-label="breadcrumb">
        <ul>
          <li>
            <a href={panelHref(view, "/repositories")}>Repositories</a>
          </li>
          <li>{repository.name}</li>
        </ul>
      </nav>
      <h1>{repository.name}</h1>
      <ReadOnlyNote view={view} />
      <section class="figures" aria-label={`The last ${ACTIVITY_WINDOW_DAYS} days`}>
        <div class="figure">
          <span class="value">{usd(detail.cost.costUsd)}</span>
          <span class="label">Cost, last {ACTIVITY_WINDOW_DAYS} days</span>
        </div>
        <div class="figure">
          <span class="value">{String(detail.cost.tasks)}</span>
          <span class="label">Runs, last {ACTIVITY_WINDOW_DAYS} days</span>
        </div>
        <div class="figure">
          <span class="value">{String(detail.openSessions.length)}</span>
          <span class="label">Open sessions</span>
        </div>
      </section>
      <section aria-label="Routing rules">
        <strong>Routing</strong>
        <RoutingRules repository={repository} />
      </section>

      <article>
        <header>
          <h2>Open sessions</h2>
        </header>
        <OpenSessions view={view} sessions={detail.openSessions} />
      </article>

      <article>
        <header>
          <h2>Recent pull requests</h2>
        </header>
        <PullRequests view={view} pulls={detail.pullRequests} />
      </article>

      <article>
        <header>
          <h2>Repository</h2>
        </header>
        <AdminForm
          view={view}
          api={`/api/repositories/${encodeURIComponent(repository.id)}`}
          method="PATCH"
          changedOnly
          submit="Save changes"
          label="Edit the repository"
          id="edit-repository"
        >
          <RepositoryFields repository={repository} idPrefix="edit" />
        </AdminForm>
      </article>

      <article>
        <header>
          <h2>Strategy and limits</h2>
          <p class="muted">This repository's overrides of the workspace settings; blank fields follow the workspace.</p>
        </header>
        <OverridesForm view={view} detail={detail} />
      </article>

      {view.canChange ? (
        <article>
          <header>
            <h2>Delete</h2>
          </header>
          <p>Issues stop being routed here; sessions already running finish. Its overrides of the workspace settings go with it.</p>
          <div class="actions">
            <AdminButton
              view={view}
              class="secondary"
              api={`/api/repositories/${encodeURIComponent(repository.id)}`}
              method="DELETE"
              confirm={`Delete the repository ${repository.name}? Issues will no longer be routed to it.`}
              then={`go:${panelHref(view, "/repositories")}`}
            >
              Delete repository
            </AdminButton>
            <output data-status hidden></output>
          </div>
        </article>
      ) : null}
    </>
  );
}
