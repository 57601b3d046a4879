import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  activitiesOf,
  api,
  createdPayload,
  createIssue,
  emulator,
  env,
  hubSnapshot,
  inspectSession,
  installedOrg,
  issueSessionStub,
  linearState,
  postWebhook,
  settle,
  type EmulatedOrg,
} from "./support";

async function addRepository(org: EmulatedOrg, body: Record<string, unknown>) {
  const response = await api(`/api/repositories?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return response.json<{ id: string; name: string }>();
}

/** The `prompted` payload Linear sends for a user's follow-up in a session. */
async function promptedPayload(org: EmulatedOrg, agentSessionId: string, body: string, signal?: "stop") {
  const result = await emulator<{ payload: Record<string, unknown> }>(`/_emulator/agent-sessions/${agentSessionId}/prompt`, {
    body,
    signal,
    deliver: false,
  });
  return result.payload;
}

describe("IssueSession: a delegated issue", () => {
  it("acknowledges with a thought, moves the issue to started and says where it will work", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", teamKeys: [org.teams[0]!.key] });
    const issue = await createIssue(org, { delegateToApp: true, stateType: "unstarted" });
    const { agentSessionId, payload } = await createdPayload(org, issue);

    const response = await postWebhook(payload);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, outcome: "accepted" });

    const stub = issueSessionStub(org.organizationId, issue.id);
    const snapshot = await settle(stub);
    expect(snapshot.agentSessions[0]).toMatchObject({ id: agentSessionId, repositoryName: "web" });

    const activities = await activitiesOf(org, agentSessionId);
    expect(activities[0]!.content).toMatchObject({ type: "thought", body: expect.stringContaining(issue.identifier) });
    expect(activities[1]!.content).toMatchObject({ type: "thought", body: expect.stringContaining("`web`") });
    // The orchestrator says where the work runs and why; with no agent connected and no Codegen, it waits for a local agent.
    expect(activities[2]!.content).toMatchObject({ type: "thought", body: expect.stringMatching(/\(task: \w+, \w+ complexity\)$/) });
    expect(activities[3]!.content).toMatchObject({ type: "thought", body: expect.stringContaining("Waiting for a local agent that serves `web`") });
    expect(snapshot.agentSessions[0]!.status).toBe("active");

    const state = await linearState(org);
    expect(state.issues.find((i) => i.id === issue.id)?.state.type).toBe("started");
  });

  it("does not move an issue that is already completed, or one not delegated to the app", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", isCatchAll: true });
    const done = await createIssue(org, { delegateToApp: true, stateType: "completed" });
    const mentioned = await createIssue(org, { delegateToApp: false, stateType: "unstarted" });
    for (const issue of [done, mentioned]) {
      // A comment makes it a mention; without one the emulator delegates the issue to the app.
      const { payload } = await createdPayload(org, issue, issue === mentioned ? { comment: "@cyrus can you look?" } : {});
      await postWebhook(payload);
      await settle(issueSessionStub(org.organizationId, issue.id));
    }
    const state = await linearState(org);
    expect(state.issues.find((i) => i.id === done.id)?.state.type).toBe("completed");
    expect(state.issues.find((i) => i.id === mentioned.id)?.state.type).toBe("unstarted");
  });

  it("asks which repository when no rule matches, listing the configured ones", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "api-server", labels: ["backend"] });
    await addRepository(org, { name: "web", teamKeys: ["NOPE"] });
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await postWebhook(payload);
    const snapshot = await settle(issueSessionStub(org.organizationId, issue.id));
    expect(snapshot.agentSessions[0]?.status).toBe("awaiting_input");

    const activities = await activitiesOf(org, agentSessionId);
    const question = activities.find((a) => a.content.type === "elicitation");
    expect(question?.content.body).toContain("`api-server` (labels backend)");
    expect(question?.content.body).toContain("`web` (teams NOPE)");
  });

  it("routes by a [repo=name] tag before labels and team", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", teamKeys: [org.teams[0]!.key] });
    await addRepository(org, { name: "docs", labels: ["documentation"] });
    await addRepository(org, { name: "infra" });
    const issue = await createIssue(org, { description: "Please do it [repo=infra]", labels: ["documentation"] });
    const { payload } = await createdPayload(org, issue);
    await postWebhook(payload);
    const snapshot = await settle(issueSessionStub(org.organizationId, issue.id));
    expect(snapshot.agentSessions[0]?.repositoryName).toBe("infra");
  });

  it("answers a session with no issue clearly instead of failing", async () => {
    const org = await installedOrg();
    const { agentSessionId, payload } = await createdPayload(org, null);
    expect((await postWebhook(payload)).status).toBe(200);
    const stub = env.ISSUE_SESSION.get(env.ISSUE_SESSION.idFromName(`${org.organizationId}:session:${agentSessionId}`));
    await settle(stub);
    const activities = await activitiesOf(org, agentSessionId);
    expect(activities).toHaveLength(1);
    expect(activities[0]).toMatchObject({ content: { type: "response", body: expect.stringContaining("isn't attached to one") } });
  });
});

describe("IssueSession: at-least-once in, exactly-once effect", () => {
  it("drops a repeated Linear-Delivery, even after the object is evicted", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    const deliveryId = crypto.randomUUID();
    let stub = issueSessionStub(org.organizationId, issue.id);

    expect(await (await postWebhook(payload, { deliveryId })).json()).toMatchObject({ outcome: "accepted" });
    await settle(stub);
    // Evicts every instance (storage stays): the dedupe must come from storage, not memory.
    await abortAllDurableObjects();
    stub = issueSessionStub(org.organizationId, issue.id);
    const again = await postWebhook(payload, { deliveryId });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ ok: true, outcome: "duplicate" });
    await settle(stub);
    const thoughts = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.startsWith("On it"));
    expect(thoughts).toHaveLength(1);
  });

  it("drops a second `created` for a known agent session that arrives with a new delivery id", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    let stub = issueSessionStub(org.organizationId, issue.id);
    await postWebhook(payload);
    await abortAllDurableObjects();
    stub = issueSessionStub(org.organizationId, issue.id);
    const second = await postWebhook(payload);
    expect(await second.json()).toMatchObject({ outcome: "duplicate" });
    await settle(stub);
    const snapshot = await inspectSession(stub);
    expect(snapshot.agentSessions).toHaveLength(1);
    expect((await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.startsWith("On it"))).toHaveLength(1);
  });

  it("does not drop distinct deliveries that share the webhook's configuration id", async () => {
    const org = await installedOrg();
    const first = await createIssue(org);
    const second = await createIssue(org, { title: "Second issue" });
    const a = await createdPayload(org, first);
    const b = await createdPayload(org, second);
    expect(a.payload.webhookId).toBe(b.payload.webhookId);
    expect(await (await postWebhook(a.payload)).json()).toMatchObject({ outcome: "accepted" });
    expect(await (await postWebhook(b.payload)).json()).toMatchObject({ outcome: "accepted" });
  });

  it("records a follow-up once, however often Linear sends it", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", isCatchAll: true });
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    let stub = issueSessionStub(org.organizationId, issue.id);
    await postWebhook(payload);
    await settle(stub);

    const prompted = await promptedPayload(org, agentSessionId, "Also add tests");
    expect(await (await postWebhook(prompted)).json()).toMatchObject({ outcome: "accepted" });
    await abortAllDurableObjects();
    stub = issueSessionStub(org.organizationId, issue.id);
    expect(await (await postWebhook(prompted)).json()).toMatchObject({ outcome: "duplicate" });
    await settle(stub);
    // The task is still queued for a local agent: the message joins its prompt, once.
    const passed = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.body === "Passed your message to the local run.");
    expect(passed).toHaveLength(1);
    const queued = await hubSnapshot(env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId)));
    const spec = JSON.parse(queued.tasks.find((t) => t.agentSessionId === agentSessionId)!.specJson) as { prompt: string };
    expect(spec.prompt.match(/Also add tests/g)).toHaveLength(1);
  });

  it("routes once when follow-ups arrive before routing is done", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", isCatchAll: true });
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await postWebhook(payload);
    for (const body of ["one", "two", "three"]) await postWebhook(await promptedPayload(org, agentSessionId, body));
    await settle(issueSessionStub(org.organizationId, issue.id));
    const mine = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.type !== "prompt");
    expect(mine.filter((a) => a.content.body?.startsWith("I'll work in"))).toHaveLength(1);
    expect(mine.filter((a) => a.content.body?.startsWith("Noted"))).toHaveLength(3);
  });

  it("answers a stop signal with a response", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    const stub = issueSessionStub(org.organizationId, issue.id);
    await postWebhook(payload);
    await postWebhook(await promptedPayload(org, agentSessionId, "", "stop"));
    const snapshot = await settle(stub);
    expect(snapshot.agentSessions[0]).toMatchObject({ status: "stopped" });
    const last = (await activitiesOf(org, agentSessionId)).at(-1);
    expect(last).toMatchObject({ content: { type: "response", body: expect.stringContaining("Stopped") } });
  });
});

describe("IssueSession: informational events never start work", () => {
  it("records the delegation's Issue update and the agent's own comments without a second start", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", isCatchAll: true });
    const issue = await createIssue(org, { delegateToApp: true });
    const { agentSessionId, payload } = await createdPayload(org, issue);
    const stub = issueSessionStub(org.organizationId, issue.id);
    await postWebhook(payload);
    await settle(stub);
    const before = (await activitiesOf(org, agentSessionId)).length;

    const now = Date.now();
    const common = { organizationId: org.organizationId, webhookId: payload.webhookId, webhookTimestamp: now, createdAt: new Date(now).toISOString() };
    const issueUpdate = {
      ...common,
      type: "Issue",
      action: "update",
      data: { id: issue.id, identifier: issue.identifier, title: issue.title, delegateId: org.appUserId, teamId: org.teams[0]!.id },
      updatedFrom: { delegateId: null, updatedAt: new Date(now - 1000).toISOString() },
    };
    const ownComment = { ...common, type: "Comment", action: "create", data: { id: crypto.randomUUID(), body: "Done.", issueId: issue.id, userId: org.appUserId } };
    const humanComment = { ...common, type: "Comment", action: "create", data: { id: crypto.randomUUID(), body: "Looks good", issueId: issue.id, userId: org.userId } };
    const notification = {
      ...common,
      type: "AppUserNotification",
      action: "issueAssignedToYou",
      appUserId: org.appUserId,
      notification: { id: crypto.randomUUID(), type: "issueAssignedToYou", issueId: issue.id },
    };

    expect(await (await postWebhook(issueUpdate)).json()).toMatchObject({ outcome: "accepted" });
    expect(await (await postWebhook(ownComment)).json()).toMatchObject({ outcome: "ignored" });
    expect(await (await postWebhook(humanComment)).json()).toMatchObject({ outcome: "accepted" });
    expect(await (await postWebhook(notification)).json()).toMatchObject({ outcome: "accepted" });

    const snapshot = await settle(stub);
    expect(snapshot.agentSessions).toHaveLength(1);
    expect(snapshot.jobs.filter((j) => j.kind === "session.prepare")).toHaveLength(1);
    expect((await activitiesOf(org, agentSessionId)).length).toBe(before);
    expect(snapshot.timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(["issue.update", "comment.create", "notification"]));
  });

  it("ignores issue events on issues it has no session for, storing nothing", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const response = await postWebhook({
      type: "Issue",
      action: "update",
      organizationId: org.organizationId,
      webhookTimestamp: Date.now(),
      webhookId: "wh",
      data: { id: issue.id, title: "renamed" },
      updatedFrom: { title: "old" },
    });
    expect(await response.json()).toMatchObject({ outcome: "ignored" });
    const snapshot = await inspectSession(issueSessionStub(org.organizationId, issue.id));
    expect(snapshot.timeline).toHaveLength(0);
  });
});

describe("IssueSession: mirrors sessions into D1", () => {
  it("writes the session and its timeline to D1 from the alarm", async () => {
    const org = await installedOrg();
    await addRepository(org, { name: "web", isCatchAll: true });
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await postWebhook(payload);
    await settle(issueSessionStub(org.organizationId, issue.id));
    const row = await env.DB.prepare("SELECT status, repository_name, issue_identifier FROM agent_sessions WHERE id = ?").bind(agentSessionId).first();
    expect(row).toEqual({ status: "active", repository_name: "web", issue_identifier: issue.identifier });
    const events = await env.DB.prepare("SELECT kind FROM session_events WHERE session_id = ? ORDER BY created_at").bind(agentSessionId).all();
    expect(events.results.map((e) => e.kind)).toEqual(expect.arrayContaining(["session.created", "session.routed"]));
  });
});
