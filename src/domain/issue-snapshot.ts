/**
 * The issue an IssueSession stored when it prepared a session (`meta.issue`):
 * Linear's answer to `issueDetails`, read back with the same schema it was
 * parsed with. A snapshot that is missing, not JSON or not that shape reads as
 * null, and the headline then falls back to what the session row holds.
 */
import { IssueDetailsSchema, type IssueDetails } from "../linear/issue-details";

export function parseIssueSnapshot(json: string | null | undefined): IssueDetails | null {
  if (!json) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = IssueDetailsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export interface IssueHeadline {
  id: string;
  identifier: string;
  title: string;
  description: string | null;
  url: string | null;
}

/** What a prompt or a task spec says about the issue: the session's copy first (written with the snapshot), then the snapshot. */
export function issueHeadline(
  snapshot: IssueDetails | null,
  session: { issueId: string | null; issueIdentifier: string | null; issueTitle: string | null },
): IssueHeadline {
  const identifier = session.issueIdentifier ?? snapshot?.identifier ?? "issue";
  return {
    id: session.issueId ?? snapshot?.id ?? "",
    identifier,
    title: session.issueTitle ?? snapshot?.title ?? identifier,
    description: snapshot?.description ?? null,
    url: snapshot?.url ?? null,
  };
}
