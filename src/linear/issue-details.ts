/**
 * The issue as the edge reads it from Linear (`LinearApi.issueDetails`), and
 * as an IssueSession stores it in `meta.issue` (src/domain/issue-snapshot.ts).
 */
import { z } from "zod";

export const WorkflowStateSchema = z.object({ id: z.string(), name: z.string(), type: z.string(), position: z.number() });
export type WorkflowState = z.infer<typeof WorkflowStateSchema>;

export const IssueDetailsSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  url: z.string().nullish(),
  priority: z.number().nullish(),
  estimate: z.number().nullish(),
  team: z.object({
    id: z.string(),
    key: z.string(),
    name: z.string().nullish(),
    states: z.object({ nodes: z.array(WorkflowStateSchema) }),
  }),
  state: WorkflowStateSchema.pick({ id: true, name: true, type: true }).nullish(),
  labels: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string() })) }),
  project: z.object({ id: z.string(), name: z.string(), slugId: z.string().nullish() }).nullish(),
  delegate: z.object({ id: z.string() }).nullish(),
  parent: z.object({ id: z.string(), identifier: z.string() }).nullish(),
  children: z.object({ nodes: z.array(z.object({ id: z.string(), identifier: z.string() })) }),
});
export type IssueDetails = z.infer<typeof IssueDetailsSchema>;
