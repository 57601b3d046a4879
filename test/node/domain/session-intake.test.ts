import { describe, expect, it } from "vitest";
import { acknowledgement, NO_ISSUE_MESSAGE, promptNoted, STOPPED_NOTHING_RUNNING } from "../../../src/domain/linear-copy";
import { planDelivery, type IntakeFacts, type IntakePlan, type SessionDelivery } from "../../../src/domain/session-intake";
import type { AgentSessionEvent, AppUserNotification, CommentWebhook, IssueWebhook } from "../../../src/linear/webhook-schemas";
import {
  agentSessionCreated,
  agentSessionPrompted,
  APP_USER,
  appUserNotification,
  commentCreate,
  issueUpdate,
  parsed,
  stopSignal,
  USER,
} from "../linear/fixtures";

const FRESH: IntakeFacts = {
  deliverySeen: false,
  agentSessionKnown: false,
  promptSeen: false,
  hasAgentSessions: false,
  appUserId: null,
  agentSessionRouted: false,
  preparePending: false,
};

/** Facts for an issue whose session was created and routed earlier. */
const KNOWN: IntakeFacts = { ...FRESH, agentSessionKnown: true, hasAgentSessions: true, appUserId: APP_USER, agentSessionRouted: true };

function ids() {
  let n = 0;
  return () => `id-${++n}`;
}

function plan(delivery: SessionDelivery, facts: Partial<IntakeFacts> = {}, newId = ids()): IntakePlan {
  return planDelivery(delivery, { ...FRESH, ...facts }, newId);
}

function accepted(result: IntakePlan): Extract<IntakePlan, { outcome: "accepted" }> {
  if (result.outcome !== "accepted") throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result;
}

const created = (overrides: Record<string, unknown> = {}) => parsed<AgentSessionEvent>(agentSessionCreated(overrides));
const prompted = (activity: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) =>
  parsed<AgentSessionEvent>(agentSessionPrompted(activity, overrides));

describe("planDelivery: a delivery already received", () => {
  it.each([
    ["created", () => created()],
    ["prompted", () => prompted()],
    ["Issue", () => parsed<IssueWebhook>(issueUpdate())],
    ["Comment", () => parsed<CommentWebhook>(commentCreate())],
    ["AppUserNotification", () => parsed<AppUserNotification>(appUserNotification())],
  ])("%s is a duplicate before anything else is looked at", (_name, build) => {
    const result = planDelivery(build(), { ...KNOWN, deliverySeen: true }, () => {
      throw new Error("no ids should be minted for a duplicate");
    });
    expect(result).toEqual({ outcome: "duplicate", reason: "this Linear-Delivery was already received" });
  });
});

