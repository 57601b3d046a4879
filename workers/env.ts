import type { CodegenGateRpc, IssueSessionRpc, WorkspaceRpc } from "./objects/contracts";

/**
 * Bindings and configuration of the Worker and its Durable Objects. The vars
 * come from wrangler.toml (their generated types are in env.d.ts); secrets are
 * set with `wrangler secret put` and may be absent on a fresh install, so they
 * are optional here and checked where they are used. The Durable Object
 * namespaces are typed by their contracts (workers/objects/contracts.ts), not
 * their classes, so reaching an object never imports its code.
 */
export interface AppEnv extends Omit<Env, "ISSUE_SESSION" | "WORKSPACE" | "CODEGEN_GATE"> {
  ISSUE_SESSION: DurableObjectNamespace<IssueSessionRpc>;
  WORKSPACE: DurableObjectNamespace<WorkspaceRpc>;
  CODEGEN_GATE: DurableObjectNamespace<CodegenGateRpc>;
  LINEAR_WEBHOOK_SECRET?: string;
  LINEAR_CLIENT_ID?: string;
  LINEAR_CLIENT_SECRET?: string;
  CODEGEN_ORG_ID?: string;
  CODEGEN_API_TOKEN?: string;
  ENCRYPTION_KEY?: string;
  CYRUS_API_KEY?: string;
  PUBLIC_URL?: string;
}
