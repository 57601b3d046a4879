/**
 * Tokens the local agents (`cyrus connect`) authenticate with. A token belongs
 * to one workspace, is shown once, and only its SHA-256 is kept. Revoking one
 * closes the connections opened with it.
 */
import { z } from "zod";
import { randomToken } from "../../../src/crypto/encoding";
import { sha256Hex } from "../../../src/crypto/hash";
import { insertAgentToken, listAgentTokens, revokeAgentToken } from "../../../src/db/queries/agent-tokens";
import { recordAudit } from "../../../src/db/queries/audit";
import { factory } from "../../factory";
import { validate } from "../../validation";
import { workspaceStub } from "../../objects/stubs";

/** A recognisable prefix, so a leaked token is easy to spot in a scan. */
export const AGENT_TOKEN_PREFIX = "cyrus_agent_";

const CreateSchema = z.strictObject({ name: z.string().trim().min(1).max(100) });

export const agentTokenRoutes = factory
  .createApp()
  .get("/", async (c) => {
    const rows = await listAgentTokens(c.var.db, c.var.workspaceId);
    return c.json({
      agentTokens: rows.map((row) => ({
        id: row.id,
        name: row.name,
        createdAt: new Date(row.createdAt).toISOString(),
        lastUsedAt: row.lastUsedAt ? new Date(row.lastUsedAt).toISOString() : null,
        revokedAt: row.revokedAt ? new Date(row.revokedAt).toISOString() : null,
      })),
    });
  })
  .post("/", validate("json", CreateSchema), async (c) => {
    const { name } = c.req.valid("json");
    const { db, workspaceId } = c.var;
    const token = `${AGENT_TOKEN_PREFIX}${randomToken(32)}`;
    const id = crypto.randomUUID();
    await insertAgentToken(db, { id, workspaceId, name, tokenHash: await sha256Hex(token), createdAt: Date.now() });
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "agent_token.created", details: { id, name } });
    return c.json({ id, name, token }, 201);
  })
  .delete("/:id", async (c) => {
    const { db, workspaceId } = c.var;
    const id = c.req.param("id");
    if (!(await revokeAgentToken(db, workspaceId, id, Date.now()))) return c.json({ error: "no such live agent token" }, 404);
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "agent_token.revoked", details: { id } });
    // The hub closes every connection opened with the token; D1 already refuses it for new ones.
    await workspaceStub(c.env, workspaceId).revokeAgentToken(id);
    return c.body(null, 204);
  });
