import { describe, expect, it } from "vitest";
import { binDurations } from "../../../../src/domain/duration-bins";
import { analyticsChartData, analyticsPeriod, choosePeriodDays, REPOSITORY_CHART_LIMIT, scriptSafeJson, type AnalyticsReport } from "../../../../src/domain/panel/analytics";

const DAY = 86_400_000;

describe("choosePeriodDays", () => {
  it.each<[string | undefined, number, boolean]>([
    [undefined, 30, false],
    ["", 30, false],
    ["7", 7, false],
    ["30", 30, false],
    ["90", 90, false],
    ["14", 30, true],
    ["7.0", 30, true],
    ["-7", 30, true],
    ["abc", 30, true],
  ])("?days=%j shows %i days (a problem said: %s)", (raw, days, problem) => {
    const choice = choosePeriodDays(raw);
    expect(choice.days).toBe(days);
    expect(choice.problem !== null).toBe(problem);
    if (problem) expect(choice.problem).toContain("choose 7, 30 or 90");
  });
});

describe("analyticsPeriod", () => {
  it.each<[number, string, string, string]>([
    // days, now, first day, last day
    [7, "2026-03-10T12:00:00.000Z", "2026-03-04", "2026-03-10"],
    [7, "2026-03-10T00:00:00.000Z", "2026-03-04", "2026-03-10"],
    [7, "2026-03-10T23:59:59.999Z", "2026-03-04", "2026-03-10"],
    [30, "2026-03-10T12:00:00.000Z", "2026-02-09", "2026-03-10"],
    [90, "2026-01-01T08:00:00.000Z", "2025-10-04", "2026-01-01"],
  ])("the last %i days at %s run from %s to %s, whole UTC days", (days, now, from, to) => {
    const period = analyticsPeriod(days as 7 | 30 | 90, Date.parse(now));
    expect(period).toMatchObject({ days, from, to });
    expect(period.toDay - period.fromDay + 1).toBe(days);
    expect(period.fromMs).toBe(Date.parse(`${from}T00:00:00.000Z`));
    expect(period.toMs).toBe(Date.parse(`${to}T00:00:00.000Z`) + DAY);
  });
});

describe("analyticsChartData", () => {
  const period = { days: 7 as const, from: "2026-03-01", to: "2026-03-02" };
  const report = (overrides: Partial<AnalyticsReport> = {}): AnalyticsReport => ({
    groups: [
      { key: "builder", tasks: 4, succeeded: 3, failed: 1, costUsd: 2 },
      { key: null, tasks: 3, succeeded: 1, failed: 0, costUsd: 1 },
    ],
    byExecutor: { local: { tasks: 3, costUsd: 0.5 }, cloud: { tasks: 4, costUsd: 2.5 } },
    byDay: [
      { date: "2026-03-01", costUsd: 1, tasks: 2 },
      { date: "2026-03-02", costUsd: 2, tasks: 5 },
    ],
    byRepository: [
      { repository: "web", costUsd: 2, tasks: 4 },
      { repository: null, costUsd: 1, tasks: 3 },
    ],
    ...overrides,
  });

  it("lays out each chart's series from the report and the histogram", () => {
    const bins = binDurations([{ loMs: 120_000, hiMs: 130_000, runs: 5 }]);
    expect(analyticsChartData(period, report(), bins)).toEqual({
      period,
      costByDay: { dates: ["2026-03-01", "2026-03-02"], costUsd: [1, 2], tasks: [2, 5] },
      executors: { labels: ["Local", "Cloud"], tasks: [3, 4], costUsd: [0.5, 2.5], taskShare: [0.4286, 0.5714], costShare: [0.1667, 0.8333] },
      durations: { labels: bins.map((b) => b.label), runs: [0, 5, 0, 0, 0, 0, 0] },
      agentTypes: { labels: ["builder", "(none)"], tasks: [4, 3], succeeded: [3, 1], failed: [1, 0], successRate: [0.75, 0.3333] },
      repositories: { labels: ["web", "(no repository)"], costUsd: [2, 1], tasks: [4, 3], total: 2 },
    });
  });

  it.each<[string, Partial<AnalyticsReport>, [number, number] | null, [number, number] | null]>([
    ["nothing ran: no shares", { byExecutor: { local: { tasks: 0, costUsd: 0 }, cloud: { tasks: 0, costUsd: 0 } } }, null, null],
    ["only free local runs: tasks shared, cost not", { byExecutor: { local: { tasks: 2, costUsd: 0 }, cloud: { tasks: 0, costUsd: 0 } } }, [1, 0], null],
    ["one of three: shares still add up to 1", { byExecutor: { local: { tasks: 1, costUsd: 1 }, cloud: { tasks: 2, costUsd: 2 } } }, [0.3333, 0.6667], [0.3333, 0.6667]],
  ])("executor shares: %s", (_name, overrides, taskShare, costShare) => {
    const data = analyticsChartData(period, report(overrides), binDurations([]));
    expect(data.executors.taskShare).toEqual(taskShare);
    expect(data.executors.costShare).toEqual(costShare);
  });

  it(`charts the ${REPOSITORY_CHART_LIMIT} most expensive repositories and counts them all`, () => {
    const byRepository = Array.from({ length: REPOSITORY_CHART_LIMIT + 3 }, (_, i) => ({ repository: `repo-${i}`, costUsd: 100 - i, tasks: 1 }));
    const data = analyticsChartData(period, report({ byRepository }), binDurations([]));
    expect(data.repositories.labels).toEqual(byRepository.slice(0, REPOSITORY_CHART_LIMIT).map((r) => r.repository));
    expect(data.repositories.total).toBe(REPOSITORY_CHART_LIMIT + 3);
  });

  it("has no agent types when the report has no groups", () => {
    expect(analyticsChartData(period, report({ groups: undefined }), binDurations([])).agentTypes.labels).toEqual([]);
  });
});

describe("scriptSafeJson", () => {
  it.each<[unknown, string]>([
    [{ a: 1 }, '{"a":1}'],
    ["</script><script>alert(1)</script>", '"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"'],
    ["<!--", '"\\u003c!--"'],
    ["a & b", '"a \\u0026 b"'],
    ["line\u2028sep\u2029", '"line\\u2028sep\\u2029"'],
  ])("%j becomes %s", (value, expected) => {
    const text = scriptSafeJson(value);
    expect(text).toBe(expected);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
