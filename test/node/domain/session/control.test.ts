import { describe, expect, it } from "vitest";
import { retryRefusal, step } from "../../../../src/domain/session";
import { STOPPED_NOTHING_RUNNING } from "../../../../src/domain/linear-copy";
import { activities, context, jobKinds, jobs, NOW, state, timelineKinds } from "./fixtures";

describe("step: a stop from the API", () => {
  it.each([
    ["a cloud run being created", { status: "active" as const }, { state: "creating" as const }, ["execution.stop"]],
    ["a running cloud run", { status: "active" as const }, {}, ["execution.stop"]],
    ["a cloud run past its deadline (it may still be working)", { status: "error" as const }, { state: "timed_out" as const }, ["execution.stop"]],
    ["a finished run: nothing was running", { status: "complete" as const }, { state: "ended" as const }, ["activity:response"]],
    ["a session with no execution yet", { status: "pending" as const }, null, ["activity:response"]],
    ["a task waiting for budget: it leaves the queue", { status: "waiting_for_budget" as const }, null, ["activity:response", "budget.leave-queue"]],
  ])("stops %s", (_, s, e, kinds) => {
    const { state: next, effects } = step(state(s, e), { type: "stop.requested", source: "api" }, context());
    expect(next.session).toMatchObject({ status: "stopped", stopRequestedAt: NOW, endedAt: NOW });
    expect(jobKinds(effects)).toEqual(kinds);
    expect(timelineKinds(effects)).toEqual(["session.stop_requested"]);
  });

  it("a stop that reaches an execution already over says nothing was running", () => {
    expect(activities(step(state({}, { state: "ended" }), { type: "stop.nothing-running" }, context()).effects)).toEqual([{ type: "response", body: STOPPED_NOTHING_RUNNING }]);
  });
});

describe("step: a retry from the API", () => {
  it.each(["creating", "running", "timed_out"] as const)("is refused while the execution is %s", (execState) => {
    const before = state({}, { state: execState });
    expect(retryRefusal(before)).toMatch(/still running/);
    expect(step(before, { type: "retry.requested" }, context()).state).toBe(before);
  });

  it.each([
    ["ended", { state: "ended" as const }],
    ["stopped", { state: "stopped" as const }],
    ["never started", null],
  ])("after the execution %s: routed and decided again from the start", (_, e) => {
    const before = state({ status: "error", error: "boom", endedAt: NOW - 5, stopRequestedAt: NOW - 6 }, e);
    expect(retryRefusal(before)).toBeNull();
    const { state: next, effects } = step(before, { type: "retry.requested" }, context());
    expect(next.session).toMatchObject({ status: "pending", error: null, endedAt: null, stopRequestedAt: null, routedAt: null });
    expect(jobKinds(effects)).toEqual(["activity:thought", "session.prepare"]);
    expect(jobs(effects).at(-1)?.payload).toEqual({ agentSessionId: "as-1" });
  });
});
