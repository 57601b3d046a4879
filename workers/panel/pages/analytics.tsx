/**
 * `/analytics`: what the work cost and how it went over the last 7, 30 or 90
 * UTC days (`?days=`, 30 by default) — summary figures, then five charts
 * (cost per day, local vs cloud, task durations, success rate by agent type,
 * cost by repository), each with its numbers in a table, the averages of the
 * hybrid-parallel runs that completed in the period, and the cost report of
 * the period as a CSV download (`GET /api/cost-report?format=csv`).
 *
 * Every figure comes from the reports' daily rollups, never from a scan of
 * the runs (see src/db/queries/reports.ts and duration-histogram.ts): the
 * period is whole UTC days, so the cost report, the stats and the histogram
 * each read a range of one workspace's rollup rows by primary key; only the
 * exact p50/p95 read runs, those of two duration buckets, through the
 * `execution_metrics_report` index.
 */
import type { Child } from "hono/jsx";
import { durationHistogram } from "../../../src/db/queries/duration-histogram";
import { costReport, statsBetween, type CostReport, type PeriodFigures } from "../../../src/db/queries/reports";
import { parallelAverages } from "../../../src/db/queries/parallel-runs";
import type { ParallelStats } from "../../../src/domain/parallel/figures";
import type { DurationBin } from "../../../src/domain/duration-bins";
import {
  ANALYTICS_PERIOD_DAYS,
  analyticsChartData,
  analyticsPeriod,
  choosePeriodDays,
  NO_AGENT_TYPE,
  NO_REPOSITORY,
  REPOSITORY_CHART_LIMIT,
  type AnalyticsPeriod,
  type ChartData,
} from "../../../src/domain/panel/analytics";
import { factory } from "../../factory";
import { ChartDataScript, ChartPanel } from "../components/chart";
import { duration, percent, speedup, usd, withWorkspace } from "../components/format";
import type { PanelView } from "../view";
import { NoWorkspace } from "../components/admin-form";

const TITLE = "Analytics";

