import { describe, expect, it } from "vitest";
import { promptNoted } from "../../../src/domain/linear-copy";
import { messageAuthor, panelPromptId, planPanelMessage, promptedEvent, type MessageFacts, type MessagePlan, type PanelMessage } from "../../../src/domain/session-message";
import type { ExecutionFacts } from "../../../src/domain/session-intake";
import { AgentSessionEventSchema } from "../../../src/linear/webhook-schemas";

const MESSAGE: PanelMessage = { id: "msg-1", agentSessionId: "sess-1", body: "Also cover the cart page.", author: { name: "Ada", linearUserId: "user-ada" } };

const RUNNING_LOCAL: ExecutionFacts = { attemptKey: "sess-1:1", executor: "local", state: "running" };

const FACTS: MessageFacts = {
  organizationId: "org-1",
  session: { issueId: "issue-1", status: "active", routed: true, rootCommentId: "comment-root" },
  execution: RUNNING_LOCAL,
  promptSeen: false,
  appUserId: "app-user",
  preparePending: false,
};

function ids() {
  let n = 0;
  return () => `id-${++n}`;
}

const plan = (facts: Partial<MessageFacts> = {}, session: Partial<NonNullable<MessageFacts["session"]>> = {}): MessagePlan =>
  planPanelMessage(MESSAGE, { ...FACTS, ...facts, session: facts.session === null ? null : { ...FACTS.session!, ...session } }, 1_000, ids());

function accepted(result: MessagePlan): Extract<MessagePlan, { outcome: "accepted" }> {
  if (result.outcome !== "accepted") throw new Error(`expected accepted, got ${JSON.stringify(result)}`);
  return result;
}

describe("planPanelMessage: what may take a message", () => {
  it.each<[string, Partial<MessageFacts>, Partial<NonNullable<MessageFacts["session"]>>, MessagePlan["outcome"], number | null]>([
    ["an unknown session", { session: null }, {}, "refused", 404],
    ["a session without an issue", {}, { issueId: null }, "refused", 409],
    ["a session that ended before any run (stopped)", { execution: null }, { status: "stopped" }, "refused", 409],
    ["a session that ended before any run (error)", { execution: null }, { status: "error" }, "refused", 409],
    ["a stopped cloud run", { execution: { attemptKey: "a", executor: "cloud", state: "stopped" } }, { status: "stopped" }, "refused", 409],
    ["a running local task", {}, {}, "accepted", null],
    ["an ended local task (resumed)", { execution: { attemptKey: "a", executor: "local", state: "ended" } }, { status: "complete" }, "accepted", null],
    ["a stopped local task (resumed)", { execution: { attemptKey: "a", executor: "local", state: "stopped" } }, { status: "stopped" }, "accepted", null],
    ["a running cloud run", { execution: { attemptKey: "a", executor: "cloud", state: "running" } }, {}, "accepted", null],
    ["a cloud run being created", { execution: { attemptKey: "a", executor: "cloud", state: "creating" } }, {}, "accepted", null],
    ["a session still being prepared", { execution: null }, { status: "pending", routed: false }, "accepted", null],
    ["a session waiting for a repository", { execution: null }, { status: "awaiting_input", routed: false }, "accepted", null],
  ])("%s", (_name, facts, session, outcome, status) => {
    const result = plan(facts, session);
    expect(result.outcome).toBe(outcome);
    if (result.outcome === "refused") expect(result.status).toBe(status);
  });

  it("answers a repeated id as already sent, whatever the session's state is now", () => {
    expect(plan({ promptSeen: true, execution: null }, { status: "stopped" })).toEqual({ outcome: "duplicate", message: "this message was already sent" });
    // ...but an unknown session stays unknown.
    expect(plan({ promptSeen: true, session: null })).toMatchObject({ outcome: "refused", status: 404 });
  });

  it("says why a session cannot take it", () => {
    expect(plan({ execution: null }, { status: "stopped" })).toMatchObject({ error: expect.stringMatching(/ended before any work started.*retry/) });
    expect(plan({}, { issueId: null })).toMatchObject({ error: expect.stringMatching(/not on a Linear issue/) });
  });
});

