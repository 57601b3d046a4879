/**
 * The shapes a session keeps as JSON beside its rows (a parallel parent's run,
 * a child's link to its parent), checked when read back: a value written by
 * another version, or damaged, is refused (null) rather than trusted.
 */
import { z } from "zod";
import { CHILD_STATUSES } from "../parallel/child-state";
import type { ParallelFacts, ParentLink } from "./state";

const PlanItemSchema = z.object({
  key: z.string(),
  title: z.string(),
  description: z.string(),
  acceptanceCriteria: z.array(z.string()),
  dependsOn: z.array(z.string()),
  issueId: z.string().nullable(),
  identifier: z.string().nullable(),
  completedInLinear: z.boolean(),
});

const ChildStateSchema = z.object({
  key: z.string(),
  status: z.enum(CHILD_STATUSES),
  attempts: z.number().int().nonnegative(),
  reason: z.string().nullable(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
});

export const ParallelFactsSchema = z.object({
  status: z.enum(["planning", "creating", "running", "validating", "complete", "error", "stopped"]),
  plan: z.object({ source: z.enum(["sub-issues", "proposal"]), items: z.array(PlanItemSchema) }).nullable(),
  children: z.array(ChildStateSchema),
  links: z.record(z.string(), z.object({ agentSessionId: z.string().nullable(), pullRequests: z.array(z.string()) })),
  plannerAttemptKey: z.string().nullable(),
  validation: z.object({ attemptKey: z.string().nullable(), status: z.enum(["pending", "running", "passed", "failed"]), verdict: z.string().nullable() }).nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
}) satisfies z.ZodType<ParallelFacts>;

export const ParentLinkSchema = z.object({
  parentIssueId: z.string(),
  parentSessionId: z.string(),
  mergeBranches: z.array(z.string()),
}) satisfies z.ZodType<ParentLink>;

/** Reads a stored value; null when absent, not JSON, or not of the shape. */
export function readStored<T>(schema: z.ZodType<T>, value: string | null): T | null {
  if (!value) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const checked = schema.safeParse(parsed);
  return checked.success ? checked.data : null;
}
