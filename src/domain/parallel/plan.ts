/**
 * The shape every hybrid-parallel plan takes, whichever way it was made
 * (existing Linear sub-issues, or sub-tasks proposed by a planning task), so
 * release, failure handling, Linear's agent plan and the figures read one type.
 * Building and validating a plan lives in plan-from-sub-issues.ts,
 * proposed-plan.ts and plan-decision.ts.
 */

export interface PlanItem {
  /** Stable within the plan: the sub-issue's Linear id, or the planner's key. */
  key: string;
  title: string;
  description: string;
  acceptanceCriteria: string[];
  /** Keys of the items that must succeed before this one starts. */
  dependsOn: string[];
  /** The Linear sub-issue, once it exists (a proposed item gets one when the edge creates it). */
  issueId: string | null;
  identifier: string | null;
  /** A sub-issue already completed in Linear when the plan was read: it counts as succeeded and never runs. */
  completedInLinear: boolean;
}

export type PlanSource = "sub-issues" | "proposal";

export interface Plan {
  source: PlanSource;
  /** In plan order: children are released in this order when the cap lets only some start. */
  items: PlanItem[];
}

/**
 * What to do with a delegated issue once its plan is known:
 * `parallel` runs the plan; `single` runs the issue as hybrid-smart would,
 * and `reason` is what the parent says about it in Linear; `invalid` is a plan
 * that cannot run, each problem a sentence for the user.
 * `notes` are things deliberately left out (an ignored relation, a canceled
 * sub-issue), worth a line in the session log.
 */
export type PlanDecision =
  | { kind: "parallel"; plan: Plan; notes: string[] }
  | { kind: "single"; reason: string; notes: string[] }
  | { kind: "invalid"; problems: string[]; notes: string[] };

/** How an item is named to a user: `ENG-12 Add the API` once it has a sub-issue, else its title. */
export function itemLabel(item: Pick<PlanItem, "title" | "identifier">): string {
  return item.identifier ? `${item.identifier} ${item.title}` : item.title;
}
