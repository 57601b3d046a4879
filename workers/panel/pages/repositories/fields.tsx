/**
 * The fields of a repository (every field of the API's RepositoryBodySchema,
 * workers/routes/api/repositories.ts), for the create and the edit form. Lists
 * are comma-separated; panel.js sends them as JSON arrays (data-type="list").
 */
import type { RepositoryRow } from "../../../../src/db/queries/repositories";

export function RepositoryFields({ repository, idPrefix }: { repository?: RepositoryRow; idPrefix: string }) {
  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <>
      <div class="grid">
        <label for={id("name")}>
          Name
          <input id={id("name")} name="name" required maxlength={100} pattern="[A-Za-z0-9._\-]+" value={repository?.name ?? ""} placeholder="web" />
          <small>
            What agents are told with <code>--repo name=path</code>, and what <code>[repo=name]</code> in an issue picks. Letters, digits, '.', '_' or '-'.
          </small>
        </label>
        <label for={id("gitUrl")}>
          Git URL
          <input id={id("gitUrl")} name="gitUrl" maxlength={500} value={repository?.gitUrl ?? ""} placeholder="https://github.com/acme/web.git" />
        </label>
        <label for={id("baseBranch")}>
          Base branch
          <input id={id("baseBranch")} name="baseBranch" data-empty="omit" maxlength={200} value={repository?.baseBranch ?? ""} placeholder="main" />
        </label>
      </div>
      <fieldset>
        <legend>Routing rules</legend>
        <small class="muted">An issue goes to the first match of: [repo=name] in its description, a label, its project, its team, the catch-all.</small>
        <div class="grid">
          <label for={id("teamKeys")}>
            Team keys
            <input id={id("teamKeys")} name="teamKeys" data-type="list" value={repository?.teamKeys.join(", ") ?? ""} placeholder="ENG, WEB" />
          </label>
          <label for={id("labels")}>
            Labels
            <input id={id("labels")} name="labels" data-type="list" value={repository?.labels.join(", ") ?? ""} placeholder="frontend" />
          </label>
          <label for={id("projectKeys")}>
            Projects
            <input id={id("projectKeys")} name="projectKeys" data-type="list" value={repository?.projectKeys.join(", ") ?? ""} placeholder="Checkout revamp" />
          </label>
        </div>
        <label for={id("isCatchAll")}>
          <input id={id("isCatchAll")} type="checkbox" role="switch" name="isCatchAll" data-type="bool" checked={repository?.isCatchAll ?? false} />
          Catch-all: receives every issue no other rule matches (only one repository can be)
        </label>
      </fieldset>
      <label for={id("codegenRepoId")}>
        Codegen repo id
        <input id={id("codegenRepoId")} name="codegenRepoId" type="number" min={1} step={1} data-type="number" value={repository?.codegenRepoId ?? ""} />
        <small>The repository's id at Codegen, for cloud runs. Blank: Codegen's default repository for the organization.</small>
      </label>
    </>
  );
}
