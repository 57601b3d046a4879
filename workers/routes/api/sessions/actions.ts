/**
 * `POST /api/sessions/:id/stop`, `/retry` and `/messages`: the session's own
 * IssueSession object does the work, exactly as if the request had come from
 * Linear (a stop signal, a follow-up prompt). Every one that takes effect is
 * in the audit log, with who asked; a message's text is not (its length is).
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../../../../src/db/queries/audit";
import { agentSessions } from "../../../../src/db/schema";
import { MESSAGE_MAX_CHARS, messageAuthor } from "../../../../src/domain/session-message";
import type { Db } from "../../../../src/db/client";
import { issueSessionName, issueSessionStub } from "../../../objects/stubs";
import { factory } from "../../../factory";
import { validate } from "../../../validation";

const IdParamSchema = z.object({ id: z.string().min(1).max(200) });

const MessageBodySchema = z.object({
  body: z
    .string()
    .max(MESSAGE_MAX_CHARS, `a message has at most ${MESSAGE_MAX_CHARS} characters`)
    .refine((body) => body.trim().length > 0, "write a message"),
  /** The client's id for this message (a fresh UUID per send): the same id twice delivers once. */
  id: z.uuid().optional(),
});

async function sessionObject(c: { var: { db: Db; workspaceId: string } }, id: string) {
  const row = await c.var.db
    .select({ issueId: agentSessions.issueId, issueIdentifier: agentSessions.issueIdentifier })
    .from(agentSessions)
    .where(and(eq(agentSessions.id, id), eq(agentSessions.workspaceId, c.var.workspaceId)))
    .get();
  return row ? { name: issueSessionName(c.var.workspaceId, row.issueId, id), issueIdentifier: row.issueIdentifier } : null;
}

export const sessionActionRoutes = factory
  .createApp()
  .post("/:id/stop", validate("param", IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    const target = await sessionObject(c, id);
    if (!target) return c.json({ error: "no such session" }, 404);
    const result = await issueSessionStub(c.env, target.name).stopSession(id);
    if (result.ok) {
      await recordAudit(c.var.db, { workspaceId: c.var.workspaceId, actor: c.var.actor, action: "session.stopped", details: { sessionId: id, issue: target.issueIdentifier, result: result.message } });
    }
    return c.json(result, result.ok ? 202 : 409);
  })
  .post("/:id/retry", validate("param", IdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    const target = await sessionObject(c, id);
    if (!target) return c.json({ error: "no such session" }, 404);
    const result = await issueSessionStub(c.env, target.name).retrySession(id);
    if (result.ok) {
      await recordAudit(c.var.db, { workspaceId: c.var.workspaceId, actor: c.var.actor, action: "session.retried", details: { sessionId: id, issue: target.issueIdentifier } });
    }
    return c.json(result, result.ok ? 202 : 409);
  })
  .post("/:id/messages", validate("param", IdParamSchema), validate("json", MessageBodySchema), async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const target = await sessionObject(c, id);
    if (!target) return c.json({ error: "no such session" }, 404);
    const messageId = input.id ?? crypto.randomUUID();
    const result = await issueSessionStub(c.env, target.name).sendMessage({
      id: messageId,
      agentSessionId: id,
      body: input.body,
      author: messageAuthor(c.var.principal),
    });
    if (!result.ok) return c.json({ error: result.message }, result.status === 404 ? 404 : 409);
    // A repeat of a message already taken had no effect: nothing more to audit.
    if (!result.duplicate) await recordAudit(c.var.db, {
      workspaceId: c.var.workspaceId,
      actor: c.var.actor,
      action: "session.message_sent",
      details: { sessionId: id, issue: target.issueIdentifier, messageId, length: input.body.length },
    });
    return c.json({ ok: true, id: messageId, message: result.message }, 202);
  });
