import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseLinearWebhook,
  WEBHOOK_SCHEMAS,
  type AgentSessionEvent,
  type AppUserNotification,
  type CommentWebhook,
  type IssueWebhook,
  type OAuthAppWebhook,
  type ParsedWebhook,
  type PermissionChange,
} from "../../../src/linear/webhook-schemas";
import {
  agentSessionCreated,
  agentSessionPrompted,
  APP_USER,
  appUserNotification,
  commentCreate,
  issueUpdate,
  oauthAppRevoked,
  ORG,
  parsed,
  permissionChange,
  stopSignal,
  TS,
} from "./fixtures";

const parse = (body: unknown) => parseLinearWebhook(JSON.stringify(body));

function expectInvalid(result: ParsedWebhook): Extract<ParsedWebhook, { kind: "invalid" }> {
  expect(result.kind).toBe("invalid");
  if (result.kind !== "invalid") throw new Error("unreachable");
  expect(result.error.length).toBeGreaterThan(0);
  return result;
}

describe("parseLinearWebhook: realistic payloads parse", () => {
  it("AgentSessionEvent created", () => {
    const event = parsed<AgentSessionEvent>(agentSessionCreated());
    expect(event.type).toBe("AgentSessionEvent");
    expect(event.action).toBe("created");
    expect(event.appUserId).toBe(APP_USER);
    expect(event.organizationId).toBe(ORG);
    expect(event.webhookTimestamp).toBe(TS);
    expect(event.agentSession.id).toBe("sess-uuid");
    expect(event.agentSession.issue?.identifier).toBe("ENG-123");
    expect(event.agentSession.issue?.team?.key).toBe("ENG");
    expect(event.agentSession.comment?.body).toBe("@agent please implement");
    expect(event.guidance?.map((g) => g.body)).toEqual(["Always follow coding standards", "Write tests first"]);
    expect(event.promptContext).toContain("<issue");
    expect(event.previousComments).toHaveLength(1);
  });

  it("AgentSessionEvent prompted", () => {
    const event = parsed<AgentSessionEvent>(agentSessionPrompted());
    expect(event.action).toBe("prompted");
    expect(event.agentActivity?.id).toBe("act-uuid");
    expect(event.agentActivity?.content?.body).toBe("Also add tests");
    expect(event.agentActivity?.signal).toBeNull();
  });

  it("AgentSessionEvent prompted with a top-level activity body (as the docs describe)", () => {
    const event = parsed<AgentSessionEvent>(agentSessionPrompted({ content: undefined, body: "from the docs" }));
    expect(event.agentActivity?.body).toBe("from the docs");
  });

  it("AgentSessionEvent prompted with the stop signal", () => {
    const event = parsed<AgentSessionEvent>(stopSignal());
    expect(event.agentActivity?.signal).toBe("stop");
  });

  it("Issue update after a delegation", () => {
    const event = parsed<IssueWebhook>(issueUpdate());
    expect(event.type).toBe("Issue");
    expect(event.action).toBe("update");
    expect(event.data.delegateId).toBe(APP_USER);
    expect(event.data.state?.name).toBe("Todo");
    expect(event.updatedFrom).toEqual({ delegateId: null, updatedAt: "2026-03-19T01:00:00.000Z" });
  });

  it("Comment create (the documented example)", () => {
    const event = parsed<CommentWebhook>(commentCreate());
    expect(event.type).toBe("Comment");
    expect(event.data.body).toBe("Indeed, I think this is the right call.");
    expect(event.data.issueId).toBe("issue-uuid");
  });

  it("AppUserNotification", () => {
    const event = parsed<AppUserNotification>(appUserNotification());
    expect(event.action).toBe("issueCommentMention");
    expect(event.notification.id).toBe("n-uuid");
    expect(event.notification.type).toBe("issueCommentMention");
  });

  it("AppUserNotification with webhookTimestamp 0, as in the contract's example", () => {
    expect(parse(appUserNotification({ webhookTimestamp: 0 })).kind).toBe("event");
  });

  it("OAuthApp revoked", () => {
    const event = parsed<OAuthAppWebhook>(oauthAppRevoked());
    expect(event.type).toBe("OAuthApp");
    expect(event.action).toBe("revoked");
    expect(event.oauthClientId).toBe("client-uuid");
  });

  it("PermissionChange", () => {
    const event = parsed<PermissionChange>(permissionChange());
    expect(event.addedTeamIds).toEqual(["team-2"]);
    expect(event.removedTeamIds).toEqual(["team-3"]);
    expect(event.canAccessAllPublicTeams).toBe(false);
  });

  it("PermissionChange without team lists defaults them to []", () => {
    const body = permissionChange();
    delete body.addedTeamIds;
    delete body.removedTeamIds;
    const event = parsed<PermissionChange>(body);
    expect(event.addedTeamIds).toEqual([]);
    expect(event.removedTeamIds).toEqual([]);
  });

  it("Issue create and remove actions parse too, without updatedFrom", () => {
    expect(parse(issueUpdate({}, null, { action: "create" })).kind).toBe("event");
    expect(parse(issueUpdate({}, null, { action: "remove" })).kind).toBe("event");
  });
});

