/**
 * The product's Linear client against the Linear emulator, for what
 * hybrid-parallel needs: the issue read with its parent, sub-issues and their
 * relations (and what that read costs), sub-issues and `blocks` relations
 * created idempotently by our own ids, delegation, and the agent plan.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LinearApi } from "../../../src/linear/linear-api";
import { IssueDetailsSchema, subIssueRefs } from "../../../src/linear/issue-details";
import { type CreatedOrganization, LinearEmulatorControl } from "../../emulators/linear/control-client";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { type WebhookReceiver, startWebhookReceiver } from "../../emulators/linear/testing";

let emulator: LinearEmulator;
let control: LinearEmulatorControl;
let receiver: WebhookReceiver | undefined;

beforeAll(async () => {
  emulator = await startLinearEmulator();
  control = new LinearEmulatorControl(emulator.url);
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

afterAll(async () => {
  await emulator.close();
});

async function setup(options: { webhooks?: boolean } = {}): Promise<{ org: CreatedOrganization; api: LinearApi; teamId: string }> {
  if (options.webhooks) receiver = await startWebhookReceiver();
  const org = await control.createOrganization({ name: "Client", ...(receiver ? { webhookUrl: receiver.url, webhookSecret: "s" } : {}) });
  return { org, api: new LinearApi({ apiUrl: emulator.url, accessToken: org.accessToken }), teamId: org.teams[0]!.id };
}

describe("issueDetails", () => {
  it("reads the parent, each sub-issue's title, description, state, delegate and blocks relations in one query", async () => {
    const { org, api } = await setup();
    const tree = await control.createIssueTree(org.organizationId, {
      title: "Checkout v2",
      subIssues: [
        { key: "api", title: "API", description: "Endpoints" },
        { key: "ui", title: "UI", delegateToApp: true },
        { key: "e2e", title: "E2E", blockedBy: ["api", "ui"] },
      ],
    });
    const [apiIssue, ui, e2e] = tree.subIssues;
    const outside = await control.createIssue(org.organizationId, { title: "Design sign-off" });
    await control.createIssueRelation(org.organizationId, { issueId: outside.id, relatedIssueId: apiIssue!.id });
    await control.createIssueRelation(org.organizationId, { issueId: ui!.id, relatedIssueId: apiIssue!.id, type: "related" });

    const details = await api.issueDetails(tree.parent.identifier);
    expect(details.parent).toBeNull();
    expect(details.children.pageInfo).toEqual({ hasNextPage: false });
    expect(details.children.nodes[0]).toMatchObject({ id: apiIssue!.id, title: "API", description: "Endpoints", state: { type: "unstarted" }, delegate: null });
    expect(details.children.nodes[1]!.delegate).toEqual({ id: org.appUserId });

    expect(subIssueRefs(details).map((s) => ({ id: s.id, blocks: s.blocks, blockedBy: s.blockedBy }))).toEqual([
      { id: apiIssue!.id, blocks: [e2e!.id], blockedBy: [outside.id] },
      { id: ui!.id, blocks: [e2e!.id], blockedBy: [] },
      { id: e2e!.id, blocks: [], blockedBy: [apiIssue!.id, ui!.id] },
    ]);

    const child = await api.issueDetails(e2e!.id);
    // The parent's own parent says how deep the issue sits: none here.
    expect(child.parent).toEqual({ id: tree.parent.id, identifier: tree.parent.identifier, parent: null });
    expect(child.children.nodes).toEqual([]);

    const calls = (await control.calls({ organizationId: org.organizationId, operationName: "cyrusIssueDetails" })).graphql;
    expect(calls).toHaveLength(2);
    // The figure in the note: Linear's documented scoring, as the emulator estimates it; far under the 10 000 cap.
    expect(calls[0]!.complexity).toBeLessThan(1_500);
  });

  it("says when an issue has more sub-issues than one plan may take", async () => {
    const { org, api } = await setup();
    const tree = await control.createIssueTree(org.organizationId, { title: "Big", subIssues: Array.from({ length: 16 }, (_, i) => ({ title: `Part ${i + 1}` })) });
    const details = await api.issueDetails(tree.parent.id);
    expect(details.children.nodes).toHaveLength(15);
    expect(details.children.pageInfo?.hasNextPage).toBe(true);
  });

  it("an issue snapshot stored before sub-issue details were read still parses", () => {
    const old = {
      id: "i",
      identifier: "ENG-1",
      title: "Old",
      team: { id: "t", key: "ENG", states: { nodes: [] } },
      labels: { nodes: [] },
      children: { nodes: [{ id: "c", identifier: "ENG-2" }] },
    };
    const parsed = IssueDetailsSchema.parse(old);
    expect(subIssueRefs(parsed)).toEqual([{ id: "c", identifier: "ENG-2", title: "ENG-2", description: null, stateType: null, delegateId: null, blocks: [], blockedBy: [] }]);
  });
});

describe("createIssue", () => {
  it("creates a sub-issue under its parent and answers its id and identifier", async () => {
    const { org, api, teamId } = await setup();
    const parent = await control.createIssue(org.organizationId, { title: "Parent" });
    const id = randomUUID();
    const created = await api.createIssue({ id, teamId, title: "Sub-task", description: "Do it", parentId: parent.id });
    const state = await control.state(org.organizationId);
    const issue = state.issues.find((i) => i.id === id)!;
    expect(created).toEqual({ id, identifier: issue.identifier });
    expect(issue).toMatchObject({ title: "Sub-task", description: "Do it", parent: { id: parent.id }, delegate: null });
  });

  it("is idempotent by our id: a replay answers the issue the first attempt made, and nothing is made twice", async () => {
    const { org, api, teamId } = await setup();
    const input = { id: randomUUID(), teamId, title: "Once" };
    const first = await api.createIssue(input);
    expect(await api.createIssue(input)).toEqual(first);
    expect((await control.state(org.organizationId)).issues).toHaveLength(1);
  });

  it("a create whose answer was lost (Linear made it, then failed) is made once across the retry", async () => {
    const { org, api, teamId } = await setup();
    await control.addFault({ kind: "commitThenFail", organizationId: org.organizationId, rootField: "issueCreate" });
    const input = { id: randomUUID(), teamId, title: "Lost answer" };
    await expect(api.createIssue(input)).rejects.toThrow();
    const retried = await api.createIssue(input);
    expect(retried.id).toBe(input.id);
    expect((await control.state(org.organizationId)).issues.map((i) => i.id)).toEqual([input.id]);
  });

  it("with the app as delegate, Linear starts the child's agent session and sends created; a replay sends nothing more", async () => {
    const { org, api, teamId } = await setup({ webhooks: true });
    const parent = await control.createIssue(org.organizationId, { title: "Parent" });
    const input = { id: randomUUID(), teamId, title: "Child", parentId: parent.id, delegateId: org.appUserId };
    await api.createIssue(input);
    await api.createIssue(input);
    const deliveries = await control.deliveries({ organizationId: org.organizationId, event: "AgentSessionEvent" });
    expect(deliveries.map((d) => [d.action, d.payload.agentSession.issueId])).toEqual([["created", input.id]]);
  });
});

describe("createIssueRelation", () => {
  it("makes a blocks relation once, whatever the retries", async () => {
    const { org, api } = await setup();
    const a = await control.createIssue(org.organizationId, { title: "A" });
    const b = await control.createIssue(org.organizationId, { title: "B" });
    const input = { id: randomUUID(), issueId: a.id, relatedIssueId: b.id, type: "blocks" as const };
    await control.addFault({ kind: "commitThenFail", organizationId: org.organizationId, rootField: "issueRelationCreate" });
    await expect(api.createIssueRelation(input)).rejects.toThrow();
    await api.createIssueRelation(input);
    await api.createIssueRelation(input);
    const state = await control.state(org.organizationId);
    expect(state.issueRelations.map((r) => [r.id, r.type, r.issueId, r.relatedIssueId])).toEqual([[input.id, "blocks", a.id, b.id]]);
  });

  it("still refuses what Linear refuses (an issue blocking itself)", async () => {
    const { org, api } = await setup();
    const a = await control.createIssue(org.organizationId, { title: "A" });
    await expect(api.createIssueRelation({ id: randomUUID(), issueId: a.id, relatedIssueId: a.id, type: "blocks" })).rejects.toThrow(/itself/);
  });
});

describe("updateIssue and updateAgentSession", () => {
  it("delegating an existing sub-issue to the app makes Linear send created for it", async () => {
    const { org, api } = await setup({ webhooks: true });
    const tree = await control.createIssueTree(org.organizationId, { title: "P", subIssues: [{ title: "Later" }] });
    await api.updateIssue(tree.subIssues[0]!.id, { delegateId: org.appUserId });
    const [created] = await receiver!.waitFor(1);
    expect(created!.body).toMatchObject({ action: "created", agentSession: { issueId: tree.subIssues[0]!.id, creatorId: null } });
  });

  it("stores the plan on the agent session, replaced whole on each update", async () => {
    const { org, api } = await setup();
    const issue = await control.createIssue(org.organizationId, { title: "Parent" });
    const sessionId = await api.createAgentSessionOnIssue(issue.id);
    await api.updateAgentSession(sessionId, { plan: [{ content: "ENG-2 API", status: "inProgress" }, { content: "ENG-3 UI", status: "pending" }] });
    await api.updateAgentSession(sessionId, { plan: [{ content: "ENG-2 API", status: "completed" }, { content: "ENG-3 UI", status: "inProgress" }] });
    const session = (await control.state(org.organizationId)).agentSessions.find((s) => s.id === sessionId)!;
    expect(session.plan).toEqual([
      { content: "ENG-2 API", status: "completed" },
      { content: "ENG-3 UI", status: "inProgress" },
    ]);
  });
});
