/**
 * What hybrid-parallel needs from the Linear emulator, driven through the real
 * @linear/sdk: sub-issues (`parentId`, `Issue.parent`/`children`), `blocks`
 * relations (`issueRelationCreate`, `Issue.relations`/`inverseRelations`),
 * delegation by issueCreate/issueUpdate starting an agent session with the
 * signed `created` webhook, stored agent plans, the control API's issue trees,
 * and the complexity Linear scores a query with.
 */
import { createHmac, randomUUID } from "node:crypto";
import { IssueRelationType, type LinearClient } from "@linear/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CreatedOrganization, LinearEmulatorControl } from "../../emulators/linear/control-client";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { type WebhookReceiver, linearClient, startWebhookReceiver } from "../../emulators/linear/testing";

const SECRET = "whsec-sub-issues";

let emulator: LinearEmulator;
let control: LinearEmulatorControl;
let receiver: WebhookReceiver;

beforeAll(async () => {
  emulator = await startLinearEmulator();
  control = new LinearEmulatorControl(emulator.url);
});

afterEach(async () => {
  await receiver?.close();
});

afterAll(async () => {
  await emulator.close();
});

async function setup(): Promise<{ org: CreatedOrganization; client: LinearClient; teamId: string }> {
  receiver = await startWebhookReceiver();
  const org = await control.createOrganization({ name: "Parallel", webhookUrl: receiver.url, webhookSecret: SECRET });
  return { org, client: linearClient(emulator.url, org.accessToken), teamId: org.teams[0]!.id };
}

async function raw<T>(client: LinearClient, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await client.client.rawRequest<T, Record<string, unknown>>(query, variables);
  return result.data as T;
}

const TREE_QUERY = /* GraphQL */ `
  query tree($id: String!) {
    issue(id: $id) {
      id identifier
      parent { id identifier }
      children(first: 15) {
        nodes {
          id identifier title
          relations(first: 20) { nodes { type issue { id } relatedIssue { id } } }
          inverseRelations(first: 20) { nodes { type issue { id } relatedIssue { id } } }
        }
      }
    }
  }
`;

interface TreeAnswer {
  issue: {
    id: string;
    identifier: string;
    parent: { id: string; identifier: string } | null;
    children: { nodes: Array<{ id: string; identifier: string; title: string; relations: RelationNodes; inverseRelations: RelationNodes }> };
  };
}
type RelationNodes = { nodes: Array<{ type: string; issue: { id: string }; relatedIssue: { id: string } }> };