describe("planDelivery: AgentSessionEvent created", () => {
  it("a new session: records it, acknowledges with a thought FIRST, then prepares", () => {
    const result = accepted(plan(created()));
    expect(result.appUserId).toBe(APP_USER);
    expect(result.agentSession).toEqual({
      id: "sess-uuid",
      issueId: "issue-uuid",
      issueIdentifier: "ENG-123",
      issueTitle: "Fix checkout a11y",
      creatorId: USER,
      promptContext: expect.stringContaining('<issue identifier="ENG-123">'),
      guidance: ["Always follow coding standards", "Write tests first"],
      initialComment: "@agent please implement",
    });
    expect(result.jobs).toEqual([
      {
        kind: "linear.activity",
        payload: { activityId: "id-1", agentSessionId: "sess-uuid", content: { type: "thought", body: acknowledgement("ENG-123") } },
      },
      { kind: "session.prepare", payload: { agentSessionId: "sess-uuid" } },
    ]);
    expect(result.jobs[0]?.kind).toBe("linear.activity");
    expect(result.issueSnapshot).toMatchObject({ id: "issue-uuid", identifier: "ENG-123", title: "Fix checkout a11y" });
    expect(result.timeline).toEqual([
      {
        agentSessionId: "sess-uuid",
        kind: "session.created",
        summary: "Agent session started on ENG-123: Fix checkout a11y",
        data: { creatorId: USER, commentId: "c-uuid" },
      },
    ]);
    expect(result.prompt).toBeUndefined();
    expect(result.stopRequested).toBeUndefined();
  });

  it("the acknowledgement names the issue", () => {
    const result = accepted(plan(created()));
    const first = result.jobs[0];
    expect(first?.kind === "linear.activity" && first.payload.content).toEqual({
      type: "thought",
      body: "On it: reading ENG-123 and deciding where the work should run.",
    });
  });

  it("the issue snapshot is a copy, not the event's own object", () => {
    const event = created();
    const result = accepted(plan(event));
    expect(result.issueSnapshot).not.toBe(event.agentSession.issue);
    expect(result.issueSnapshot).toEqual(event.agentSession.issue);
  });

  it("a known session is a duplicate (Linear re-sends created)", () => {
    const result = plan(created(), { agentSessionKnown: true });
    expect(result).toEqual({ outcome: "duplicate", reason: "agent session sess-uuid is already known" });
  });

  it("no issue: answers with a response explaining, and does not prepare", () => {
    const body = agentSessionCreated();
    const session = body.agentSession as Record<string, unknown>;
    delete session.issue;
    delete session.issueId;
    const result = accepted(plan(parsed<AgentSessionEvent>(body)));
    expect(result.jobs).toEqual([
      {
        kind: "linear.activity",
        payload: { activityId: "id-1", agentSessionId: "sess-uuid", content: { type: "response", body: NO_ISSUE_MESSAGE } },
      },
    ]);
    expect(result.jobs.some((j) => j.kind === "session.prepare")).toBe(false);
    expect(result.agentSession?.issueId).toBeNull();
    expect(result.agentSession?.issueIdentifier).toBeNull();
    expect(result.issueSnapshot).toBeUndefined();
    expect(result.timeline.map((t) => t.kind)).toEqual(["session.created", "session.no_issue"]);
    expect(result.timeline[0]?.summary).toBe("Agent session started without an issue");
  });

  it("an issueId without the issue object still prepares, with a generic acknowledgement", () => {
    const body = agentSessionCreated();
    delete (body.agentSession as Record<string, unknown>).issue;
    const result = accepted(plan(parsed<AgentSessionEvent>(body)));
    expect(result.agentSession?.issueId).toBe("issue-uuid");
    expect(result.jobs.map((j) => j.kind)).toEqual(["linear.activity", "session.prepare"]);
    const first = result.jobs[0];
    expect(first?.kind === "linear.activity" && first.payload.content).toEqual({ type: "thought", body: acknowledgement(null) });
    expect(result.issueSnapshot).toBeUndefined();
  });

  it("takes the issue id from the issue object when issueId is absent", () => {
    const body = agentSessionCreated();
    delete (body.agentSession as Record<string, unknown>).issueId;
    const result = accepted(plan(parsed<AgentSessionEvent>(body)));
    expect(result.agentSession?.issueId).toBe("issue-uuid");
    expect(result.jobs.map((j) => j.kind)).toEqual(["linear.activity", "session.prepare"]);
  });

  it("an automation-started session (no creator, comment, guidance or promptContext) gets nulls and empties", () => {
    const body = agentSessionCreated();
    const session = body.agentSession as Record<string, unknown>;
    for (const key of ["creator", "creatorId", "comment", "commentId"]) delete session[key];
    delete body.guidance;
    delete body.promptContext;
    const result = accepted(plan(parsed<AgentSessionEvent>(body)));
    expect(result.agentSession).toMatchObject({ creatorId: null, promptContext: null, guidance: [], initialComment: null });
    expect(result.timeline[0]?.data).toEqual({ creatorId: null, commentId: null });
  });

  it("takes the creator id from creator when creatorId is absent", () => {
    const body = agentSessionCreated();
    delete (body.agentSession as Record<string, unknown>).creatorId;
    expect(accepted(plan(parsed<AgentSessionEvent>(body))).agentSession?.creatorId).toBe(USER);
  });
});