describe("parseLinearWebhook: Linear's additions are tolerated", () => {
  const EXTRA = { brandNewField: { nested: [1, "two", null] }, anotherFlag: true };

  it.each([
    ["the envelope", () => agentSessionCreated(EXTRA)],
    [
      "agentSession",
      () => {
        const b = agentSessionCreated();
        Object.assign(b.agentSession as object, EXTRA);
        return b;
      },
    ],
    [
      "agentSession.issue and its team",
      () => {
        const b = agentSessionCreated();
        const issue = (b.agentSession as { issue: Record<string, unknown> }).issue;
        Object.assign(issue, EXTRA);
        Object.assign(issue.team as object, EXTRA);
        return b;
      },
    ],
    [
      "agentSession.creator and comment",
      () => {
        const b = agentSessionCreated();
        const s = b.agentSession as { creator: object; comment: object };
        Object.assign(s.creator, EXTRA);
        Object.assign(s.comment, EXTRA);
        return b;
      },
    ],
    ["agentActivity and its content", () => agentSessionPrompted({ ...EXTRA, content: { type: "prompt", body: "x", ...EXTRA } })],
    ["Issue data and state", () => issueUpdate({ ...EXTRA, state: { id: "s", name: "Todo", type: "unstarted", ...EXTRA } })],
    ["Comment data", () => commentCreate(EXTRA)],
    [
      "AppUserNotification.notification",
      () => {
        const b = appUserNotification(EXTRA);
        Object.assign(b.notification as object, EXTRA);
        return b;
      },
    ],
    ["OAuthApp", () => oauthAppRevoked(EXTRA)],
    ["PermissionChange", () => permissionChange(EXTRA)],
  ])("unknown fields in %s", (_where, build) => {
    const result = parse(build());
    expect(result.kind).toBe("event");
  });

  it("keeps unknown fields in the parsed event (loose objects)", () => {
    const event = parsed(agentSessionCreated({ brandNewField: 42 })) as unknown as Record<string, unknown>;
    expect(event.brandNewField).toBe(42);
  });

  it("accepts an agent session without issue, issueId, creator or creatorId (direct chat / automation)", () => {
    const body = agentSessionCreated();
    const session = body.agentSession as Record<string, unknown>;
    delete session.issue;
    delete session.issueId;
    delete session.creator;
    delete session.creatorId;
    const event = parsed<AgentSessionEvent>(body);
    expect(event.agentSession.issue).toBeUndefined();
    expect(event.agentSession.creator).toBeUndefined();
  });

  it("accepts null issue and creator", () => {
    const body = agentSessionCreated();
    Object.assign(body.agentSession as object, { issue: null, issueId: null, creator: null, creatorId: null, comment: null, commentId: null });
    expect(parse(body).kind).toBe("event");
  });

  it("accepts a prompted event whose activity has no content, body, user or signal", () => {
    expect(parse(agentSessionPrompted({ content: null, signal: undefined, signalMetadata: undefined, userId: null, user: null })).kind).toBe("event");
  });
});