describe("sub-issues and blocks relations", () => {
  it("issueCreate with parentId makes a sub-issue; blocks relations read from both ends", async () => {
    const { client, teamId } = await setup();
    const parent = await raw<{ issueCreate: { issue: { id: string; identifier: string } } }>(
      client,
      `mutation($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier } } }`,
      { input: { teamId, title: "Checkout v2" } },
    );
    const parentId = parent.issueCreate.issue.id;
    const create = (title: string) =>
      raw<{ issueCreate: { issue: { id: string; parent: { id: string } } } }>(
        client,
        `mutation($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id parent { id } } } }`,
        { input: { teamId, title, parentId } },
      ).then((r) => r.issueCreate.issue);
    const api = await create("API");
    const ui = await create("UI");
    expect(api.parent.id).toBe(parentId);

    // The SDK's own generated document for issueRelationCreate runs unchanged.
    const created = await client.createIssueRelation({ issueId: api.id, relatedIssueId: ui.id, type: IssueRelationType.Blocks });
    expect(created.success).toBe(true);

    const tree = await raw<TreeAnswer>(client, TREE_QUERY, { id: parent.issueCreate.issue.identifier });
    expect(tree.issue.parent).toBeNull();
    expect(tree.issue.children.nodes.map((c) => c.title)).toEqual(["API", "UI"]);
    const [apiNode, uiNode] = tree.issue.children.nodes;
    expect(apiNode!.relations.nodes).toEqual([{ type: "blocks", issue: { id: api.id }, relatedIssue: { id: ui.id } }]);
    expect(apiNode!.inverseRelations.nodes).toEqual([]);
    expect(uiNode!.relations.nodes).toEqual([]);
    expect(uiNode!.inverseRelations.nodes).toEqual([{ type: "blocks", issue: { id: api.id }, relatedIssue: { id: ui.id } }]);

    const child = await raw<TreeAnswer>(client, TREE_QUERY, { id: ui.id });
    expect(child.issue.parent).toEqual({ id: parentId, identifier: parent.issueCreate.issue.identifier });
  });

  it("a client id makes creates idempotent: a replay is refused as already existing and nothing is made twice", async () => {
    const { org, client, teamId } = await setup();
    const parent = await control.createIssue(org.organizationId, { title: "Parent" });
    const id = randomUUID();
    const input = { id, teamId, title: "Sub-task", parentId: parent.id };
    await client.createIssue(input);
    await expect(client.createIssue(input)).rejects.toThrow(/already exists/);
    const other = await control.createIssue(org.organizationId, { title: "Other", parent: parent.id });
    const relationId = randomUUID();
    await client.createIssueRelation({ id: relationId, issueId: id, relatedIssueId: other.id, type: IssueRelationType.Blocks });
    await expect(client.createIssueRelation({ id: relationId, issueId: id, relatedIssueId: other.id, type: IssueRelationType.Blocks })).rejects.toThrow(/already exists/);

    const state = await control.state(org.organizationId);
    expect(state.issues.filter((i) => i.title === "Sub-task")).toHaveLength(1);
    expect(state.issueRelations).toEqual([expect.objectContaining({ id: relationId, type: "blocks", issueId: id, relatedIssueId: other.id })]);
    expect(state.issues.find((i) => i.id === other.id)!.inverseRelations).toEqual([expect.objectContaining({ id: relationId })]);
  });

  it("a create refused for a bad field leaves its id free for the corrected retry", async () => {
    const { client, teamId } = await setup();
    const id = randomUUID();
    await expect(client.createIssue({ id, teamId, title: "Sub-task", parentId: randomUUID() })).rejects.toThrow(/not found/i);
    const retried = await client.createIssue({ id, teamId, title: "Sub-task" });
    expect((await retried.issue)?.id).toBe(id);
  });

  it("refuses a relation of an issue to itself, the same relation twice, and an unknown issue", async () => {
    const { org, client } = await setup();
    const a = await control.createIssue(org.organizationId, { title: "A" });
    const b = await control.createIssue(org.organizationId, { title: "B" });
    await expect(client.createIssueRelation({ issueId: a.id, relatedIssueId: a.id, type: IssueRelationType.Blocks })).rejects.toThrow(/itself/);
    await client.createIssueRelation({ issueId: a.identifier, relatedIssueId: b.identifier, type: IssueRelationType.Blocks });
    await expect(client.createIssueRelation({ issueId: a.id, relatedIssueId: b.id, type: IssueRelationType.Blocks })).rejects.toThrow(/already blocks/);
    await expect(client.createIssueRelation({ issueId: a.id, relatedIssueId: randomUUID(), type: IssueRelationType.Blocks })).rejects.toThrow(/not found/i);
  });

  it("a deleted relation is gone from both issues", async () => {
    const { org, client } = await setup();
    const tree = await control.createIssueTree(org.organizationId, { title: "P", subIssues: [{ key: "a", title: "A" }, { key: "b", title: "B", blockedBy: ["a"] }] });
    const deleted = await raw<{ issueRelationDelete: { success: boolean; entityId: string } }>(
      client,
      `mutation($id: String!) { issueRelationDelete(id: $id) { success entityId } }`,
      { id: tree.relations[0]!.id },
    );
    expect(deleted.issueRelationDelete).toEqual({ success: true, entityId: tree.relations[0]!.id });
    const after = await raw<TreeAnswer>(client, TREE_QUERY, { id: tree.parent.id });
    expect(after.issue.children.nodes.flatMap((c) => [...c.relations.nodes, ...c.inverseRelations.nodes])).toEqual([]);
  });
});

