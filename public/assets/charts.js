// Cyrus Edge control panel: the analytics page's charts, drawn with uPlot
// (/assets/vendor/uplot.min.js, loaded before this file).
// The page renders its numbers as JSON in <script type="application/json"
// id="chart-data"> (never run, so the CSP allows it) and an element
// [data-chart="<name>"] for each chart that has data; the same numbers are in
// a table under each chart. uPlot styles its elements through the CSSOM
// (element.style), which the CSP's style-src allows; nothing here adds a
// <style> or a style attribute.
"use strict";
(function () {
  const source = document.getElementById("chart-data");
  const targets = document.querySelectorAll("[data-chart]");
  if (!source || targets.length === 0) return;

  /** Says in place of a chart why it is missing; the table under it still has the numbers. */
  function problem(element, message) {
    const p = document.createElement("p");
    p.className = "notice warn chart-problem";
    p.textContent = `${message} The numbers are in the table below.`;
    element.replaceChildren(p);
    element.removeAttribute("role");
  }

  if (typeof window.uPlot !== "function") {
    for (const element of targets) problem(element, "The chart library did not load, so this chart cannot be drawn.");
    return;
  }
  let data;
  try {
    data = JSON.parse(source.textContent || "");
  } catch {
    for (const element of targets) problem(element, "The chart's data could not be read.");
    return;
  }

  const uPlot = window.uPlot;
  const HEIGHT = 240;
  const COLORS = { blue: "#0969da", green: "#1f883d", orange: "#bc4c00", purple: "#8250df" };
  const css = getComputedStyle(document.documentElement);
  const textColor = css.getPropertyValue("--pico-muted-color").trim() || "#777";
  const gridColor = css.getPropertyValue("--pico-muted-border-color").trim() || "rgba(128,128,128,0.25)";
  const axisStyle = { stroke: textColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
  const COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000];

  /** Float noise off an axis value (0.30000000000000004 → 0.3). */
  const tidy = (v) => String(Number(v.toPrecision(6)));
  const usd = (v) => (v == null ? "—" : `$${v.toFixed(v !== 0 && Math.abs(v) < 1 ? 4 : 2)}`);
  const dollars = (v) => `$${tidy(v)}`;
  const pct = (v) => (v == null ? "—" : `${tidy(v)}%`);
  const count = (v) => (v == null ? "—" : String(v));
  const short = (label) => (label.length > 18 ? `${label.slice(0, 17)}…` : label);
  const toPercent = (ratios) => (ratios ? ratios.map((r) => (r == null ? null : Math.round(r * 1000) / 10)) : [null, null]);

  const widthOf = (element) => Math.max(260, Math.floor(element.clientWidth || element.parentElement?.clientWidth || 600));

  /** Bars over named categories: x is each category's index, its axis says the names. */
  function barChart(element, { name, labels, series, format, tick = format, range, counts }) {
    const xs = labels.map((_, i) => i);
    const grouped = series.length > 1;
    return new uPlot(
      {
        width: widthOf(element),
        height: HEIGHT,
        scales: {
          x: { time: false, range: [-0.5, labels.length - 0.5] },
          y: { range: range ?? ((_u, _min, max) => [0, max > 0 ? max * 1.1 : 1]) },
        },
        axes: [
          { ...axisStyle, splits: () => xs, values: (_u, splits) => splits.map((i) => short(labels[i] ?? "")), grid: { show: false } },
          { ...axisStyle, size: 64, values: (_u, splits) => splits.map((v) => (v == null ? "" : tick(v))), ...(counts ? { incrs: COUNT_INCRS } : {}) },
        ],
        series: [
          { label: name, value: (_u, i) => (i == null ? "—" : (labels[i] ?? "—")) },
          ...series.map((s, k) => ({
            label: s.label,
            stroke: s.color,
            fill: `${s.color}b3`,
            width: 1,
            points: { show: false },
            // Side by side when there are two: the first left of the category, the second right of it.
            paths: uPlot.paths.bars({ size: [grouped ? 0.4 : 0.7, 96], align: grouped ? (k === 0 ? -1 : 1) : 0 }),
            value: (_u, v) => format(v),
          })),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      element,
    );
  }

  /** Cost per UTC day, a line over time. */
  function costChart(element) {
    const { dates, costUsd } = data.costByDay;
    const xs = dates.map((date) => Date.parse(`${date}T00:00:00Z`) / 1000);
    return new uPlot(
      {
        width: widthOf(element),
        height: HEIGHT,
        // The days are UTC days: label them so, whatever the browser's time zone.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [{ ...axisStyle }, { ...axisStyle, size: 64, values: (_u, splits) => splits.map((v) => (v == null ? "" : dollars(v))) }],
        series: [
          { label: "Day", value: (_u, ts) => (ts == null ? "—" : new Date(ts * 1000).toISOString().slice(0, 10)) },
          { label: "Cost", stroke: COLORS.blue, fill: `${COLORS.blue}26`, width: 2, points: { show: dates.length <= 31 }, value: (_u, v) => usd(v) },
        ],
      },
      [xs, costUsd],
      element,
    );
  }

  const DRAW = {
    cost: costChart,
    executors: (element) =>
      barChart(element, {
        name: "Executor",
        labels: data.executors.labels,
        series: [
          { label: "Share of tasks", color: COLORS.blue, values: toPercent(data.executors.taskShare) },
          { label: "Share of cost", color: COLORS.orange, values: toPercent(data.executors.costShare) },
        ],
        format: pct,
        range: [0, 100],
      }),
    durations: (element) =>
      barChart(element, { name: "Duration", labels: data.durations.labels, series: [{ label: "Runs", color: COLORS.purple, values: data.durations.runs }], format: count, counts: true }),
    "agent-types": (element) =>
      barChart(element, {
        name: "Agent type",
        labels: data.agentTypes.labels,
        series: [{ label: "Success rate", color: COLORS.green, values: toPercent(data.agentTypes.successRate) }],
        format: pct,
        range: [0, 100],
      }),
    repositories: (element) =>
      barChart(element, { name: "Repository", labels: data.repositories.labels, series: [{ label: "Cost", color: COLORS.orange, values: data.repositories.costUsd }], format: usd, tick: dollars }),
  };

  const charts = [];
  for (const element of targets) {
    const draw = DRAW[element.dataset.chart];
    if (!draw) continue;
    try {
      charts.push({ element, plot: draw(element) });
      element.dataset.drawn = "true";
    } catch (error) {
      console.warn("chart not drawn", element.dataset.chart, error);
      problem(element, "This chart could not be drawn.");
    }
  }

  // Follow the page's width; one redraw per frame however many resize events.
  let pending = false;
  window.addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      for (const { element, plot } of charts) plot.setSize({ width: widthOf(element), height: HEIGHT });
    });
  });
})();
