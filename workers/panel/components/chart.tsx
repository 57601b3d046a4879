/**
 * A chart on a panel page: a heading, the element public/assets/charts.js
 * draws into, and the same numbers as a table for anyone (or anything) that
 * cannot see a canvas; or, with nothing to draw, a sentence that says so.
 * The data reaches the script as JSON in a non-executed <script> block.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { scriptSafeJson } from "../../../src/domain/panel/analytics";

export function ChartPanel(props: { id: string; title: string; description: string; empty: string | null; children: Child }) {
  return (
    <article class="chart-panel" id={`chart-${props.id}`}>
      <header>
        <h2>{props.title}</h2>
      </header>
      {props.empty !== null ? (
        <p class="muted chart-empty">{props.empty}</p>
      ) : (
        <>
          {/* role="img" with a label: a screen reader hears what the chart is, then finds the numbers in the table. */}
          <div class="chart" data-chart={props.id} role="img" aria-label={`${props.description} The numbers are in the table below.`}></div>
          <details>
            <summary>The numbers</summary>
            {props.children}
          </details>
        </>
      )}
    </article>
  );
}

/** `<script type="application/json" id="chart-data">`: data, never run, so the CSP (script-src 'self') has nothing to refuse. */
export function ChartDataScript({ data }: { data: unknown }) {
  return (
    <script type="application/json" id="chart-data">
      {raw(scriptSafeJson(data))}
    </script>
  );
}
