import type { CodegenGate } from "./durable-objects/codegen-gate";
import type { IssueSession } from "./durable-objects/issue-session";
import type { Workspace } from "./durable-objects/workspace";

/**
 * Bindings and configuration of the Worker and its Durable Objects. The vars
 * come from wrangler.toml (their generated types are in env.d.ts); secrets are
 * set with `wrangler secret put` and may be absent on a fresh install, so they
 * are optional here and checked where they are used.
 */
export interface AppEnv extends Omit<Env, "ISSUE_SESSION" | "WORKSPACE" | "CODEGEN_GATE"> {
  ISSUE_SESSION: DurableObjectNamespace<IssueSession>;
  WORKSPACE: DurableObjectNamespace<Workspace>;
  CODEGEN_GATE: DurableObjectNamespace<CodegenGate>;
  LINEAR_WEBHOOK_SECRET?: string;
  LINEAR_CLIENT_ID?: string;
  LINEAR_CLIENT_SECRET?: string;
  CODEGEN_ORG_ID?: string;
  CODEGEN_API_TOKEN?: string;
  ENCRYPTION_KEY?: string;
  CYRUS_API_KEY?: string;
  PUBLIC_URL?: string;
}
