/**
 * The parent's decisions as its children report in: one pure step from
 * (plan, child states, event) to the next states and what to do. A child that
 * fails is retried once; on its second failure (or when its session is
 * stopped from outside the plan) every child that has not started is
 * canceled — its dependents because they can never start, the others because
 * the plan can no longer complete and should spend nothing more — while
 * children already running finish their work. Once nothing runs, the parent
 * ends in an error naming the failed child and its reason; when every child
 * has succeeded, the validation step starts. A stop on the parent stops the
 * running children and cancels the rest.
 *
 * Reports are retried, so they repeat: an event for another attempt than the
 * child's current one, or one that finds the child already past it, changes
 * nothing and decides nothing.
 */
import { MAX_CHILD_ATTEMPTS } from "./caps";
import { childStatesByKey, isChildActive, type ChildState } from "./child-state";
import { itemLabel, type Plan, type PlanItem } from "./plan";
import { transitiveDependents } from "./plan-graph";
import { childrenToRelease } from "./release";

export type ParallelEvent =
  /** The plan was accepted: release the first children (once per run). */
  | { type: "begin" }
  | { type: "child_started"; key: string; attempt: number; at: number }
  | { type: "child_succeeded"; key: string; attempt: number; at: number }
  | { type: "child_failed"; key: string; attempt: number; at: number; reason: string }
  /** The child's session was stopped from outside the plan (a user stopped it in Linear). */
  | { type: "child_canceled"; key: string; attempt: number; at: number; reason: string }
  | { type: "parent_stopped"; at: number };

export interface ChildFailure {
  key: string;
  label: string;
  reason: string;
}

export type ParallelDecision =
  /** Delegate the child (attempt 1) or start it again (attempt 2). */
  | { type: "start_child"; key: string; attempt: number }
  /** Stop the child's running session. */
  | { type: "stop_child"; key: string }
  /** The child never started and never will. */
  | { type: "cancel_child"; key: string; reason: string }
  | { type: "validate" }
  /** End the parent in an `error` whose body is `message`. */
  | { type: "fail_parent"; failures: ChildFailure[]; message: string };

export interface ParallelStep {
  /** Every child, in plan order. */
  children: ChildState[];
  decisions: ParallelDecision[];
}

export function advanceParallelRun(
  plan: Plan,
  children: readonly ChildState[],
  event: ParallelEvent,
  options: { maxRunning: number },
): ParallelStep {
  const states = new Map([...childStatesByKey(plan, children)].map(([key, child]) => [key, { ...child }]));
  const decisions: ParallelDecision[] = [];
  const result = (): ParallelStep => ({ children: [...states.values()], decisions });

  if (event.type === "parent_stopped") {
    for (const child of states.values()) {
      if (isChildActive(child.status)) {
        patch(child, { status: "canceled", reason: "stopped with the parent", endedAt: event.at });
        decisions.push({ type: "stop_child", key: child.key });
      } else if (child.status === "pending") {
        patch(child, { status: "canceled", reason: "the parent was stopped" });
        decisions.push({ type: "cancel_child", key: child.key, reason: "the parent was stopped" });
      }
    }
    return result();
  }

  if (event.type !== "begin") {
    const child = states.get(event.key);
    if (child === undefined || child.attempts !== event.attempt || !isChildActive(child.status)) return result();
    switch (event.type) {
      case "child_started":
        if (child.status !== "starting") return result();
        child.status = "running";
        child.startedAt ??= event.at;
        return result();
      case "child_succeeded":
        patch(child, { status: "succeeded", endedAt: event.at });
        break;
      case "child_failed":
        if (child.attempts < MAX_CHILD_ATTEMPTS && !isHalted(states)) {
          patch(child, { status: "starting", attempts: child.attempts + 1, reason: event.reason });
          decisions.push({ type: "start_child", key: child.key, attempt: child.attempts });
          return result();
        }
        patch(child, { status: "failed", reason: event.reason, endedAt: event.at });
        cancelNotStarted(plan, states, child.key, decisions);
        break;
      case "child_canceled":
        patch(child, { status: "canceled", reason: event.reason, endedAt: event.at });
        cancelNotStarted(plan, states, child.key, decisions);
        break;
    }
  }

  for (const key of childrenToRelease(plan, [...states.values()], options.maxRunning)) {
    const child = states.get(key);
    if (child === undefined) continue;
    patch(child, { status: "starting", attempts: child.attempts + 1 });
    decisions.push({ type: "start_child", key, attempt: child.attempts });
  }
  const end = endOfRun(plan, states);
  if (end) decisions.push(end);
  return result();
}

/** Object.assign with the patch checked against ChildState (a misspelt status would not compile). */
function patch(child: ChildState, changes: Partial<ChildState>): void {
  Object.assign(child, changes);
}

function isHalted(states: Map<string, ChildState>): boolean {
  return [...states.values()].some((child) => child.status === "failed" || child.status === "canceled");
}

/** After `causeKey` failed for good: no child that has not started ever will. */
function cancelNotStarted(plan: Plan, states: Map<string, ChildState>, causeKey: string, decisions: ParallelDecision[]): void {
  const cause = labelOf(plan, causeKey);
  const dependents = transitiveDependents(plan.items, causeKey);
  for (const item of plan.items) {
    const child = states.get(item.key);
    if (child?.status !== "pending") continue;
    const reason = dependents.has(item.key)
      ? `blocked by ${cause}, which did not finish`
      : `not started: the plan cannot complete after ${cause} did not finish`;
    patch(child, { status: "canceled", reason });
    decisions.push({ type: "cancel_child", key: item.key, reason });
  }
}

/** The run's last decision once nothing runs or can start; null while work remains. */
function endOfRun(plan: Plan, states: Map<string, ChildState>): ParallelDecision | null {
  const all = [...states.values()];
  if (all.some((child) => isChildActive(child.status))) return null;
  if (all.every((child) => child.status === "succeeded")) return { type: "validate" };

  // A child canceled before it started (attempts 0) is a consequence, not a cause.
  const failures: ChildFailure[] = all
    .filter((child) => child.status === "failed" || (child.status === "canceled" && child.attempts > 0))
    .map((child) => ({ key: child.key, label: labelOf(plan, child.key), reason: child.reason ?? "no reason given" }));
  const stuck = all.filter((child) => child.status === "pending");
  for (const child of stuck) {
    failures.push({ key: child.key, label: labelOf(plan, child.key), reason: "its blockers can never all succeed" });
  }
  const lines = failures.map((failure) => {
    const child = states.get(failure.key);
    const how =
      child?.status === "failed"
        ? `failed after ${child.attempts} attempt${child.attempts === 1 ? "" : "s"}`
        : child?.status === "canceled"
          ? "was stopped"
          : "could not start";
    return `${failure.label} ${how}: ${failure.reason}`;
  });
  const canceled = all.filter((child) => child.status === "canceled" && child.attempts === 0).map((child) => labelOf(plan, child.key));
  if (canceled.length > 0) lines.push(`Not started: ${canceled.join(", ")}.`);
  return { type: "fail_parent", failures, message: `The parallel run did not complete.\n${lines.join("\n")}` };
}

function labelOf(plan: Plan, key: string): string {
  const item: PlanItem | undefined = plan.items.find((candidate) => candidate.key === key);
  return item ? itemLabel(item) : key;
}
