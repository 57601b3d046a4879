/**
 * The caps that make a hybrid-parallel run impossible to run away with, as
 * pure checks with a reason a user can read: depth 1 (only an issue with no
 * parent splits; a child runs as an ordinary session; a grandchild runs as a
 * plain task that reports to nobody), a session delegates only its own
 * children (never itself, never its parent), at most MAX_SUBTASKS sub-tasks,
 * at most PARALLEL_MAX_CHILDREN running at once (enforced in release.ts).
 */

export const MAX_SUBTASKS = 15;
/** `PARALLEL_MAX_CHILDREN`'s default. */
export const DEFAULT_PARALLEL_MAX_CHILDREN = 5;
/** A failed child is retried once: two attempts in all. */
export const MAX_CHILD_ATTEMPTS = 2;

export type CapCheck = { ok: true } | { ok: false; reason: string };

const OK: CapCheck = { ok: true };

/** The issue as far as depth is concerned: its parent, and that parent's parent. */
export interface IssueAncestry {
  id: string;
  parent: { id: string; parent: { id: string } | null } | null;
}

/**
 * `root`: no parent; may split under hybrid-parallel.
 * `child`: its parent is a root; runs as an ordinary session, never splits, reports to the parent.
 * `plain`: its parent is itself a child; runs as a plain task (no split, no report), so depth stays 1.
 */
export type DepthRole = "root" | "child" | "plain";

export function depthRole(issue: IssueAncestry): DepthRole {
  if (issue.parent == null) return "root";
  if (issue.parent.parent == null) return "child";
  return "plain";
}

/** May this issue be split into sub-issues? Only a root may. */
export function checkMaySplit(issue: IssueAncestry): CapCheck {
  const role = depthRole(issue);
  if (role === "root") return OK;
  if (role === "child") return { ok: false, reason: "this issue is a sub-issue: a child never splits again, so it runs as one task" };
  return { ok: false, reason: "this issue's parent is itself a sub-issue: it runs as a plain task (parallel runs are one level deep)" };
}

/**
 * May the session of `from` delegate `target` to the app? Only a root may
 * delegate, and only its own sub-issues: never itself, never its own parent.
 * This is what stops a session delegating itself in a loop.
 */
export function checkMayDelegate(
  from: IssueAncestry,
  target: { id: string; parentId: string | null },
): CapCheck {
  if (target.id === from.id) return { ok: false, reason: "a session never delegates its own issue" };
  if (from.parent != null && target.id === from.parent.id) return { ok: false, reason: "a child never delegates its parent" };
  if (depthRole(from) !== "root") return { ok: false, reason: "only an issue with no parent delegates sub-issues" };
  if (target.parentId !== from.id) return { ok: false, reason: "a session delegates only its own sub-issues" };
  return OK;
}

export function checkPlanSize(count: number): CapCheck {
  if (count > MAX_SUBTASKS) return { ok: false, reason: `the plan has ${count} sub-tasks; at most ${MAX_SUBTASKS} are allowed` };
  return OK;
}
