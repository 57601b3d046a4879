/**
 * The prompts of a hybrid-parallel parent's own helper tasks, for either
 * executor: the planning task (propose sub-tasks as structured output; a
 * Codegen run, which answers in text, ends with the JSON) and the validation
 * task (check every child's pull request against the parent's acceptance
 * criteria and run the tests). Deterministic, like the other prompts.
 */
import type { ParallelFacts } from "../domain/session";
import { itemLabel } from "../domain/parallel/plan";
import { MAX_SUBTASKS } from "../domain/parallel/caps";

export interface ParentIssue {
  identifier: string;
  title: string;
  description?: string | null;
}

export function buildPlannerPrompt(issue: ParentIssue, repository: { name: string; baseBranch: string }, options: { answerAsTextJson: boolean; schema: Record<string, unknown> }): string {
  const lines = [
    `# Plan ${issue.identifier}: ${issue.title.trim()}`,
    "## What to do",
    `Read the repository \`${repository.name}\` (base branch \`${repository.baseBranch}\`) and the issue below, and split the work into independent sub-tasks that separate agents can do at the same time, each in its own branch and pull request. Change nothing and open no pull request: this is planning only.`,
    "### The issue",
    issue.description?.trim() || "(The issue has no description.)",
    "## Rules for the plan",
    [
      `- At most ${MAX_SUBTASKS} sub-tasks; prefer 2 to 5 of similar size.`,
      "- Each sub-task gets a short unique `key`, a `title`, a `description` precise enough to do it alone, and `acceptanceCriteria`.",
      "- `dependsOn` lists the keys a sub-task needs finished first (it starts from their branches). Keep chains short: independent sub-tasks finish sooner.",
      "- If the issue is too small or too entangled to split, answer with `declineReason` and no sub-tasks.",
    ].join("\n"),
  ];
  if (options.answerAsTextJson) {
    lines.push("## Your answer", "End your answer with one JSON object, and nothing after it, that matches this JSON Schema:", "```json", JSON.stringify(options.schema, null, 2), "```");
  }
  return `${lines.join("\n\n")}\n`;
}

export function buildValidationPrompt(
  issue: ParentIssue,
  run: Pick<ParallelFacts, "plan" | "children" | "links">,
  repository: { name: string; baseBranch: string },
  options: { mergeInOrder: boolean; followUps: readonly string[] },
): string {
  const items = run.plan?.items ?? [];
  const tasks = items.map((item) => {
    const prs = run.links[item.key]?.pullRequests ?? [];
    const criteria = item.acceptanceCriteria.length ? `\n  Acceptance criteria: ${item.acceptanceCriteria.join("; ")}` : "";
    return `- ${itemLabel(item)}${prs.length ? `: ${prs.join(", ")}` : ": (no pull request reported)"}${criteria}`;
  });
  const lines = [
    `# Validate ${issue.identifier}: ${issue.title.trim()}`,
    "## What to do",
    `The issue was split into ${items.length} sub-tasks, each done in its own pull request against \`${repository.baseBranch}\` of \`${repository.name}\`. Check out each pull request, review it against the parent issue's acceptance criteria and its own, and run the project's tests with all of them applied together.`,
    "### The parent issue",
    issue.description?.trim() || "(The issue has no description.)",
    "### The sub-tasks and their pull requests",
    tasks.join("\n"),
  ];
  if (options.followUps.length) lines.push("### Follow-ups from the user, oldest first", options.followUps.map((f, i) => `${i + 1}. ${f.trim()}`).join("\n"));
  lines.push(
    "## What we expect back",
    [
      options.mergeInOrder
        ? "1. If everything passes, merge the pull requests in dependency order (a sub-task after the ones it depends on)."
        : "1. Do not merge anything.",
      "2. End with the verdict: `Verdict: pass` or `Verdict: fail`, then one line per pull request saying what you checked and what, if anything, is wrong.",
    ].join("\n"),
  );
  return `${lines.join("\n\n")}\n`;
}

/** The line a dependent sub-task's prompt adds: where its work starts from. */
export function dependencyNote(mergeBranches: readonly string[], baseBranch: string): string | null {
  if (mergeBranches.length === 0) return null;
  return `This sub-task depends on work in ${mergeBranches.map((b) => `\`${b}\``).join(", ")}. Create your branch from \`${baseBranch}\` and merge ${mergeBranches.length === 1 ? "that branch" : "those branches, in that order,"} into it before you start.`;
}
