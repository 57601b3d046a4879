import { describe, expect, it } from "vitest";
import { step, type SessionEvent } from "../../../../src/domain/session";
import { activities, context, decision, jobKinds, jobs, NOW, planned, state, timelineKinds } from "./fixtures";

const repository = { id: "repo-1", name: "acme/web", gitUrl: "https://github.com/acme/web.git", codegenRepoId: 7, baseBranch: "main" };
const fresh = { status: "pending" as const, routedAt: null, repositoryId: null, repositoryName: null, executor: null, agentType: null, complexity: null };

function prepared(plan: ReturnType<typeof planned> | null, overrides: Partial<Extract<SessionEvent, { type: "prepared" }>> = {}): SessionEvent {
  return { type: "prepared", issue: { identifier: "ENG-1", title: "Fix the login" }, movedTo: "In Progress", route: { matched: true, repository, rule: "label", reason: "label repo:web" }, plan, ...overrides };
}

describe("step: a prepared session is routed and planned", () => {
  it("with no repository that fits: it asks which one, and waits for the answer", () => {
    const { state: next, effects } = step(state(fresh, null), prepared(null, { movedTo: null, route: { matched: false, reason: "no rule matched", message: "Which repository?" } }), context());
    expect(next.session).toMatchObject({ status: "awaiting_input", routedAt: null, issueIdentifier: "ENG-1" });
    expect(activities(effects)).toEqual([{ type: "elicitation", body: "Which repository?" }]);
    expect(timelineKinds(effects)).toEqual(["session.unrouted"]);
  });

  it("routed, and the chosen executor started with its reservation taken", () => {
    const { state: next, effects } = step(state(fresh, null), prepared(planned()), context());
    expect(next.session).toMatchObject({ status: "ready", repositoryName: "acme/web", baseBranch: "main", routedAt: NOW, executor: "cloud", agentType: "builder", complexity: "medium" });
    expect(timelineKinds(effects)).toEqual(["issue.started", "session.routed", "session.decision"]);
    expect(jobKinds(effects)).toEqual(["activity:thought", "activity:thought", "execution.start"]);
    expect(jobs(effects).at(-1)?.payload).toEqual({ executor: "cloud", agentSessionId: "as-1", attemptKey: "as-1:1", resumeFrom: null, maxBudgetUsd: 1.5 });
  });

  it.each([
    ["nothing can run it: an error with what would", planned({ decision: decision({ executor: null, reason: "no agent online and no Codegen credentials" }), reservation: null }), "error", ["activity:thought", "activity:error"], ["session.decision"]],
    ["today's spend leaves no room yet: it waits, and says how much it needs", planned({ decision: decision({ executor: null, reason: "over today's budget", waitForBudget: { executor: "cloud", reason: "a cloud run" } }), reservation: { ok: false, wait: true, reason: "today has $1 left", remainingUsd: 1 } }), "waiting_for_budget", ["activity:thought", "activity:thought"], ["session.decision", "budget.waiting"]],
    ["it could never fit: an error at once", planned({ reservation: { ok: false, wait: false, reason: "over the per-task limit", remainingUsd: 2 } }), "error", ["activity:thought", "activity:error"], ["session.decision", "budget.refused"]],
  ])("%s", (_, plan, status, kinds, timeline) => {
    const { state: next, effects } = step(state(fresh, null), prepared(plan), context());
    expect(next.session.status).toBe(status);
    expect(jobKinds(effects)).toEqual(kinds);
    expect(timelineKinds(effects).slice(2)).toEqual(timeline);
  });

  it("the wait names what it needs and what is left", () => {
    const plan = planned({ worstCaseUsd: 4, decision: decision({ executor: null, waitForBudget: { executor: "cloud", reason: "r" } }), reservation: { ok: false, wait: true, reason: "r", remainingUsd: 1 } });
    const thought = activities(step(state(fresh, null), prepared(plan), context()).effects).at(-1)!;
    expect(thought.body).toContain("$4.00");
    expect(thought.body).toContain("$1.00");
  });

  it.each([
    ["already routed (a replayed job)", { routedAt: NOW - 1 }],
    ["stopped meanwhile", { stopRequestedAt: NOW - 1, routedAt: null }],
  ])("does nothing when %s", (_, s) => {
    const before = state(s, null);
    expect(step(before, prepared(planned()), context()).state).toBe(before);
  });
});

