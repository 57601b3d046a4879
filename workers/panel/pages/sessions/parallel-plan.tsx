/**
 * A hybrid-parallel parent's plan on its session page: the sub-tasks as a
 * tree (each under the sub-task it waits on longest, its other dependencies
 * named "after …"; workers/session-history/plan-tree.ts), each with its
 * status, its issue (a link to the child's own session page once the child
 * is there), attempts, reason, duration and pull requests; then the
 * validation step and the figures. `PlanBody` is also what the plan's live
 * stream (/live/sessions/:id/plan) sends again whenever it changed.
 */
import type { Child } from "hono/jsx";
import { isEndedStatus } from "../../../../src/domain/session-status";
import { planTree, type PlanTreeNode } from "../../../session-history/plan-tree";
import type { PresentedParallelItem, PresentedParallelRun, PresentedParent } from "../../../session-history/present-parallel";
import { Ago, Badge, duration, ExternalLink, speedup, withWorkspace } from "../../components/format";

/** How long after its run ended a page still follows the plan: the children's mirrors may trail the parent's by seconds. */
export const PLAN_FOLLOW_AFTER_END_MS = 60_000;

const SOURCES: Record<string, string> = {
  "sub-issues": "from the issue's sub-issues in Linear",
  proposal: "proposed by the planner, created as sub-issues",
};

const VALIDATION: Record<string, string> = {
  pending: "waits for every sub-task",
  running: "reviewing the pull requests and running the tests",
  passed: "passed",
  failed: "failed",
};

interface Links {
  workspaceId: string;
  several: boolean;
}

const sessionHref = (id: string, links: Links) => withWorkspace(`/sessions/${encodeURIComponent(id)}`, links.workspaceId, links.several);

