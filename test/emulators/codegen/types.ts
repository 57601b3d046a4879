/**
 * The shapes on the wire, shared by the emulator and its control client. Pure
 * types and constants: no Node imports, so workerd tests can import it.
 */

/** The endpoint families, as calls are recorded and faults are scoped. `ban` covers ban, unban and remove-from-pr. */
export const ENDPOINT_KINDS = ["create", "get", "list", "resume", "logs", "ban"] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** A call that matched no endpoint is recorded with kind `other`. */
export type CallKind = EndpointKind | "other";

/** Codegen's rate limits are per API token and per family: creates, reads (get, list, resume), log reads. */
export type RateBucket = "create" | "read" | "logs";

export interface RateLimit {
  limit: number;
  /** The sliding window, in emulator (scaled) milliseconds. */
  windowMs: number;
}

export type RateLimits = Record<RateBucket, RateLimit>;

export const DEFAULT_RATE_LIMITS: RateLimits = {
  create: { limit: 10, windowMs: 60_000 },
  read: { limit: 60, windowMs: 30_000 },
  logs: { limit: 60, windowMs: 60_000 },
};

export const BUCKET_OF: Record<EndpointKind, RateBucket | null> = {
  create: "create",
  get: "read",
  list: "read",
  resume: "read",
  logs: "logs",
  ban: null,
};

// ---- the public API ----

export interface PullRequest {
  id: number;
  title: string;
  url: string;
  created_at: string;
  head_branch_name: string;
}