describe("planDelivery: AgentSessionEvent prompted", () => {
  it("a prompt already seen is a duplicate", () => {
    expect(plan(prompted(), { ...KNOWN, promptSeen: true })).toEqual({
      outcome: "duplicate",
      reason: "agent activity act-uuid was already received",
    });
  });

  it("a normal prompt on a known, routed session: records the prompt and acknowledges with a thought", () => {
    const result = accepted(plan(prompted(), KNOWN));
    expect(result.prompt).toEqual({ activityId: "act-uuid", agentSessionId: "sess-uuid", body: "Also add tests", signal: null, userId: USER });
    expect(result.agentSession).toBeUndefined();
    expect(result.stopRequested).toBeUndefined();
    expect(result.appUserId).toBe(APP_USER);
    expect(result.jobs).toEqual([
      {
        kind: "linear.activity",
        payload: { activityId: "id-1", agentSessionId: "sess-uuid", content: { type: "thought", body: promptNoted("Also add tests") } },
      },
    ]);
    expect(result.timeline).toEqual([
      { agentSessionId: "sess-uuid", kind: "session.prompted", summary: "The user wrote: Also add tests", data: { activityId: "act-uuid" } },
    ]);
  });

  it("the stop signal: requests a stop and answers with a response, no thought and no prepare", () => {
    const result = accepted(plan(parsed<AgentSessionEvent>(stopSignal()), { ...KNOWN, agentSessionRouted: false }));
    expect(result.stopRequested).toBe("sess-uuid");
    expect(result.prompt?.signal).toBe("stop");
    expect(result.jobs).toEqual([
      {
        kind: "linear.activity",
        payload: { activityId: "id-1", agentSessionId: "sess-uuid", content: { type: "response", body: STOPPED_NOTHING_RUNNING } },
      },
    ]);
    expect(result.timeline).toEqual([
      { agentSessionId: "sess-uuid", kind: "session.stop_requested", summary: "The user asked to stop", data: { activityId: "act-uuid" } },
    ]);
  });

  it("a signal other than stop is a normal prompt", () => {
    const result = accepted(plan(prompted({ signal: "continue" }), KNOWN));
    expect(result.stopRequested).toBeUndefined();
    expect(result.prompt?.signal).toBe("continue");
    expect(result.jobs.map((j) => j.kind === "linear.activity" && j.payload.content.type)).toEqual(["thought"]);
  });

  it("an unrouted session gets another session.prepare after the thought", () => {
    const result = accepted(plan(prompted(), { ...KNOWN, agentSessionRouted: false }));
    expect(result.jobs).toEqual([
      expect.objectContaining({ kind: "linear.activity" }),
      { kind: "session.prepare", payload: { agentSessionId: "sess-uuid" } },
    ]);
  });

  it("a burst of follow-ups queues routing once: not again while it is pending", () => {
    const result = accepted(plan(prompted(), { ...KNOWN, agentSessionRouted: false, preparePending: true }));
    expect(result.jobs.map((j) => j.kind)).toEqual(["linear.activity"]);
  });

  it("an unrouted session without an issue is not prepared again", () => {
    const body = agentSessionPrompted();
    const session = body.agentSession as Record<string, unknown>;
    delete session.issue;
    delete session.issueId;
    const result = accepted(plan(parsed<AgentSessionEvent>(body), { ...KNOWN, agentSessionRouted: false }));
    expect(result.jobs.map((j) => j.kind)).toEqual(["linear.activity"]);
  });

  it("a prompted for an unknown session adopts it (its created was lost) and prepares it", () => {
    const result = accepted(plan(prompted(), { ...FRESH, hasAgentSessions: false }));
    expect(result.agentSession).toEqual({
      id: "sess-uuid",
      issueId: "issue-uuid",
      issueIdentifier: "ENG-123",
      issueTitle: "Fix checkout a11y",
      creatorId: USER,
      promptContext: null,
      guidance: [],
      initialComment: null,
    });
    expect(result.prompt?.body).toBe("Also add tests");
    expect(result.jobs.map((j) => j.kind)).toEqual(["linear.activity", "session.prepare"]);
  });

  it("a stop for an unknown session also adopts it", () => {
    const result = accepted(plan(parsed<AgentSessionEvent>(stopSignal()), FRESH));
    expect(result.agentSession?.id).toBe("sess-uuid");
    expect(result.stopRequested).toBe("sess-uuid");
  });

  it("reads the message from content.body, then from a top-level body, else empty", () => {
    expect(accepted(plan(prompted({ content: { type: "prompt", body: "from content" }, body: "top" }), KNOWN)).prompt?.body).toBe("from content");
    expect(accepted(plan(prompted({ content: null, body: "top-level" }), KNOWN)).prompt?.body).toBe("top-level");
    expect(accepted(plan(prompted({ content: { type: "prompt" }, body: "top-level" }), KNOWN)).prompt?.body).toBe("top-level");
    expect(accepted(plan(prompted({ content: null, body: null }), KNOWN)).prompt?.body).toBe("");
  });

  it("takes the user id from user when userId is absent, else null", () => {
    expect(accepted(plan(prompted({ userId: null }), KNOWN)).prompt?.userId).toBe(USER);
    expect(accepted(plan(prompted({ userId: null, user: null }), KNOWN)).prompt?.userId).toBeNull();
  });

  it("keeps the whole prompt but cuts the timeline summary at 200 characters and the thought at 120", () => {
    const long = "x".repeat(500);
    const result = accepted(plan(prompted({ content: { type: "prompt", body: long } }), KNOWN));
    expect(result.prompt?.body).toBe(long);
    expect(result.timeline[0]?.summary).toBe(`The user wrote: ${"x".repeat(200)}`);
    const first = result.jobs[0];
    expect(first?.kind === "linear.activity" && first.payload.content).toEqual({ type: "thought", body: `Noted your message: "${"x".repeat(117)}..."` });
  });

  it("a prompted event without an activity (not possible after the schema) is ignored", () => {
    const event = { ...prompted(), agentActivity: undefined } as AgentSessionEvent;
    expect(plan(event, KNOWN)).toEqual({ outcome: "ignored", reason: "prompted event without an activity" });
  });

  it("mints a fresh activity id per job from newId", () => {
    const a = accepted(plan(prompted(), KNOWN, () => "first"));
    const b = accepted(plan(prompted(), KNOWN, () => "second"));
    const idOf = (p: typeof a) => (p.jobs[0]?.kind === "linear.activity" ? p.jobs[0].payload.activityId : undefined);
    expect(idOf(a)).toBe("first");
    expect(idOf(b)).toBe("second");
  });
});

