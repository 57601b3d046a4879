/**
 * The Linear emulator driven by the real @linear/sdk: the SDK's own generated
 * documents and raw documents like the product's must run unchanged, and the
 * emulator must answer with Linear's rules (status derivation, duplicate ids,
 * scoping to one organization).
 */
import { AuthenticationLinearError, ForbiddenLinearError, InvalidInputLinearError, LinearClient, LinearError, LinearErrorType } from "@linear/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CreatedOrganization, type IssueView, LinearEmulatorControl } from "../../emulators/linear/control-client";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { linearClient } from "../../emulators/linear/testing";

let emulator: LinearEmulator;
let control: LinearEmulatorControl;

beforeAll(async () => {
  emulator = await startLinearEmulator();
  control = new LinearEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

interface World {
  org: CreatedOrganization;
  client: LinearClient;
  issue: IssueView;
}

async function world(issue: Partial<Parameters<LinearEmulatorControl["createIssue"]>[1]> = {}): Promise<World> {
  const org = await control.createOrganization({ name: "Acme", teams: [{ key: "ENG", name: "Engineering" }] });
  const created = await control.createIssue(org.organizationId, { title: "Fix checkout", description: "The button does nothing.", ...issue });
  return { org, client: linearClient(emulator.url, org.accessToken), issue: created };
}

async function sessionOn(w: World): Promise<string> {
  const { agentSession } = await control.startAgentSession(w.org.organizationId, { issueId: w.issue.id, comment: "@cyrus please fix" });
  return agentSession.id;
}

async function rejection(promise: Promise<unknown>): Promise<LinearError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LinearError);
  return error as LinearError;
}

describe("identity", () => {
  it("answers viewer and organization with the app user and the workspace", async () => {
    const w = await world();
    const viewer = await w.client.viewer;
    expect(viewer.id).toBe(w.org.appUserId);
    expect(viewer.app).toBe(true);
    const organization = await w.client.organization;
    expect(organization).toMatchObject({ id: w.org.organizationId, name: "Acme", urlKey: w.org.urlKey });

    const raw = await w.client.client.rawRequest<{ viewer: { id: string; organization: { id: string; urlKey: string } } }, Record<string, never>>(
      `query cyrusViewer { viewer { id name organization { id name urlKey } } }`,
      {},
    );
    expect(raw.data?.viewer).toMatchObject({ id: w.org.appUserId, organization: { id: w.org.organizationId, urlKey: w.org.urlKey } });
  });

  it("refuses an unknown token as Linear does: HTTP 400, authentication error", async () => {
    const client = linearClient(emulator.url, "lin_oauth_not-a-real-token");
    const error = await rejection(client.viewer);
    expect(error).toBeInstanceOf(AuthenticationLinearError);
    expect(error.type).toBe(LinearErrorType.AuthenticationError);
    expect(error.status).toBe(400);
  });

  it("keeps each organization's data to itself", async () => {
    const a = await world();
    const b = await world();
    const error = await rejection(b.client.issue(a.issue.id));
    expect(error.message).toMatch(/Entity not found: Issue/);
    expect((await b.client.issue("ENG-1")).id).toBe(b.issue.id);
  });
});