export interface AgentRunResponse {
  id: number;
  organization_id: number;
  status: string | null;
  created_at: string | null;
  web_url: string | null;
  result: string | null;
  summary: string | null;
  source_type: string | null;
  metadata: Record<string, unknown> | null;
  github_pull_requests: PullRequest[] | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export interface AgentRunLog {
  agent_run_id: number;
  created_at: string;
  tool_name: string | null;
  message_type: string;
  thought: string | null;
  observation: string | null;
  tool_input: Record<string, unknown> | null;
  tool_output: string | null;
}

export interface AgentRunLogsResponse {
  id: number;
  organization_id: number;
  status: string | null;
  created_at: string | null;
  web_url: string | null;
  result: string | null;
  metadata: Record<string, unknown> | null;
  logs: AgentRunLog[];
  total_logs: number;
  page: number;
  size: number;
  pages: number;
}

export interface ErrorBody {
  message: string;
  status_code: number;
}

export interface ValidationIssue {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export interface ValidationErrorBody {
  detail: ValidationIssue[];
}

export const MESSAGES = {
  unauthorized: "Invalid or missing API token",
  forbidden: "You do not have access to this organization.",
  noRepos: "No repos found in the organization. Please add some repos and try again.",
  allowance: "Alloted agent runs for the current billing plan have been reached. Please upgrade your plan to continue.",
  runNotFound: "Agent run not found.",
  rateLimited: "Rate limit exceeded. Please try again later.",
  internal: "Internal Server Error",
} as const;

export const SOURCE_TYPES = [
  "LOCAL",
  "SLACK",
  "GITHUB",
  "GITHUB_CHECK_SUITE",
  "GITHUB_PR_REVIEW",
  "LINEAR",
  "API",
  "CHAT",
  "JIRA",
  "CLICKUP",
  "MONDAY",
  "SETUP_COMMANDS",
] as const;

// ---- scripts ----

export interface PullRequestSpec {
  title?: string;
  url?: string;
  head_branch_name?: string;
}

/** How one run (or one resume of it) plays out. Durations are emulator (scaled) milliseconds. */
export interface RunScript {
  /** How long the run works before it ends (60000). */
  durationMs?: number;
  /** The status once it ends, passed through as-is ("COMPLETE"; lowercase values are served lowercase). */
  finalStatus?: string;
  /** The status while it works ("ACTIVE"). */
  runningStatus?: string;
  /** PRs it opens: a count or their details. Unset: one PR when the run succeeds and has none yet, else none. */
  pullRequests?: number | PullRequestSpec[];
  /** When its PRs open, from the start of this script (at the end by default). A run with an open PR can be stopped by ban. */
  prOpensAtMs?: number;
  /** The markdown `result` once it ends (a plausible default). */
  result?: string;
  /** The `summary` once it ends (a plausible default). */
  summary?: string;
  /** A log entry every this many ms while it works (10000; 0 for none). */
  logEvery?: number;
  /** Works forever (until banned or resumed). */
  neverEnds?: boolean;
  /** Only a run that fits takes this script; without it, any run does. */
  match?: ScriptMatch;
  /** Stays queued after use, so every run that fits takes it (a matched script's usual use: "runs for ENG-12 take 30 s"). */
  repeat?: boolean;
}

/** Which runs a queued script is for: all the given conditions hold. */
export interface ScriptMatch {
  /** The create's (or the resume's) prompt contains this text. */
  promptContains?: string;
  /** Each of these keys of the run's `metadata` (given at create) has exactly this value. */
  metadata?: Record<string, string | number | boolean | null>;
}

/** A script with its defaults applied, as stored on a run. */
export interface ResolvedScript {
  durationMs: number;
  finalStatus: string;
  runningStatus: string;
  /** `null`: decided when the run starts (one PR on success if the run has none yet). */
  pullRequests: number | PullRequestSpec[] | null;
  prOpensAtMs: number | null;
  result: string | null;
  summary: string | null;
  logEvery: number;
  neverEnds: boolean;
  match: ScriptMatch | null;
  repeat: boolean;
}

// ---- faults ----

export const FAULT_KINDS = [
  "http500",
  "http502",
  "rateLimit429",
  "createdThenLost",
  "hang",
  "slow",
  "lowercaseStatus",
  "http401",
  "http402",
  "http403",
  "http404",
  "http422",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** Only requests to this organization (the `org_id` in the path). */
  orgId?: number;
  /** Only this endpoint family. */
  endpoint?: EndpointKind;
  /** How many requests it takes (1). */
  count?: number;
  /** Real (unscaled) milliseconds to wait before answering; `slow` defaults to 2000. */
  delayMs?: number;
  /** `rateLimit429`: send `Retry-After` with this many seconds. */
  retryAfterSeconds?: number;
  /**
   * `createdThenLost`: destroy the connection (default), answer 500, or never answer
   * (`hang`: the run exists, the client waits until it gives up or dies).
   */
  mode?: "destroy" | "500" | "hang";
  /** Overrides the default `message` of an error answer. */
  message?: string;
}

export interface FaultRule extends Required<Pick<FaultSpec, "kind" | "count">> {
  id: string;
  orgId: number | null;
  endpoint: EndpointKind | null;
  remaining: number;
  delayMs: number;
  retryAfterSeconds: number | null;
  mode: "destroy" | "500" | "hang";
  message: string | null;
}

// ---- records ----

export interface CallRecord {
  at: string;
  atMs: number;
  orgId: number | null;
  /** sha256 of the bearer token, first 16 hex characters; null without one. */
  tokenHash: string | null;
  kind: CallKind;
  method: string;
  path: string;
  /** The HTTP status answered; 0 when none was (hang, destroyed connection). */
  status: number;
  runId?: number;
  fault?: FaultKind;
  /** True when the emulator's rate limiter refused it (not a `rateLimit429` fault). */
  rateLimited?: boolean;
}

export interface KindStats {
  calls: number;
  /** The most calls of this kind by one token within any window of `windowMs` (requests that reached the limiter). */
  peak: number;
  windowMs: number;
}

export interface BucketStats extends KindStats {
  limit: number;
  /** 429s answered by the rate limiter. */
  violations: number;
}

export interface EmulatorStats {
  orgId: number | null;
  total: number;
  byKind: Record<CallKind, KindStats>;
  byStatus: Record<string, number>;
  buckets: Record<RateBucket, BucketStats>;
  violations: number;
  /** Answers taken over by an injected fault. */
  faults: number;
}

export interface RunSegmentView {
  startedAt: string;
  prompt: string;
  script: ResolvedScript;
  /** When it ends (or ended); null while it never ends. */
  endsAt: string | null;
  cut: { at: string; reason: "stopped" | "resumed" } | null;
}

export interface RunView {
  id: number;
  orgId: number;
  repoId: number;
  userId: number;
  tokenHash: string;
  prompt: string;
  images: number;
  model: string | null;
  agentType: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  status: string;
  lowercase: boolean;
  banned: boolean;
  removedFromPr: boolean;
  segments: RunSegmentView[];
  response: AgentRunResponse;
}

export interface CreatedOrganization {
  orgId: number;
  apiToken: string;
  tokenHash: string;
  userId: number;
  repos: Array<{ id: number; name: string }>;
  allowance: number | null;
}

export interface ClockView {
  now: string;
  nowMs: number;
  /** Total emulator ms added by `advance`. */
  offsetMs: number;
  timeScale: number;
}
