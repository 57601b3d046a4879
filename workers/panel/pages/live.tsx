/**
 * `/live/overview`: the overview's parts as Server-Sent Events. Every couple
 * of seconds it renders the cheap parts again (agents, cloud, Linear, active
 * and recent sessions) and the 7-day figures less often, and sends a part only
 * when its HTML changed: an agent connecting or a task starting shows within
 * seconds, and an idle page costs a few small reads. The stream ends after ten
 * minutes; the browser's EventSource reconnects by itself.
 *
 * `/live/sessions/:id/plan`: a hybrid-parallel parent's plan the same way.
 * Each tick reads only when the run's mirror last changed, and draws the plan
 * again when it did (and now and then, for a child's page that reached the
 * mirror after its parent's row). Once the run has ended and gone quiet it
 * sends `event: end` and closes: panel.js then stops, where a plain close
 * would make the EventSource reconnect.
 */
import { streamSSE } from "hono/streaming";
import { describeError } from "../../../src/log";
import { factory } from "../../factory";
import { loadExecutors, loadSessions, loadWeek, type OverviewDeps } from "../overview/data";
import { ActiveSection, ExecutorsSection, RecentSection, WeekSection } from "../overview/sections";
import { parallelRunVersion } from "../../../src/db/queries/parallel-runs";
import { isEndedStatus } from "../../../src/domain/session-status";
import { loadParallelRun } from "../../session-history/present-parallel";
import { PlanBody } from "./sessions/parallel-plan";

export const OVERVIEW_STREAM = { fastMs: 2_000, slowEvery: 10, heartbeatMs: 15_000, maxMs: 10 * 60_000 };

/** The plan's stream: a tick every 2 s (one small read), a redraw at least every 20 s, `end` 10 s after the run ended (the mirror trails). */
export const PLAN_STREAM = { tickMs: 2_000, redrawEvery: 10, endedQuietMs: 10_000, heartbeatMs: 15_000, maxMs: 10 * 60_000 };

export const livePages = factory.createApp().get("/overview", (c) => {
  const workspace = c.var.panelView.workspace;
  if (!workspace) return c.json({ error: "no workspace to watch" }, 404);
  const deps: OverviewDeps = { env: c.env, db: c.var.db, config: c.var.config, workspaceId: workspace.id };
  const log = c.var.log;
  return streamSSE(c, async (stream) => {
    const sent = new Map<string, string>();
    let aborted = false;
    stream.onAbort(() => {
      aborted = true;
    });
    let lastWriteAt = Date.now();
    /** Sends a part when its HTML differs from what this client has; says whether it did. */
    const send = async (event: string, html: string): Promise<boolean> => {
      if (sent.get(event) === html) return false;
      sent.set(event, html);
      await stream.writeSSE({ event, data: html });
      lastWriteAt = Date.now();
      return true;
    };
    const openedAt = Date.now();
    for (let tick = 0; !aborted && Date.now() - openedAt < OVERVIEW_STREAM.maxMs; tick++) {
      try {
        const [executors, sessions] = await Promise.all([loadExecutors(deps), loadSessions(deps)]);
        await send("executors", (<ExecutorsSection data={executors} />).toString());
        await send("active", (<ActiveSection data={sessions} />).toString());
        const recentChanged = await send("recent", (<RecentSection data={sessions} />).toString());
        // A session that ended changes the week's figures: refresh them then, and otherwise now and then.
        if (tick % OVERVIEW_STREAM.slowEvery === 0 || recentChanged) await send("week", (<WeekSection data={await loadWeek(deps)} />).toString());
      } catch (error) {
        log.warn("overview stream could not refresh", { error: describeError(error) });
      }
      if (Date.now() - lastWriteAt >= OVERVIEW_STREAM.heartbeatMs) {
        await stream.write(": heartbeat\n\n");
        lastWriteAt = Date.now();
      }
      await stream.sleep(OVERVIEW_STREAM.fastMs);
    }
  });
})
  .get("/sessions/:id/plan", async (c) => {
    const view = c.var.panelView;
    const id = c.req.param("id");
    if (!view.workspace || id.length > 200) return c.json({ error: "no such parallel run" }, 404);
    const { db, log } = c.var;
    const workspaceId = view.workspace.id;
    const several = view.workspaces.length > 1;
    if (!(await parallelRunVersion(db, workspaceId, id))) return c.json({ error: "no such parallel run" }, 404);
    return streamSSE(c, async (stream) => {
      let aborted = false;
      stream.onAbort(() => {
        aborted = true;
      });
      let sentHtml: string | null = null;
      let drawnVersion: number | null = null;
      let lastWriteAt = Date.now();
      const openedAt = Date.now();
      for (let tick = 0; !aborted && Date.now() - openedAt < PLAN_STREAM.maxMs; tick++) {
        try {
          const version = await parallelRunVersion(db, workspaceId, id);
          if (!version) {
            await stream.writeSSE({ event: "end", data: "gone" });
            return;
          }
          if (version.updatedAt !== drawnVersion || tick % PLAN_STREAM.redrawEvery === 0) {
            const run = await loadParallelRun(db, workspaceId, id);
            drawnVersion = version.updatedAt;
            const html = run ? (<PlanBody run={run} workspaceId={workspaceId} several={several} />).toString() : null;
            if (html !== null && html !== sentHtml) {
              sentHtml = html;
              await stream.writeSSE({ event: "plan", data: html });
              lastWriteAt = Date.now();
            }
          }
          if (isEndedStatus(version.status) && Date.now() - (version.endedAt ?? version.updatedAt) >= PLAN_STREAM.endedQuietMs) {
            await stream.writeSSE({ event: "end", data: version.status });
            return;
          }
        } catch (error) {
          log.warn("plan stream could not refresh", { sessionId: id, error: describeError(error) });
        }
        if (Date.now() - lastWriteAt >= PLAN_STREAM.heartbeatMs) {
          await stream.write(": heartbeat\n\n");
          lastWriteAt = Date.now();
        }
        await stream.sleep(PLAN_STREAM.tickMs);
      }
    });
  });
