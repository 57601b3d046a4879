/**
 * Where each verified webhook goes. Issue-scoped events go to the issue's
 * IssueSession, which owns the dedupe; organization-scoped ones to the
 * Workspace or straight to the audit log.
 */
import type { Db } from "../src/db/client";
import { recordAudit } from "../src/db/queries/audit";
import type { LinearWebhook } from "../src/linear/webhook-schemas";
import type { AppEnv } from "./env";
import type { HandoffResult } from "./objects/contracts";
import { issueSessionName, issueSessionStub, workspaceStub } from "./objects/stubs";

export async function dispatchLinearWebhook(env: AppEnv, db: Db, event: LinearWebhook, deliveryId: string | null): Promise<HandoffResult> {
  const organizationId = event.organizationId;
  const handOff = (name: string, issueEvent: Parameters<typeof toIssueSession>[3]) => toIssueSession(env, name, organizationId, issueEvent, deliveryId);
  switch (event.type) {
    case "AgentSessionEvent": {
      const issueId = event.agentSession.issueId ?? event.agentSession.issue?.id;
      return handOff(issueSessionName(organizationId, issueId, event.agentSession.id), event);
    }
    case "Issue":
      return handOff(issueSessionName(organizationId, event.data.id), event);
    case "Comment":
      if (!event.data.issueId) return { outcome: "ignored", reason: "comment is not on an issue" };
      return handOff(issueSessionName(organizationId, event.data.issueId), event);
    case "AppUserNotification":
      if (!event.notification.issueId) return { outcome: "ignored", reason: "notification is not about an issue" };
      return handOff(issueSessionName(organizationId, event.notification.issueId), event);
    case "OAuthApp": {
      if (event.action !== "revoked") return { outcome: "ignored", reason: `OAuthApp ${event.action} needs no action` };
      const workspace = workspaceStub(env, organizationId);
      await workspace.revoke(organizationId, "Linear reported the app was revoked");
      return { outcome: "accepted" };
    }
    case "PermissionChange":
      await recordAudit(db, {
        workspaceId: organizationId,
        actor: "linear",
        action: `permission.${event.action}`,
        details: { addedTeamIds: event.addedTeamIds, removedTeamIds: event.removedTeamIds, canAccessAllPublicTeams: event.canAccessAllPublicTeams ?? null },
      });
      return { outcome: "accepted" };
  }
}

function toIssueSession(
  env: AppEnv,
  objectName: string,
  organizationId: string,
  event: Extract<LinearWebhook, { type: "AgentSessionEvent" | "Issue" | "Comment" | "AppUserNotification" }>,
  deliveryId: string | null,
): Promise<HandoffResult> {
  const stub = issueSessionStub(env, objectName);
  return stub.receiveWebhook({ objectName, organizationId, deliveryId, receivedAt: Date.now(), event });
}
