import { describe, expect, it } from "vitest";
import { step } from "../../../../src/domain/session";
import { activities, context, dueAt, jobKinds, jobs, NOW, state, timelineKinds } from "./fixtures";

const run = (overrides: Partial<{ status: string | null; pullRequests: { url: string; title: string | null }[]; runId: number }> = {}) => ({
  runId: 42,
  status: "ACTIVE",
  webUrl: "https://codegen.example/run/42",
  result: null,
  summary: null,
  pullRequests: [],
  observedAt: NOW,
  ...overrides,
});

const creating = { state: "creating" as const, runId: null, startedAt: null, deadlineAt: null, webUrl: null, codegenStatus: null, gateName: null, credential: null };

describe("step: starting a cloud run", () => {
  it("stores the intent as a creating execution before any call", () => {
    const { state: next, effects } = step(state({ status: "ready" }, null), { type: "start.requested", attemptKey: "as-1:1", attempt: 1, executor: "cloud", resumeFrom: null }, context());
    expect(next.execution).toMatchObject({ attemptKey: "as-1:1", executor: "cloud", state: "creating", intentAt: NOW, runId: null, createSentAt: null });
    expect(effects).toEqual([]);
  });

  it.each([
    ["the session was stopped", state({ stopRequestedAt: NOW - 1 }, null), "as-1:1"],
    ["the attempt exists already (a replayed job)", state({}, { ...creating }), "as-1:1"],
  ])("starts nothing new when %s", (_, before, attemptKey) => {
    const result = step(before, { type: "start.requested", attemptKey, attempt: 1, executor: "cloud", resumeFrom: null }, context());
    expect(result.state).toBe(before);
    expect(result.effects).toEqual([]);
  });

  it.each([
    ["cloud.gate-chosen", { type: "cloud.gate-chosen" as const, gateName: "g1", credential: "{\"kind\":\"env\"}" }, { gateName: "g1", credential: "{\"kind\":\"env\"}" }],
    ["cloud.create-sent", { type: "cloud.create-sent" as const }, { createSentAt: NOW }],
  ])("%s records its fact on a creating execution", (_, event, expected) => {
    const result = step(state({}, creating), event, context());
    expect(result.state.execution).toMatchObject(expected);
    expect(result.effects).toEqual([]);
  });

  it("forgets a sent create whose answer says no run was made (the next attempt creates without a look-up)", () => {
    const result = step(state({}, { ...creating, createSentAt: NOW - 5 }), { type: "cloud.create-not-made" }, context());
    expect(result.state.execution?.createSentAt).toBeNull();
  });

  it("ignores creation facts once the run was adopted", () => {
    const before = state({}, {});
    expect(step(before, { type: "cloud.create-sent" }, context()).state).toBe(before);
    expect(step(before, { type: "cloud.start-failed", message: "x" }, context()).state).toBe(before);
  });

  it("adopts a run: running with a deadline, said in Linear with the run's link, and its timers set", () => {
    const { state: next, effects } = step(state({ status: "ready" }, creating), { type: "cloud.run-adopted", run: run(), twins: [] }, context());
    expect(next.execution).toMatchObject({ state: "running", runId: 42, startedAt: NOW, deadlineAt: NOW + 3_600_000 });
    expect(next.session.status).toBe("active");
    expect(timelineKinds(effects)).toEqual(["cloud.started"]);
    expect(jobKinds(effects)).toEqual(["activity:thought", "linear.session-update", "cloud.watch", "cloud.deadline", "cloud.logs", "cloud.check"]);
    expect(dueAt(effects, "cloud.deadline")).toBe(NOW + 3_600_000);
    expect(dueAt(effects, "cloud.logs")).toBe(NOW + 180_000);
    expect(dueAt(effects, "cloud.check")).toBe(NOW + 120_000);
  });

  it("names the twin runs a lost answer left behind, and follows one", () => {
    const { state: next, effects } = step(state({}, creating), { type: "cloud.run-adopted", run: run(), twins: [43, 44] }, context());
    expect((next.execution as { twins?: number[] }).twins).toEqual([43, 44]);
    expect(timelineKinds(effects)).toContain("cloud.twins");
    expect(activities(effects).some((a) => a.body.includes("2 more run(s)"))).toBe(true);
  });

  it("finishes at once a run that was already done when adopted", () => {
    const { state: next, effects } = step(state({}, creating), { type: "cloud.run-adopted", run: run({ status: "COMPLETE" }), twins: [] }, context());
    expect(next.session.status).toBe("complete");
    expect(jobKinds(effects)).toContain("metrics.record");
  });

  it.each([
    ["with no fallback: the session ends in an error that says why", null, "error", ["activity:error"]],
    ["with a local fallback: the fallback is queued, nothing said yet", "local", "active", ["session.fallback"]],
  ])("a run that cannot start, %s", (_, fallback, status, kinds) => {
    const { state: next, effects } = step(state({ fallback }, creating), { type: "cloud.start-failed", message: "402 payment required" }, context());
    expect(next.execution).toMatchObject({ state: "ended", outcome: "failed", error: "402 payment required" });
    expect(next.session.status).toBe(status);
    expect(jobKinds(effects)).toEqual(kinds);
  });
});

