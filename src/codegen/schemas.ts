/**
 * Zod schemas of what the Codegen API answers (shared/contracts/external-apis.md §4).
 * Only what the OpenAPI marks required is required: everything else is nullish,
 * and every object lets unknown fields through, because Codegen adds fields over
 * time and a new field must never turn a finished run into a "malformed answer".
 */
import { z } from "zod";

/** Codegen ids (runs, organizations, pull requests, repos) are integers. */
const codegenId = z.number().int();
const nullishString = z.string().nullish();

export const GithubPullRequestSchema = z.looseObject({
  id: codegenId,
  title: nullishString,
  url: z.string(),
  created_at: nullishString,
  head_branch_name: nullishString,
  // Not in the OpenAPI, but Codegen's own CLI reads them.
  state: nullishString,
  merged: z.boolean().nullish(),
});
export type GithubPullRequest = z.infer<typeof GithubPullRequestSchema>;

export const AgentRunSchema = z.looseObject({
  id: codegenId,
  organization_id: codegenId,
  // A free string with no enum: see status.ts for what it means.
  status: nullishString,
  created_at: nullishString,
  web_url: nullishString,
  result: nullishString,
  summary: nullishString,
  source_type: nullishString,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  github_pull_requests: z.array(GithubPullRequestSchema).nullish(),
});
export type AgentRun = z.infer<typeof AgentRunSchema>;

/** A fastapi-pagination page: `total` and `pages` may be null when the server does not count. */
const pageFields = {
  total: z.number().int().nullish(),
  page: z.number().int().nullish(),
  size: z.number().int().nullish(),
  pages: z.number().int().nullish(),
};

export const AgentRunListSchema = z.looseObject({
  items: z.array(AgentRunSchema),
  ...pageFields,
});
export type AgentRunList = z.infer<typeof AgentRunListSchema>;

export const AgentRunLogSchema = z.looseObject({
  agent_run_id: codegenId,
  created_at: z.string(),
  tool_name: nullishString,
  // ACTION, PLAN_EVALUATION, FINAL_ANSWER, ERROR, USER_MESSAGE, …: no enum, so a string.
  message_type: nullishString,
  thought: nullishString,
  // Free-form in the OpenAPI (a string or a JSON object, depending on the tool).
  observation: z.unknown().optional(),
  tool_input: z.unknown().optional(),
  tool_output: z.unknown().optional(),
});
export type AgentRunLog = z.infer<typeof AgentRunLogSchema>;

export const AgentRunLogsSchema = z.looseObject({
  id: codegenId,
  organization_id: codegenId,
  status: nullishString,
  created_at: nullishString,
  web_url: nullishString,
  result: nullishString,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  logs: z.array(AgentRunLogSchema),
  total_logs: z.number().int().nullish(),
  ...pageFields,
});
export type AgentRunLogs = z.infer<typeof AgentRunLogsSchema>;

/** Codegen's own error body. `status_code` repeats the HTTP status, so it is not required. */
export const CodegenErrorBodySchema = z.looseObject({
  message: z.string(),
  status_code: z.number().int().nullish(),
});
export type CodegenErrorBody = z.infer<typeof CodegenErrorBodySchema>;

/** FastAPI's 422 body: one entry per invalid field. */
export const ValidationErrorBodySchema = z.looseObject({
  detail: z.array(
    z.looseObject({
      loc: z.array(z.union([z.string(), z.number()])),
      msg: z.string(),
      type: z.string(),
    }),
  ),
});
export type ValidationErrorBody = z.infer<typeof ValidationErrorBodySchema>;

/** The older `{detail: "Rate limit exceeded", status_code: 429}` body some Codegen versions send. */
export const DetailErrorBodySchema = z.looseObject({ detail: z.string() });
