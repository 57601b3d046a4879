/**
 * The repositories pages: `/repositories` (the list and a form that adds one)
 * and `/repositories/:id` (edit, delete, the repository's overrides of the
 * workspace settings, and its open sessions, cost and pull requests). Every
 * change goes through the JSON API (public/assets/panel.js); a Linear member
 * sees everything read-only.
 */
import { DAY_MS, costReport } from "../../../src/db/queries/reports";
import { findRepository, listRepositories } from "../../../src/db/queries/repositories";
import { openSessionsOfRepository, recentPullRequestsOfRepository } from "../../../src/db/queries/repository-activity";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import { repositorySettingsWithSources } from "../../../src/domain/panel/settings-view";
import { factory } from "../../factory";
import { NoWorkspace } from "../components/admin-form";
import { ACTIVITY_WINDOW_DAYS, RepositoryDetailPage } from "./repositories/detail";
import { RepositoryListPage } from "./repositories/list";

const SCRIPTS = ["/assets/changed-fields.js", "/assets/repositories.js"];
/** At most this many open sessions, and pull requests of this many runs, on one page. */
const OPEN_SESSIONS_SHOWN = 50;
const PULL_REQUEST_RUNS_SHOWN = 20;

export const repositoryPages = factory
  .createApp()
  .get("/", async (c) => {
    const view = c.var.panelView;
    if (!view.workspace) return c.render(<><h1>Repositories</h1><NoWorkspace view={view} /></>, { title: "Repositories", nav: "repositories" });
    const repositories = await listRepositories(c.var.db, view.workspace.id);
    return c.render(<RepositoryListPage view={view} repositories={repositories} />, { title: "Repositories", nav: "repositories", scripts: SCRIPTS });
  })
  .get("/:id", async (c) => {
    const view = c.var.panelView;
    if (!view.workspace) return c.render(<><h1>Repository</h1><NoWorkspace view={view} /></>, { title: "Repository", nav: "repositories" });
    const { db, config } = c.var;
    const workspaceId = view.workspace.id;
    const repository = await findRepository(db, workspaceId, c.req.param("id"));
    if (!repository) {
      c.status(404);
      return c.render(
        <>
          <h1>No such repository</h1>
          <p>
            This workspace has no repository with that id (it may have been deleted). <a href="/repositories">All repositories</a>.
          </p>
        </>,
        { title: "No such repository", nav: "repositories" },
      );
    }
    const now = Date.now();
    const today = Math.floor(now / DAY_MS);
    const sinceMs = now - ACTIVITY_WINDOW_DAYS * DAY_MS;
    const [stored, openSessions, pullRequests, report] = await Promise.all([
      loadWorkspaceSettings(db, workspaceId),
      openSessionsOfRepository(db, { workspaceId, repositoryId: repository.id, repositoryName: repository.name, sinceMs, limit: OPEN_SESSIONS_SHOWN }),
      recentPullRequestsOfRepository(db, { workspaceId, repositoryName: repository.name, sinceMs, limit: PULL_REQUEST_RUNS_SHOWN }),
      // The cost report's daily rollup, by repository: the same figure as the analytics page's.
      costReport(db, { workspaceId, fromDay: today - (ACTIVITY_WINDOW_DAYS - 1), toDay: today, now }),
    ]);
    const cost = report.byRepository.find((row) => row.repository === repository.name) ?? { costUsd: 0, tasks: 0 };
    const detail = {
      repository,
      override: stored.repositories?.[repository.name],
      effective: repositorySettingsWithSources(config, stored, repository.name),
      openSessions,
      cost: { costUsd: cost.costUsd, tasks: cost.tasks },
      pullRequests,
    };
    return c.render(<RepositoryDetailPage view={view} detail={detail} />, { title: repository.name, nav: "repositories", scripts: SCRIPTS });
  });