describe("step: a cloud run observed and finished", () => {
  it("records progress without finishing a running run", () => {
    const { state: next, effects } = step(state(), { type: "cloud.observed", run: run({ pullRequests: [{ url: "https://github.com/acme/web/pull/1", title: "Fix" }] }) }, context());
    expect(next.execution?.pullRequests).toHaveLength(1);
    expect(effects).toEqual([]);
  });

  it("ignores news of another run", () => {
    const before = state();
    expect(step(before, { type: "cloud.observed", run: run({ runId: 7, status: "COMPLETE" }) }, context()).effects).toEqual([]);
  });

  it("finishes with pull requests: one response, each PR attached and added to the session's links, the cost measured", () => {
    const prs = [
      { url: "https://github.com/acme/web/pull/1", title: "Fix login" },
      { url: "https://github.com/acme/web/pull/2", title: null },
    ];
    const { state: next, effects } = step(state(), { type: "cloud.observed", run: run({ status: "COMPLETE", pullRequests: prs }) }, context());
    expect(next.session).toMatchObject({ status: "complete", endedAt: NOW, error: null });
    expect(next.execution).toMatchObject({ state: "ended", outcome: "succeeded" });
    expect(jobKinds(effects)).toEqual(["activity:response", "linear.attachment", "linear.attachment", "linear.session-update", "metrics.record"]);
    expect(timelineKinds(effects)).toEqual(["cloud.succeeded"]);
  });

  it("finishes without pull requests: a response and no attachment", () => {
    const { effects } = step(state(), { type: "cloud.observed", run: run({ status: "COMPLETE" }) }, context());
    expect(jobKinds(effects)).toEqual(["activity:response", "metrics.record"]);
  });

  it.each(["FAILED", "ERROR", "CANCELLED", "STOPPED", "TIMEOUT", "MAX_ITERATIONS_REACHED", "OUT_OF_TOKENS"])("ends a %s run in an error that says so", (status) => {
    const { state: next, effects } = step(state(), { type: "cloud.observed", run: run({ status }) }, context());
    expect(next.session.status).toBe("error");
    expect(next.execution).toMatchObject({ state: "ended", outcome: "failed" });
    expect(jobKinds(effects)).toEqual(["activity:error", "metrics.record"]);
    expect(timelineKinds(effects)).toEqual(["cloud.failed"]);
  });

  it.each(["ended", "stopped", "creating"] as const)("finishes a run only once: nothing when it is already %s", (execState) => {
    const before = state({}, { state: execState, codegenStatus: "COMPLETE" });
    expect(step(before, { type: "cloud.observed", run: run({ status: "COMPLETE" }) }, context()).effects).toEqual([]);
    expect(step(before, { type: "cloud.finish-due" }, context()).effects).toEqual([]);
  });

  it("a finish job left by an earlier version finishes from the stored status", () => {
    const { state: next } = step(state({}, { codegenStatus: "COMPLETE" }), { type: "cloud.finish-due" }, context());
    expect(next.session.status).toBe("complete");
  });

  it("a periodic check applies the gate's last observation and sets the next check", () => {
    const { state: next, effects } = step(state(), { type: "cloud.checked", seen: run({ status: "COMPLETE" }) }, context());
    expect(next.session.status).toBe("complete");
    expect(dueAt(effects, "cloud.check")).toBe(NOW + 120_000);
  });
});

