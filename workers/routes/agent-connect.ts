/**
 * GET /agent/connect: a local agent's WebSocket. The Worker authenticates the
 * token and picks the Workspace object of the token's organization; the client
 * never chooses where it lands. A wrong or revoked token gets 401 before any
 * upgrade.
 */
import { sha256Hex } from "../../src/crypto/hash";
import { findLiveAgentTokenByHash, touchAgentToken } from "../../src/db/queries/agent-tokens";
import { factory } from "../factory";
import { workspaceStub } from "../objects/stubs";

export const agentConnectRoutes = factory.createApp().get("/", async (c) => {
  const match = /^Bearer\s+(.+)$/i.exec((c.req.header("authorization") ?? "").trim());
  if (!match) return c.json({ error: "missing agent token: send Authorization: Bearer <agent token>" }, 401);
  const token = await findLiveAgentTokenByHash(c.var.db, await sha256Hex(match[1]!));
  if (!token) return c.json({ error: "unknown or revoked agent token" }, 401);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.json({ error: "expected a WebSocket upgrade" }, 426);

  c.executionCtx.waitUntil(touchAgentToken(c.var.db, token.id, Date.now()).catch(() => undefined));
  const headers = new Headers(c.req.raw.headers);
  headers.delete("authorization");
  headers.set("x-cyrus-agent-token-id", token.id);
  headers.set("x-cyrus-workspace-id", token.workspaceId);
  const workspace = workspaceStub(c.env, token.workspaceId);
  return workspace.fetch(new Request(c.req.raw.url, { method: "GET", headers }));
});