describe("planDelivery: Issue update", () => {
  const update = (data: Record<string, unknown> = {}, updatedFrom: Record<string, unknown> | null = { delegateId: null }, overrides = {}) =>
    parsed<IssueWebhook>(issueUpdate(data, updatedFrom, overrides));

  it("is ignored on an issue with no agent session (a delegation's Issue update never starts work)", () => {
    expect(plan(update(), { ...KNOWN, hasAgentSessions: false })).toEqual({ outcome: "ignored", reason: "no agent session on this issue" });
  });

  it.each([
    ["only untracked fields", { updatedAt: "2026-03-19T01:00:00.000Z", priority: 2, labelIds: [] }],
    ["an empty updatedFrom", {}],
  ])("is ignored when %s changed", (_name, updatedFrom) => {
    expect(plan(update({}, updatedFrom), KNOWN)).toEqual({ outcome: "ignored", reason: "no tracked field changed" });
  });

  it("is ignored when an update has no updatedFrom at all", () => {
    expect(plan(update({}, null), KNOWN)).toEqual({ outcome: "ignored", reason: "no tracked field changed" });
  });

  it("summarises a delegation to the agent", () => {
    const result = accepted(plan(update({ delegateId: APP_USER }, { delegateId: null, updatedAt: "…" }), KNOWN));
    expect(result.timeline).toEqual([
      { agentSessionId: null, kind: "issue.update", summary: "Issue delegated to the agent", data: { changed: ["delegateId"] } },
    ]);
    expect(result.jobs).toEqual([]);
    expect(result.issueSnapshot).toMatchObject({ id: "issue-uuid", delegateId: APP_USER });
    expect(result.agentSession).toBeUndefined();
    expect(result.prompt).toBeUndefined();
  });

  it("summarises a delegation to someone else", () => {
    const result = accepted(plan(update({ delegateId: "other-agent" }, { delegateId: APP_USER }), KNOWN));
    expect(result.timeline[0]?.summary).toBe("Issue delegate changed");
  });

  it("summarises a state change by the state's name, else its id", () => {
    const named = accepted(plan(update({ stateId: "st-done", state: { id: "st-done", name: "Done", type: "completed" } }, { stateId: "st-todo" }), KNOWN));
    expect(named.timeline[0]?.summary).toBe("Issue state is now Done");
    const unnamed = accepted(plan(update({ stateId: "st-done", state: null }, { stateId: "st-todo" }), KNOWN));
    expect(unnamed.timeline[0]?.summary).toBe("Issue state is now st-done");
    const unknown = accepted(plan(update({ stateId: null, state: null }, { stateId: "st-todo" }), KNOWN));
    expect(unknown.timeline[0]?.summary).toBe("Issue state is now unknown");
  });

  it("lists every tracked change, in a fixed order", () => {
    const result = accepted(
      plan(update({ delegateId: APP_USER }, { assigneeId: null, description: "old", title: "old", delegateId: null, updatedAt: "…" }), KNOWN),
    );
    expect(result.timeline[0]?.data).toEqual({ changed: ["title", "description", "delegateId", "assigneeId"] });
    expect(result.timeline[0]?.summary).toBe("Issue title changed, description changed, delegated to the agent, assigneeId changed");
  });

  it("a tracked field whose previous value was null still counts as changed", () => {
    expect(accepted(plan(update({}, { assigneeId: null }), KNOWN)).timeline[0]?.data).toEqual({ changed: ["assigneeId"] });
  });

  it.each([
    ["create", "Issue created"],
    ["remove", "Issue removed"],
  ] as const)("an Issue %s on a tracked issue is recorded", (action, summary) => {
    const result = accepted(plan(update({}, null, { action }), KNOWN));
    expect(result.timeline).toEqual([{ agentSessionId: null, kind: `issue.${action}`, summary, data: { changed: [] } }]);
  });

  // With no app user id known yet, an un-delegation must not compare null === null.
  it("removing the delegate is not summarised as a delegation when the app user is not known", () => {
    const result = accepted(plan(update({ delegateId: null, delegate: null }, { delegateId: "someone" }), { ...KNOWN, appUserId: null }));
    expect(result.timeline[0]?.summary).toBe("Issue delegate changed");
  });
});

