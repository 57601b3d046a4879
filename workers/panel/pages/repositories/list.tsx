/** `/repositories`: every repository of the workspace with its routing rules, and a form that adds one. */
import type { RepositoryRow } from "../../../../src/db/queries/repositories";
import { AdminForm, panelHref, ReadOnlyNote } from "../../components/admin-form";
import type { PanelView } from "../../view";
import { RepositoryFields } from "./fields";

function Keys({ label, keys }: { label: string; keys: string[] }) {
  if (keys.length === 0) return null;
  return (
    <div>
      <span class="muted">{label}:</span> {keys.join(", ")}
    </div>
  );
}

export function RoutingRules({ repository }: { repository: RepositoryRow }) {
  const none = !repository.isCatchAll && repository.teamKeys.length + repository.labels.length + repository.projectKeys.length === 0;
  return (
    <>
      {repository.isCatchAll ? <span class="badge ok">catch-all</span> : null}
      <Keys label="teams" keys={repository.teamKeys} />
      <Keys label="labels" keys={repository.labels} />
      <Keys label="projects" keys={repository.projectKeys} />
      {none ? <span class="muted">only issues that name it with [repo={repository.name}]</span> : null}
    </>
  );
}

function RepositoryTable({ view, repositories }: { view: PanelView; repositories: RepositoryRow[] }) {
  if (repositories.length === 0) {
    return (
      <p class="notice">
        No repository yet. Issues are routed to a repository before any agent works on them: add one{view.canChange ? " below" : " (a Linear admin can)"}, with a team key or as
        the catch-all.
      </p>
    );
  }
  return (
    <figure>
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Git URL</th>
            <th scope="col">Base branch</th>
            <th scope="col">Routing rules</th>
            <th scope="col">Codegen repo id</th>
          </tr>
        </thead>
        <tbody>
          {repositories.map((repository) => (
            <tr>
              <td>
                <a href={panelHref(view, `/repositories/${encodeURIComponent(repository.id)}`)}>{repository.name}</a>
              </td>
              <td>{repository.gitUrl ? <code>{repository.gitUrl}</code> : <span class="muted">—</span>}</td>
              <td>
                <code>{repository.baseBranch}</code>
              </td>
              <td>
                <RoutingRules repository={repository} />
              </td>
              <td>{repository.codegenRepoId ?? <span class="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function RepositoryListPage({ view, repositories }: { view: PanelView; repositories: RepositoryRow[] }) {
  return (
    <>
      <h1>Repositories</h1>
      <ReadOnlyNote view={view} />
      <RepositoryTable view={view} repositories={repositories} />
      {view.canChange ? (
        <article>
          <header>
            <h2>Add a repository</h2>
          </header>
          <AdminForm
            view={view}
            api="/api/repositories"
            method="POST"
            then={`go:${panelHref(view, "/repositories/{id}")}`}
            submit="Add repository"
            label="Add a repository"
            id="create-repository"
          >
            <RepositoryFields idPrefix="new" />
          </AdminForm>
        </article>
      ) : null}
    </>
  );
}