function PullRequests({ urls }: { urls: string[] }) {
  return (
    <>
      {urls.map((url, i) => (
        <>
          {i > 0 ? ", " : null}
          <ExternalLink href={url}>{url.replace(/^https?:\/\/(www\.)?github\.com\//, "")}</ExternalLink>
        </>
      ))}
    </>
  );
}

/** The sub-task's issue: a link to the child's page when the mirror has the child, else its identifier (or plan key). */
function ItemName({ item, links }: { item: PresentedParallelItem; links: Links }) {
  const name = item.identifier ?? item.key;
  return item.session ? (
    <a href={sessionHref(item.session.id, links)} data-plan-child>
      {name}
    </a>
  ) : (
    <strong>{name}</strong>
  );
}

function timing(item: PresentedParallelItem): Child {
  if (item.durationMs !== null) return duration(item.durationMs);
  if (item.startedAt && (item.status === "running" || item.status === "starting")) {
    return (
      <>
        started <Ago at={item.startedAt} />
      </>
    );
  }
  return null;
}

function PlanItem({ node, byKey, links }: { node: PlanTreeNode; byKey: Map<string, PresentedParallelItem>; links: Links }) {
  const item = byKey.get(node.key)!;
  const nameOf = (key: string) => byKey.get(key)?.identifier ?? key;
  const time = timing(item);
  const details: Child[] = [
    item.attempts > 1 ? `attempt ${item.attempts}` : null,
    time,
    item.pullRequests.length > 0 ? (
      <>
        {item.pullRequests.length === 1 ? "PR " : "PRs "}
        <PullRequests urls={item.pullRequests} />
      </>
    ) : null,
  ].filter((d) => d !== null && d !== "");
  return (
    <li data-plan-item={item.key} data-status={item.status}>
      <div class="plan-step">
        <Badge value={item.status} /> <ItemName item={item} links={links} /> {item.title}
        {node.after.length > 0 ? <span class="muted plan-after"> after {node.after.map(nameOf).join(", ")}</span> : null}
        {item.onCriticalPath ? <span class="badge plan-critical">critical path</span> : null}
      </div>
      {details.length > 0 ? (
        <small class="muted">
          {details.map((d, i) => (
            <>
              {i > 0 ? " · " : null}
              {d}
            </>
          ))}
        </small>
      ) : null}
      {item.reason ? <p class={`plan-reason ${item.status === "failed" ? "notice error" : "muted"}`}>{item.reason}</p> : null}
      {node.children.length > 0 ? (
        <ul>
          {node.children.map((child) => (
            <PlanItem node={child} byKey={byKey} links={links} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function Figure({ label, children }: { label: string; children: Child }) {
  return (
    <div class="figure">
      <span class="value">{children}</span>
      <span class="label">{label}</span>
    </div>
  );
}

function PlanFigures({ run }: { run: PresentedParallelRun }) {
  const f = run.figures;
  if (!f) return <p class="muted">The figures come as the sub-tasks finish.</p>;
  const nameOf = (key: string) => run.items.find((item) => item.key === key)?.identifier ?? key;
  return (
    <>
      <div class="figures" data-plan-figures>
        <Figure label={isEndedStatus(run.status) ? "Wall time" : "Wall time so far"}>{duration(f.wallMs)}</Figure>
        <Figure label="Sum of child times">{duration(f.childMsSum)}</Figure>
        <Figure label="Critical path">{duration(f.criticalPathMs)}</Figure>
        <Figure label="Peak concurrency">{String(f.peakConcurrency)}</Figure>
        <Figure label="Speedup">{speedup(f.speedup)}</Figure>
      </div>
      <small class="muted">
        {f.children} sub-task{f.children === 1 ? "" : "s"} measured. Speedup: the sum of the children's times over the wall time.
        {f.criticalPath.length > 0 ? ` Critical path: ${f.criticalPath.map(nameOf).join(" → ")}.` : null}
      </small>
    </>
  );
}

/** Everything the live stream redraws: the run's state, the tree, the validation step and the figures. */
export function PlanBody({ run, workspaceId, several }: { run: PresentedParallelRun } & Links) {
  const links = { workspaceId, several };
  const byKey = new Map(run.items.map((item) => [item.key, item]));
  const validation = run.validation;
  return (
    <>
      <p>
        <Badge value={run.status} /> {run.items.length} sub-task{run.items.length === 1 ? "" : "s"}, {SOURCES[run.source] ?? run.source}.
      </p>
      {run.items.length === 0 ? (
        <p class="muted">No sub-task yet: the plan is being made.</p>
      ) : (
        <ul class="plan-tree" data-plan-tree>
          {planTree(run.items).map((node) => (
            <PlanItem node={node} byKey={byKey} links={links} />
          ))}
        </ul>
      )}
      <div class="plan-validation" data-plan-validation>
        <strong>Validation</strong> <Badge value={validation?.status ?? "pending"} /> {VALIDATION[validation?.status ?? "pending"] ?? null}
        {validation?.verdict ? <p>{validation.verdict}</p> : null}
      </div>
      <PlanFigures run={run} />
    </>
  );
}

/** Whether the page should keep the plan current: its run goes on, or ended moments ago. */
export function followPlan(run: PresentedParallelRun, now: number): boolean {
  if (!isEndedStatus(run.status)) return true;
  const endedAt = Date.parse(run.endedAt ?? run.updatedAt ?? "");
  return Number.isNaN(endedAt) || now - endedAt < PLAN_FOLLOW_AFTER_END_MS;
}

export function ParallelPlan({ run, sessionId, workspaceId, several, now }: { run: PresentedParallelRun; sessionId: string; now: number } & Links) {
  const source = followPlan(run, now) ? `/live/sessions/${encodeURIComponent(sessionId)}/plan?workspace=${encodeURIComponent(workspaceId)}` : undefined;
  return (
    <section data-live-source={source} aria-labelledby="parallel-plan">
      <h2 id="parallel-plan">
        Parallel plan <small class="live-status muted" data-live-status hidden></small>
      </h2>
      <div data-live="plan">
        <PlanBody run={run} workspaceId={workspaceId} several={several} />
      </div>
    </section>
  );
}

/** On a child's page: the parent whose plan it is part of. */
export function ParentLink({ parentSessionId, parent, workspaceId, several }: { parentSessionId: string; parent: PresentedParent | null } & Links) {
  const name = parent?.issueIdentifier ?? parentSessionId;
  return (
    <p data-parent-session>
      Part of the parallel run of <a href={sessionHref(parentSessionId, { workspaceId, several })}>{name}</a>
      {parent?.issueTitle ? `: ${parent.issueTitle}` : null}
      {parent ? (
        <>
          {" "}
          <Badge value={parent.status} />
        </>
      ) : null}
    </p>
  );
}
