/**
 * Which repository an issue's work happens in. Rules are tried in a fixed
 * order, most explicit first, and the first that matches wins:
 *   1. a `[repo=<name>]` tag in the description,
 *   2. a routing label,
 *   3. the issue's project,
 *   4. its team key,
 *   5. the catch-all repository.
 * With no match we say so rather than guess: work in the wrong repository is
 * worse than a question.
 */
export interface RoutableRepository {
  id: string;
  name: string;
  baseBranch: string;
  labels: string[];
  projectKeys: string[];
  teamKeys: string[];
  isCatchAll: boolean;
}

export interface RoutableIssue {
  description?: string | null;
  labels: string[];
  /** The project's name and slug id: either may be used as a project key. */
  project?: { name: string; slugId?: string | null } | null;
  teamKey?: string | null;
}

export type RoutingDecision<R extends RoutableRepository> =
  | { matched: true; repository: R; rule: "description-tag" | "label" | "project" | "team" | "catch-all"; reason: string }
  | { matched: false; reason: string };

const REPO_TAG = /\[repo=([^\]\s]+)\]/i;

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

export function routeIssue<R extends RoutableRepository>(issue: RoutableIssue, repositories: readonly R[]): RoutingDecision<R> {
  const tagged = issue.description?.match(REPO_TAG)?.[1];
  if (tagged) {
    const repository = repositories.find((r) => same(r.name, tagged));
    if (repository) return { matched: true, repository, rule: "description-tag", reason: `the description names [repo=${tagged}]` };
    return { matched: false, reason: `the description names [repo=${tagged}], but no repository is called "${tagged}"` };
  }
  for (const label of issue.labels) {
    const repository = repositories.find((r) => r.labels.some((l) => same(l, label)));
    if (repository) return { matched: true, repository, rule: "label", reason: `the issue has the label "${label}"` };
  }
  if (issue.project) {
    const keys = [issue.project.name, issue.project.slugId].filter((k): k is string => Boolean(k));
    const repository = repositories.find((r) => r.projectKeys.some((p) => keys.some((k) => same(p, k))));
    if (repository) return { matched: true, repository, rule: "project", reason: `the issue is in the project "${issue.project.name}"` };
  }
  if (issue.teamKey) {
    const teamKey = issue.teamKey;
    const repository = repositories.find((r) => r.teamKeys.some((t) => same(t, teamKey)));
    if (repository) return { matched: true, repository, rule: "team", reason: `the issue belongs to team ${teamKey}` };
  }
  const catchAll = repositories.find((r) => r.isCatchAll);
  if (catchAll) return { matched: true, repository: catchAll, rule: "catch-all", reason: "it is the catch-all repository" };
  return { matched: false, reason: "no routing rule matches this issue" };
}

/** The message shown in Linear when no repository matches: what exists and how to pick one. */
export function noRepositoryMessage(reason: string, repositories: readonly RoutableRepository[]): string {
  if (repositories.length === 0) {
    return `I can't tell which repository to work in: ${reason}, and no repositories are configured yet. An admin can add one with \`POST /api/repositories\` (or \`cyrus config\`), then mention me again.`;
  }
  const list = repositories
    .map((r) => {
      const rules = [
        r.teamKeys.length ? `teams ${r.teamKeys.join(", ")}` : "",
        r.labels.length ? `labels ${r.labels.join(", ")}` : "",
        r.projectKeys.length ? `projects ${r.projectKeys.join(", ")}` : "",
        r.isCatchAll ? "catch-all" : "",
      ].filter(Boolean);
      return `- \`${r.name}\`${rules.length ? ` (${rules.join("; ")})` : ""}`;
    })
    .join("\n");
  return `I can't tell which repository to work in: ${reason}. Configured repositories:\n${list}\n\nAdd \`[repo=<name>]\` to the issue description, or a routing label, then mention me again.`;
}
