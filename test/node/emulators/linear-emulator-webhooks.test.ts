/**
 * Webhooks the emulator sends: signed exactly like Linear's (verified here with
 * node:crypto and with the SDK's own LinearWebhookClient), one webhookId per
 * configured webhook, payloads shaped like the contracts, receivers' answers
 * recorded. Also the pure payload builders workerd tests use.
 */
import { createHmac } from "node:crypto";
import { AuthenticationLinearError } from "@linear/sdk";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LinearEmulatorControl } from "../../emulators/linear/control-client";
import { buildAgentSessionCreatedPayload, buildAgentSessionPromptedPayload, signWebhookBody, signedWebhookRequest } from "../../emulators/linear/payloads";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { type ReceivedWebhook, type WebhookReceiver, linearClient, startWebhookReceiver } from "../../emulators/linear/testing";

const SECRET = "whsec-test";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

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

/** An organization whose webhooks go to a fresh receiver, so tests never see each other's deliveries. */
async function setup(options: { guidance?: Array<{ body: string; teamKey?: string }> } = {}) {
  receiver = await startWebhookReceiver();
  const org = await control.createOrganization({ name: "Hooks", webhookUrl: receiver.url, webhookSecret: SECRET, ...options });
  const issue = await control.createIssue(org.organizationId, { title: "Fix checkout", description: "Broken on <mobile> & tablets", labels: ["bug"] });
  return { org, issue };
}

function expectSignedLikeLinear(delivery: ReceivedWebhook, event: string): void {
  expect(delivery.headers["content-type"]).toBe("application/json; charset=utf-8");
  expect(delivery.headers["user-agent"]).toBe("Linear-Webhook");
  expect(delivery.headers["linear-event"]).toBe(event);
  expect(delivery.headers["linear-delivery"]).toMatch(UUID_V4);
  const signature = delivery.headers["linear-signature"] as string;
  expect(signature).toBe(createHmac("sha256", SECRET).update(delivery.rawBody).digest("hex"));
  // The SDK's verifier also checks webhookTimestamp is within a minute of now.
  expect(new LinearWebhookClient(SECRET).parseData(Buffer.from(delivery.rawBody), signature)).toMatchObject({ type: event });
  expect(() => new LinearWebhookClient("another-secret").parseData(Buffer.from(delivery.rawBody), signature)).toThrow();
}

