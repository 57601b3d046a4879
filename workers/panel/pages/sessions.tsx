/**
 * The panel's sessions section: `/sessions` (the list, filtered and paged) and
 * `/sessions/:agentSessionId` (one session, live while it runs). Both read the
 * D1 mirror through the same queries and presenters as `GET /api/sessions`.
 */
import { listRepositories } from "../../../src/db/queries/repositories";
import { listSessionPage, type SessionListRow } from "../../../src/db/queries/session-history";
import { factory } from "../../factory";
import { encodeKeysetCursor } from "../../keyset-cursor";
import { describeQueryProblems, SessionListQuerySchema, sessionFilter } from "../../session-history/list-query";
import { loadSessionDetail } from "../../session-history/present";
import { LOG_STREAM } from "../../routes/api/sessions";
import { FILTER_FIELDS, SessionsList, type FilterValues } from "./sessions/list";
import { SessionNotFound, SessionPage, SessionStarting, STARTING_RETRIES } from "./sessions/detail";
import { NoWorkspace } from "../components/admin-form";
import { isEndedStatus } from "../../../src/domain/session-status";

const PAGE_SIZE = 50;

export const sessionPages = factory
  .createApp()
  .get("/", async (c) => {
    const view = c.var.panelView;
    if (!view.workspace) return c.render(<NoWorkspace view={view} title="Sessions" />, { title: "Sessions", nav: "sessions" });
    const workspaceId = view.workspace.id;
    const several = view.workspaces.length > 1;
    const raw = c.req.query();
    const filters = Object.fromEntries(FILTER_FIELDS.map((field) => [field, (raw[field] ?? "").trim()])) as unknown as FilterValues;
    // A GET form sends every field, blank ones as "": those are "any", not values to check.
    const given = Object.fromEntries(Object.entries({ ...filters, cursor: raw.cursor ?? "" }).filter(([, value]) => value !== ""));
    const parsed = SessionListQuerySchema.safeParse({ ...given, limit: PAGE_SIZE });
    const repositories = (await listRepositories(c.var.db, workspaceId)).map((r) => r.name).sort((a, b) => a.localeCompare(b));
    let rows: SessionListRow[] = [];
    let nextCursor: string | null = null;
    if (parsed.success) {
      const page = await listSessionPage(c.var.db, sessionFilter(workspaceId, parsed.data));
      rows = page.rows;
      nextCursor = page.next ? encodeKeysetCursor(page.next) : null;
    } else {
      c.status(400);
    }
    return c.render(
      <SessionsList
        filters={filters}
        repositories={repositories}
        problems={parsed.success ? [] : describeQueryProblems(parsed.error)}
        rows={rows}
        nextCursor={nextCursor}
        paged={Boolean(given.cursor)}
        workspaceId={workspaceId}
        several={several}
      />,
      { title: "Sessions", nav: "sessions" },
    );
  })
  .get("/:agentSessionId", async (c) => {
    const view = c.var.panelView;
    if (!view.workspace) return c.render(<NoWorkspace view={view} title="Sessions" />, { title: "Session", nav: "sessions" });
    const workspaceId = view.workspace.id;
    const several = view.workspaces.length > 1;
    const id = c.req.param("agentSessionId");
    const detail = id.length <= 200 ? await loadSessionDetail(c.var.db, workspaceId, id) : null;
    if (!detail) {
      const starting = Number(c.req.query("starting") ?? 0);
      if (Number.isInteger(starting) && starting > 0 && starting <= STARTING_RETRIES) {
        return c.render(<SessionStarting id={id} attempt={starting} />, { title: "Starting", nav: "sessions" });
      }
      c.status(404);
      return c.render(<SessionNotFound workspaceId={workspaceId} several={several} />, { title: "No such session", nav: "sessions" });
    }
    // An ended session's log is followed only for the moments its last entries may still be on their way to D1.
    const endedAt = detail.session.endedAt ? Date.parse(detail.session.endedAt) : null;
    const live = !isEndedStatus(detail.session.status) || endedAt === null || Date.now() - endedAt < 6 * LOG_STREAM.endedQuietMs;
    return c.render(<SessionPage detail={detail} workspaceId={workspaceId} several={several} live={live} />, {
      title: detail.session.issueIdentifier ?? "Session",
      nav: "sessions",
      scripts: ["/assets/session-log.js"],
    });
  });