describe("parseLinearWebhook: what is refused", () => {
  it.each(["", "not json", "{", "{'type':'Issue'}", "undefined"])("a body that is not JSON: %j", (body) => {
    expect(expectInvalid(parseLinearWebhook(body)).error).toBe("body is not JSON");
  });

  it.each(["[]", '[{"type":"Issue"}]', "null", "42", '"AgentSessionEvent"', "true"])("a JSON body that is not an object: %s", (body) => {
    expect(expectInvalid(parseLinearWebhook(body)).error).toBe("body is not a JSON object");
  });

  it.each([{}, { type: 42 }, { type: null }, { type: ["Issue"] }])("a body without a string type: %j", (body) => {
    const result = expectInvalid(parse({ organizationId: ORG, ...body }));
    expect(result.error).toMatch(/type/);
    expect(result.organizationId).toBe(ORG);
  });

  it("reports no organizationId when it is not a string", () => {
    const result = expectInvalid(parse({ organizationId: 7 }));
    expect(result.organizationId).toBeUndefined();
  });

  it.each(["Project", "Cycle", "IssueLabel", "Reaction", "agentsessionevent", ""])("an unknown type %j is unhandled, not invalid", (type) => {
    expect(parse({ type, action: "create", organizationId: ORG, webhookTimestamp: TS })).toEqual({ kind: "unhandled", type });
  });

  it("a prompted event without agentActivity is invalid, naming the field", () => {
    const body = agentSessionPrompted();
    delete body.agentActivity;
    const result = expectInvalid(parse(body));
    expect(result.type).toBe("AgentSessionEvent");
    expect(result.organizationId).toBe(ORG);
    expect(result.error).toContain("agentActivity");
  });

  it("a prompted event with agentActivity: null is invalid", () => {
    expectInvalid(parse(agentSessionPrompted({}, { agentActivity: null })));
  });

  it("a created event without agentActivity is fine", () => {
    expect(parse(agentSessionCreated()).kind).toBe("event");
  });

  it.each([
    ["AgentSessionEvent without agentSession", () => ({ ...agentSessionCreated(), agentSession: undefined })],
    ["AgentSessionEvent with an unknown action", () => agentSessionCreated({ action: "deleted" })],
    ["AgentSessionEvent without appUserId", () => agentSessionCreated({ appUserId: undefined })],
    ["AgentSessionEvent with an empty session id", () => agentSessionCreated({ agentSession: { id: "" } })],
    ["an envelope without organizationId", () => issueUpdate({}, null, { organizationId: undefined })],
    ["an envelope with a string webhookTimestamp", () => issueUpdate({}, null, { webhookTimestamp: String(TS) })],
    ["an envelope without webhookTimestamp", () => oauthAppRevoked({ webhookTimestamp: undefined })],
    ["Issue without data", () => issueUpdate({}, null, { data: undefined })],
    ["Issue with an unknown action", () => issueUpdate({}, null, { action: "archive" })],
    ["Comment without a body", () => commentCreate({ body: undefined })],
    ["AppUserNotification without notification", () => appUserNotification({ notification: undefined })],
    ["PermissionChange with a non-array addedTeamIds", () => permissionChange({ addedTeamIds: "team-2" })],
  ])("%s is invalid", (_name, build) => {
    const body = JSON.parse(JSON.stringify(build())) as Record<string, unknown>;
    const result = expectInvalid(parse(body));
    expect(result.type).toBe(body.type);
    expect(result.error).toContain(`${String(body.type)} payload does not match its schema`);
  });
});

describe("parseLinearWebhook: never throws", () => {
  const KINDS = ["event", "unhandled", "invalid"];
  const TYPES = [...Object.keys(WEBHOOK_SCHEMAS), "Project", "Cycle", ""];

  it("property: any string body", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 500 }), (body) => {
        expect(KINDS).toContain(parseLinearWebhook(body).kind);
      }),
      { numRuns: 1_000 },
    );
  });

  it("property: any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(KINDS).toContain(parseLinearWebhook(JSON.stringify(value) ?? "null").kind);
      }),
      { numRuns: 1_000 },
    );
  });

  it("property: any object with a known or plausible type and arbitrary fields", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TYPES),
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (type, fields, agentSession) => {
          const body = { ...fields, type, organizationId: ORG, webhookTimestamp: TS, agentSession };
          const result = parseLinearWebhook(JSON.stringify(body));
          expect(KINDS).toContain(result.kind);
          if (!Object.keys(WEBHOOK_SCHEMAS).includes(type)) expect(result).toEqual({ kind: "unhandled", type });
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("property: mutating any one field of a real payload never throws", () => {
    const bodies = [agentSessionCreated(), agentSessionPrompted(), stopSignal(), issueUpdate(), commentCreate(), appUserNotification(), oauthAppRevoked(), permissionChange()];
    fc.assert(
      fc.property(fc.constantFrom(...bodies), fc.nat(), fc.jsonValue(), (body, index, value) => {
        const keys = Object.keys(body);
        const key = keys[index % keys.length] as string;
        const result = parseLinearWebhook(JSON.stringify({ ...body, [key]: value }));
        expect(KINDS).toContain(result.kind);
      }),
      { numRuns: 1_000 },
    );
  });

  // The schema lookup must not find Object.prototype members.
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])(
    "a type naming an Object.prototype member (%s) is unhandled, not a thrown TypeError",
    (type) => {
      expect(parse({ type, organizationId: ORG, webhookTimestamp: TS })).toEqual({ kind: "unhandled", type });
    },
  );
});