describe("agent session events", () => {
  it("a delegation sends AgentSessionEvent created, then the Issue update that set the delegate", async () => {
    const { org, issue } = await setup({ guidance: [{ body: "Always write tests", teamKey: "ENG" }] });
    const result = await control.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
    expect(result.deliveries.map((d) => [d.event, d.status])).toEqual([
      ["AgentSessionEvent", 200],
      ["Issue", 200],
    ]);
    const [created, update] = await receiver.waitFor(2);
    expectSignedLikeLinear(created!, "AgentSessionEvent");
    expectSignedLikeLinear(update!, "Issue");

    const body = created!.body;
    expect(body).toMatchObject({
      type: "AgentSessionEvent",
      action: "created",
      organizationId: org.organizationId,
      appUserId: org.appUserId,
      webhookId: org.webhookId,
      agentSession: {
        id: result.agentSession.id,
        status: "pending",
        creatorId: org.userId,
        issue: { id: issue.id, identifier: "ENG-1", title: "Fix checkout", team: { key: "ENG", name: "Engineering" } },
      },
      guidance: [{ body: "Always write tests", origin: { type: "team", team: { key: "ENG" } } }],
    });
    expect(Math.abs(Date.now() - body.webhookTimestamp)).toBeLessThan(5_000);
    expect(body.promptContext).toContain('<issue identifier="ENG-1">');
    expect(body.promptContext).toContain("<description>Broken on &lt;mobile&gt; &amp; tablets</description>");
    expect(body.promptContext).toContain("<label>bug</label>");
    expect(body.promptContext).toContain('<guidance-rule origin="team" team-name="Engineering">Always write tests</guidance-rule>');
    expect(body.promptContext).not.toContain("primary-directive-thread");

    expect(update!.body).toMatchObject({
      type: "Issue",
      action: "update",
      webhookId: org.webhookId,
      data: { id: issue.id, identifier: "ENG-1", delegateId: org.appUserId, delegate: { id: org.appUserId }, state: { type: "unstarted" } },
      updatedFrom: { delegateId: null, updatedAt: expect.any(String) },
    });
    expect((await control.state(org.organizationId)).issues[0]!.delegate?.id).toBe(org.appUserId);
  });

  it("a mention carries the comment and the directive thread; webhookId is the same on every delivery", async () => {
    const { org, issue } = await setup();
    await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus please fix", deliver: true });
    await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus and the tests", deliver: true });
    const [first, second] = await receiver.waitFor(2);
    expect(first!.body.agentSession.comment).toMatchObject({ body: "@cyrus please fix", userId: org.userId, issueId: issue.id });
    expect(first!.body.promptContext).toMatch(/<primary-directive-thread comment-id="[^"]+">\n<comment author="Jane Doe" created-at="[\d-]+ [\d:]+">@cyrus please fix<\/comment>/);
    expect(second!.body.promptContext).toContain("<other-thread");
    expect(first!.body.webhookId).toBe(second!.body.webhookId);
    expect(first!.headers["linear-delivery"]).not.toBe(second!.headers["linear-delivery"]);
    // A mention does not delegate: no Issue webhook.
    expect(receiver.received).toHaveLength(2);
  });

  it("a mention in a reply carries the thread's earlier comments as previousComments", async () => {
    const { org, issue } = await setup();
    const { comment: root } = await control.createComment(org.organizationId, { issueId: issue.id, body: "Checkout fails on iOS" });
    const result = await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus can you look?", parentCommentId: root.id, deliver: true });
    const [created] = await receiver.waitFor(1);
    expect(created!.body.previousComments).toEqual([{ id: root.id, body: "Checkout fails on iOS", userId: org.userId, issueId: issue.id }]);
    expect(created!.body.agentSession.comment.id).toBe(result.comment!.id);
    expect(created!.body.promptContext).toContain("Checkout fails on iOS</comment>\n<comment");
  });

  it("prompted carries the user's message, and stop arrives as a signal", async () => {
    const { org, issue } = await setup();
    const { agentSession } = await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus go" });
    const prompt = await control.prompt(agentSession.id, { body: "Also add tests" });
    const stop = await control.prompt(agentSession.id, { body: "", signal: "stop" });
    const [prompted, stopped] = await receiver.waitFor(2);
    expectSignedLikeLinear(prompted!, "AgentSessionEvent");
    expect(prompted!.body).toMatchObject({
      action: "prompted",
      agentSession: { id: agentSession.id },
      agentActivity: { id: prompt.agentActivity.id, content: { type: "prompt", body: "Also add tests" }, body: "Also add tests", signal: null, userId: org.userId },
    });
    expect(prompted!.body.promptContext).toBeUndefined();
    expect(prompted!.body.agentActivity.sourceCommentId).toEqual(expect.any(String));
    expect(stopped!.body.agentActivity.signal).toBe("stop");
    expect(stop.agentSession.status).toBe("stopping");
  });

  it("a session the app creates (agentSessionCreateOnIssue, …OnComment) reaches it as created, with no creator", async () => {
    const { org, issue } = await setup();
    const client = linearClient(emulator.url, org.accessToken);
    const onIssue = await client.agentSessionCreateOnIssue({ issueId: issue.identifier });
    const { comment } = await control.createComment(org.organizationId, { issueId: issue.id, body: "Can the agent look at this?" });
    const onComment = await client.agentSessionCreateOnComment({ commentId: comment.id });
    const [first, second] = await receiver.waitFor(2);
    expectSignedLikeLinear(first!, "AgentSessionEvent");
    expect(first!.body).toMatchObject({
      type: "AgentSessionEvent",
      action: "created",
      organizationId: org.organizationId,
      appUserId: org.appUserId,
      agentSession: { id: onIssue.agentSessionId, status: "pending", creatorId: null, issue: { id: issue.id, identifier: issue.identifier } },
    });
    expect(first!.body.promptContext).toContain(issue.identifier);
    expect(second!.body.agentSession).toMatchObject({ id: onComment.agentSessionId, comment: { id: comment.id, body: "Can the agent look at this?" } });
    const deliveries = await control.deliveries({ organizationId: org.organizationId, event: "AgentSessionEvent" });
    expect(deliveries.map((d) => [d.action, d.status])).toEqual([
      ["created", 200],
      ["created", 200],
    ]);
    // Creating a session is not a delegation: the issue's delegate stays as it was, and no Issue webhook follows.
    expect((await control.state(org.organizationId)).issues[0]!.delegate).toBeNull();
    expect(receiver.received).toHaveLength(2);
  });

  it("a user token may not create agent sessions, and nothing is sent", async () => {
    const { org, issue } = await setup();
    const tokens = await control.issueTokens(org.organizationId, { actor: "user", scopes: ["read", "write"] });
    await expect(linearClient(emulator.url, tokens.accessToken).agentSessionCreateOnIssue({ issueId: issue.id })).rejects.toThrow(/Only apps/);
    expect(await control.deliveries({ organizationId: org.organizationId })).toEqual([]);
  });
});

describe("comments the app causes", () => {
  it("a response activity posts a thread comment and sends Comment create with the app user", async () => {
    const { org, issue } = await setup();
    const { agentSession } = await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus go" });
    const client = linearClient(emulator.url, org.accessToken);
    await client.createAgentActivity({ agentSessionId: agentSession.id, content: { type: "thought", body: "hmm" } });
    await client.createAgentActivity({ agentSessionId: agentSession.id, content: { type: "response", body: "Fixed in #42" } });
    const [comment] = await receiver.waitFor(1);
    expectSignedLikeLinear(comment!, "Comment");
    expect(comment!.body).toMatchObject({
      type: "Comment",
      action: "create",
      data: { body: "Fixed in #42", userId: org.appUserId, issueId: issue.id, parentId: agentSession.commentId, issue: { identifier: "ENG-1" } },
    });
    expect(comment!.body.url).toContain("/issue/ENG-1/");
    const deliveries = await control.deliveries({ organizationId: org.organizationId });
    expect(deliveries.map((d) => [d.event, d.status])).toEqual([["Comment", 200]]);
  });
});

