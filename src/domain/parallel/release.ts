/**
 * Which children to start now. The parent, not a timer, releases a child: when
 * every child that blocks it has succeeded, and while fewer than
 * PARALLEL_MAX_CHILDREN are starting or running, in plan order. Nothing is
 * released once any child has failed or been canceled for good: a plan that
 * can no longer complete spends nothing more.
 */
import { childStatesByKey, isChildActive, type ChildState } from "./child-state";
import type { Plan } from "./plan";

export function childrenToRelease(plan: Plan, children: readonly ChildState[], maxRunning: number): string[] {
  if (!Number.isInteger(maxRunning) || maxRunning < 1) throw new RangeError(`maxRunning must be an integer >= 1, got ${maxRunning}`);
  const states = childStatesByKey(plan, children);
  const all = [...states.values()];
  if (all.some((child) => child.status === "failed" || child.status === "canceled")) return [];
  let room = maxRunning - all.filter((child) => isChildActive(child.status)).length;
  const released: string[] = [];
  for (const item of plan.items) {
    if (room <= 0) break;
    if (states.get(item.key)?.status !== "pending") continue;
    if (!item.dependsOn.every((dep) => states.get(dep)?.status === "succeeded")) continue;
    released.push(item.key);
    room -= 1;
  }
  return released;
}
