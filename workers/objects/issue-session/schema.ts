/**
 * The IssueSession's SQLite schema, as steps: each brings it from the previous
 * version, and steps are append-only, like migrations. They run through the
 * stores' one mechanism (workers/objects/sqlite-migrations.ts), which records
 * the version reached in `schema_versions`; objects from before it recorded
 * theirs in `meta.schema_version`, which is read once to adopt them (and still
 * written by the store, for that older code). See docs/storage.md.
 */
import { hasTable, type MigrationStep, type SchemaHistory } from "../sqlite-migrations";

const SCHEMA_V1 = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS agent_sessions (
     id TEXT PRIMARY KEY,
     issue_id TEXT, issue_identifier TEXT, issue_title TEXT, creator_id TEXT,
     prompt_context TEXT, guidance TEXT NOT NULL DEFAULT '[]', initial_comment TEXT,
     status TEXT NOT NULL DEFAULT 'pending',
     repository_id TEXT, repository_name TEXT, base_branch TEXT, routed_at INTEGER,
     stop_requested_at INTEGER, error TEXT,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER,
     version INTEGER NOT NULL DEFAULT 1, synced_version INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS prompts (
     activity_id TEXT PRIMARY KEY, agent_session_id TEXT NOT NULL, body TEXT NOT NULL,
     signal TEXT, user_id TEXT, received_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS jobs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, lane TEXT NOT NULL,
     payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
     due_at INTEGER NOT NULL, uncertain INTEGER NOT NULL DEFAULT 0, last_error TEXT,
     created_at INTEGER NOT NULL, finished_at INTEGER)`,
  `CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (state, due_at)`,
  `CREATE TABLE IF NOT EXISTS timeline (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, agent_session_id TEXT,
     kind TEXT NOT NULL, summary TEXT NOT NULL, data TEXT, synced INTEGER NOT NULL DEFAULT 0)`,
];

const SCHEMA_STEPS: MigrationStep[] = [
  SCHEMA_V1,
  [
  `CREATE TABLE IF NOT EXISTS executions (
     attempt_key TEXT PRIMARY KEY, agent_session_id TEXT NOT NULL, attempt INTEGER NOT NULL, executor TEXT NOT NULL,
     state TEXT NOT NULL, credential TEXT, gate_name TEXT, intent_at INTEGER NOT NULL,
     run_id INTEGER, web_url TEXT, codegen_status TEXT, result TEXT, pull_requests TEXT NOT NULL DEFAULT '[]',
     started_at INTEGER, ended_at INTEGER, deadline_at INTEGER, resumes INTEGER NOT NULL DEFAULT 0,
     logs_seen INTEGER NOT NULL DEFAULT 0, outcome TEXT, error TEXT, twins TEXT)`,
  `CREATE INDEX IF NOT EXISTS executions_run ON executions (run_id)`,
    `ALTER TABLE agent_sessions ADD COLUMN repository_git_url TEXT`,
    `ALTER TABLE agent_sessions ADD COLUMN codegen_repo_id INTEGER`,
  ],
  [
    `ALTER TABLE executions ADD COLUMN task_id TEXT`,
    `ALTER TABLE executions ADD COLUMN agent_id TEXT`,
    `ALTER TABLE executions ADD COLUMN hostname TEXT`,
    `ALTER TABLE executions ADD COLUMN claude_session_id TEXT`,
    `ALTER TABLE executions ADD COLUMN total_cost_usd REAL`,
    `ALTER TABLE executions ADD COLUMN cost_usd REAL`,
    `ALTER TABLE executions ADD COLUMN input_tokens INTEGER`,
    `ALTER TABLE executions ADD COLUMN output_tokens INTEGER`,
    `ALTER TABLE executions ADD COLUMN pending_tools TEXT NOT NULL DEFAULT '[]'`,
    `CREATE INDEX IF NOT EXISTS executions_task ON executions (task_id)`,
    // Local task messages already applied, by task and sequence number: the dedupe for at-least-once delivery.
    `CREATE TABLE IF NOT EXISTS local_messages (task_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (task_id, seq))`,
  ],
  [`ALTER TABLE executions ADD COLUMN sent_prompts TEXT NOT NULL DEFAULT '[]'`],
  [`ALTER TABLE agent_sessions ADD COLUMN agent_type TEXT`, `ALTER TABLE agent_sessions ADD COLUMN complexity TEXT`, `ALTER TABLE agent_sessions ADD COLUMN executor TEXT`],
  [`ALTER TABLE agent_sessions ADD COLUMN fallback TEXT`],
  [
    // When a Codegen create was sent and its answer not yet recorded: found set, the run may exist and is looked up first.
    `ALTER TABLE executions ADD COLUMN create_sent_at INTEGER`,
    // An execution left in `creating` by a version that did not record its sends may have sent one: treat it as sent.
    `UPDATE executions SET create_sent_at = intent_at WHERE executor = 'cloud' AND state = 'creating' AND run_id IS NULL`,
  ],
];

export const ISSUE_SESSION_SCHEMA: SchemaHistory = {
  store: "issue-session",
  steps: SCHEMA_STEPS,
  priorVersion: (sql) => {
    if (!hasTable(sql, "meta")) return 0;
    const row = sql.exec(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
    return row ? Number(row.value) : 0;
  },
};
