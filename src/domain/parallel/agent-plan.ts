/**
 * The parent's plan as Linear shows it: the content of `agentSessionUpdate(input:
 * { plan })`, an array of `{ content, status }` with status `pending`,
 * `inProgress`, `completed` or `canceled` that replaces the whole plan on every
 * update. Linear has no `failed`: a failed child shows as `canceled` and says
 * why in its content. The last step is the validation of the children's work.
 */
import { childStatesByKey, type ChildState, type ChildStatus } from "./child-state";
import { itemLabel, type Plan } from "./plan";

export const AGENT_PLAN_STATUSES = ["pending", "inProgress", "completed", "canceled"] as const;
export type AgentPlanStatus = (typeof AGENT_PLAN_STATUSES)[number];

export interface AgentPlanStep {
  content: string;
  status: AgentPlanStatus;
}

export const VALIDATION_STEP = "Validate the pull requests against the issue's acceptance criteria";
/** Reasons come from agents and APIs; a plan line stays readable. */
const MAX_REASON_CHARS = 200;

const STATUS_IN_LINEAR: Record<ChildStatus, AgentPlanStatus> = {
  pending: "pending",
  starting: "inProgress",
  running: "inProgress",
  succeeded: "completed",
  failed: "canceled",
  canceled: "canceled",
};

/**
 * The plan to send. `validation` is where the validation step stands; it
 * shows `canceled` whenever a child failed or was canceled, since the run can
 * no longer reach it.
 */
export function agentPlanSteps(plan: Plan, children: readonly ChildState[], validation: AgentPlanStatus = "pending"): AgentPlanStep[] {
  const states = childStatesByKey(plan, children);
  const steps = plan.items.map((item): AgentPlanStep => {
    const child = states.get(item.key);
    const status = child?.status ?? "pending";
    return { content: childContent(itemLabel(item), child), status: STATUS_IN_LINEAR[status] };
  });
  const broken = [...states.values()].some((child) => child.status === "failed" || child.status === "canceled");
  steps.push({ content: VALIDATION_STEP, status: broken ? "canceled" : validation });
  return steps;
}

function childContent(label: string, child: ChildState | undefined): string {
  if (child === undefined) return label;
  const reason = shorten(child.reason ?? "no reason given");
  switch (child.status) {
    case "failed":
      return `${label} (failed: ${reason})`;
    case "canceled":
      return `${label} (canceled: ${reason})`;
    case "starting":
    case "running":
      return child.attempts > 1 ? `${label} (retry ${child.attempts - 1})` : label;
    default:
      return label;
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= MAX_REASON_CHARS ? flat : `${flat.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/** Whether Linear's plan needs an update: anything a user would see differs. */
export function agentPlanChanged(before: readonly AgentPlanStep[], after: readonly AgentPlanStep[]): boolean {
  if (before.length !== after.length) return true;
  return before.some((step, index) => step.content !== after[index]?.content || step.status !== after[index]?.status);
}
