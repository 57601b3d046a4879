/**
 * Which changes of a parallel run deserve a `thought` in the parent's Linear
 * thread: a child started, finished, failed (and is retried), failed for good,
 * or was canceled. A delegation still waiting for its start report, a poll that
 * changed nothing, or a repeated report says nothing. All changes of one step
 * go in one thought, so a failure that cancels five dependents posts once.
 */
import { childStatesByKey, type ChildState } from "./child-state";
import { itemLabel, type Plan } from "./plan";

export function planThought(plan: Plan, before: readonly ChildState[], after: readonly ChildState[]): string | null {
  const was = childStatesByKey(plan, before);
  const now = childStatesByKey(plan, after);
  const lines: string[] = [];
  for (const item of plan.items) {
    const line = changeLine(itemLabel(item), was.get(item.key), now.get(item.key));
    if (line) lines.push(line);
  }
  return lines.length > 0 ? lines.join("\n") : null;
}

function changeLine(label: string, was: ChildState | undefined, now: ChildState | undefined): string | null {
  if (was === undefined || now === undefined) return null;
  const reason = now.reason ?? "no reason given";
  if (now.status === was.status && now.attempts === was.attempts) return null;
  switch (now.status) {
    case "running":
      return now.attempts > 1 ? `Started ${label} again (attempt ${now.attempts}).` : `Started ${label}.`;
    case "starting":
      // A retry: the same child, one attempt more. A first delegation waits for its start report.
      return now.attempts > was.attempts && was.status !== "pending" ? `${label} failed (${reason}); retrying once.` : null;
    case "succeeded":
      return `${label} finished.`;
    case "failed":
      return `${label} failed after ${now.attempts} attempt${now.attempts === 1 ? "" : "s"}: ${reason}`;
    case "canceled":
      return `${label} canceled: ${reason}`;
    default:
      return null;
  }
}
