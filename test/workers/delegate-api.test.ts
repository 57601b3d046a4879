/**
 * POST /api/issues/:identifier/delegate against the emulated Linear: the edge
 * creates the agent session on the issue as the app, Linear's `created` webhook
 * follows and the session runs like any delegation; an unknown issue is a 404,
 * a Linear failure a 502 with Linear's message, a dead token a 409.
 */
import { describe, expect, it } from "vitest";
import { api, createIssue, emulator, env, installedOrg, issueSessionStub, linearState, linearUrl, postWebhook, settle, injectFault, type EmulatedOrg } from "./support";
import { asSignedIn, createLinearUser, signInWithLinear } from "./linear-sign-in-support";

interface Delegated {
  ok: true;
  agentSessionId: string;
  issue: { id: string; identifier: string; title: string };
}

/**
 * The emulator delivers webhooks over HTTP, which no test in workerd can
 * listen on: point the organization's webhook at a dead end, then hand the
 * recorded (signed-alike) payload to the edge, as Linear's delivery would.
 */
async function captureWebhooks(org: EmulatedOrg): Promise<void> {
  await emulator(`/_emulator/organizations/${org.organizationId}/webhook`, { webhookUrl: `${linearUrl()}/no-such-hook`, webhookSecret: "test-webhook-secret" });
}

async function createdWebhooks(org: EmulatedOrg): Promise<Array<{ payload: { agentSession: { id: string } } }>> {
  const { deliveries } = await emulator<{ deliveries: Array<{ action: string; payload: { agentSession: { id: string } } }> }>(
    `/_emulator/deliveries?organizationId=${org.organizationId}&event=AgentSessionEvent`,
  );
  return deliveries.filter((d) => d.action === "created");
}

async function addCatchAllRepository(org: EmulatedOrg): Promise<void> {
  const response = await api(`/api/repositories?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  expect(response.status).toBe(201);
}

async function auditOf(workspaceId: string, action: string) {
  const rows = await env.DB.prepare("SELECT actor, details FROM audit_log WHERE workspace_id = ? AND action = ?").bind(workspaceId, action).all<{ actor: string; details: string }>();
  return rows.results.map((r) => ({ actor: r.actor, details: JSON.parse(r.details) as Record<string, unknown> }));
}

describe("POST /api/issues/:identifier/delegate", () => {
  it("a member starts work by identifier: the session is created in Linear, its webhook reaches the edge, and it runs like any delegation", async () => {
    const org = await installedOrg("Delegate");
    await captureWebhooks(org);
    await addCatchAllRepository(org);
    const issue = await createIssue(org, { title: "Fix the login form", stateType: "unstarted" });
    const member = await createLinearUser(org.organizationId, { name: "Bob Member" });
    const session = await signInWithLinear(member.id);

    // Typed lower-case, as people do.
    const response = await asSignedIn(session, `/api/issues/${issue.identifier.toLowerCase()}/delegate`, { method: "POST" });
    expect(response.status).toBe(202);
    const body = await response.json<Delegated>();
    expect(body).toEqual({ ok: true, agentSessionId: expect.any(String), issue: { id: issue.id, identifier: issue.identifier, title: "Fix the login form" } });

    const inLinear = (await linearState(org)).agentSessions.map((s) => s.id);
    expect(inLinear).toContain(body.agentSessionId);
    const [created, ...others] = await createdWebhooks(org);
    expect(others).toEqual([]);
    expect(created!.payload.agentSession.id).toBe(body.agentSessionId);

    expect(await (await postWebhook(created!.payload)).json()).toMatchObject({ ok: true, outcome: "accepted" });
    const snapshot = await settle(issueSessionStub(org.organizationId, issue.id));
    expect(snapshot.agentSessions.map((s) => s.id)).toEqual([body.agentSessionId]);
    const listed = await asSignedIn(session, "/api/sessions");
    expect(listed.status).toBe(200);
    const { sessions } = await listed.json<{ sessions: Array<{ id: string; issueIdentifier?: string }> }>();
    expect(sessions.map((s) => s.id)).toContain(body.agentSessionId);

    expect(await auditOf(org.organizationId, "issue.delegated")).toEqual([
      { actor: `Bob Member (Linear user ${member.id})`, details: { identifier: issue.identifier, issueId: issue.id, agentSessionId: body.agentSessionId } },
    ]);
  });

  it("the admin key may delegate too, naming the workspace", async () => {
    const org = await installedOrg("Bearer");
    const issue = await createIssue(org);
    const response = await api(`/api/issues/${issue.identifier}/delegate?workspace=${org.organizationId}`, { method: "POST" });
    expect(response.status).toBe(202);
    expect(await auditOf(org.organizationId, "issue.delegated")).toEqual([{ actor: "api key", details: expect.objectContaining({ identifier: issue.identifier }) }]);
  });

  it("an identifier that names no issue in this workspace is a 404, and nothing is created", async () => {
    const org = await installedOrg("Unknown");
    const other = await installedOrg("Elsewhere");
    const theirs = await createIssue(other);
    for (const identifier of ["ENG-9999", theirs.identifier]) {
      const response = await api(`/api/issues/${identifier}/delegate?workspace=${org.organizationId}`, { method: "POST" });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: `no issue ${identifier} in this workspace's Linear (check the team key and number)` });
    }
    expect((await linearState(org)).agentSessions).toEqual([]);
    expect((await linearState(other)).agentSessions).toEqual([]);
  });

  it("refuses something that is not an identifier before asking Linear", async () => {
    const org = await installedOrg("Malformed");
    const response = await api(`/api/issues/not%20an%20issue/delegate?workspace=${org.organizationId}`, { method: "POST" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining("like ENG-123") });
  });

  it("a Linear failure is a 502 with Linear's message", async () => {
    const org = await installedOrg("Failing");
    const issue = await createIssue(org);
    await injectFault(org, { rootField: "agentSessionCreateOnIssue", kind: "ratelimit429" });
    const response = await api(`/api/issues/${issue.identifier}/delegate?workspace=${org.organizationId}`, { method: "POST" });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: expect.stringMatching(new RegExp(`^Linear could not start an agent session on ${issue.identifier}: .+`)) });
    expect(await auditOf(org.organizationId, "issue.delegated")).toEqual([]);
  });

  it("a workspace whose app was uninstalled at Linear (and its token with it) is a 409 that says to reinstall", async () => {
    const org = await installedOrg("Uninstalled");
    const issue = await createIssue(org);
    await emulator(`/_emulator/organizations/${org.organizationId}/uninstall`, { deliver: false });
    const response = await api(`/api/issues/${issue.identifier}/delegate?workspace=${org.organizationId}`, { method: "POST" });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining("reinstall the app at /oauth/linear/authorize") });
  });

  it("a member of one workspace cannot delegate in another", async () => {
    const mine = await installedOrg("Mine");
    const theirs = await installedOrg("Theirs");
    const issue = await createIssue(theirs);
    const member = await createLinearUser(mine.organizationId, { name: "Eve" });
    const session = await signInWithLinear(member.id);
    const response = await asSignedIn(session, `/api/issues/${issue.identifier}/delegate?workspace=${theirs.organizationId}`, { method: "POST" });
    expect(response.status).toBe(404);
    expect((await linearState(theirs)).agentSessions).toEqual([]);
  });
});
