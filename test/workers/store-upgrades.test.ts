/**
 * Objects deployed before the stores kept schema versions keep their rows:
 * each test empties an object's database, builds it as the old code did (the
 * statements below are copies of what that code ran, not imports; the
 * IssueSession's steps are append-only, so its first steps are what the old
 * code ran, with their number in `meta.schema_version`), writes rows the old
 * way, then opens the store and reads them through its methods.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CodegenGateStore } from "../../workers/objects/codegen-gate/store";
import { ISSUE_SESSION_SCHEMA } from "../../workers/objects/issue-session/schema";
import { IssueSessionStore } from "../../workers/objects/issue-session/store";
import { HubStore } from "../../workers/objects/workspace/hub-store";
import { LedgerStore } from "../../workers/objects/workspace/ledger-store";
import { env } from "./support";

/** Drops every table, so the object looks as the old code left it once the old schema is run. */
function emptyDatabase(sql: SqlStorage): void {
  const tables = sql
    .exec(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`)
    .toArray()
    .map((row) => String(row.name));
  for (const table of tables) sql.exec(`DROP TABLE ${table}`);
}

function run(sql: SqlStorage, statements: string[]): void {
  for (const statement of statements) sql.exec(statement);
}

function versions(sql: SqlStorage): Record<string, number> {
  return Object.fromEntries(
    sql
      .exec(`SELECT store, version FROM schema_versions`)
      .toArray()
      .map((row) => [String(row.store), Number(row.version)]),
  );
}

// workers/objects/workspace/hub-store.ts before versions were kept.
const OLD_HUB_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS agents (
     agent_id TEXT PRIMARY KEY, token_id TEXT NOT NULL, hostname TEXT NOT NULL, agent_version TEXT NOT NULL,
     repositories TEXT NOT NULL, max_concurrent INTEGER NOT NULL, connection_id TEXT, connected INTEGER NOT NULL,
     connected_at INTEGER, last_seen_at INTEGER NOT NULL, disconnected_at INTEGER)`,
  `CREATE TABLE IF NOT EXISTS tasks (
     task_id TEXT PRIMARY KEY, session_object TEXT NOT NULL, agent_session_id TEXT NOT NULL, repository TEXT NOT NULL,
     spec TEXT NOT NULL, state TEXT NOT NULL, agent_id TEXT, lease_id TEXT, required_agent_id TEXT,
     enqueued_at INTEGER NOT NULL, assigned_at INTEGER, queue_deadline_at INTEGER NOT NULL, assignments INTEGER NOT NULL DEFAULT 0)`,
  `CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state, enqueued_at)`,
  `CREATE TABLE IF NOT EXISTS outbox (
     id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, task_id TEXT, message TEXT NOT NULL, created_at INTEGER NOT NULL, last_sent_at INTEGER)`,
  `CREATE INDEX IF NOT EXISTS outbox_agent ON outbox (agent_id, created_at)`,
  `CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
];

// workers/objects/workspace/ledger-store.ts before versions were kept.
const OLD_LEDGER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS reservations (
     id TEXT PRIMARY KEY, day TEXT NOT NULL, amount_usd REAL NOT NULL, settled_usd REAL, repository TEXT, created_at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS reservations_day ON reservations (day)`,
  `CREATE TABLE IF NOT EXISTS budget_waiters (
     id TEXT PRIMARY KEY, agent_session_id TEXT NOT NULL, session_object TEXT NOT NULL, organization_id TEXT NOT NULL,
     amount_usd REAL NOT NULL, repository TEXT, arrived_at INTEGER NOT NULL, woken_at INTEGER)`,
  `CREATE TABLE IF NOT EXISTS budget_wake (id INTEGER PRIMARY KEY CHECK (id = 1), due_at INTEGER NOT NULL)`,
];

// workers/objects/codegen-gate/store.ts before versions were kept.
const OLD_GATE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS calls (kind TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS calls_kind_at ON calls (kind, at)`,
  `CREATE TABLE IF NOT EXISTS runs (
     run_id INTEGER PRIMARY KEY, session_object TEXT NOT NULL, credential TEXT NOT NULL,
     watched_since INTEGER NOT NULL, run_created_at INTEGER,
     fingerprint TEXT, snapshot TEXT, observed_at INTEGER, notified_fingerprint TEXT,
     next_direct_check_at INTEGER NOT NULL DEFAULT 0)`,
];

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

describe("a Workspace created before schema versions", () => {
  it("keeps its agents, tasks, outbox, dedupe, reservations and budget queue, and records both stores at step 1", async () => {
    const stub = env.WORKSPACE.get(env.WORKSPACE.idFromName(`test:upgrade:${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      emptyDatabase(sql);
      run(sql, [...OLD_HUB_SCHEMA, ...OLD_LEDGER_SCHEMA]);
      sql.exec(
        `INSERT INTO agents (agent_id, token_id, hostname, agent_version, repositories, max_concurrent, connection_id, connected, connected_at, last_seen_at)
         VALUES ('agent-1', 'token-1', 'laptop', '1.2.3', '["acme/web"]', 2, 'conn-1', 1, ?, ?)`,
        NOW,
        NOW,
      );
      sql.exec(
        `INSERT INTO tasks (task_id, session_object, agent_session_id, repository, spec, state, agent_id, lease_id, required_agent_id, enqueued_at, assigned_at, queue_deadline_at, assignments)
         VALUES ('task-1', 'org:issue', 'as-1', 'acme/web', '{"taskId":"task-1","prompt":"fix it"}', 'assigned', 'agent-1', 'lease-1', NULL, ?, ?, ?, 1)`,
        NOW,
        NOW,
        NOW + 60_000,
      );
      sql.exec(`INSERT INTO outbox (id, agent_id, task_id, message, created_at) VALUES ('m-1', 'agent-1', 'task-1', '{"type":"task.assign"}', ?)`, NOW);
      sql.exec(`INSERT INTO seen (id, at) VALUES ('agent-msg-1', ?)`, NOW);
      sql.exec(`INSERT INTO hub_meta (key, value) VALUES ('workspace_id', 'org-1')`);
      sql.exec(`INSERT INTO reservations (id, day, amount_usd, settled_usd, repository, created_at) VALUES ('as-1:1', '2026-12-03', 2.5, NULL, 'acme/web', ?)`, NOW);
      sql.exec(
        `INSERT INTO budget_waiters (id, agent_session_id, session_object, organization_id, amount_usd, repository, arrived_at, woken_at)
         VALUES ('as-2:1', 'as-2', 'org:issue-2', 'org-1', 4, NULL, ?, NULL)`,
        NOW,
      );
      sql.exec(`INSERT INTO budget_wake (id, due_at) VALUES (1, ?)`, NOW + 3_600_000);

      const hub = new HubStore(state.storage);
      const ledger = new LedgerStore(state.storage);

      expect(versions(sql)).toEqual({ hub: 1, ledger: 1 });
      expect(hub.getAgent("agent-1")).toEqual({
        agentId: "agent-1",
        tokenId: "token-1",
        hostname: "laptop",
        agentVersion: "1.2.3",
        repositories: ["acme/web"],
        maxConcurrent: 2,
        connectionId: "conn-1",
        connected: true,
        connectedAt: NOW,
        lastSeenAt: NOW,
        disconnectedAt: null,
      });
      expect(hub.getTask("task-1")).toEqual({
        taskId: "task-1",
        sessionObject: "org:issue",
        agentSessionId: "as-1",
        repository: "acme/web",
        spec: { taskId: "task-1", prompt: "fix it" },
        state: "assigned",
        agentId: "agent-1",
        leaseId: "lease-1",
        requiredAgentId: null,
        enqueuedAt: NOW,
        assignedAt: NOW,
        queueDeadlineAt: NOW + 60_000,
        assignments: 1,
      });
      expect(hub.pendingForAgent("agent-1")).toEqual([{ id: "m-1", json: `{"type":"task.assign"}`, lastSentAt: null }]);
      expect(hub.hasSeen("agent-msg-1")).toBe(true);
      expect(hub.getMeta("workspace_id")).toBe("org-1");
      expect(ledger.status({ maxPerDayUsd: 10, maxPerTaskUsd: null }, NOW)).toMatchObject({ usedTodayUsd: 2.5, remainingTodayUsd: 7.5 });
      expect(ledger.waiters()).toEqual([
        { id: "as-2:1", agentSessionId: "as-2", sessionObject: "org:issue-2", organizationId: "org-1", amountUsd: 4, repository: null, arrivedAt: NOW, wokenAt: null },
      ]);
      expect(ledger.wakeDueAt()).toBe(NOW + 3_600_000);

      // Opened again (the next wake-up): nothing re-runs, nothing is lost.
      new HubStore(state.storage);
      new LedgerStore(state.storage);
      expect(versions(sql)).toEqual({ hub: 1, ledger: 1 });
      expect(hub.tasksInState("assigned").map((t) => t.taskId)).toEqual(["task-1"]);
    });
  });
});