describe("planDelivery: Comment", () => {
  const comment = (data: Record<string, unknown> = {}) => parsed<CommentWebhook>(commentCreate(data));

  it("is ignored on an issue with no agent session", () => {
    expect(plan(comment(), { ...KNOWN, hasAgentSessions: false })).toEqual({ outcome: "ignored", reason: "no agent session on this issue" });
  });

  it("written by the app user (our own activity echoed back) is ignored", () => {
    expect(plan(comment({ userId: APP_USER }), KNOWN)).toEqual({ outcome: "ignored", reason: "comment written by the app user" });
  });

  it("by anyone else is recorded on the timeline, and starts nothing", () => {
    const result = accepted(plan(comment(), KNOWN));
    expect(result).toEqual({
      outcome: "accepted",
      timeline: [
        {
          agentSessionId: null,
          kind: "comment.create",
          summary: "Comment: Indeed, I think this is the right call.",
          data: { commentId: "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9", userId: USER },
        },
      ],
      jobs: [],
    });
  });

  it("without a user id is recorded with userId null", () => {
    expect(accepted(plan(comment({ userId: null }), KNOWN)).timeline[0]?.data).toMatchObject({ userId: null });
  });

  it("when the app user is not yet known, any comment is recorded", () => {
    expect(plan(comment({ userId: APP_USER }), { ...KNOWN, appUserId: null }).outcome).toBe("accepted");
  });

  it("cuts the summary at 200 characters", () => {
    const result = accepted(plan(comment({ body: "y".repeat(300) }), KNOWN));
    expect(result.timeline[0]?.summary).toBe(`Comment: ${"y".repeat(200)}`);
  });

  it("an edited comment is recorded as comment.update", () => {
    const result = accepted(plan(parsed<CommentWebhook>(commentCreate({}, { action: "update" })), KNOWN));
    expect(result.timeline[0]?.kind).toBe("comment.update");
  });
});