describe("issues", () => {
  it("serves a nested raw issue query by UUID and by identifier", async () => {
    const w = await world({ labels: ["bug", "frontend"], project: "Checkout revamp", estimate: 3, priority: 2 });
    const child = await control.createIssue(w.org.organizationId, { title: "Write the test", parent: w.issue.identifier });
    const query = /* GraphQL */ `
      query cyrusIssueDetails($id: String!) {
        issue(id: $id) {
          id identifier title description url priority estimate branchName
          team { id key name states { nodes { id name type position } } }
          state { id name type }
          labels { nodes { id name } }
          project { id name slugId }
          delegate { id }
          parent { id identifier }
          children { nodes { id identifier title state { type } } }
        }
      }`;
    for (const id of [w.issue.id, w.issue.identifier]) {
      const { data } = await w.client.client.rawRequest<{ issue: any }, { id: string }>(query, { id });
      const issue = data!.issue;
      expect(issue).toMatchObject({
        id: w.issue.id,
        identifier: "ENG-1",
        title: "Fix checkout",
        priority: 2,
        estimate: 3,
        url: `https://linear.app/${w.org.urlKey}/issue/ENG-1/fix-checkout`,
        team: { key: "ENG", name: "Engineering" },
        state: { name: "Todo", type: "unstarted" },
        project: { name: "Checkout revamp" },
        delegate: null,
        parent: null,
      });
      expect(issue.project.slugId).toMatch(/^[0-9a-f]{12}$/);
      expect(issue.branchName).toBe("jane/eng-1-fix-checkout");
      expect(issue.labels.nodes.map((l: { name: string }) => l.name).sort()).toEqual(["bug", "frontend"]);
      expect(issue.team.states.nodes.map((s: { name: string }) => s.name)).toEqual(["Backlog", "Todo", "In Progress", "In Review", "Done", "Canceled"]);
      expect(issue.children.nodes).toEqual([{ id: child.id, identifier: "ENG-2", title: "Write the test", state: { type: "unstarted" } }]);
    }
    const bugs = await w.client.issueLabels({ filter: { name: { eqIgnoreCase: "BUG" } } });
    expect(bugs.nodes.map((l) => l.name)).toEqual(["bug"]);
    const labelled = await w.client.issues({ filter: { labels: { some: { name: { eq: "frontend" } } }, project: { name: { eq: "Checkout revamp" } } } });
    expect(labelled.nodes.map((i) => i.identifier)).toEqual(["ENG-1"]);
  });

  it("finds the started state with the lowest position through team.states(filter) and moves the issue there", async () => {
    const w = await world();
    const team = await w.client.team(w.org.teams[0]!.id);
    const started = await team.states({ filter: { type: { eq: "started" } } });
    expect(started.nodes.map((s) => [s.name, s.position])).toEqual([
      ["In Progress", 1],
      ["In Review", 2],
    ]);
    const byWorkflowStates = await w.client.workflowStates({ filter: { team: { id: { eq: team.id } }, type: { eq: "completed" } } });
    expect(byWorkflowStates.nodes.map((s) => s.name)).toEqual(["Done"]);

    const payload = await w.client.updateIssue(w.issue.identifier, { stateId: started.nodes[0]!.id, delegateId: w.org.appUserId });
    expect(payload.success).toBe(true);
    expect(payload.lastSyncId).toBeGreaterThan(0);
    const state = await control.state(w.org.organizationId);
    expect(state.issues[0]).toMatchObject({ state: { name: "In Progress", type: "started" }, delegate: { id: w.org.appUserId } });
    expect(state.issues[0]!.startedAt).not.toBeNull();
  });

  it("refuses to delegate to a person and a state from another team", async () => {
    const org = await control.createOrganization({ teams: [{ key: "ENG" }, { key: "OPS" }] });
    const issue = await control.createIssue(org.organizationId, { title: "Refusals" });
    const client = linearClient(emulator.url, org.accessToken);
    await expect(client.updateIssue(issue.id, { delegateId: org.userId })).rejects.toThrow(/delegate must be an app user/);
    const opsTodo = org.teams[1]!.states.find((s) => s.type === "unstarted")!;
    const error = await rejection(client.updateIssue(issue.id, { stateId: opsTodo.id }));
    expect(error).toBeInstanceOf(InvalidInputLinearError);
  });

  it("creates comments and sub-issues", async () => {
    const w = await world();
    const comment = await w.client.createComment({ issueId: w.issue.id, body: "Looking into it" });
    expect(comment.success).toBe(true);
    const sub = await w.client.createIssue({ teamId: w.org.teams[0]!.id, title: "Sub-task", parentId: w.issue.id, delegateId: w.org.appUserId });
    const subIssue = await sub.issue;
    expect(subIssue?.identifier).toBe("ENG-2");
    expect(await w.client.comment({ id: comment.commentId! })).toMatchObject({ body: "Looking into it", issueId: w.issue.id });
    const state = await control.state(w.org.organizationId);
    expect(state.comments.find((c) => c.id === comment.commentId)).toMatchObject({ body: "Looking into it", userId: w.org.appUserId });
    expect(state.issues.find((i) => i.identifier === "ENG-2")).toMatchObject({ parent: { identifier: "ENG-1" }, delegate: { id: w.org.appUserId } });
  });
});