describe("planPanelMessage: delivered as Linear's follow-up would be", () => {
  it("a running local task gets a follow-up, after the comment in the thread", () => {
    const result = accepted(plan());
    expect(result.message).toBe("sent to the agent as a follow-up");
    expect(result.intake.prompt).toEqual({ activityId: panelPromptId("msg-1"), agentSessionId: "sess-1", body: MESSAGE.body, signal: null, userId: "user-ada" });
    expect(result.intake.jobs).toEqual([
      {
        kind: "linear.comment",
        payload: { commentId: "id-1", agentSessionId: "sess-1", issueId: "issue-1", parentId: "comment-root", body: MESSAGE.body, createAsUser: "Ada" },
      },
      { kind: "execution.followup", payload: { executor: "local", agentSessionId: "sess-1", attemptKey: "sess-1:1", prompt: MESSAGE.body } },
    ]);
    expect(result.intake.timeline).toEqual([
      { agentSessionId: "sess-1", kind: "session.prompted", summary: "Ada wrote from the panel: Also cover the cart page.", data: { activityId: "panel:msg-1", via: "panel", messageId: "msg-1" } },
    ]);
  });

  it("comments on the issue itself when the session's root comment is unknown", () => {
    const comment = accepted(plan({}, { rootCommentId: null })).intake.jobs[0]!;
    expect(comment).toMatchObject({ kind: "linear.comment", payload: { parentId: null, issueId: "issue-1" } });
  });

  it("a session not started yet notes the message (its run reads every prompt) and retries routing when it has none", () => {
    const result = accepted(plan({ execution: null }, { status: "awaiting_input", routed: false }));
    expect(result.message).toBe("noted: the agent reads it when its work starts");
    expect(result.intake.jobs.map((j) => j.kind)).toEqual(["linear.comment", "linear.activity", "session.prepare"]);
    expect(result.intake.jobs[1]).toMatchObject({ payload: { content: { type: "thought", body: promptNoted(MESSAGE.body) } } });
    // Routing already queued: not twice.
    expect(accepted(plan({ execution: null, preparePending: true }, { status: "pending", routed: false })).intake.jobs.map((j) => j.kind)).toEqual([
      "linear.comment",
      "linear.activity",
    ]);
  });

  it("a cloud run past its time limit starts a local run when the message asks for one", () => {
    const result = accepted(
      planPanelMessage({ ...MESSAGE, body: "run it locally" }, { ...FACTS, execution: { attemptKey: "a", executor: "cloud", state: "timed_out" } }, 1_000, ids()),
    );
    expect(result.message).toBe("sent: a local run starts with your message");
    expect(result.intake.jobs.map((j) => j.kind)).toEqual(["linear.comment", "session.fallback"]);
  });
});

describe("promptedEvent", () => {
  it("is a prompted AgentSessionEvent that Linear's webhook schema accepts", () => {
    const event = promptedEvent(MESSAGE, FACTS, 1_700_000_000_000);
    expect(AgentSessionEventSchema.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({ action: "prompted", organizationId: "org-1", appUserId: "app-user", agentSession: { id: "sess-1", issueId: "issue-1" } });
    expect(event.agentActivity).toMatchObject({ id: "panel:msg-1", content: { type: "prompt", body: MESSAGE.body }, userId: "user-ada" });
  });
});

describe("messageAuthor", () => {
  it.each([
    [{ kind: "linear" as const, userId: "u1", name: "Ada Lovelace", email: null, organizationId: "o", admin: false }, { name: "Ada Lovelace", linearUserId: "u1" }],
    [{ kind: "linear" as const, userId: "u2", name: "", email: null, organizationId: "o", admin: true }, { name: "A Linear user", linearUserId: "u2" }],
    [{ kind: "admin_key" as const, via: "panel" as const }, { name: "Cyrus Edge admin", linearUserId: null }],
    [{ kind: "admin_key" as const, via: "bearer" as const }, { name: "Cyrus Edge admin", linearUserId: null }],
  ])("%o", (principal, author) => {
    expect(messageAuthor(principal)).toEqual(author);
  });
});
