/**
 * periodCounts (src/db/queries/overview.ts), the overview's "Last 7 days" in one
 * statement: against figures written out by hand from the seeded runs, and
 * against `stats(period: "week").current`, which it stands in for on the page.
 * The week is rolling (it ends mid-day), so both part-days are exercised.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { periodCounts } from "../../src/db/queries/overview";
import { stats } from "../../src/db/queries/reports";
import { env, seededWorkspace } from "./support";

const DAY = 86_400_000;
const END = Date.parse("2026-03-10T15:30:00.000Z");
const FROM = END - 7 * DAY; // 2026-03-03T15:30Z

interface Run {
  workspaceId: string;
  startedAt: number;
  executor: "local" | "cloud";
  outcome: "succeeded" | "failed" | "stopped" | "timed_out" | null;
  costUsd: number;
  durationMs: number | null;
}

async function seed(runs: Run[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO execution_metrics (id, workspace_id, session_id, executor, started_at, ended_at, duration_ms, outcome, cost_usd)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    runs.map((run) =>
      insert.bind(
        `${crypto.randomUUID()}:1:0`,
        run.workspaceId,
        `session-${crypto.randomUUID()}`,
        run.executor,
        run.startedAt,
        run.durationMs === null ? null : run.startedAt + run.durationMs,
        run.durationMs,
        run.outcome,
        run.costUsd,
      ),
    ),
  );
}

describe("periodCounts", () => {
  it("counts a workspace's runs started in [from, to), as the stats count them", async () => {
    const ws = await seededWorkspace("Week");
    const other = await seededWorkspace("Neighbour");
    await seed([
      // Inside: the first instant, both part-days, whole days, the last millisecond.
      { workspaceId: ws, startedAt: FROM, executor: "local", outcome: "succeeded", costUsd: 0.1, durationMs: 60_000 },
      { workspaceId: ws, startedAt: Date.parse("2026-03-03T23:00:00.000Z"), executor: "cloud", outcome: "failed", costUsd: 0.5, durationMs: 120_000 },
      { workspaceId: ws, startedAt: Date.parse("2026-03-06T12:00:00.000Z"), executor: "cloud", outcome: "succeeded", costUsd: 0.75, durationMs: 300_000 },
      { workspaceId: ws, startedAt: Date.parse("2026-03-08T09:00:00.000Z"), executor: "local", outcome: "stopped", costUsd: 0.00004, durationMs: null },
      { workspaceId: ws, startedAt: Date.parse("2026-03-10T01:00:00.000Z"), executor: "local", outcome: "timed_out", costUsd: 0.2, durationMs: 30_000 },
      { workspaceId: ws, startedAt: END - 1, executor: "local", outcome: null, costUsd: 0, durationMs: null },
      // Outside: a millisecond early, the end itself, another workspace.
      { workspaceId: ws, startedAt: FROM - 1, executor: "cloud", outcome: "succeeded", costUsd: 100, durationMs: 1 },
      { workspaceId: ws, startedAt: END, executor: "cloud", outcome: "succeeded", costUsd: 100, durationMs: 1 },
      { workspaceId: other, startedAt: Date.parse("2026-03-06T12:00:00.000Z"), executor: "local", outcome: "succeeded", costUsd: 1000, durationMs: 1 },
    ]);
    const db = createDb(env.DB);

    const counts = await periodCounts(db, ws, FROM, END);

    expect(counts).toEqual({
      tasks: 6,
      succeeded: 2,
      failed: 1,
      successRate: 0.4, // 2 of the 5 runs that have ended: the one still going counts neither way
      executors: { local: { tasks: 4, share: 0.6667 }, cloud: { tasks: 2, share: 0.3333 } },
      costUsd: 1.55, // 0.1 + 0.5 + 0.75 + 0.00004 + 0.2 + 0, to 4 decimals
      costPerTaskUsd: 0.2583, // 1.55004 / 6
      averageDurationMs: 127_500, // (60 + 120 + 300 + 30) s / 4 runs with a duration
    });
    const week = (await stats(db, { workspaceId: ws, period: "week", end: END })).current;
    // The same figures as the stats, but for the success rate: the stats divide by every run, ended or not.
    const { averageDurationMs: _average, successRate: _rate, ...shared } = counts;
    expect(shared).toEqual({
      tasks: week.tasks,
      succeeded: week.succeeded,
      failed: week.failed,
      executors: week.executors,
      costUsd: week.costUsd,
      costPerTaskUsd: week.costPerTaskUsd,
    });
  });

  it("answers zeros and nulls for a period without runs", async () => {
    const ws = await seededWorkspace("Quiet");
    expect(await periodCounts(createDb(env.DB), ws, FROM, END)).toEqual({
      tasks: 0,
      succeeded: 0,
      failed: 0,
      successRate: null,
      executors: { local: { tasks: 0, share: null }, cloud: { tasks: 0, share: null } },
      costUsd: 0,
      costPerTaskUsd: null,
      averageDurationMs: null,
    });
  });
});
