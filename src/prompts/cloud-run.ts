/**
 * The prompt and metadata of a Codegen run. Deterministic: the same input gives
 * the same prompt byte for byte, so a retried create sends exactly what the lost
 * one did, and a test can compare prompts.
 */

export interface CodegenPromptInput {
  issue: { identifier: string; title: string; description?: string | null; url?: string | null };
  /** Linear's `promptContext` XML: the issue, its thread and the team's guidance, already assembled. */
  promptContext?: string | null;
  guidance?: string[];
  initialComment?: string | null;
  followUps?: string[];
  repository: { name: string; gitUrl?: string | null; baseBranch: string };
  branchName: string;
  /** A hybrid-parallel child that depends on others: the branches its work starts from. */
  startFrom?: string | null;
}

export function buildCodegenPrompt(input: CodegenPromptInput): string {
  const { issue, repository, branchName } = input;
  // Verbatim, not trimmed: it is Linear's text and the agent may be told to quote it.
  const context = present(input.promptContext) === undefined ? undefined : input.promptContext!;
  // promptContext already carries the guidance and the thread; repeat only what it does not quote.
  const missingFromContext = (text: string) => context === undefined || !context.includes(text);
  const guidance = (input.guidance ?? []).map((g) => g.trim()).filter((g) => g !== "" && missingFromContext(g));
  const comment = present(input.initialComment);
  const followUps = (input.followUps ?? []).map((f) => f.trim()).filter((f) => f !== "");

  const sections: string[] = [`# ${issue.identifier}: ${issue.title.trim()}`];

  if (context !== undefined) {
    sections.push("## What to do", "Linear's context for this issue, verbatim:", context);
  } else {
    const lines = ["## What to do", `Resolve the Linear issue ${issue.identifier}: **${issue.title.trim()}**`];
    const url = present(issue.url);
    if (url !== undefined) lines.push(`Issue: ${url}`);
    sections.push(lines.join("\n\n"), "### Description", present(issue.description) ?? "(The issue has no description.)");
  }

  if (guidance.length > 0) {
    sections.push("## Team guidance", guidance.map((g) => `- ${indent(g)}`).join("\n"));
  }
  if (comment !== undefined && missingFromContext(comment)) {
    sections.push("## The user's request", comment);
  }
  if (followUps.length > 0) {
    sections.push("## Follow-ups, oldest first", followUps.map((f, i) => `${i + 1}. ${indent(f)}`).join("\n"));
  }

  const repo = [`- Repository: ${repository.name}`];
  const gitUrl = present(repository.gitUrl);
  if (gitUrl !== undefined) repo.push(`- Clone URL: ${gitUrl}`);
  repo.push(`- Base branch: \`${repository.baseBranch}\``);
  sections.push("## Repository", repo.join("\n"));
  const startFrom = present(input.startFrom);
  if (startFrom !== undefined) sections.push("## Where to start", startFrom);

  sections.push(
    "## What we expect back",
    [
      `1. Work on the branch \`${branchName}\`, created from \`${repository.baseBranch}\`.`,
      `2. Open a pull request from \`${branchName}\` against \`${repository.baseBranch}\`.`,
      "3. End with a short summary of what changed and how it was verified (tests run, checks done).",
    ].join("\n"),
  );

  return `${sections.join("\n\n")}\n`;
}

/**
 * Metadata stored on the run. `cyrus_attempt_key` is how a run whose create
 * answer was lost is found again (see find-run.ts): Codegen has no idempotency key.
 */
export function runMetadata(input: { linearSessionId: string; linearIssueId?: string | null; attemptKey: string }): Record<string, string> {
  return {
    linear_session_id: input.linearSessionId,
    ...(input.linearIssueId ? { linear_issue_id: input.linearIssueId } : {}),
    cyrus_attempt_key: input.attemptKey,
  };
}

/**
 * `cyrus/eng-123` for ENG-123. A Linear identifier is letters, digits and a dash;
 * anything else is replaced so the result is always a valid git branch name.
 */
export function branchNameFor(identifier: string): string {
  const slug = identifier
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  if (slug === "") throw new RangeError(`cannot make a branch name from the identifier ${JSON.stringify(identifier)}`);
  return `cyrus/${slug}`;
}

function present(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** Keeps a multi-line item inside its Markdown list entry. */
function indent(text: string): string {
  return text.replace(/\n/g, "\n   ");
}
