/**
 * A hybrid-parallel plan (a DAG of sub-tasks) drawn as a tree a person can
 * read: each sub-task sits under the dependency it waits on longest (the
 * deepest one, so the longest chain reads as one indented line of descent),
 * and names its other dependencies as "after X". Sub-tasks with no dependency
 * are the roots, in plan order.
 *
 * Pure and total: the mirror's JSON is the lead's to write, so unknown or
 * self dependencies are shown as "after" and a cycle still draws every item
 * exactly once.
 */

export interface PlanTreeInput {
  key: string;
  dependsOn: readonly string[];
}

export interface PlanTreeNode {
  key: string;
  /** Dependencies not shown by the nesting: every one but the parent in the tree. */
  after: string[];
  children: PlanTreeNode[];
}

export function planTree(items: readonly PlanTreeInput[]): PlanTreeNode[] {
  const byKey = new Map<string, PlanTreeInput>();
  for (const item of items) if (!byKey.has(item.key)) byKey.set(item.key, item);
  const order = [...byKey.keys()];
  const known = (key: string, dep: string) => dep !== key && byKey.has(dep);

  // Depth: the longest chain of known dependencies above an item (a cycle counts as nothing more).
  const depths = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (key: string): number => {
    const cached = depths.get(key);
    if (cached !== undefined) return cached;
    if (visiting.has(key)) return 0;
    visiting.add(key);
    let deepest = -1;
    for (const dep of byKey.get(key)!.dependsOn) if (known(key, dep)) deepest = Math.max(deepest, depth(dep));
    visiting.delete(key);
    depths.set(key, deepest + 1);
    return deepest + 1;
  };

  // Each item's parent in the tree: its deepest known dependency, the first listed on a tie.
  const parentOf = new Map<string, string | null>();
  for (const key of order) {
    let parent: string | null = null;
    for (const dep of byKey.get(key)!.dependsOn) {
      if (known(key, dep) && (parent === null || depth(dep) > depth(parent))) parent = dep;
    }
    parentOf.set(key, parent);
  }
  const childrenOf = new Map<string, string[]>(order.map((key) => [key, []]));
  for (const key of order) {
    const parent = parentOf.get(key);
    if (parent) childrenOf.get(parent)!.push(key);
  }

  const placed = new Set<string>();
  const node = (key: string, shownUnder: string | null): PlanTreeNode => {
    placed.add(key);
    const deps = [...new Set(byKey.get(key)!.dependsOn)];
    return {
      key,
      after: deps.filter((dep) => dep !== shownUnder),
      children: childrenOf
        .get(key)!
        .filter((child) => !placed.has(child))
        .map((child) => node(child, key)),
    };
  };
  const roots: PlanTreeNode[] = [];
  for (const key of order) if (parentOf.get(key) === null && !placed.has(key)) roots.push(node(key, null));
  // Only a cycle leaves items unplaced: each starts a tree of its own, its dependencies named.
  for (const key of order) if (!placed.has(key)) roots.push(node(key, null));
  return roots;
}