describe("delivery outcomes", () => {
  it("records what the receiver answered and can redeliver", async () => {
    const { org, issue } = await setup();
    receiver.status = 500;
    const result = await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus go", deliver: true });
    expect(result.deliveries[0]).toMatchObject({ status: 500, error: "receiver answered HTTP 500", webhookId: org.webhookId });
    receiver.status = 200;
    const again = await control.redeliver(result.deliveries[0]!.id);
    expect(again.status).toBe(200);
    expect(again.id).not.toBe(result.deliveries[0]!.id);
    const [, redelivered] = await receiver.waitFor(2);
    expect(redelivered!.body.agentSession.id).toBe(result.agentSession.id);
    expectSignedLikeLinear(redelivered!, "AgentSessionEvent");
  });

  it("an unreachable receiver is recorded, not thrown", async () => {
    const { org, issue } = await setup();
    await receiver.close();
    const result = await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus go", deliver: true });
    expect(result.deliveries[0]).toMatchObject({ status: null, error: expect.stringMatching(/could not deliver/) });
  });

  it("uninstalling sends OAuthApp revoked and retires the tokens; notifications reach the app's inbox", async () => {
    const { org, issue } = await setup();
    await control.notify(org.organizationId, { type: "issueCommentMention", issueId: issue.id, commentBody: "@cyrus look" });
    await control.uninstall(org.organizationId);
    const [notification, revoked] = await receiver.waitFor(2);
    expectSignedLikeLinear(notification!, "AppUserNotification");
    expect(notification!.body).toMatchObject({
      action: "issueCommentMention",
      appUserId: org.appUserId,
      notification: { type: "issueCommentMention", issueId: issue.id, comment: { body: "@cyrus look" }, actor: { id: org.userId } },
    });
    expectSignedLikeLinear(revoked!, "OAuthApp");
    expect(revoked!.body).toMatchObject({ type: "OAuthApp", action: "revoked", organizationId: org.organizationId, oauthClientId: expect.any(String) });
    await expect(linearClient(emulator.url, org.accessToken).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);
  });

  it("an emulator-wide target from /config is used when the organization has none", async () => {
    receiver = await startWebhookReceiver();
    const config = await control.configure({ webhookUrl: receiver.url, webhookSecret: SECRET });
    try {
      const org = await control.createOrganization();
      expect(org.webhookId).toBe(config.webhookId);
      const issue = await control.createIssue(org.organizationId, { title: "Global target" });
      await control.startAgentSession(org.organizationId, { issueId: issue.id, deliver: true });
      const [created] = await receiver.waitFor(1);
      expect(created!.body.webhookId).toBe(config.webhookId);
    } finally {
      await control.configure({ webhookUrl: null, webhookSecret: null });
    }
  });
});

describe("payload builders (no Node imports, used from workerd)", () => {
  it("build created and prompted payloads with usable defaults and sign them like Linear", async () => {
    const created = buildAgentSessionCreatedPayload({ comment: { id: "c1", body: "@agent do it" } });
    expect(created).toMatchObject({ type: "AgentSessionEvent", action: "created", agentSession: { status: "pending", issue: { identifier: "ENG-1" }, comment: { body: "@agent do it" } } });
    expect(created.promptContext).toContain('<primary-directive-thread comment-id="c1">');
    const prompted = buildAgentSessionPromptedPayload({ organizationId: created.organizationId, session: { id: created.agentSession.id as string }, activity: { body: "more", signal: "stop" } });
    expect(prompted.agentActivity).toMatchObject({ content: { type: "prompt", body: "more" }, signal: "stop", agentSessionId: created.agentSession.id });

    const request = await signedWebhookRequest(prompted, SECRET);
    expect(request.headers["Linear-Signature"]).toBe(createHmac("sha256", SECRET).update(request.body).digest("hex"));
    expect(await signWebhookBody(SECRET, request.body)).toBe(request.headers["Linear-Signature"]);
    expect(new LinearWebhookClient(SECRET).parseData(Buffer.from(request.body), request.headers["Linear-Signature"]!)).toMatchObject({ action: "prompted" });
  });

  it("leave out issue and creator for a direct-chat session started by automation", () => {
    const payload = buildAgentSessionCreatedPayload({ issue: null, creator: null });
    expect(payload.agentSession).toMatchObject({ issue: null, issueId: null, creator: null, creatorId: null, url: null });
    expect(payload.promptContext).toBeUndefined();
  });
});
