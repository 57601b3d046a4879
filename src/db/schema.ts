/**
 * The D1 schema. Times are epoch milliseconds (integers) so that range queries
 * and day buckets are plain arithmetic; JSON columns hold small lists only.
 * Change it here, then `npm run db:generate` writes the next migration.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A Linear organization that installed the app. Tokens are AES-GCM ciphertexts. */
export const workspaces = sqliteTable("workspaces", {
  id: text("id").primaryKey(), // Linear organization id
  name: text("name").notNull(),
  urlKey: text("url_key").notNull(),
  appUserId: text("app_user_id").notNull(),
  accessTokenEnc: text("access_token_enc").notNull(),
  refreshTokenEnc: text("refresh_token_enc"),
  tokenExpiresAt: integer("token_expires_at").notNull(),
  scope: text("scope").notNull().default(""),
  installedAt: integer("installed_at").notNull(),
  revokedAt: integer("revoked_at"),
  updatedAt: integer("updated_at").notNull(),
  /** The workspace's own Codegen credentials, used instead of CODEGEN_ORG_ID / CODEGEN_API_TOKEN. */
  codegenOrgId: integer("codegen_org_id"),
  codegenApiTokenEnc: text("codegen_api_token_enc"),
});

/** Where an issue's work runs: a repository and the rules that route issues to it. */
export const repositories = sqliteTable(
  "repositories",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    name: text("name").notNull(),
    gitUrl: text("git_url"),
    baseBranch: text("base_branch").notNull().default("main"),
    teamKeys: text("team_keys", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    labels: text("labels", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    projectKeys: text("project_keys", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Receives every issue that no other rule matches. At most one per workspace. */
    isCatchAll: integer("is_catch_all", { mode: "boolean" }).notNull().default(false),
    codegenRepoId: integer("codegen_repo_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("repositories_workspace_name").on(t.workspaceId, t.name)],
);

/** One Linear agent session and how it ended. Written by its IssueSession object. */
export const agentSessions = sqliteTable(
  "agent_sessions",
  {
    id: text("id").primaryKey(), // Linear agent session id
    workspaceId: text("workspace_id").notNull(),
    issueId: text("issue_id"),
    issueIdentifier: text("issue_identifier"),
    issueTitle: text("issue_title"),
    repositoryId: text("repository_id"),
    repositoryName: text("repository_name"),
    status: text("status").notNull(), // pending | active | awaiting_input | ready | waiting_for_budget | complete | error | stopped
    executor: text("executor"), // local | cloud
    agentType: text("agent_type"),
    complexity: text("complexity"),
    outcome: text("outcome"),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    endedAt: integer("ended_at"),
    /** A hybrid-parallel child's parent session (null for every other session). */
    parentSessionId: text("parent_session_id"),
  },
  (t) => [
    index("agent_sessions_workspace_created").on(t.workspaceId, t.createdAt),
    index("agent_sessions_parent").on(t.parentSessionId),
    // The panel's overview: the sessions at work now, and the latest to end.
    index("agent_sessions_workspace_status_updated").on(t.workspaceId, t.status, t.updatedAt),
    index("agent_sessions_workspace_ended").on(t.workspaceId, t.endedAt),
  ],
);

/**
 * A hybrid-parallel parent's plan and where each child stands, mirrored from
 * its IssueSession (which decides; this is what the API and the panel read).
 */
export const parallelRuns = sqliteTable(
  "parallel_runs",
  {
    sessionId: text("session_id").primaryKey(), // the parent's agent session
    workspaceId: text("workspace_id").notNull(),
    status: text("status").notNull(), // planning | running | validating | complete | error | stopped
    source: text("source").notNull(), // sub-issues | proposal
    items: text("items", { mode: "json" }).$type<ParallelRunItem[]>().notNull(),
    validation: text("validation", { mode: "json" }).$type<ParallelValidation | null>(),
    figures: text("figures", { mode: "json" }).$type<ParallelFiguresRecord | null>(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    endedAt: integer("ended_at"),
  },
  (t) => [index("parallel_runs_workspace_ended").on(t.workspaceId, t.endedAt)],
);

/** One sub-task of a parallel run as the API shows it. */
export interface ParallelRunItem {
  key: string;
  title: string;
  issueId: string | null;
  identifier: string | null;
  dependsOn: string[];
  status: "pending" | "starting" | "running" | "succeeded" | "failed" | "canceled";
  attempts: number;
  reason: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** The child's own agent session, once it reported in. */
  agentSessionId: string | null;
  pullRequests: string[];
}

export interface ParallelValidation {
  status: "pending" | "running" | "passed" | "failed";
  verdict: string | null;
}

export interface ParallelFiguresRecord {
  children: number;
  wallMs: number;
  childMsSum: number;
  criticalPathMs: number;
  criticalPath: string[];
  peakConcurrency: number;
  speedup: number | null;
}

/** The timeline of a session: what arrived, what was decided, what was sent. */
export const sessionEvents = sqliteTable(
  "session_events",
  {
    id: text("id").primaryKey(), // unique per event, so a replayed write is a no-op
    sessionId: text("session_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    kind: text("kind").notNull(),
    summary: text("summary").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("session_events_session_created").on(t.sessionId, t.createdAt)],
);

/** One execution attempt of a session: what it cost, how long it took, how it ended. */
export const executionMetrics = sqliteTable(
  "execution_metrics",
  {
    id: text("id").primaryKey(), // `<sessionId>:<attempt>` (src/domain/attempt-key.ts): alarms fire at least once
    workspaceId: text("workspace_id").notNull(),
    sessionId: text("session_id").notNull(),
    repositoryName: text("repository_name"),
    executor: text("executor").notNull(),
    agentType: text("agent_type"),
    complexity: text("complexity"),
    codegenRunId: integer("codegen_run_id"),
    localTaskId: text("local_task_id"),
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at"),
    durationMs: integer("duration_ms"),
    outcome: text("outcome"), // succeeded | failed | stopped | timed_out
    costUsd: real("cost_usd").notNull().default(0),
    costEstimated: integer("cost_estimated", { mode: "boolean" }).notNull().default(false),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    prUrls: text("pr_urls", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  },
  (t) => [
    // Covers every column the cost report and the stats read, so a date range is one ordered
    // scan of the index and never a lookup per row (it replaces the plain (workspace, started_at) one).
    index("execution_metrics_report").on(
      t.workspaceId,
      t.startedAt,
      t.executor,
      t.outcome,
      t.costUsd,
      t.costEstimated,
      t.durationMs,
      t.endedAt,
      t.repositoryName,
      t.agentType,
    ),
    index("execution_metrics_session").on(t.sessionId, t.startedAt),
  ],
);

/**
 * The cost report's daily rollup of `execution_metrics`: one row per workspace,
 * UTC day of `started_at`, executor, repository and agent type ('' for none,
 * so the key has no NULLs). Kept by SQLite triggers on `execution_metrics`
 * (migration 0005), in the same statement as every insert, update or delete of
 * a run, so whoever writes a run keeps it right, replays included.
 */
export const executionMetricsDaily = sqliteTable(
  "execution_metrics_daily",
  {
    workspaceId: text("workspace_id").notNull(),
    day: integer("day").notNull(),
    executor: text("executor").notNull(),
    repositoryName: text("repository_name").notNull(),
    agentType: text("agent_type").notNull(),
    tasks: integer("tasks").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    stopped: integer("stopped").notNull().default(0),
    timedOut: integer("timed_out").notNull().default(0),
    estimatedTasks: integer("estimated_tasks").notNull().default(0),
    costUsd: real("cost_usd").notNull().default(0),
    estimatedCostUsd: real("estimated_cost_usd").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.executor, t.repositoryName, t.agentType] })],
);

/**
 * How long runs took, per workspace and UTC day of `started_at`, by bucket of
 * two significant digits (0–99 ms one bucket each, then 100–109, 110–119, …,
 * 990–999, 1000–1099, …): what the stats find the bucket of a percentile in,
 * before reading the exact value from the runs of that bucket alone. Kept by
 * triggers on `execution_metrics` (migration 0007).
 */
export const executionDurationsDaily = sqliteTable(
  "execution_durations_daily",
  {
    workspaceId: text("workspace_id").notNull(),
    day: integer("day").notNull(),
    bucket: integer("bucket").notNull(),
    runs: integer("runs").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.bucket] })],
);

/**
 * The most runs that overlapped at one instant of each UTC day, per workspace.
 * A run spans [started_at, its end], its end being `ended_at` (or start plus
 * duration, or the start itself) and at most 24 h after its start. Kept by
 * triggers on `execution_metrics` (migration 0007).
 */
export const executionPeaksDaily = sqliteTable(
  "execution_peaks_daily",
  {
    workspaceId: text("workspace_id").notNull(),
    day: integer("day").notNull(),
    peak: integer("peak").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day] })],
);

