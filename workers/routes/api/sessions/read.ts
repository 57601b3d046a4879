/**
 * The sessions the edge has handled, from the D1 mirror of the IssueSessions:
 * `GET /api/sessions` (filters, newest first, keyset cursor),
 * `GET /api/sessions/:id` (the row, its runs, its timeline and what the
 * timeline says about routing, fallbacks, the result and the cost; for a
 * hybrid-parallel parent its plan, validation and figures as `parallel`, for
 * a child its `parentSessionId` and `parent`) and
 * `GET /api/sessions/:id/logs` (the timeline as JSON, or live as Server-Sent
 * Events). Everything is scoped to the request's workspace: another
 * workspace's session is a 404, as if it did not exist. The query and the
 * presenters live in workers/session-history/, shared with the panel's pages.
 *
 * The mirror trails the IssueSession by a few seconds (its D1 sync coalesces
 * bursts), so a live log is a poll of D1 every second, not a push.
 */
import { z } from "zod";
import {
  findEventPosition,
  findSession,
  listSessionEvents,
  listSessionPage,
  pollSession,
  type EventPosition,
  type TimelineEvent,
} from "../../../../src/db/queries/session-history";
import { describeError, type Logger } from "../../../../src/log";
import type { Db } from "../../../../src/db/client";
import { factory } from "../../../factory";
import { validate } from "../../../validation";
import { encodeKeysetCursor } from "../../../keyset-cursor";
import { SessionListQuerySchema, sessionFilter } from "../../../session-history/list-query";
import { loadSessionDetail, presentEvent, presentSession } from "../../../session-history/present";
import { isEndedStatus } from "../../../../src/domain/session-status";

export { SESSION_STATUSES } from "../../../session-history/list-query";

/** Live log timing. */
export const LOG_STREAM = {
  pollMs: 1_000,
  heartbeatMs: 15_000,
  maxMs: 10 * 60_000,
  /** An ended session's stream closes once nothing new has happened for this long (the mirror trails by ~3 s). */
  endedQuietMs: 10_000,
  batch: 100,
};

const IdParamSchema = z.object({ id: z.string().min(1).max(200) });

/** `?after=<event id>` on the logs: start after that event (the panel passes the last one its page shows). */
const LogsQuerySchema = z.object({ after: z.string().trim().min(1).max(300).optional() });

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function eventFrame(event: TimelineEvent): string {
  // JSON.stringify never emits a raw newline, so `data:` stays one line.
  return `event: session-event\nid: ${event.id}\ndata: ${JSON.stringify(presentEvent(event))}\n\n`;
}

/**
 * The timeline as Server-Sent Events: what exists, then whatever D1 shows
 * each second. Pull-driven, so a slow reader is not flooded and a cancelled
 * one stops the polling. Ends with `event: end` when the session has ended and
 * has been quiet for a while, or after ten minutes; a `: heartbeat` comment
 * goes out every 15 s so proxies keep the connection open.
 */
function logStream(db: Db, workspaceId: string, sessionId: string, start: EventPosition | null, log: Logger): ReadableStream<Uint8Array> {
  const openedAt = Date.now();
  let position = start;
  let lastEventAt: number | null = null;
  let lastHeartbeatAt = openedAt;
  let pollNow = true;
  let done = false;
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, frame: string) => {
    done = true;
    controller.enqueue(encoder.encode(frame));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (!done) {
          if (!pollNow) await sleep(LOG_STREAM.pollMs);
          pollNow = false;
          if (done) return;
          const now = Date.now();
          if (now - openedAt >= LOG_STREAM.maxMs) return finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "time limit" })}\n\n`);
          const poll = await pollSession(db, workspaceId, sessionId, position, LOG_STREAM.batch);
          if (done) return;
          if (!poll.session) return finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "session not found" })}\n\n`);
          let frames = "";
          if (poll.events.length > 0) {
            for (const event of poll.events) frames += eventFrame(event);
            const last = poll.events[poll.events.length - 1]!;
            position = { createdAt: last.createdAt, seq: last.seq, id: last.id };
            lastEventAt = last.createdAt;
            // A full batch means more may be waiting: the next read polls at once.
            pollNow = poll.events.length === LOG_STREAM.batch;
          } else if (isEndedStatus(poll.session.status)) {
            const lastActivity = Math.max(lastEventAt ?? 0, poll.session.endedAt ?? poll.session.updatedAt);
            if (now - lastActivity >= LOG_STREAM.endedQuietMs) {
              return finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "session ended", status: poll.session.status })}\n\n`);
            }
          }
          if (now - lastHeartbeatAt >= LOG_STREAM.heartbeatMs) {
            frames += ": heartbeat\n\n";
            lastHeartbeatAt = now;
          }
          if (frames) return controller.enqueue(encoder.encode(frames));
        }
      } catch (error) {
        // The client reconnects with Last-Event-ID and loses nothing.
        log.error("session log stream failed", { sessionId, error: describeError(error) });
        if (!done) finish(controller, `event: end\ndata: ${JSON.stringify({ reason: "error" })}\n\n`);
      }
    },
    cancel() {
      done = true;
    },
  });
}

export const sessionReadRoutes = factory
  .createApp()
  .get("/", validate("query", SessionListQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const { rows, next } = await listSessionPage(c.var.db, sessionFilter(c.var.workspaceId, query));
    return c.json({
      sessions: rows.map((row) => presentSession(row, { executor: row.ranOn, costUsd: row.costUsd, runs: row.runs })),
      nextCursor: next ? encodeKeysetCursor(next) : null,
    });
  })
  .get("/:id", validate("param", IdParamSchema), async (c) => {
    const detail = await loadSessionDetail(c.var.db, c.var.workspaceId, c.req.valid("param").id);
    if (!detail) return c.json({ error: "no such session" }, 404);
    return c.json(detail);
  })
  /**
   * The timeline: JSON, or with `Accept: text/event-stream` a live stream of
   * `event: session-event` frames (`id:` is the event's id). Both start after
   * the `Last-Event-ID` header (a reconnecting EventSource) when it is sent,
   * else after the `?after=<event id>` query parameter (a page that already
   * shows the timeline up to that event), else at the beginning. An id that is
   * not one of this session's events starts at the beginning.
   */
  .get("/:id/logs", validate("param", IdParamSchema), validate("query", LogsQuerySchema), async (c) => {
    const { db, workspaceId, log } = c.var;
    const { id } = c.req.valid("param");
    const session = await findSession(db, workspaceId, id);
    if (!session) return c.json({ error: "no such session" }, 404);
    // A reconnecting EventSource sends the id of the last event it saw, which is newer than the page's `after`.
    const startAfter = c.req.header("last-event-id")?.trim() || c.req.valid("query").after;
    const start = startAfter ? await findEventPosition(db, workspaceId, id, startAfter) : null;
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      return c.json({ events: (await listSessionEvents(db, workspaceId, id, { after: start })).map(presentEvent) });
    }
    if (start && isEndedStatus(session.status) && Date.now() - (session.endedAt ?? session.updatedAt) >= LOG_STREAM.endedQuietMs) {
      // An ended session with nothing after the client's last event: 204 tells an EventSource not to reconnect again.
      const rest = await listSessionEvents(db, workspaceId, id, { after: start, limit: 1 });
      if (rest.length === 0) return c.body(null, 204);
    }
    return c.body(logStream(db, workspaceId, id, start, log), 200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
  });
