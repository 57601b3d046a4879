/**
 * `/live/overview`: the overview's parts as Server-Sent Events. Every couple
 * of seconds it renders the cheap parts again (agents, cloud, Linear, active
 * and recent sessions) and the 7-day figures less often, and sends a part only
 * when its HTML changed: an agent connecting or a task starting shows within
 * seconds, and an idle page costs a few small reads. The stream ends after ten
 * minutes; the browser's EventSource reconnects by itself.
 */
import { streamSSE } from "hono/streaming";
import { describeError } from "../../../src/log";
import { factory } from "../../factory";
import { loadExecutors, loadSessions, loadWeek, type OverviewDeps } from "../overview/data";
import { ActiveSection, ExecutorsSection, RecentSection, WeekSection } from "../overview/sections";

export const OVERVIEW_STREAM = { fastMs: 2_000, slowEvery: 10, heartbeatMs: 15_000, maxMs: 10 * 60_000 };

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
});
