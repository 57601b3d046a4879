import { describe, expect, it } from "vitest";
import { step, type ParallelFacts, type SessionEvent, type SessionState } from "../../../../src/domain/session";
import type { Plan, PlanDecision } from "../../../../src/domain/parallel/plan";
import { activities, context, decision, execution, jobKinds, jobs, localExecution, NOW, planned, session, state, timelineKinds } from "./fixtures";

const item = (key: string, dependsOn: string[] = [], issueId: string | null = `issue-${key}`) => ({
  key,
  title: `Part ${key}`,
  description: `Do ${key}`,
  acceptanceCriteria: [`${key} works`],
  dependsOn,
  issueId,
  identifier: issueId ? `ENG-${key}` : null,
  completedInLinear: false,
});
const plan = (items = [item("a"), item("b"), item("c", ["a", "b"])], source: Plan["source"] = "sub-issues"): Plan => ({ source, items });
const parallelDecision = (p = plan()): PlanDecision => ({ kind: "parallel", plan: p, notes: [] });
const repository = { id: "repo-1", name: "acme/web", gitUrl: null, codegenRepoId: 7, baseBranch: "main" };
const fresh = { status: "pending" as const, routedAt: null, executor: null };
const ctx = (max = 2) => context({ config: { runTimeoutMs: 3_600_000, pollMaxMs: 60_000, parallelMaxChildren: max } });

function prepared(parallel: Extract<SessionEvent, { type: "prepared" }>["parallel"], p: ReturnType<typeof planned> | null = null): SessionEvent {
  return { type: "prepared", issue: { identifier: "ENG-1", title: "Checkout" }, movedTo: null, route: { matched: true, repository, rule: "catch-all", reason: "catch-all" }, plan: p, parallel };
}

function running(children: ParallelFacts["children"], overrides: Partial<ParallelFacts> = {}): SessionState {
  const run: ParallelFacts = { status: "running", plan: plan(), children, links: {}, plannerAttemptKey: null, validation: null, startedAt: NOW - 10_000, endedAt: null, ...overrides };
  return { session: session({ status: "active" }), execution: null, parallel: run, parentLink: null };
}
const child = (key: string, status: ParallelFacts["children"][number]["status"], attempts = status === "pending" ? 0 : 1) => ({ key, status, attempts, reason: null, startedAt: status === "pending" ? null : NOW - 5000, endedAt: null });
const report = (key: string, kind: "started" | "waiting" | "succeeded" | "failed" | "canceled", reason: string | null = null): SessionEvent => ({
  type: "parallel.child-report",
  childIssueId: `issue-${key}`,
  childSessionId: `child-${key}`,
  kind,
  reason,
  pullRequests: kind === "succeeded" ? [`https://github.com/acme/web/pull/${key}`] : [],
  at: NOW,
});
const startChildJobs = (effects: ReturnType<typeof step>["effects"]) => jobs(effects).flatMap((j) => (j.kind === "parallel.start-child" ? [j.payload] : []));