describe("seeding an issue tree (control API)", () => {
  it("creates the parent, its sub-issues in order and one blocks relation per blocker, quietly", async () => {
    const { org } = await setup();
    const tree = await control.createIssueTree(org.organizationId, {
      title: "Checkout v2",
      description: "Acceptance: tests pass",
      subIssues: [
        { key: "api", title: "API", description: "Endpoints" },
        { key: "ui", title: "UI" },
        { key: "e2e", title: "E2E", blockedBy: ["api", "ui"], stateType: "backlog" },
      ],
    });
    expect(tree.subIssues.map((s) => [s.key, s.title, s.parent?.id])).toEqual([
      ["api", "API", tree.parent.id],
      ["ui", "UI", tree.parent.id],
      ["e2e", "E2E", tree.parent.id],
    ]);
    expect(tree.parent.children.map((c) => c.id)).toEqual(tree.subIssues.map((s) => s.id));
    const [api, ui, e2e] = tree.subIssues;
    expect(tree.relations.map((r) => [r.type, r.issueId, r.relatedIssueId])).toEqual([
      ["blocks", api!.id, e2e!.id],
      ["blocks", ui!.id, e2e!.id],
    ]);
    expect(e2e!.inverseRelations.map((r) => r.issueId)).toEqual([api!.id, ui!.id]);
    expect(e2e!.state.type).toBe("backlog");
    expect(await control.deliveries({ organizationId: org.organizationId })).toEqual([]);
  });

  it("refuses a blocker key that names no sub-issue", async () => {
    const { org } = await setup();
    await expect(control.createIssueTree(org.organizationId, { title: "P", subIssues: [{ title: "A", blockedBy: ["nope"] }] })).rejects.toThrow(/unknown keys: nope/);
  });
});

describe("delegation by issueCreate and issueUpdate", () => {
  it("a sub-issue created with the app as delegate gets an agent session and Linear's signed created webhook, with no creator", async () => {
    const { org, client, teamId } = await setup();
    const parent = await control.createIssue(org.organizationId, { title: "Parent" });
    const id = randomUUID();
    await client.createIssue({ id, teamId, title: "Child", parentId: parent.id, delegateId: org.appUserId });
    const [created] = await receiver.waitFor(1);
    expect(created!.headers["linear-event"]).toBe("AgentSessionEvent");
    expect(created!.headers["linear-signature"]).toBe(createHmac("sha256", SECRET).update(created!.rawBody).digest("hex"));
    expect(created!.body).toMatchObject({
      type: "AgentSessionEvent",
      action: "created",
      appUserId: org.appUserId,
      agentSession: { status: "pending", creatorId: null, issueId: id, issue: { id, title: "Child" } },
    });
    expect(created!.body.promptContext).toContain("<parent-issue");
    const state = await control.state(org.organizationId);
    expect(state.agentSessions.map((s) => [s.id, s.issueId])).toEqual([[created!.body.agentSession.id, id]]);
    expect(state.issues.find((i) => i.id === id)!.delegate?.id).toBe(org.appUserId);
  });

  it("issueUpdate delegating an existing issue starts one session; setting the same delegate again starts none", async () => {
    const { org, client } = await setup();
    const issue = await control.createIssue(org.organizationId, { title: "Existing" });
    await client.updateIssue(issue.id, { delegateId: org.appUserId });
    await client.updateIssue(issue.id, { delegateId: org.appUserId, title: "Existing, renamed" });
    await client.updateIssue(issue.id, { title: "Existing, renamed again" });
    const deliveries = await control.deliveries({ organizationId: org.organizationId, event: "AgentSessionEvent" });
    expect(deliveries.map((d) => [d.action, d.payload.agentSession.issueId])).toEqual([["created", issue.id]]);
    expect((await control.state(org.organizationId)).agentSessions).toHaveLength(1);
  });

  it("a person's delegation through the API makes them the session's creator; undelegating and delegating again starts a new session", async () => {
    const { org } = await setup();
    const issue = await control.createIssue(org.organizationId, { title: "Human" });
    const tokens = await control.issueTokens(org.organizationId, { actor: "user", scopes: ["read", "write"] });
    const person = linearClient(emulator.url, tokens.accessToken);
    await person.updateIssue(issue.id, { delegateId: org.appUserId });
    await person.updateIssue(issue.id, { delegateId: null });
    await person.updateIssue(issue.id, { delegateId: org.appUserId });
    const deliveries = await control.deliveries({ organizationId: org.organizationId, event: "AgentSessionEvent" });
    expect(deliveries.map((d) => d.payload.agentSession.creatorId)).toEqual([org.userId, org.userId]);
    expect(new Set(deliveries.map((d) => d.payload.agentSession.id)).size).toBe(2);
  });

  it("a create replayed with the same id (refused) sends no second created webhook", async () => {
    const { org, client, teamId } = await setup();
    const input = { id: randomUUID(), teamId, title: "Once", delegateId: org.appUserId };
    await client.createIssue(input);
    await expect(client.createIssue(input)).rejects.toThrow(/already exists/);
    expect(await control.deliveries({ organizationId: org.organizationId, event: "AgentSessionEvent" })).toHaveLength(1);
  });

  it("a delegate that is not an app is refused, and nothing is sent", async () => {
    const { org, client, teamId } = await setup();
    await expect(client.createIssue({ teamId, title: "Nope", delegateId: org.userId })).rejects.toThrow(/delegate must be an app user/);
    expect(await control.deliveries({ organizationId: org.organizationId })).toEqual([]);
  });
});

