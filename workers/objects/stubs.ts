/**
 * How each Durable Object is named and reached. Every name is built here, and
 * every stub is typed by its contract (`contracts.ts`), never by its class.
 */
import type { AppEnv } from "../env";

/** The IssueSession for an issue (`<organizationId>:<issueId>`), or for a session that has no issue. */
export function issueSessionName(organizationId: string, issueId: string | null | undefined, agentSessionId?: string): string {
  if (issueId) return `${organizationId}:${issueId}`;
  return `${organizationId}:session:${agentSessionId ?? "unknown"}`;
}

/** The CodegenGate for a credential: `codegen:<org id>:<first 16 hex of SHA-256(token)>`. */
export function codegenGateName(orgId: number, tokenHash: string): string {
  return `codegen:${orgId}:${tokenHash}`;
}

/** An IssueSession by its name (see `issueSessionName`). */
export function issueSessionStub(env: Pick<AppEnv, "ISSUE_SESSION">, name: string) {
  return env.ISSUE_SESSION.get(env.ISSUE_SESSION.idFromName(name));
}

/** A Linear organization's Workspace: named by the organization's id. */
export function workspaceStub(env: Pick<AppEnv, "WORKSPACE">, organizationId: string) {
  return env.WORKSPACE.get(env.WORKSPACE.idFromName(organizationId));
}

/** The CodegenGate for a credential (see `codegenGateName`). */
export function codegenGateStub(env: Pick<AppEnv, "CODEGEN_GATE">, gateName: string) {
  return env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(gateName));
}
