/**
 * The cost report as CSV (RFC 4180): a header, then one row per group of the
 * report (per day unless grouped otherwise), CRLF line ends. For a
 * spreadsheet, which is where a downloaded report goes: money with 4
 * decimals, and names quoted when they must be.
 */

export type CsvGrouping = "day" | "repository" | "agentType" | "executor";

/** One group of the cost report (`CostReport["groups"]`), as much as the CSV shows. */
export interface CsvGroup {
  key: string | null;
  tasks: number;
  succeeded: number;
  failed: number;
  stopped: number;
  timedOut: number;
  costUsd: number;
  estimatedCostUsd: number;
}

const KEY_COLUMN: Record<CsvGrouping, string> = { day: "date", repository: "repository", agentType: "agent_type", executor: "executor" };
const FIGURE_COLUMNS = ["tasks", "succeeded", "failed", "stopped", "timed_out", "cost_usd", "estimated_cost_usd"];

/**
 * A text cell. Quoted when it holds a comma, a quote or a line break (quotes
 * doubled). A cell that a spreadsheet would take for a formula (=, +, -, @, or
 * a tab or carriage return first) gets a leading apostrophe, so a repository
 * named `=HYPERLINK(…)` stays text (OWASP, "CSV injection").
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const money = (usd: number): string => usd.toFixed(4);

export function costReportCsv(groupBy: CsvGrouping, groups: readonly CsvGroup[]): string {
  const lines = [[KEY_COLUMN[groupBy], ...FIGURE_COLUMNS].join(",")];
  for (const group of groups) {
    lines.push(
      [
        // No repository or agent type: an empty cell, as the report's null.
        group.key === null ? "" : csvText(group.key),
        String(group.tasks),
        String(group.succeeded),
        String(group.failed),
        String(group.stopped),
        String(group.timedOut),
        money(group.costUsd),
        money(group.estimatedCostUsd),
      ].join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The download's file name: `cyrus-cost-report-<from>-to-<to>.csv` (ISO days, nothing to escape). */
export function costReportFileName(from: string, to: string): string {
  return `cyrus-cost-report-${from}-to-${to}.csv`;
}
