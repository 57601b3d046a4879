/**
 * The sessions list's query, shared by `GET /api/sessions` and the panel's
 * /sessions page so both accept the same filters and the same keyset cursor:
 * status, executor, repository, a creation-time range (`from`/`to`, a whole
 * UTC day or an instant), a page size and the cursor of the page before.
 */
import { z } from "zod";
import { DAY_MS, EXECUTORS } from "../../src/db/queries/reports";
import type { SessionCursor, SessionFilter } from "../../src/db/queries/session-history";
import { KeysetCursorSchema } from "../keyset-cursor";
import { SESSION_STATUSES } from "../../src/domain/session-status";

export { SESSION_STATUSES };

export const MAX_PAGE = 100;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A date (`YYYY-MM-DD`, a whole UTC day) or an ISO date-time, as [first ms, first ms after]. */
const TimeBoundSchema = z.string().transform((value, ctx) => {
  if (DATE_ONLY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value) return { start: ms, end: ms + DAY_MS };
  } else if (z.iso.datetime({ offset: true }).safeParse(value).success) {
    const ms = Date.parse(value);
    return { start: ms, end: ms + 1 };
  }
  ctx.addIssue({ code: "custom", message: `${value} is neither YYYY-MM-DD nor an ISO date-time` });
  return z.NEVER;
});

export const SessionListQuerySchema = z
  .object({
    status: z.enum(SESSION_STATUSES).optional(),
    executor: z.enum(EXECUTORS).optional(),
    repository: z.string().trim().min(1).max(100).optional(),
    from: TimeBoundSchema.optional(),
    to: TimeBoundSchema.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
    cursor: KeysetCursorSchema.optional(),
  })
  .superRefine((query, ctx) => {
    // An empty range is a mistake worth naming, not a silent empty list.
    if (query.from && query.to && query.from.start >= query.to.end) ctx.addIssue({ code: "custom", path: ["from"], message: "from is after to" });
  });
export type SessionListQuery = z.infer<typeof SessionListQuerySchema>;

/** The query as the D1 read takes it. */
export function sessionFilter(workspaceId: string, query: SessionListQuery): SessionFilter {
  return {
    workspaceId,
    status: query.status,
    executor: query.executor,
    repository: query.repository,
    fromMs: query.from?.start,
    toMs: query.to?.end,
    after: query.cursor,
    limit: query.limit,
  };
}

/** The problems of a query that did not parse, one line each, for a page or an API answer. */
export function describeQueryProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
}
