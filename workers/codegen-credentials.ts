/**
 * Which Codegen credential a workspace's cloud runs use: its own (set through
 * the API, stored encrypted) or the edge's default (CODEGEN_ORG_ID and
 * CODEGEN_API_TOKEN). Codegen's rate limits belong to a credential, so the
 * gate that paces calls is named after the credential, never the workspace:
 * every workspace on the default credential shares one budget.
 */
import { z } from "zod";
import { TokenCipher } from "../src/crypto/token-cipher";
import { sha256Hex } from "../src/crypto/hash";
import type { Db } from "../src/db/client";
import { recordAudit } from "../src/db/queries/audit";
import { findWorkspace, storeCodegenCredentials } from "../src/db/queries/workspaces";
import type { AppEnv } from "./env";
import type { CodegenCredentialRef } from "./objects/contracts";
import { codegenGateName } from "./objects/stubs";

export type { CodegenCredentialRef };

/** A workspace's own Codegen credentials as the API takes them (`PUT /api/codegen/credentials`, `PUT /api/config` `codegen`). */
export const CodegenCredentialsSchema = z.strictObject({
  orgId: z.number().int().positive(),
  apiToken: z.string().trim().min(8).max(500),
});
export type CodegenCredentialsInput = z.infer<typeof CodegenCredentialsSchema>;

/**
 * Sets (or, with null, clears) a workspace's own Codegen credentials: the one
 * way both APIs take. Validated, the token encrypted at rest, stored, and the
 * change audited (`codegen.credentials_set` with the org id, never the token, or
 * `codegen.credentials_cleared`).
 */
export async function setCodegenCredentials(
  env: AppEnv,
  db: Db,
  change: { workspaceId: string; actor: string; credentials: CodegenCredentialsInput | null; at: number },
): Promise<void> {
  const { workspaceId, actor, at } = change;
  if (change.credentials === null) {
    await storeCodegenCredentials(db, workspaceId, null, at);
    await recordAudit(db, { workspaceId, actor, action: "codegen.credentials_cleared", at });
    return;
  }
  const { orgId, apiToken } = CodegenCredentialsSchema.parse(change.credentials);
  const apiTokenEnc = await new TokenCipher(env.ENCRYPTION_KEY).encrypt(apiToken);
  await storeCodegenCredentials(db, workspaceId, { orgId, apiTokenEnc }, at);
  await recordAudit(db, { workspaceId, actor, action: "codegen.credentials_set", details: { orgId }, at });
}

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
