/**
 * `POST /api/issues/:identifier/delegate`: starts work on an existing Linear
 * issue from the panel (or the API). The edge creates the agent session on the
 * issue in Linear, as the app (`agentSessionCreateOnIssue`); Linear then sends
 * the `created` webhook, and the session flows like any delegation. Any member
 * of the workspace may ask, as they could delegate the issue in Linear.
 */
import { z } from "zod";
import { recordAudit } from "../../../src/db/queries/audit";
import { parseIssueIdentifier } from "../../../src/domain/panel/issue-identifier";
import { classifyLinearError } from "../../../src/linear/errors";
import type { LinearApi } from "../../../src/linear/linear-api";
import { factory } from "../../factory";
import { LinearAccessProvider, type LinearAccess } from "../../objects/issue-session/linear-access";
import { validate } from "../../validation";

const DelegateParamSchema = z.object({
  identifier: z.string().transform((raw, ctx) => {
    const parsed = parseIssueIdentifier(raw);
    if (parsed.ok) return parsed.identifier;
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }),
});

type LinearCall<T> = { ok: true; value: T } | { ok: false; status: 409 | 502 | 503; error: string };

function tokenProblem(access: Extract<LinearAccess, { ok: false }>): LinearCall<never> {
  switch (access.reason) {
    case "misconfigured":
      return { ok: false, status: 503, error: access.message };
    case "revoked":
      return { ok: false, status: 409, error: "this workspace's Linear token was revoked (the app was uninstalled): reinstall it at /oauth/linear/authorize" };
    default:
      return { ok: false, status: 409, error: `this workspace has no working Linear token (${access.message}): reinstall the app at /oauth/linear/authorize` };
  }
}

/** One call to Linear with the workspace's app token; a refused token is refreshed once, as the IssueSession jobs do. */
async function callLinear<T>(linear: LinearAccessProvider, what: string, work: (api: LinearApi) => Promise<T>): Promise<LinearCall<T>> {
  let access = await linear.get();
  for (let attempt = 0; ; attempt++) {
    if (!access.ok) return tokenProblem(access);
    try {
      return { ok: true, value: await work(access.api) };
    } catch (error) {
      const failure = classifyLinearError(error);
      if (failure.kind === "unauthenticated" && attempt === 0) {
        access = await linear.refresh(access.accessToken);
        continue;
      }
      return { ok: false, status: 502, error: `Linear could not ${what}: ${failure.message}` };
    }
  }
}

export const issueRoutes = factory.createApp().post("/:identifier/delegate", validate("param", DelegateParamSchema), async (c) => {
  const { db, workspaceId, config, log } = c.var;
  const { identifier } = c.req.valid("param");
  const linear = new LinearAccessProvider(c.env, workspaceId, config.LINEAR_API_URL);

  const found = await callLinear(linear, `look up ${identifier}`, (api) => api.findIssue(identifier));
  if (!found.ok) return c.json({ error: found.error }, found.status);
  const issue = found.value;
  if (!issue) return c.json({ error: `no issue ${identifier} in this workspace's Linear (check the team key and number)` }, 404);

  const created = await callLinear(linear, `start an agent session on ${issue.identifier}`, (api) => api.createAgentSessionOnIssue(issue.id));
  if (!created.ok) {
    log.warn("could not delegate an issue from the panel", { identifier: issue.identifier, error: created.error });
    return c.json({ error: created.error }, created.status);
  }
  const agentSessionId = created.value;
  await recordAudit(db, {
    workspaceId,
    actor: c.var.actor,
    action: "issue.delegated",
    details: { identifier: issue.identifier, issueId: issue.id, agentSessionId },
  });
  return c.json({ ok: true, agentSessionId, issue: { id: issue.id, identifier: issue.identifier, title: issue.title } }, 202);
});