/** Tokens the local agents connect with. Only a SHA-256 of the token is kept. */
export const agentTokens = sqliteTable(
  "agent_tokens",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("agent_tokens_hash").on(t.tokenHash)],
);

/** Who changed what: installs, revocations, configuration and token changes. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id"),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("audit_log_workspace_created").on(t.workspaceId, t.createdAt)],
);

/** Correctly signed webhooks we could not use: kept so nothing is lost without a trace. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id"),
    eventType: text("event_type"),
    organizationId: text("organization_id"),
    error: text("error").notNull(),
    body: text("body").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [index("dead_letters_received").on(t.receivedAt)],
);

/** Single-use OAuth `state` values, with the PKCE verifier that goes with each. */
export const oauthStates = sqliteTable("oauth_states", {
  state: text("state").primaryKey(),
  codeVerifier: text("code_verifier").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  /** `install` (the app, actor=app) or `sign_in` (a person signing in to the panel, actor=user): neither callback takes the other's. */
  purpose: text("purpose").notNull().default("install"),
  /** sign_in: the panel path to go back to afterwards. */
  returnTo: text("return_to"),
});

/** A workspace's own configuration (see src/domain/workspace-settings.ts), applied to the next task. */
export const workspaceSettings = sqliteTable("workspace_settings", {
  workspaceId: text("workspace_id").primaryKey(),
  settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Alerts raised, once per condition per period (unique on workspace, kind and period). */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    kind: text("kind").notNull(),
    periodKey: text("period_key").notNull(),
    text: text("text").notNull(),
    status: text("status").notNull(), // pending | sent | failed | no_webhook
    error: text("error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("alerts_once_per_period").on(t.workspaceId, t.kind, t.periodKey)],
);

/**
 * Signed-in control panel users. The cookie carries a random token; only its
 * SHA-256 is kept, so a copy of this table signs nobody in. Signing out sets
 * `revoked_at`, and the cookie stops working everywhere at once.
 */
export const panelSessions = sqliteTable(
  "panel_sessions",
  {
    id: text("id").primaryKey(), // SHA-256 of the cookie's token
    /** `admin_key` (CYRUS_API_KEY: every workspace) or `linear` (a Linear user: their organization only). */
    kind: text("kind").notNull(),
    linearUserId: text("linear_user_id"),
    name: text("name").notNull(),
    email: text("email"),
    organizationId: text("organization_id"),
    /** Linear says the user is an admin of their organization: they may change its settings. */
    linearAdmin: integer("linear_admin", { mode: "boolean" }).notNull().default(false),
    /** Sent back with every state-changing request made with the cookie. */
    csrfToken: text("csrf_token").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("panel_sessions_expires").on(t.expiresAt)],
);

/** Failed sign-ins per client (a SHA-256 of its address): what slows the next attempt down. */
export const signInFailures = sqliteTable("sign_in_failures", {
  clientKey: text("client_key").primaryKey(),
  failures: integer("failures").notNull(),
  lastFailedAt: integer("last_failed_at").notNull(),
  blockedUntil: integer("blocked_until").notNull(),
});