describe("step: a hybrid-parallel parent is prepared", () => {
  it("existing sub-issues: the plan is shown in Linear, and the children with no blockers are delegated within the cap", () => {
    const { state: next, effects } = step(state(fresh, null), prepared({ kind: "plan", decision: parallelDecision() }), ctx());
    expect(next.parallel).toMatchObject({ status: "running" });
    expect(next.parallel?.children.map((c) => c.status)).toEqual(["starting", "starting", "pending"]);
    expect(startChildJobs(effects)).toEqual([
      { agentSessionId: "as-1", key: "a", attempt: 1, childIssueId: "issue-a", childSessionId: null },
      { agentSessionId: "as-1", key: "b", attempt: 1, childIssueId: "issue-b", childSessionId: null },
    ]);
    const update = jobs(effects).find((j) => j.kind === "linear.session-update");
    expect(update?.payload).toMatchObject({ update: { plan: [{ status: "inProgress" }, { status: "inProgress" }, { status: "pending" }, { status: "pending" }] } });
    expect(jobKinds(effects).filter((k) => k === "linear.session-update")).toHaveLength(1);
    expect(jobKinds(effects)).not.toContain("execution.start");
  });

  it("the cap holds at the start: three independent children and a cap of two", () => {
    const { effects } = step(state(fresh, null), prepared({ kind: "plan", decision: parallelDecision(plan([item("a"), item("b"), item("c")])) }), ctx(2));
    expect(startChildJobs(effects).map((j) => j.key)).toEqual(["a", "b"]);
  });

  it("a proposed plan gets an id for each sub-issue before they are created, and nothing is delegated yet", () => {
    const proposal = plan([item("x", [], null), item("y", ["x"], null)], "proposal");
    const { state: next, effects } = step(state(fresh, null), prepared({ kind: "plan", decision: parallelDecision(proposal) }), ctx());
    expect(next.parallel?.status).toBe("creating");
    expect(next.parallel?.plan?.items.every((i) => typeof i.issueId === "string")).toBe(true);
    expect(jobKinds(effects)).toContain("parallel.create-sub-issues");
    expect(startChildJobs(effects)).toEqual([]);
  });

  it("no sub-issues: the planning task starts first, and its attempt is remembered", () => {
    const { state: next, effects } = step(state(fresh, null), prepared({ kind: "needs-planner" }, planned({ attemptKey: "as-1:1" })), ctx());
    expect(next.parallel).toMatchObject({ status: "planning", plannerAttemptKey: "as-1:1" });
    expect(jobKinds(effects)).toContain("execution.start");
  });

  it("a plan that cannot run ends the session with every problem", () => {
    const { state: next, effects } = step(state(fresh, null), prepared({ kind: "plan", decision: { kind: "invalid", problems: ["a cycle: A → B → A"], notes: [] } }), ctx());
    expect(next.session.status).toBe("error");
    expect(activities(effects).at(-1)?.body).toContain("a cycle: A → B → A");
  });

  it("a single sub-task runs the issue as hybrid-smart would, and says so", () => {
    const single: PlanDecision = { kind: "single", reason: "The plan has a single sub-task, so the issue runs as one task, as hybrid-smart would.", notes: [] };
    const { state: next, effects } = step(state(fresh, null), prepared({ kind: "plan", decision: single }, planned()), ctx());
    expect(next.parallel).toBeNull();
    expect(activities(effects).map((a) => a.body)).toContain(single.reason);
    expect(jobKinds(effects)).toContain("execution.start");
  });
});

describe("step: a parent's children report in", () => {
  it("a start is recorded; an end releases the child its blockers were holding", () => {
    let current = running([child("a", "starting"), child("b", "running"), child("c", "pending")]);
    current = step(current, report("a", "started"), ctx()).state;
    expect(current.parallel?.children[0]).toMatchObject({ status: "running" });
    const afterA = step(current, report("a", "succeeded"), ctx());
    expect(startChildJobs(afterA.effects)).toEqual([]);
    const afterB = step(afterA.state, report("b", "succeeded"), ctx());
    expect(startChildJobs(afterB.effects).map((j) => j.key)).toEqual(["c"]);
    expect(afterB.state.parallel?.links.b).toEqual({ agentSessionId: "child-b", pullRequests: ["https://github.com/acme/web/pull/b"] });
  });

  it("a child that fails is retried once through its own session", () => {
    const { state: next, effects } = step(running([child("a", "running"), child("b", "running"), child("c", "pending")], { links: { a: { agentSessionId: "child-a", pullRequests: [] } } }), report("a", "failed", "tests fail"), ctx());
    expect(next.parallel?.children[0]).toMatchObject({ status: "starting", attempts: 2 });
    expect(startChildJobs(effects)).toEqual([{ agentSessionId: "as-1", key: "a", attempt: 2, childIssueId: "issue-a", childSessionId: "child-a" }]);
  });

  it("a second failure cancels what has not started and, once nothing runs, ends the parent naming the child", () => {
    const first = step(running([child("a", "running", 2), child("b", "succeeded"), child("c", "pending")]), report("a", "failed", "tests fail"), ctx());
    expect(first.state.parallel?.children.map((c) => c.status)).toEqual(["failed", "succeeded", "canceled"]);
    expect(first.state.session.status).toBe("error");
    expect(activities(first.effects).filter((a) => a.type === "error")[0]?.body).toContain("ENG-a Part a failed after 2 attempts: tests fail");
  });

  it("every child done: the validation task is planned", () => {
    const { state: next, effects } = step(running([child("a", "succeeded"), child("b", "succeeded"), child("c", "running")]), report("c", "succeeded"), ctx());
    expect(next.parallel).toMatchObject({ status: "validating", validation: { status: "pending" } });
    expect(jobKinds(effects)).toContain("parallel.validate");
  });

  it("a child waiting for budget is said in the parent's thread, and changes nothing else", () => {
    const before = running([child("a", "running"), child("b", "running"), child("c", "pending")]);
    const { state: next, effects } = step(before, report("a", "waiting"), ctx());
    expect(next.parallel?.children).toEqual(before.parallel?.children);
    expect(activities(effects).map((a) => a.body)).toEqual([expect.stringContaining("ENG-a Part a waits for budget")]);
  });

  it.each([
    ["still starting: the attempt counts as failed and is retried", child("a", "starting"), 1, "starting", 2],
    ["it reported its start: nothing", child("a", "running"), 1, "running", 1],
    ["a deadline of an earlier attempt: nothing", { ...child("a", "starting"), attempts: 2 }, 1, "starting", 2],
  ])("a delegated child's start deadline, %s", (_, a, attempt, status, attempts) => {
    const { state: next } = step(running([a, child("b", "running"), child("c", "pending")]), { type: "parallel.child-start-overdue", key: "a", attempt }, ctx());
    expect(next.parallel?.children[0]).toMatchObject({ status, attempts });
  });

  it("delegating a child also sets its start deadline", () => {
    const { effects } = step(state(fresh, null), prepared({ kind: "plan", decision: parallelDecision() }), ctx());
    const deadlines = effects.flatMap((e) => (e.kind === "job" && e.job.kind === "parallel.child-deadline" ? [[e.job.payload.key, e.dueAt]] : []));
    expect(deadlines).toEqual([["a", NOW + 600_000], ["b", NOW + 600_000]]);
  });

  it("a report for an issue outside the plan changes nothing", () => {
    const before = running([child("a", "running"), child("b", "running"), child("c", "pending")]);
    expect(step(before, { ...report("a", "started"), childIssueId: "elsewhere" } as SessionEvent, ctx()).state).toBe(before);
  });

  it("a child that starts after the parent was stopped is stopped", () => {
    const { effects } = step(running([child("a", "canceled"), child("b", "canceled"), child("c", "canceled")], { status: "stopped" }), report("a", "started"), ctx());
    expect(jobKinds(effects)).toEqual(["parallel.stop-child"]);
  });
});

