/**
 * `POST /api/sessions/:id/stop` and `/retry`: the session's own IssueSession
 * object does the work, exactly as if the request had come from Linear.
 */
import { and, eq } from "drizzle-orm";
import { agentSessions } from "../../../src/db/schema";
import { issueSessionName } from "../../webhook-dispatch";
import { factory } from "../../factory";

async function sessionObject(c: { var: { db: import("../../../src/db/client").Db; workspaceId: string } }, id: string) {
  const row = await c.var.db
    .select({ issueId: agentSessions.issueId })
    .from(agentSessions)
    .where(and(eq(agentSessions.id, id), eq(agentSessions.workspaceId, c.var.workspaceId)))
    .get();
  return row ? issueSessionName(c.var.workspaceId, row.issueId, id) : null;
}

export const sessionActionRoutes = factory
  .createApp()
  .post("/:id/stop", async (c) => {
    const name = await sessionObject(c, c.req.param("id"));
    if (!name) return c.json({ error: "no such session" }, 404);
    const result = await c.env.ISSUE_SESSION.get(c.env.ISSUE_SESSION.idFromName(name)).stopSession(c.req.param("id"));
    return c.json(result, result.ok ? 202 : 409);
  })
  .post("/:id/retry", async (c) => {
    const name = await sessionObject(c, c.req.param("id"));
    if (!name) return c.json({ error: "no such session" }, 404);
    const result = await c.env.ISSUE_SESSION.get(c.env.ISSUE_SESSION.idFromName(name)).retrySession(c.req.param("id"));
    return c.json(result, result.ok ? 202 : 409);
  });
