/**
 * The prompt of a local run (Claude Code on a developer's machine, through the
 * `cyrus` agent): the user prompt — the issue (Linear's `promptContext` when it
 * has one), the request that started it and every follow-up so far — and what
 * is appended to Claude Code's system prompt: the issue and repository, the
 * branch rules, the team's guidance and what to end with. Deterministic: the
 * same input gives the same prompt. The cloud run's is in `cloud-run.ts`.
 */

export interface LocalTaskPromptInput {
  issue: { identifier: string; title: string; description?: string | null };
  /** Linear's `promptContext`: when present it stands for the issue. */
  promptContext?: string | null;
  initialComment?: string | null;
  followUps?: readonly string[];
  guidance?: readonly string[];
  repository: { name: string; baseBranch: string };
}

export interface LocalTaskPrompt {
  prompt: string;
  /** Appended to Claude Code's system prompt. */
  append: string;
}

export function buildLocalTaskPrompt(input: LocalTaskPromptInput): LocalTaskPrompt {
  const { issue, repository } = input;
  const followUps = input.followUps ?? [];
  const guidance = input.guidance ?? [];
  const prompt = [
    input.promptContext ?? `# ${issue.identifier}: ${issue.title}\n\n${issue.description ?? ""}`,
    input.initialComment ? `The request:\n${input.initialComment}` : "",
    followUps.length ? `Follow-ups, in order:\n${followUps.map((f) => `- ${f}`).join("\n")}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const append = [
    `You are working on the Linear issue ${issue.identifier} in the repository ${repository.name}.`,
    `Work on the current branch, created from ${repository.baseBranch}. Commit your changes; open a pull request against ${repository.baseBranch} if you can.`,
    guidance.length ? `Team guidance:\n${guidance.map((g) => `- ${g}`).join("\n")}` : "",
    "End with a short summary of what changed and how you verified it.",
  ]
    .filter(Boolean)
    .join("\n\n");
  return { prompt, append };
}
