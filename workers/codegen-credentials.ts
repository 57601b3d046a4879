/**
 * Which Codegen credential a workspace's cloud runs use: its own (set through
 * the API, stored encrypted) or the edge's default (CODEGEN_ORG_ID and
 * CODEGEN_API_TOKEN). Codegen's rate limits belong to a credential, so the
 * gate that paces calls is named after the credential, never the workspace:
 * every workspace on the default credential shares one budget.
 */
import { TokenCipher } from "../src/crypto/token-cipher";
import { sha256Hex } from "../src/crypto/hash";
import type { Db } from "../src/db/client";
import { findWorkspace } from "../src/db/queries/workspaces";
import type { AppEnv } from "./env";
import type { CodegenCredentialRef } from "./objects/contracts";
import { codegenGateName } from "./objects/stubs";

export type { CodegenCredentialRef };

export interface CodegenCredential {
  ref: CodegenCredentialRef;
  orgId: number;
  apiToken: string;
  /** `codegen:<org id>:<first 16 hex of SHA-256(token)>`: the CodegenGate for this credential. */
  gateName: string;
}

export async function resolveCodegenCredential(env: AppEnv, db: Db, workspaceId: string): Promise<CodegenCredential | null> {
  const workspace = await findWorkspace(db, workspaceId);
  if (workspace?.codegenOrgId && workspace.codegenApiTokenEnc) {
    const apiToken = await new TokenCipher(env.ENCRYPTION_KEY).decrypt(workspace.codegenApiTokenEnc);
    return withGate({ source: "workspace", workspaceId }, workspace.codegenOrgId, apiToken);
  }
  return defaultCodegenCredential(env);
}

export async function credentialForRef(env: AppEnv, db: Db, ref: CodegenCredentialRef): Promise<CodegenCredential | null> {
  if (ref.source === "default") return defaultCodegenCredential(env);
  const resolved = await resolveCodegenCredential(env, db, ref.workspaceId);
  return resolved?.ref.source === "workspace" ? resolved : null;
}

async function defaultCodegenCredential(env: AppEnv): Promise<CodegenCredential | null> {
  const orgId = Number(env.CODEGEN_ORG_ID);
  if (!env.CODEGEN_API_TOKEN || !Number.isInteger(orgId) || orgId <= 0) return null;
  return withGate({ source: "default" }, orgId, env.CODEGEN_API_TOKEN);
}

async function withGate(ref: CodegenCredentialRef, orgId: number, apiToken: string): Promise<CodegenCredential> {
  const tokenHash = (await sha256Hex(apiToken)).slice(0, 16);
  return { ref, orgId, apiToken, gateName: codegenGateName(orgId, tokenHash) };
}