describe("agent plans", () => {
  it("agentSessionUpdate stores the plan on the session, readable back as Linear serves JSON (stringified), replaced whole", async () => {
    const { org, client } = await setup();
    const issue = await control.createIssue(org.organizationId, { title: "Parent" });
    const session = await client.agentSessionCreateOnIssue({ issueId: issue.id });
    const id = session.agentSessionId!;
    const first = [
      { content: "ENG-2 API", status: "inProgress" },
      { content: "ENG-3 UI", status: "pending" },
    ];
    await client.updateAgentSession(id, { plan: first as never });
    const read = () => raw<{ agentSession: { plan: string | null } }>(client, `query($id: String!) { agentSession(id: $id) { plan } }`, { id });
    expect(JSON.parse((await read()).agentSession.plan!)).toEqual(first);

    const second = [{ content: "ENG-2 API", status: "completed" }, { content: "ENG-3 UI", status: "canceled" }];
    await client.updateAgentSession(id, { plan: second as never });
    expect(JSON.parse((await read()).agentSession.plan!)).toEqual(second);
    expect((await control.state(org.organizationId)).agentSessions[0]!.plan).toEqual(second);

    await expect(client.updateAgentSession(id, { plan: [{ content: "x", status: "done" }] as never })).rejects.toThrow(/status of pending, inProgress, completed or canceled/);
  });
});

describe("query complexity", () => {
  it("reports each query's complexity in X-Complexity and the call log; connections multiply by their page size", async () => {
    const { org } = await setup();
    const issue = await control.createIssue(org.organizationId, { title: "Scored" });
    const post = (query: string) =>
      fetch(`${emulator.url}/graphql`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${org.accessToken}` },
        body: JSON.stringify({ query, variables: { id: issue.id } }),
      });
    const small = await post(`query a($id: String!) { issue(id: $id) { id title } }`);
    expect(small.status).toBe(200);
    // issue (1) + two properties (0.2), rounded up.
    expect(small.headers.get("x-complexity")).toBe("2");
    const paged = await post(`query b($id: String!) { issue(id: $id) { children(first: 10) { nodes { id } } } }`);
    // issue (1) + 10 × (node 1 + id 0.1) = 12
    expect(paged.headers.get("x-complexity")).toBe("12");
    const defaulted = await post(`query c($id: String!) { issue(id: $id) { children { nodes { id } } } }`);
    expect(defaulted.headers.get("x-complexity")).toBe("56");
    const calls = await control.calls({ organizationId: org.organizationId, operationName: "b" });
    expect(calls.graphql[0]!.complexity).toBe(12);
  });

  it("refuses a query over 10 000 points as Linear does", async () => {
    const { org, client } = await setup();
    const issue = await control.createIssue(org.organizationId, { title: "Too much" });
    const query = `query big($id: String!) { issue(id: $id) { children(first: 100) { nodes { children(first: 100) { nodes { id identifier title } } } } } }`;
    const error = await client.client.rawRequest(query, { id: issue.id }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/too complex/i);
    const [call] = (await control.calls({ organizationId: org.organizationId, operationName: "big" })).graphql;
    expect(call).toMatchObject({ status: 400, error: "Query too complex" });
    expect(call!.complexity).toBeGreaterThan(10_000);
  });
});
