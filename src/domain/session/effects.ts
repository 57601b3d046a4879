/**
 * What a step asks the IssueSession to do, as plain data. An effect is either
 * a timeline entry (stored with the new state) or a job: a Linear activity, a
 * session or issue update, a Codegen call, a local task to queue, a budget
 * reservation to take or settle, a metrics row. Jobs go through the session's
 * lanes and outbox, which is what makes each happen exactly once; what a job
 * learns comes back to `step` as an event.
 */
import type { JobSpec } from "../job-specs";
import type { TimelineEntry } from "../session-intake";

export type Effect =
  | { kind: "timeline"; entry: TimelineEntry }
  /** `dueAt` absent: due at once. */
  | { kind: "job"; job: JobSpec; dueAt?: number };

export function jobsOf(effects: readonly Effect[]): Extract<Effect, { kind: "job" }>[] {
  return effects.filter((e): e is Extract<Effect, { kind: "job" }> => e.kind === "job");
}

export function timelineOf(effects: readonly Effect[]): TimelineEntry[] {
  return effects.flatMap((e) => (e.kind === "timeline" ? [e.entry] : []));
}