describe("step: a task waiting for budget", () => {
  const waiting = { status: "waiting_for_budget" as const, executor: "cloud" };

  it("a wake queues one re-plan", () => {
    expect(jobKinds(step(state(waiting, null), { type: "budget.room", planPending: false }, context()).effects)).toEqual(["session.plan"]);
    expect(step(state(waiting, null), { type: "budget.room", planPending: true }, context()).effects).toEqual([]);
    expect(step(state({ status: "stopped" }, null), { type: "budget.room", planPending: false }, context()).effects).toEqual([]);
  });

  it("resumed: starts, says why, and leaves the Workspace's queue", () => {
    const { state: next, effects } = step(state(waiting, null), { type: "replanned", plan: planned() }, context());
    expect(next.session.status).toBe("ready");
    expect(timelineKinds(effects)).toEqual(["session.decision", "budget.resumed"]);
    expect(jobKinds(effects)).toEqual(["activity:thought", "execution.start", "budget.leave-queue"]);
  });

  it("still no room: it waits on quietly (it said so already) and stays queued", () => {
    const plan = planned({ decision: decision({ executor: null, waitForBudget: { executor: "cloud", reason: "r" } }), reservation: { ok: false, wait: true, reason: "r", remainingUsd: 0.5 } });
    const { state: next, effects } = step(state(waiting, null), { type: "replanned", plan }, context());
    expect(next.session.status).toBe("waiting_for_budget");
    expect(jobKinds(effects)).toEqual([]);
  });

  it("a lowered limit means it never fits: an error, and it leaves the queue", () => {
    const plan = planned({ reservation: { ok: false, wait: false, reason: "over the new daily limit", remainingUsd: 0 } });
    const { state: next, effects } = step(state(waiting, null), { type: "replanned", plan }, context());
    expect(next.session.status).toBe("error");
    expect(jobKinds(effects)).toEqual(["activity:error", "budget.leave-queue"]);
  });

  it.each([
    ["with a reservation taken: it goes back", { ok: true as const }, ["budget.release"]],
    ["with none taken: nothing", { ok: false as const, wait: true, reason: "r", remainingUsd: 0 }, []],
  ])("stopped while it was re-planned, %s", (_, reservation, kinds) => {
    const { state: next, effects } = step(state({ status: "stopped", stopRequestedAt: NOW - 1 }, null), { type: "replanned", plan: planned({ reservation }) }, context());
    expect(next.session.status).toBe("stopped");
    expect(jobKinds(effects)).toEqual(kinds);
  });
});

describe("step: a fallback to the other executor", () => {
  const event = (reservation: Extract<SessionEvent, { type: "fallback.reserved" }>["reservation"]): SessionEvent => ({
    type: "fallback.reserved",
    fromAttemptKey: "as-1:1",
    to: "local",
    reason: "the cloud run could not start (402)",
    attemptKey: "as-1:2",
    amountUsd: 1.5,
    localMaxBudgetUsd: 1.5,
    reservation,
  });

  it("reserved: says why, and starts the next attempt on the other executor with its cap", () => {
    const { state: next, effects } = step(state({ fallback: "local" }, { state: "ended", outcome: "failed" }), event({ ok: true }), context());
    expect(next.session).toMatchObject({ executor: "local", fallback: null, status: "active" });
    expect(jobKinds(effects)).toEqual(["activity:thought", "execution.start"]);
    expect(jobs(effects).at(-1)?.payload).toEqual({ executor: "local", agentSessionId: "as-1", attemptKey: "as-1:2", resumeFrom: null, maxBudgetUsd: 1.5 });
    expect(timelineKinds(effects)).toEqual(["session.fallback"]);
  });

  it("refused by the budget: an error with the reason", () => {
    const { state: next, effects } = step(state({ fallback: "local" }, { state: "ended" }), event({ ok: false, wait: false, reason: "over the per-task limit", remainingUsd: 1 }), context());
    expect(next.session).toMatchObject({ status: "error", error: "over the per-task limit" });
    expect(jobKinds(effects)).toEqual(["activity:error"]);
  });

  it("stopped meanwhile: nothing starts and the reservation goes back", () => {
    const { effects } = step(state({ stopRequestedAt: NOW - 1, status: "stopped" }, { state: "ended" }), event({ ok: true }), context());
    expect(jobKinds(effects)).toEqual(["budget.release"]);
  });
});