describe("agent activities and sessions", () => {
  it("creates an activity with the client's id, finds it by id, and refuses the id a second time", async () => {
    const w = await world();
    const sessionId = await sessionOn(w);
    const id = crypto.randomUUID();
    const created = await w.client.createAgentActivity({ id, agentSessionId: sessionId, content: { type: "thought", body: "Reading the code" } });
    expect(created.success).toBe(true);
    expect(created.agentActivityId).toBe(id);

    const found = await w.client.agentActivity(id);
    expect(found.id).toBe(id);
    expect(found.content).toMatchObject({ __typename: "AgentActivityThoughtContent", type: "thought", body: "Reading the code" });
    expect(found.agentSessionId).toBe(sessionId);

    const duplicate = await rejection(w.client.createAgentActivity({ id, agentSessionId: sessionId, content: { type: "response", body: "Done" } }));
    expect(duplicate.message).toMatch(/already exists/);
    const session = (await control.state(w.org.organizationId)).agentSessions[0]!;
    expect(session.activities.map((a) => a.id)).toEqual([id]);
    expect(session.status).toBe("active");
  });

  it("derives the session status from the last activity and threads responses as comments", async () => {
    const w = await world();
    const sessionId = await sessionOn(w);
    const statusAfter = async (content: Record<string, string>) => {
      await w.client.createAgentActivity({ agentSessionId: sessionId, content });
      return (await w.client.agentSession(sessionId)).status;
    };
    expect((await w.client.agentSession(sessionId)).status).toBe("pending");
    expect(await statusAfter({ type: "action", action: "Reading", parameter: "src/checkout.ts" })).toBe("active");
    expect(await statusAfter({ type: "elicitation", body: "Which browser?" })).toBe("awaitingInput");
    expect(await statusAfter({ type: "error", body: "Tests failed" })).toBe("error");
    expect(await statusAfter({ type: "thought", body: "Retrying" })).toBe("active");
    expect(await statusAfter({ type: "response", body: "Fixed in #42" })).toBe("complete");

    const state = await control.state(w.org.organizationId);
    const root = state.agentSessions[0]!.commentId!;
    const threaded = state.comments.filter((c) => c.parentId === root).map((c) => [c.userId, c.body]);
    expect(threaded).toEqual([
      [w.org.appUserId, "Which browser?"],
      [w.org.appUserId, "Tests failed"],
      [w.org.appUserId, "Fixed in #42"],
    ]);
    expect(state.agentSessions[0]!.endedAt).not.toBeNull();

    const activities = await (await w.client.agentSession(sessionId)).activities();
    expect(activities.nodes.map((a) => (a.content as { type: string }).type)).toEqual(["action", "elicitation", "error", "thought", "response"]);
  });

  it("validates content like Linear", async () => {
    const w = await world();
    const agentSessionId = await sessionOn(w);
    await expect(w.client.createAgentActivity({ agentSessionId, content: { type: "response" } })).rejects.toThrow(/content.body/);
    await expect(w.client.createAgentActivity({ agentSessionId, content: { type: "action", action: "Run" } })).rejects.toThrow(/content.parameter/);
    await expect(w.client.createAgentActivity({ agentSessionId, content: { type: "musing", body: "hm" } })).rejects.toThrow(/content.type/);
    const prompt = await rejection(w.client.createAgentActivity({ agentSessionId, content: { type: "prompt", body: "I am the user now" } }));
    expect(prompt).toBeInstanceOf(ForbiddenLinearError);
    await expect(w.client.createAgentActivity({ agentSessionId, content: { type: "response", body: "x" }, ephemeral: true })).rejects.toThrow(/ephemeral/);
    expect((await control.state(w.org.organizationId)).agentSessions[0]!.activities).toEqual([]);
  });

  it("replaces an ephemeral activity with the next one", async () => {
    const w = await world();
    const agentSessionId = await sessionOn(w);
    await w.client.createAgentActivity({ agentSessionId, content: { type: "thought", body: "Thinking…" }, ephemeral: true });
    await w.client.createAgentActivity({ agentSessionId, content: { type: "action", action: "Editing", parameter: "a.ts" } });
    const session = await w.client.agentSession(agentSessionId);
    expect((await session.activities()).nodes.map((a) => (a.content as { type: string }).type)).toEqual(["action"]);
    expect((await session.activities({ includeArchived: true })).nodes).toHaveLength(2);
  });

  it("updates external URLs (replace, add, remove) and the plan", async () => {
    const w = await world();
    const id = await sessionOn(w);
    const pr = { label: "Pull request", url: "https://github.com/acme/app/pull/42" };
    const run = { label: "Run", url: "https://edge.test/runs/1" };
    await w.client.updateAgentSession(id, { externalUrls: [pr] });
    await w.client.updateAgentSession(id, { addedExternalUrls: [run] });
    let session = await w.client.agentSession(id);
    expect(session.externalUrls).toEqual([pr, run]);
    expect(session.externalLinks.map((l) => l.url)).toEqual([pr.url, run.url]);

    await w.client.updateAgentSession(id, { removedExternalUrls: [pr.url] });
    const plan = [
      { content: "Reproduce", status: "completed" },
      { content: "Fix", status: "inProgress" },
    ];
    await w.client.updateAgentSession(id, { plan: plan as unknown as Record<string, unknown> });
    session = await w.client.agentSession(id);
    expect(session.externalUrls).toEqual([run]);
    expect(session.plan).toEqual(plan);

    await w.client.agentSessionUpdateExternalUrl(id, { externalUrls: [pr] });
    expect((await control.state(w.org.organizationId)).agentSessions[0]!.externalUrls).toEqual([pr]);
    await expect(w.client.updateAgentSession(id, { plan: [{ content: "x", status: "done" }] as unknown as Record<string, unknown> })).rejects.toThrow(/plan step/);
  });
});