describe("step: the run's deadline", () => {
  const deadline = NOW - 1;
  it.each([
    ["no fallback: an error, still watched", null, "fallback" as const, "error", ["activity:error", "metrics.record"]],
    ["a local fallback the workspace allows: said, and the local run queued", "local", "fallback" as const, "error", ["activity:thought", "session.fallback", "metrics.record"]],
    ["a local fallback that needs a yes: the question", "local", "ask" as const, "awaiting_input", ["activity:elicitation", "metrics.record"]],
  ])("%s", (_, fallback, timeoutAction, status, kinds) => {
    const { state: next, effects } = step(state({ fallback }, { deadlineAt: deadline }), { type: "cloud.deadline-passed", deadlineAt: deadline, timeoutAction }, context());
    expect(next.execution).toMatchObject({ state: "timed_out", outcome: "timed_out" });
    expect(next.session.status).toBe(status);
    expect(jobKinds(effects)).toEqual(kinds);
    expect(timelineKinds(effects)).toEqual(["cloud.timed_out"]);
  });

  it.each([
    ["a resumed run's older deadline", { deadlineAt: NOW + 10 }],
    ["a run that ended", { state: "ended" as const, deadlineAt: deadline }],
  ])("ignores %s", (_, exec) => {
    const before = state({}, exec);
    expect(step(before, { type: "cloud.deadline-passed", deadlineAt: deadline, timeoutAction: "fallback" }, context()).state).toBe(before);
  });
});

describe("step: the run's log, a follow-up, a stop", () => {
  it("one thought per read with the last five lines, the read position kept, and the next read", () => {
    const texts = ["a", "b", "c", "d", "e", "f"];
    const { state: next, effects } = step(state(), { type: "cloud.logs-read", read: { ok: true, texts, total: 6 } }, context());
    expect(next.execution?.logsSeen).toBe(6);
    const [thought] = activities(effects);
    expect(thought?.body).toContain("f");
    expect(thought?.body).not.toContain("- a");
    expect(dueAt(effects, "cloud.logs")).toBe(NOW + 180_000);
  });

  it("a failed read says nothing and reads again later", () => {
    const { effects } = step(state(), { type: "cloud.logs-read", read: { ok: false } }, context());
    expect(jobKinds(effects)).toEqual(["cloud.logs"]);
  });

  it("a resumed run gets a new deadline and timers, and its resumes counted", () => {
    const { state: next, effects } = step(state({ status: "complete", endedAt: NOW - 5 }, { state: "ended", outcome: "succeeded", endedAt: NOW - 5 }), { type: "cloud.resumed", status: "ACTIVE" }, context());
    expect(next.execution).toMatchObject({ state: "running", resumes: 1, deadlineAt: NOW + 3_600_000, outcome: null, endedAt: null });
    expect(next.session).toMatchObject({ status: "active", endedAt: null });
    expect(jobKinds(effects)).toEqual(["activity:thought", "cloud.watch", "cloud.deadline", "cloud.logs", "cloud.check"]);
  });

  it("a follow-up Codegen would not take is said as an error", () => {
    expect(activities(step(state(), { type: "cloud.resume-failed", message: "run not found" }, context()).effects)).toEqual([
      { type: "error", body: "Codegen could not take your message: run not found" },
    ]);
  });

  it.each([
    ["no pull request", [], { asked: false as const }, "Stopped"],
    ["a pull request Codegen let go of", [{ url: "https://github.com/acme/web/pull/1", title: null }], { asked: true as const, ok: true as const }, "pull/1"],
    ["a pull request Codegen kept", [{ url: "https://github.com/acme/web/pull/1", title: null }], { asked: true as const, ok: false as const, message: "403" }, "did not take its agent off"],
  ])("a stop with %s: stopped, said once, measured", (_, pullRequests, removal, says) => {
    const { state: next, effects } = step(state({}, { pullRequests }), { type: "cloud.stopped", removal }, context());
    expect(next.execution).toMatchObject({ state: "stopped", outcome: "stopped" });
    expect(jobKinds(effects)).toEqual(["activity:response", "metrics.record"]);
    expect(activities(effects)[0]!.body).toContain(says);
  });

  it("a stop that finds the run over says nothing was running", () => {
    const { effects } = step(state({}, { state: "ended" }), { type: "cloud.stopped", removal: { asked: false } }, context());
    expect(activities(effects)).toHaveLength(1);
    expect(jobs(effects).some((j) => j.kind === "metrics.record")).toBe(false);
  });
});