describe("planDelivery: AppUserNotification", () => {
  it("is ignored on an issue with no agent session", () => {
    expect(plan(parsed<AppUserNotification>(appUserNotification()), { ...KNOWN, hasAgentSessions: false })).toEqual({
      outcome: "ignored",
      reason: "no agent session on this issue",
    });
  });

  it("is recorded on an issue with an agent session, and starts nothing", () => {
    const result = accepted(plan(parsed<AppUserNotification>(appUserNotification()), KNOWN));
    expect(result).toEqual({
      outcome: "accepted",
      timeline: [
        {
          agentSessionId: null,
          kind: "notification",
          summary: "Linear notification: issueCommentMention",
          data: { notificationId: "n-uuid", type: "issueCommentMention" },
        },
      ],
      jobs: [],
    });
  });
});

describe("planDelivery: prompts while an execution exists", () => {
  const running = (executor: "local" | "cloud", state: "creating" | "running" | "timed_out" | "ended" | "stopped" = "running") => ({
    ...KNOWN,
    execution: { attemptKey: "sess-uuid:1", executor, state },
  });

  it("a stop during a live run goes to that run's executor", () => {
    for (const executor of ["local", "cloud"] as const) {
      const result = accepted(plan(parsed<AgentSessionEvent>(stopSignal()), running(executor)));
      expect(result.jobs).toEqual([{ kind: "execution.stop", payload: { executor, agentSessionId: "sess-uuid", attemptKey: "sess-uuid:1" } }]);
    }
  });

  it("a stop after the run ended says nothing was running", () => {
    const result = accepted(plan(parsed<AgentSessionEvent>(stopSignal()), running("cloud", "ended")));
    expect(result.jobs).toEqual([expect.objectContaining({ kind: "linear.activity" })]);
  });

  it("a follow-up goes to the executor as a follow-up, local in any state, cloud once the run exists", () => {
    const local = accepted(plan(prompted(), running("local", "creating")));
    expect(local.jobs).toEqual([{ kind: "execution.followup", payload: { executor: "local", agentSessionId: "sess-uuid", attemptKey: "sess-uuid:1", prompt: expect.any(String) } }]);
    const cloud = accepted(plan(prompted(), running("cloud", "ended")));
    expect(cloud.jobs).toEqual([expect.objectContaining({ kind: "execution.followup", payload: expect.objectContaining({ executor: "cloud" }) })]);
    const cloudCreating = accepted(plan(prompted(), running("cloud", "creating")));
    expect(cloudCreating.jobs.map((j) => j.kind)).toEqual(["linear.activity"]);
  });

  it("'run locally' after a cloud run passed its time limit falls back to a local run", () => {
    const result = accepted(plan(prompted({ content: { type: "prompt", body: "Please run it locally" } }), running("cloud", "timed_out")));
    expect(result.jobs).toEqual([
      { kind: "session.fallback", payload: { agentSessionId: "sess-uuid", fromAttemptKey: "sess-uuid:1", to: "local", reason: expect.stringContaining("time limit") } },
    ]);
  });
});