function Figure({ label, value }: { label: string; value: Child }) {
  return (
    <div class="figure">
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
}

function SummaryFigures({ figures }: { figures: PeriodFigures }) {
  const { local, cloud } = figures.executors;
  return (
    <section class="figures" aria-label="This period in figures">
      <Figure label="Tasks" value={String(figures.tasks)} />
      <Figure label="Success rate" value={percent(figures.successRate)} />
      <Figure label="Duration p50" value={duration(figures.durationMs.p50)} />
      <Figure label="Duration p95" value={duration(figures.durationMs.p95)} />
      <Figure label="Total cost" value={usd(figures.costUsd)} />
      <Figure label="Cost per task" value={usd(figures.costPerTaskUsd)} />
      <Figure label="Local / cloud (tasks)" value={local.share === null ? "—" : `${percent(local.share)} / ${percent(cloud.share)}`} />
    </section>
  );
}

/** What splitting issues bought: averages over the hybrid-parallel parents that completed in the period (GET /api/stats has the same). */
function ParallelFigures({ parallel, days }: { parallel: ParallelStats; days: number }) {
  return (
    <section aria-labelledby="parallel-runs" data-parallel-figures>
      <h2 id="parallel-runs">Parallel runs</h2>
      {parallel.parents === 0 ? (
        <p class="muted">No hybrid-parallel run completed in these {days} days.</p>
      ) : (
        <>
          <div class="figures">
            <Figure label="Parents completed" value={String(parallel.parents)} />
            <Figure label="Average wall time" value={duration(parallel.avgWallMs)} />
            <Figure label="Average sum of child times" value={duration(parallel.avgChildMsSum)} />
            <Figure label="Average critical path" value={duration(parallel.avgCriticalPathMs)} />
            <Figure label="Average peak concurrency" value={parallel.avgPeakConcurrency === null ? "—" : String(parallel.avgPeakConcurrency)} />
            <Figure label="Average speedup" value={speedup(parallel.avgSpeedup)} />
          </div>
          <p class="muted">
            <small>Speedup: the sum of a parent's child times over its wall time, what running the sub-tasks one after another would have taken against what it took.</small>
          </p>
        </>
      )}
    </section>
  );
}

function PeriodChoice({ period, view }: { period: AnalyticsPeriod; view: PanelView }) {
  const several = view.workspaces.length > 1;
  const csv = `/api/cost-report?${new URLSearchParams({ format: "csv", from: period.from, to: period.to, workspace: view.workspace!.id })}`;
  return (
    <nav class="analytics-period" aria-label="Period">
      <ul>
        {ANALYTICS_PERIOD_DAYS.map((days) => (
          <li>
            <a
              href={withWorkspace(`/analytics?days=${days}`, view.workspace?.id, several)}
              role="button"
              class={days === period.days ? "small" : "small secondary outline"}
              aria-current={days === period.days ? "page" : undefined}
            >
              {days} days
            </a>
          </li>
        ))}
      </ul>
      <ul>
        <li>
          <a href={csv} download class="analytics-csv">
            Download CSV
          </a>
        </li>
      </ul>
    </nav>
  );
}

function CostTable({ data }: { data: ChartData }) {
  const { dates, tasks, costUsd } = data.costByDay;
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">Day (UTC)</th>
          <th scope="col">Tasks</th>
          <th scope="col">Cost</th>
        </tr>
      </thead>
      <tbody>
        {dates.map((date, i) => (
          <tr>
            <th scope="row">{date}</th>
            <td>{tasks[i]}</td>
            <td>{usd(costUsd[i])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ExecutorTable({ data }: { data: ChartData }) {
  const e = data.executors;
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">Executor</th>
          <th scope="col">Tasks</th>
          <th scope="col">Share of tasks</th>
          <th scope="col">Cost</th>
          <th scope="col">Share of cost</th>
        </tr>
      </thead>
      <tbody>
        {e.labels.map((label, i) => (
          <tr>
            <th scope="row">{label}</th>
            <td>{e.tasks[i]}</td>
            <td>{percent(e.taskShare?.[i])}</td>
            <td>{usd(e.costUsd[i])}</td>
            <td>{percent(e.costShare?.[i])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DurationTable({ bins }: { bins: DurationBin[] }) {
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">Duration</th>
          <th scope="col">Runs</th>
        </tr>
      </thead>
      <tbody>
        {bins.map((bin) => (
          <tr>
            <th scope="row">{bin.label}</th>
            <td>{bin.runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AgentTypeTable({ data }: { data: ChartData }) {
  const a = data.agentTypes;
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">Agent type</th>
          <th scope="col">Tasks</th>
          <th scope="col">Succeeded</th>
          <th scope="col">Failed</th>
          <th scope="col">Success rate</th>
        </tr>
      </thead>
      <tbody>
        {a.labels.map((label, i) => (
          <tr>
            <th scope="row">{label}</th>
            <td>{a.tasks[i]}</td>
            <td>{a.succeeded[i]}</td>
            <td>{a.failed[i]}</td>
            <td>{percent(a.successRate[i])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every repository, not only the ones the chart has room for. */
function RepositoryTable({ report }: { report: CostReport }) {
  return (
    <table class="compact">
      <thead>
        <tr>
          <th scope="col">Repository</th>
          <th scope="col">Tasks</th>
          <th scope="col">Cost</th>
        </tr>
      </thead>
      <tbody>
        {report.byRepository.map((row) => (
          <tr>
            <th scope="row">{row.repository ?? NO_REPOSITORY}</th>
            <td>{row.tasks}</td>
            <td>{usd(row.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface PageProps {
  view: PanelView;
  period: AnalyticsPeriod;
  problem: string | null;
  figures: PeriodFigures;
  report: CostReport;
  bins: DurationBin[];
  data: ChartData;
  parallel: ParallelStats;
}

function AnalyticsPage({ view, period, problem, figures, report, bins, data, parallel }: PageProps) {
  const none = `No task ran in these ${period.days} days.`;
  const anyRuns = report.totals.tasks > 0;
  const anyDurations = bins.some((bin) => bin.runs > 0);
  const repositoryNote = report.byRepository.length > REPOSITORY_CHART_LIMIT ? ` The chart shows the ${REPOSITORY_CHART_LIMIT} most expensive of ${report.byRepository.length}.` : "";
  return (
    <>
      <hgroup>
        <h1>{TITLE}</h1>
        <p>
          The last {period.days} days, {period.from} to {period.to} (UTC, today included), by the day each run started.
        </p>
      </hgroup>
      {problem ? (
        <p class="notice warn" role="status">
          {problem}
        </p>
      ) : null}
      <PeriodChoice period={period} view={view} />
      <SummaryFigures figures={figures} />
      <div class="analytics-charts">
        <ChartPanel id="cost" title="Cost per day" description="Line chart of the cost of each day's runs, in US dollars." empty={anyRuns ? null : none}>
          <CostTable data={data} />
        </ChartPanel>
        <ChartPanel id="executors" title="Local vs cloud" description="Bar chart of the local and the cloud executor's shares of the tasks and of the cost." empty={anyRuns ? null : none}>
          <ExecutorTable data={data} />
        </ChartPanel>
        <ChartPanel
          id="durations"
          title="Task durations"
          description="Histogram of how long runs took."
          empty={anyDurations ? null : anyRuns ? "No run of these days has a duration recorded yet." : none}
        >
          <DurationTable bins={bins} />
        </ChartPanel>
        <ChartPanel id="agent-types" title="Success rate by agent type" description="Bar chart of the share of each agent type's runs that succeeded." empty={data.agentTypes.labels.length ? null : none}>
          <AgentTypeTable data={data} />
          <p class="muted">
            <small>Success rate: succeeded runs over all runs, stopped and timed out included. “{NO_AGENT_TYPE}”: runs with no agent type.</small>
          </p>
        </ChartPanel>
        <ChartPanel id="repositories" title="Cost by repository" description={`Bar chart of the cost of each repository's runs, in US dollars.${repositoryNote}`} empty={report.byRepository.length ? null : none}>
          <RepositoryTable report={report} />
        </ChartPanel>
      </div>
      <ParallelFigures parallel={parallel} days={period.days} />
      <ChartDataScript data={data} />
    </>
  );
}

export const analyticsPages = factory.createApp().get("/", async (c) => {
  const view = c.var.panelView;
  if (!view.workspace) return c.render(<NoWorkspace view={view} title={TITLE} after="the figures appear here once tasks have run" />, { title: TITLE, nav: "analytics" });
  const { days, problem } = choosePeriodDays(c.req.query("days"));
  const now = Date.now();
  const period = analyticsPeriod(days, now);
  const workspaceId = view.workspace.id;
  const db = c.var.db;
  // Four independent reads, side by side; grouped by agent type, the cost report carries each type's outcomes.
  const [report, figures, bins, parallel] = await Promise.all([
    costReport(db, { workspaceId, fromDay: period.fromDay, toDay: period.toDay, groupBy: "agentType", now }),
    statsBetween(db, { workspaceId, fromMs: period.fromMs, toMs: period.toMs }),
    durationHistogram(db, { workspaceId, fromDay: period.fromDay, toDay: period.toDay }),
    parallelAverages(db, { workspaceId, fromMs: period.fromMs, toMs: period.toMs }),
  ]);
  const data = analyticsChartData(period, report, bins);
  const drawn = report.totals.tasks > 0;
  return c.render(<AnalyticsPage view={view} period={period} problem={problem} figures={figures} report={report} bins={bins} data={data} parallel={parallel} />, {
    title: TITLE,
    nav: "analytics",
    // Nothing to draw, nothing to download: an empty period ships no chart library.
    scripts: drawn ? ["/assets/vendor/uplot.min.js", "/assets/charts.js"] : [],
    styles: drawn ? ["/assets/vendor/uplot.min.css"] : [],
  });
});