describe("step: stop, follow-up and validation of a parent", () => {
  it("a stop stops the running children (those that reported) and cancels the rest", () => {
    const before = running([child("a", "running"), child("b", "starting"), child("c", "pending")], { links: { a: { agentSessionId: "child-a", pullRequests: [] } } });
    const { state: next, effects } = step(before, { type: "stop.requested", source: "api" }, ctx());
    expect(next.parallel?.status).toBe("stopped");
    expect(next.parallel?.children.map((c) => c.status)).toEqual(["canceled", "canceled", "canceled"]);
    expect(jobs(effects).filter((j) => j.kind === "parallel.stop-child").map((j) => j.payload)).toEqual([{ agentSessionId: "as-1", childIssueId: "issue-a", childSessionId: "child-a" }]);
    expect(activities(effects).at(-1)?.body).toContain("Every sub-task still running was stopped");
  });

  it("a retry is refused while children run, and a retried parent's next plan starts afresh", () => {
    const live = running([child("a", "running"), child("b", "running"), child("c", "pending")]);
    expect(step(live, { type: "retry.requested" }, ctx()).state).toBe(live);
    const ended = running([child("a", "failed", 2), child("b", "succeeded"), child("c", "canceled")], {
      status: "error",
      endedAt: NOW - 100,
      validation: { attemptKey: "as-1:9", status: "failed", verdict: null },
      links: { b: { agentSessionId: "child-b", pullRequests: ["https://pr/b"] } },
    });
    const retried = step(ended, { type: "retry.requested" }, ctx());
    expect(jobKinds(retried.effects)).toContain("session.prepare");
    const replanned = step({ ...retried.state, session: { ...retried.state.session, routedAt: null } }, prepared({ kind: "plan", decision: parallelDecision() }), ctx());
    expect(replanned.state.parallel).toMatchObject({ status: "running", endedAt: null, validation: null, links: {}, startedAt: NOW });
  });

  it("a follow-up while children run stays with the parent", () => {
    const { effects } = step(running([child("a", "running"), child("b", "running"), child("c", "pending")]), { type: "parallel.follow-up" }, ctx());
    expect(timelineKinds(effects)).toEqual(["parallel.follow_up"]);
    expect(jobKinds(effects)).toEqual(["activity:thought"]);
  });

  const validating = (attemptKey: string | null = null) =>
    running([child("a", "succeeded"), child("b", "succeeded"), child("c", "succeeded")], {
      status: "validating",
      validation: { attemptKey, status: attemptKey ? "running" : "pending", verdict: null },
      links: { a: { agentSessionId: "child-a", pullRequests: ["https://pr/a"] }, b: { agentSessionId: "child-b", pullRequests: ["https://pr/b"] }, c: { agentSessionId: "child-c", pullRequests: ["https://pr/c"] } },
    });

  it.each([
    ["planned: it starts", planned({ attemptKey: "as-1:1" }), ["activity:thought", "linear.session-update", "execution.start"], "validating"],
    ["refused by the budget: the parent ends saying so", planned({ reservation: { ok: false, wait: false, reason: "over the daily limit", remainingUsd: 0 } }), ["activity:error"], "error"],
    ["nothing can run it: the parent ends saying so", planned({ decision: decision({ executor: null, reason: "no agent and no cloud" }), reservation: null }), ["activity:error"], "error"],
  ])("the validation task %s", (_, p, kinds, status) => {
    const { state: next, effects } = step(validating(), { type: "parallel.validation-planned", plan: p, reason: null }, ctx());
    expect(jobKinds(effects).filter((k) => k !== "linear.session-update" || kinds.includes(k))).toEqual(kinds);
    expect(next.parallel?.status).toBe(status);
  });

  it("a validation planned after the parent stopped gives its reservation back", () => {
    const stopped = { ...validating(), parallel: { ...validating().parallel!, status: "stopped" as const } };
    expect(jobKinds(step(stopped, { type: "parallel.validation-planned", plan: planned({ attemptKey: "as-1:9" }), reason: null }, ctx()).effects)).toEqual(["budget.release"]);
  });

  it.each([
    ["passes: one response with every pull request and the verdict", "COMPLETE", "complete", "response"],
    ["fails to run: an error that says so, with the pull requests", "FAILED", "error", "error"],
  ])("the validation run %s", (_, status, sessionStatus, activity) => {
    const before = { ...validating("as-1:1"), execution: execution({ attemptKey: "as-1:1", result: "Verdict: pass" }) };
    const { state: next, effects } = step(before, { type: "cloud.observed", run: { runId: 42, status, webUrl: null, result: "Verdict: pass", summary: null, pullRequests: [], observedAt: NOW } }, ctx());
    expect(next.session.status).toBe(sessionStatus);
    const said = activities(effects).filter((a) => a.type === "response" || a.type === "error");
    expect(said.map((a) => a.type)).toEqual([activity]);
    for (const pr of ["https://pr/a", "https://pr/b", "https://pr/c"]) expect(said[0]!.body).toContain(pr);
    expect(jobKinds(effects)).toContain("metrics.record");
  });
});

