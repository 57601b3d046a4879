/**
 * The plan a planning task proposes when the issue has no sub-issues: the
 * structured output asked of Claude Code (`outputFormat: { type:
 * "json_schema", schema }`, read from the result's `structured_output`) or of
 * a Codegen run (the same JSON in its result). The schema is the contract
 * with the model; validation turns its answer into the same PlanDecision as
 * existing sub-issues, so the rest of the run cannot tell them apart.
 */
import { z } from "zod";
import { MAX_SUBTASKS } from "./caps";
import type { PlanDecision, PlanItem } from "./plan";
import { decidePlan } from "./plan-decision";

export const ProposedSubtaskSchema = z.object({
  key: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "a key is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    .describe("Short stable id of this sub-task, unique in the plan, e.g. 'api'"),
  title: z.string().trim().min(1).max(255).describe("The sub-issue's title"),
  description: z.string().describe("What to do, for an agent working on this sub-task alone"),
  acceptanceCriteria: z.array(z.string().trim().min(1)).default([]).describe("Checks that say the sub-task is done"),
  dependsOn: z.array(z.string()).default([]).describe("Keys of sub-tasks that must be finished before this one starts"),
});
export type ProposedSubtask = z.infer<typeof ProposedSubtaskSchema>;

export const ProposedPlanSchema = z.object({
  subtasks: z
    .array(ProposedSubtaskSchema)
    .describe(`At most ${MAX_SUBTASKS} sub-tasks that can be worked on in parallel where their dependencies allow`),
  declineReason: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe("Set, with no sub-tasks, when the issue is better done as one task; say why"),
});
export type ProposedPlan = z.infer<typeof ProposedPlanSchema>;

/** The JSON Schema to hand the planner (the Agent SDK's `outputFormat.schema`, or a Codegen prompt). */
export function proposedPlanJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ProposedPlanSchema);
}

/** Validates a planner's answer (parsed JSON, untrusted) into a plan decision. */
export function planFromProposal(raw: unknown): PlanDecision {
  const parsed = ProposedPlanSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "plan"}: ${issue.message}`);
    return { kind: "invalid", problems: [`the planner's answer does not match the plan schema`, ...problems], notes: [] };
  }
  const { subtasks, declineReason } = parsed.data;
  if (declineReason !== undefined) {
    const notes = subtasks.length > 0 ? [`the planner declined and also proposed ${subtasks.length} sub-tasks; they are ignored`] : [];
    return decidePlan("proposal", [], notes, declineReason);
  }
  const items: PlanItem[] = subtasks.map((task) => ({
    key: task.key,
    title: task.title,
    description: task.description,
    acceptanceCriteria: task.acceptanceCriteria,
    dependsOn: [...new Set(task.dependsOn)],
    issueId: null,
    identifier: null,
    completedInLinear: false,
  }));
  return decidePlan("proposal", items);
}
