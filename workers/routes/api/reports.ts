/**
 * What the work cost and how it went: `GET /api/cost-report` (the contract in
 * DESIGN.md, "The external contract") and `GET /api/stats`. Both read
 * `execution_metrics`, a run attempt per row, the day or period decided by
 * when the run started (UTC); the stats' `parallel` averages read the
 * hybrid-parallel parents that completed in the current period.
 */
import { z } from "zod";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import { effectiveSettings } from "../../../src/domain/workspace-settings";
import { costReportCsv, costReportFileName } from "../../../src/domain/cost-report-csv";
import { COST_REPORT_GROUPINGS, DAY_MS, STATS_PERIODS, costReport, stats, type StatsPeriod } from "../../../src/db/queries/reports";
import { factory } from "../../factory";
import { validate } from "../../validation";

/** A longer range is refused rather than answered with thousands of days. */
export const MAX_REPORT_DAYS = 731;
/** The default range: the last 30 days, today included. */
const DEFAULT_REPORT_DAYS = 30;

/** `YYYY-MM-DD` that names a real day, as its UTC day number. */
export const IsoDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use an ISO date, YYYY-MM-DD")
  .transform((value, ctx) => {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
      ctx.addIssue({ code: "custom", message: `${value} is not a date` });
      return z.NEVER;
    }
    return ms / DAY_MS;
  });

const CostReportQuerySchema = z.object({
  from: IsoDaySchema.optional(),
  to: IsoDaySchema.optional(),
  groupBy: z.enum(COST_REPORT_GROUPINGS).optional(),
  /** `csv`: a download for a spreadsheet, one row per day (or per group with groupBy). */
  format: z.enum(["json", "csv"]).default("json"),
});

const StatsQuerySchema = z.object({
  period: z.enum(Object.keys(STATS_PERIODS) as [StatsPeriod, ...StatsPeriod[]]).default("week"),
  /** The end of the current period (exclusive); now by default. */
  end: z.iso.datetime({ offset: true }).optional(),
});

export const reportRoutes = factory
  .createApp()
  .get("/cost-report", validate("query", CostReportQuerySchema), async (c) => {
    const query = c.req.valid("query");
    const now = Date.now();
    const today = Math.floor(now / DAY_MS);
    const toDay = query.to ?? today;
    const fromDay = query.from ?? toDay - (DEFAULT_REPORT_DAYS - 1);
    if (fromDay > toDay) return c.json({ error: `invalid query: from (${c.req.query("from")}) is after to (${c.req.query("to") ?? "today"})` }, 400);
    if (toDay - fromDay + 1 > MAX_REPORT_DAYS) return c.json({ error: `invalid query: a report covers at most ${MAX_REPORT_DAYS} days` }, 400);
    const { db, workspaceId, config } = c.var;
    // The daily limit the budget ledger enforces: the workspace's own (PUT /api/config), else MAX_COST_PER_DAY_USD.
    const { maxCostPerDayUsd } = effectiveSettings(config, await loadWorkspaceSettings(db, workspaceId));
    const csv = query.format === "csv";
    // A CSV is a table of one grouping: by day unless another is asked for.
    const groupBy = query.groupBy ?? (csv ? "day" : undefined);
    const report = await costReport(db, { workspaceId, fromDay, toDay, groupBy, now, maxCostPerDayUsd: maxCostPerDayUsd ?? undefined });
    if (csv) {
      return c.body(costReportCsv(groupBy!, report.groups ?? []), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${costReportFileName(report.from, report.to)}"`,
        "Cache-Control": "no-store",
      });
    }
    return c.json(report);
  })
  .get("/stats", validate("query", StatsQuerySchema), async (c) => {
    const { period, end } = c.req.valid("query");
    return c.json(await stats(c.var.db, { workspaceId: c.var.workspaceId, period, end: end ? Date.parse(end) : Date.now() }));
  });