describe("step: the planning task's answer", () => {
  const planning = (exec: SessionState["execution"]): SessionState => ({
    session: session({ status: "active" }),
    execution: exec,
    parallel: { status: "planning", plan: null, children: [], links: {}, plannerAttemptKey: "as-1:1", validation: null, startedAt: NOW - 1000, endedAt: null },
    parentLink: null,
  });
  const proposal = { subtasks: [{ key: "x", title: "X", description: "do x", acceptanceCriteria: [], dependsOn: [] }, { key: "y", title: "Y", description: "do y", acceptanceCriteria: [], dependsOn: ["x"] }] };

  it("a Codegen planner's JSON answer becomes sub-issues to create", () => {
    const before = planning(execution({ attemptKey: "as-1:1", result: `Plan:\n\`\`\`json\n${JSON.stringify(proposal)}\n\`\`\`` }));
    const { state: next, effects } = step(before, { type: "cloud.observed", run: { runId: 42, status: "COMPLETE", webUrl: null, result: null, summary: null, pullRequests: [], observedAt: NOW } }, ctx());
    expect(next.parallel?.status).toBe("creating");
    expect(next.parallel?.plan?.items.map((i) => [i.key, i.dependsOn])).toEqual([["x", []], ["y", ["x"]]]);
    expect(jobKinds(effects)).toContain("parallel.create-sub-issues");
    expect(activities(effects).some((a) => a.type === "response")).toBe(false);
  });

  it("a local planner's structured output is read the same way", () => {
    const before = planning(localExecution({ attemptKey: "as-1:1" }));
    const result = { status: "succeeded" as const, text: "planned", error: null, claudeSessionId: "c", totalCostUsd: 0.1, costUsd: null, inputTokens: 1, outputTokens: 1, durationMs: 10, prUrls: [], promptIds: [], structuredOutput: proposal };
    const { state: next } = step(before, { type: "local.result", agentId: "agent-1", result, baselineTotalUsd: null }, ctx());
    expect(next.parallel?.plan?.items).toHaveLength(2);
  });

  it("an answer that is not a plan ends the session saying why", () => {
    const before = planning(execution({ attemptKey: "as-1:1", result: "I could not decide." }));
    const { state: next, effects } = step(before, { type: "cloud.observed", run: { runId: 42, status: "COMPLETE", webUrl: null, result: null, summary: null, pullRequests: [], observedAt: NOW } }, ctx());
    expect(next.session.status).toBe("error");
    expect(activities(effects).at(-1)?.body).toContain("does not match the plan schema");
  });

  it("a declined split queues a fresh choice of executor for the issue as one task", () => {
    const before = planning(execution({ attemptKey: "as-1:1", result: JSON.stringify({ subtasks: [], declineReason: "too small" }) }));
    const { state: next, effects } = step(before, { type: "cloud.observed", run: { runId: 42, status: "COMPLETE", webUrl: null, result: null, summary: null, pullRequests: [], observedAt: NOW } }, ctx());
    expect(next.session.status).toBe("ready");
    expect(jobs(effects).find((j) => j.kind === "session.plan")?.payload).toEqual({ agentSessionId: "as-1", afterPlanning: true });
  });
});