describe("attachments", () => {
  it("links a URL once per issue and updates it when linked again", async () => {
    const w = await world();
    const first = await w.client.attachmentLinkURL(w.issue.id, "https://edge.test/runs/1", { title: "Run 1" });
    const again = await w.client.attachmentLinkURL(w.issue.identifier, "https://edge.test/runs/1", { title: "Run 1 (retried)" });
    expect(again.attachmentId).toBe(first.attachmentId);
    const attachment = await w.client.attachment(first.attachmentId!);
    expect(attachment).toMatchObject({ title: "Run 1 (retried)", url: "https://edge.test/runs/1" });

    const pr = await w.client.attachmentLinkGitHubPR(w.issue.id, "https://github.com/acme/app/pull/42");
    await w.client.createAttachment({ issueId: w.issue.id, title: "Trace", url: "https://edge.test/trace/9", metadata: { cost: 1.5 } });
    const state = await control.state(w.org.organizationId);
    expect(state.attachments).toHaveLength(3);
    expect(state.attachments.find((a) => a.id === pr.attachmentId)).toMatchObject({ sourceType: "github", title: "acme/app#42", metadata: { number: 42 } });
    expect(state.attachments.find((a) => a.title === "Trace")!.metadata).toEqual({ cost: 1.5 });
    await expect(w.client.attachmentLinkGitHubPR(w.issue.id, "https://example.com/not-a-pr")).rejects.toThrow(/GitHub pull request URL/);
  });
});

describe("GraphQL strictness", () => {
  it("refuses an unknown root field like Linear, with HTTP 400", async () => {
    const w = await world();
    const error = await rejection(w.client.client.rawRequest(`mutation { issueFrobnicate(id: "x") { success } }`, {}));
    expect(error.message).toContain('Cannot query field "issueFrobnicate" on type "Mutation"');
    expect(error.status).toBe(400);
    expect(error.type).toBe(LinearErrorType.GraphqlError);
  });

  it("checks variables against the input types", async () => {
    const w = await world();
    const error = await rejection(
      w.client.client.rawRequest(`mutation ($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }`, {
        id: w.issue.id,
        input: { stateName: "Done" },
      }),
    );
    expect(error.message).toMatch(/Field "stateName" is not defined by type "IssueUpdateInput"/);
    expect((await control.state(w.org.organizationId)).issues[0]!.state.name).toBe("Todo");
  });

  it("reports a syntax error rather than guessing", async () => {
    const w = await world();
    const error = await rejection(w.client.client.rawRequest(`query { viewer { id `, {}));
    expect(error.message).toMatch(/Syntax Error/);
  });
});

describe("recorded calls", () => {
  it("records each GraphQL call under its organization", async () => {
    const a = await world();
    const b = await world();
    const sessionId = await sessionOn(a);
    await a.client.createAgentActivity({ agentSessionId: sessionId, content: { type: "thought", body: "hi" } });
    await b.client.viewer;
    const { graphql } = await control.calls({ organizationId: a.org.organizationId });
    expect(graphql.map((c) => c.operationName)).toEqual(["createAgentActivity"]);
    expect(graphql[0]).toMatchObject({ rootFields: ["agentActivityCreate"], status: 200, variables: { input: { agentSessionId: sessionId } } });
    const onlyViewer = await control.calls({ organizationId: b.org.organizationId, rootField: "viewer" });
    expect(onlyViewer.graphql).toHaveLength(1);
  });
});