describe("a CodegenGate created before schema versions", () => {
  it("keeps its calls, watched runs and meta, and records its store at step 1", async () => {
    const stub = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`test:upgrade:${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      emptyDatabase(sql);
      run(sql, OLD_GATE_SCHEMA);
      sql.exec(`INSERT INTO meta (key, value) VALUES ('cadence', '30000')`);
      sql.exec(`INSERT INTO calls (kind, at) VALUES ('read', ?), ('read', ?)`, NOW - 1_000, NOW - 500);
      sql.exec(
        `INSERT INTO runs (run_id, session_object, credential, watched_since, run_created_at, fingerprint, snapshot, observed_at, notified_fingerprint, next_direct_check_at)
         VALUES (77, 'org:issue', 'cred', ?, NULL, 'running|', '{"status":"running"}', ?, NULL, 0)`,
        NOW - 10_000,
        NOW - 5_000,
      );

      const store = new CodegenGateStore(state.storage);

      expect(versions(sql)).toEqual({ "codegen-gate": 1 });
      expect(store.getMeta("cadence")).toBe("30000");
      // Both recorded calls still count: a window of two has no room until the older one leaves it.
      expect(store.takeSlot("read", { limit: 2, windowMs: 60_000 }, NOW)).toEqual({ ok: false, retryAt: NOW - 1_000 + 60_000 });
      expect(store.watched()).toEqual([
        {
          runId: 77,
          sessionObject: "org:issue",
          credential: "cred",
          watchedSince: NOW - 10_000,
          runCreatedAt: null,
          fingerprint: "running|",
          snapshot: `{"status":"running"}`,
          observedAt: NOW - 5_000,
          notifiedFingerprint: null,
          nextDirectCheckAt: 0,
        },
      ]);
    });
  });
});

describe("an IssueSession created before schema versions", () => {
  /** The object as the old code left it at `version`: its first steps run, their number in meta. */
  function oldIssueSession(sql: SqlStorage, version: number): void {
    emptyDatabase(sql);
    for (const step of ISSUE_SESSION_SCHEMA.steps.slice(0, version)) run(sql, [...step]);
    sql.exec(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`, String(version));
  }

  function issueSessionStub(): DurableObjectStub {
    return env.ISSUE_SESSION.get(env.ISSUE_SESSION.idFromName(`test-org:test:upgrade:${crypto.randomUUID()}`));
  }

  it("at the last old step (7): runs nothing, records 7, and keeps sessions, executions, jobs, timeline, prompts and deliveries", async () => {
    expect(ISSUE_SESSION_SCHEMA.steps.length).toBeGreaterThanOrEqual(7);
    await runInDurableObject(issueSessionStub(), (_instance, state) => {
      const sql = state.storage.sql;
      oldIssueSession(sql, 7);
      sql.exec(`INSERT INTO meta (key, value) VALUES ('organization_id', 'org-1')`);
      sql.exec(`INSERT INTO deliveries (id, received_at) VALUES ('delivery-1', ?)`, NOW);
      sql.exec(
        `INSERT INTO agent_sessions (id, issue_id, issue_identifier, issue_title, creator_id, prompt_context, guidance, initial_comment, status,
           repository_id, repository_name, base_branch, routed_at, created_at, updated_at, repository_git_url, codegen_repo_id, agent_type, complexity, executor, fallback)
         VALUES ('as-1', 'issue-1', 'ENG-1', 'Fix it', 'user-1', '<issue/>', '["be brief"]', NULL, 'active',
           'repo-1', 'acme/web', 'main', ?, ?, ?, 'https://git/acme/web', 12, 'coder', 'small', 'cloud', 'local')`,
        NOW,
        NOW,
        NOW,
      );
      sql.exec(
        `INSERT INTO executions (attempt_key, agent_session_id, attempt, executor, state, credential, gate_name, intent_at, run_id, web_url,
           codegen_status, pull_requests, started_at, resumes, logs_seen, twins, pending_tools, sent_prompts, create_sent_at)
         VALUES ('as-1:1', 'as-1', 1, 'cloud', 'running', 'default', 'codegen:1:ab', ?, 77, 'https://codegen/run/77',
           'ACTIVE', '[{"url":"https://github/pr/1","title":null}]', ?, 0, 3, '[78]', '[]', '[]', NULL)`,
        NOW,
        NOW,
      );
      sql.exec(
        `INSERT INTO jobs (id, kind, lane, payload, due_at, created_at) VALUES ('cloud.watch:1', 'cloud.watch', 'run:as-1', '{"agentSessionId":"as-1","attemptKey":"as-1:1"}', ?, ?)`,
        NOW + 1_000,
        NOW,
      );
      sql.exec(`INSERT INTO timeline (at, agent_session_id, kind, summary, data) VALUES (?, 'as-1', 'session.created', 'Created', '{"commentId":"comment-1"}')`, NOW);
      sql.exec(`INSERT INTO prompts (activity_id, agent_session_id, body, signal, user_id, received_at) VALUES ('act-1', 'as-1', 'also the tests', NULL, 'user-1', ?)`, NOW);

      const store = new IssueSessionStore(state.storage);

      expect(versions(sql)).toEqual({ "issue-session": ISSUE_SESSION_SCHEMA.steps.length });
      expect(store.getMeta("organization_id")).toBe("org-1");
      expect(store.deliverySeen("delivery-1")).toBe(true);
      expect(store.getAgentSession("as-1")).toEqual({
        id: "as-1",
        issueId: "issue-1",
        issueIdentifier: "ENG-1",
        issueTitle: "Fix it",
        creatorId: "user-1",
        promptContext: "<issue/>",
        guidance: ["be brief"],
        initialComment: null,
        status: "active",
        repositoryId: "repo-1",
        repositoryName: "acme/web",
        repositoryGitUrl: "https://git/acme/web",
        codegenRepoId: 12,
        baseBranch: "main",
        agentType: "coder",
        complexity: "small",
        executor: "cloud",
        fallback: "local",
        routedAt: NOW,
        stopRequestedAt: null,
        error: null,
        createdAt: NOW,
        updatedAt: NOW,
        endedAt: null,
        version: 1,
        syncedVersion: 0,
      });
      expect(store.executionForRun(77)).toMatchObject({
        attemptKey: "as-1:1",
        executor: "cloud",
        state: "running",
        intentAt: NOW,
        createSentAt: null,
        runId: 77,
        pullRequests: [{ url: "https://github/pr/1", title: null }],
        logsSeen: 3,
        pendingTools: [],
        sentPrompts: [],
        totalCostUsd: null,
      });
      expect(store.pendingJobs()).toEqual([
        {
          seq: 1,
          id: "cloud.watch:1",
          kind: "cloud.watch",
          lane: "run:as-1",
          payload: { agentSessionId: "as-1", attemptKey: "as-1:1" },
          attempts: 0,
          dueAt: NOW + 1_000,
          uncertain: false,
          createdAt: NOW,
        },
      ]);
      expect(store.rootCommentId("as-1")).toBe("comment-1");
      expect(store.listPrompts("as-1")).toEqual([{ activityId: "act-1", agentSessionId: "as-1", body: "also the tests", signal: null, userId: "user-1" }]);
    });
  });

  it("at an earlier old step (5): runs only the steps after it, once, and its data moves with them", async () => {
    await runInDurableObject(issueSessionStub(), (_instance, state) => {
      const sql = state.storage.sql;
      oldIssueSession(sql, 5);
      // Step 7 marks a cloud execution left in `creating` without a run id as possibly sent.
      sql.exec(
        `INSERT INTO agent_sessions (id, status, created_at, updated_at) VALUES ('as-1', 'active', ?, ?)`,
        NOW,
        NOW,
      );
      sql.exec(`INSERT INTO executions (attempt_key, agent_session_id, attempt, executor, state, intent_at) VALUES ('as-1:1', 'as-1', 1, 'cloud', 'creating', ?)`, NOW);

      const store = new IssueSessionStore(state.storage);
      new IssueSessionStore(state.storage); // the next wake-up: no step runs twice (an ALTER would throw)

      expect(versions(sql)).toEqual({ "issue-session": ISSUE_SESSION_SCHEMA.steps.length });
      expect(store.getMeta("schema_version")).toBe(String(ISSUE_SESSION_SCHEMA.steps.length));
      expect(store.getExecution("as-1:1")).toMatchObject({ state: "creating", intentAt: NOW, createSentAt: NOW, runId: null });
      expect(store.getAgentSession("as-1")).toMatchObject({ status: "active", fallback: null, guidance: [] });
    });
  });

  it("a new object runs every step and records its version in both places (older code reads meta.schema_version)", async () => {
    await runInDurableObject(issueSessionStub(), (_instance, state) => {
      const sql = state.storage.sql;
      emptyDatabase(sql);
      const store = new IssueSessionStore(state.storage);
      expect(versions(sql)).toEqual({ "issue-session": ISSUE_SESSION_SCHEMA.steps.length });
      expect(store.getMeta("schema_version")).toBe(String(ISSUE_SESSION_SCHEMA.steps.length));
      expect(store.agentSessionCount()).toBe(0);
    });
  });
});