describe("step: a child reports to its parent", () => {
  const link = { parentIssueId: "parent-issue", parentSessionId: "parent-session", mergeBranches: [] };
  const reports = (effects: ReturnType<typeof step>["effects"]) => jobs(effects).flatMap((j) => (j.kind === "parallel.report" ? [j.payload] : []));

  it("when it is prepared (it started)", () => {
    const { state: next, effects } = step(state(fresh, null), { ...prepared(null, planned()), parentLink: link } as SessionEvent, ctx());
    expect(next.parentLink).toEqual(link);
    expect(reports(effects)).toMatchObject([{ parentIssueId: "parent-issue", kind: "started" }]);
  });

  it.each([
    ["succeeded, with its pull requests", "COMPLETE", "succeeded", ["https://pr/1"]],
    ["failed, with the reason", "FAILED", "failed", ["https://pr/1"]],
  ])("when its session ends: %s", (_, status, kind, prs) => {
    const before: SessionState = { session: session(), execution: execution({ pullRequests: [{ url: "https://pr/1", title: null }] }), parentLink: link, parallel: null };
    const { effects } = step(before, { type: "cloud.observed", run: { runId: 42, status, webUrl: null, result: null, summary: null, pullRequests: [], observedAt: NOW } }, ctx());
    const [sent] = reports(effects);
    expect(sent).toMatchObject({ kind, pullRequests: prs });
    if (kind === "failed") expect(sent?.reason).toBeTruthy();
  });

  it("a child that starts waiting for budget tells its parent", () => {
    const before: SessionState = { session: session({ status: "ready", routedAt: NOW - 1 }), execution: null, parentLink: link, parallel: null };
    const p = planned({ decision: decision({ executor: null, waitForBudget: { executor: "cloud", reason: "r" } }), reservation: { ok: false, wait: true, reason: "today has $1 left", remainingUsd: 1 } });
    const waiting = step({ ...before, session: session({ status: "waiting_for_budget", routedAt: NOW - 1 }) }, { type: "replanned", plan: p }, ctx());
    expect(reports(waiting.effects)).toEqual([]);
    const started = step({ ...before, session: session({ status: "pending", routedAt: null }) }, { ...prepared(null, p), parentLink: link } as SessionEvent, ctx());
    expect(started.state.session.status).toBe("waiting_for_budget");
    expect(reports(started.effects).map((r) => r.kind)).toEqual(["started", "waiting"]);
  });

  it("a stopped child reports canceled; a session with no parent reports nothing", () => {
    const stopped = step({ session: session(), execution: null, parentLink: link, parallel: null }, { type: "stop.requested", source: "api" }, ctx());
    expect(reports(stopped.effects).map((r) => r.kind)).toEqual(["canceled"]);
    const plain = step(state(), { type: "stop.requested", source: "api" }, ctx());
    expect(reports(plain.effects)).toEqual([]);
  });
});
