/**
 * The dependency graph of a plan: whether it can run at all (size, unique
 * keys, known dependencies, no self-dependency, no cycle: each problem named
 * so the user can fix the sub-issues), and who depends on whom when a child
 * fails for good.
 */
import { checkPlanSize } from "./caps";
import type { PlanItem } from "./plan";

export type GraphItem = Pick<PlanItem, "key" | "dependsOn"> & { identifier?: string | null };

/** How a problem names an item: its sub-issue identifier when it has one, else its key. */
function nameOf(item: GraphItem | undefined, key: string): string {
  return `"${item?.identifier ?? key}"`;
}

/** Every reason the plan cannot run; empty when it can. */
export function planGraphProblems(items: readonly GraphItem[]): string[] {
  const problems: string[] = [];
  const size = checkPlanSize(items.length);
  if (!size.ok) problems.push(size.reason);

  const byKey = new Map<string, GraphItem>();
  const counted = new Map<string, number>();
  for (const item of items) {
    counted.set(item.key, (counted.get(item.key) ?? 0) + 1);
    if (!byKey.has(item.key)) byKey.set(item.key, item);
  }
  for (const [key, count] of counted) {
    if (count > 1) problems.push(`the key ${nameOf(byKey.get(key), key)} is used by ${count} sub-tasks`);
  }
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (dep === item.key) problems.push(`${nameOf(item, item.key)} depends on itself`);
      else if (!byKey.has(dep)) problems.push(`${nameOf(item, item.key)} depends on "${dep}", which is not in the plan`);
    }
  }
  const cycle = findCycle(items);
  if (cycle) problems.push(`dependency cycle (each waits for the next): ${cycle.map((key) => nameOf(byKey.get(key), key)).join(" → ")}`);
  return problems;
}

/**
 * The first cycle found, as keys with the first repeated at the end
 * (`a → b → a`), or null. Self-dependencies and unknown keys are reported
 * apart, so they are skipped here.
 */
export function findCycle(items: readonly GraphItem[]): string[] | null {
  const deps = new Map<string, string[]>();
  for (const item of items) if (!deps.has(item.key)) deps.set(item.key, item.dependsOn);
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];

  const visit = (key: string): string[] | null => {
    state.set(key, "visiting");
    path.push(key);
    for (const dep of deps.get(key) ?? []) {
      if (dep === key || !deps.has(dep)) continue;
      const seen = state.get(dep);
      if (seen === "visiting") return [...path.slice(path.indexOf(dep)), dep];
      if (seen === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(key, "done");
    return null;
  };

  for (const key of deps.keys()) {
    if (state.has(key)) continue;
    const found = visit(key);
    if (found) return found;
  }
  return null;
}

/** Every item that depends on `key`, directly or through others (not `key` itself). */
export function transitiveDependents(items: readonly GraphItem[], key: string): Set<string> {
  const found = new Set<string>();
  const queue = [key];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const item of items) {
      if (item.key !== key && !found.has(item.key) && item.dependsOn.includes(current)) {
        found.add(item.key);
        queue.push(item.key);
      }
    }
  }
  return found;
}
