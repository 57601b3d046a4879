/**
 * `/`: the overview. Where work can run (local agents, the cloud, Linear),
 * what is running now, the last 7 days, and the latest results — kept current
 * by `/live/overview` (workers/panel/pages/live.tsx) without a reload. A fresh
 * edge shows the setup checklist instead.
 */
import { factory } from "../../factory";
import { loadExecutors, loadSessions, loadSetup, loadWeek, type OverviewDeps } from "../overview/data";
import { ActiveSection, ExecutorsSection, RecentSection, SetupChecklist, WeekSection } from "../overview/sections";
import { START_WORK_SCRIPT, StartWorkForm } from "../components/start-work";

export const overviewPages = factory.createApp().get("/", async (c) => {
  const view = c.var.panelView;
  if (!view.workspace) {
    const steps = await loadSetup(c.env, c.var.db, view.origin, null);
    return c.render(
      <>
        <h1>Welcome to Cyrus Edge</h1>
        {view.workspaceProblem && view.principal.kind === "linear" ? <p class="notice warn">{view.workspaceProblem}</p> : null}
        <p>This edge has no Linear workspace yet. Four steps and an issue delegated in Linear runs on your agents.</p>
        <SetupChecklist steps={steps} open={true} />
      </>,
      { title: "Set up", nav: "overview" },
    );
  }
  const deps: OverviewDeps = { env: c.env, db: c.var.db, config: c.var.config, workspaceId: view.workspace.id };
  const [steps, executors, sessions, week] = await Promise.all([loadSetup(c.env, c.var.db, view.origin, view.workspace.id), loadExecutors(deps), loadSessions(deps), loadWeek(deps)]);
  const setupDone = steps.every((s) => s.done);
  const live = `/live/overview?workspace=${encodeURIComponent(view.workspace.id)}`;
  return c.render(
    <div data-live-source={live}>
      <hgroup>
        <h1>Overview</h1>
        <p>
          {view.workspace.name} <small class="live-status muted" data-live-status hidden></small>
        </p>
      </hgroup>
      {setupDone ? null : <SetupChecklist steps={steps} open={false} />}
      <section>
        <StartWorkForm />
      </section>
      <section>
        <h2>Where work runs</h2>
        <div data-live="executors">
          <ExecutorsSection data={executors} />
        </div>
      </section>
      <section>
        <h2>Active tasks</h2>
        <div data-live="active">
          <ActiveSection data={sessions} />
        </div>
      </section>
      <section>
        <h2>Last 7 days</h2>
        <div data-live="week">
          <WeekSection data={week} />
        </div>
      </section>
      <section>
        <h2>Recent results</h2>
        <div data-live="recent">
          <RecentSection data={sessions} />
        </div>
        <p>
          <a href="/sessions">All sessions</a>
        </p>
      </section>
    </div>,
    { title: "Overview", nav: "overview", scripts: [START_WORK_SCRIPT] },
  );
});
