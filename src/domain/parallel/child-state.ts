/**
 * Where each child of a parallel parent stands, as the parent's IssueSession
 * stores it. `starting` means the parent delegated it and awaits its start
 * report; `attempts` counts the starts decided so far (a retry is the second).
 * `succeeded`, `failed` and `canceled` are final: a late or repeated report
 * never moves a child out of them.
 */
import type { Plan } from "./plan";

export const CHILD_STATUSES = ["pending", "starting", "running", "succeeded", "failed", "canceled"] as const;
export type ChildStatus = (typeof CHILD_STATUSES)[number];

export interface ChildState {
  key: string;
  status: ChildStatus;
  attempts: number;
  /** Why it failed or was canceled (the last failure's reason while a retry runs). */
  reason: string | null;
  /** When its first attempt reported its start, and when it ended for good (ms since the epoch). */
  startedAt: number | null;
  endedAt: number | null;
}

const FINAL: ReadonlySet<ChildStatus> = new Set(["succeeded", "failed", "canceled"]);
const ACTIVE: ReadonlySet<ChildStatus> = new Set(["starting", "running"]);

export function isChildFinal(status: ChildStatus): boolean {
  return FINAL.has(status);
}

/** Starting or running: what the concurrency cap counts. */
export function isChildActive(status: ChildStatus): boolean {
  return ACTIVE.has(status);
}

/** Every child before the run begins: pending, or succeeded when Linear already has it completed. */
export function initialChildStates(plan: Plan): ChildState[] {
  return plan.items.map((item) => ({
    key: item.key,
    status: item.completedInLinear ? "succeeded" : "pending",
    attempts: 0,
    reason: null,
    startedAt: null,
    endedAt: null,
  }));
}

/**
 * The children by key, in plan order, with a pending state for any plan item
 * the stored list lacks (a plan read back before its states were saved).
 */
export function childStatesByKey(plan: Plan, children: readonly ChildState[]): Map<string, ChildState> {
  const given = new Map(children.map((child) => [child.key, child]));
  const initial = initialChildStates(plan);
  return new Map(initial.map((fresh) => [fresh.key, given.get(fresh.key) ?? fresh]));
}
