/**
 * What every job of an IssueSession is given (its context) and what it answers
 * (its outcome). The job modules import these from here, and `run-job.ts`
 * dispatches to them, so no job module imports the dispatcher.
 */
import type { EdgeConfig } from "../../../src/config";
import type { Db } from "../../../src/db/client";
import type { Logger } from "../../../src/log";
import type { WorkspaceSettings } from "../../../src/domain/workspace-settings";
import type { CodegenCredential } from "../../codegen-credentials";
import type { AppEnv } from "../../env";
import type { LinearAccessProvider } from "./linear-access";
import type { IssueSessionStore } from "./store";

export type JobOutcome =
  | { kind: "done" }
  | {
      kind: "retry";
      error: string;
      uncertain?: boolean;
      at?: number;
      countAttempt?: boolean;
      /** Linear rate-limited us: hold every Linear call of this object until then. */
      pauseLinearUntil?: number;
    }
  | { kind: "failed"; error: string };

export interface JobContext {
  env: AppEnv;
  store: IssueSessionStore;
  /** The Codegen credential this workspace's cloud runs use, or null when none is configured. */
  codegenCredential: () => Promise<CodegenCredential | null>;
  db: Db;
  /**
   * The workspace's stored settings (D1 `workspace_settings`), read once per
   * context: a context lives for one alarm run (or one RPC), so every job of
   * the run sees the same settings and D1 is asked once.
   */
  workspaceSettings: () => Promise<WorkspaceSettings>;
  config: EdgeConfig;
  log: Logger;
  linear: LinearAccessProvider;
  organizationId: string;
  objectName: string;
  now: () => number;
  /** Called inside the same synchronous transaction as the job's completion. */
  transaction: <T>(fn: () => T) => T;
}
