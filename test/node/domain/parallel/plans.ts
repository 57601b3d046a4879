/** Small builders for the parallel table tests: plan items, plans and child states. */
import type { ChildState, ChildStatus } from "../../../../src/domain/parallel/child-state";
import type { Plan, PlanItem } from "../../../../src/domain/parallel/plan";

export function item(key: string, dependsOn: string[] = [], extra: Partial<PlanItem> = {}): PlanItem {
  return {
    key,
    title: `Task ${key}`,
    description: "",
    acceptanceCriteria: [],
    dependsOn,
    issueId: null,
    identifier: null,
    completedInLinear: false,
    ...extra,
  };
}

export function planOf(...items: PlanItem[]): Plan {
  return { source: "proposal", items };
}

export function child(key: string, status: ChildStatus = "pending", attempts = 0, extra: Partial<ChildState> = {}): ChildState {
  return { key, status, attempts, reason: null, startedAt: null, endedAt: null, ...extra };
}

/** `{ a: "running/1", b: "pending" }` → child states: status/attempts, attempts 0 when left out. */
export function children(spec: Record<string, string>): ChildState[] {
  return Object.entries(spec).map(([key, text]) => {
    const [status, attempts] = text.split("/");
    return child(key, status as ChildStatus, Number(attempts ?? 0));
  });
}
