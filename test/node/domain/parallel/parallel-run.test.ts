import { describe, expect, it } from "vitest";
import { childStatesByKey, type ChildState } from "../../../../src/domain/parallel/child-state";
import { advanceParallelRun, type ParallelDecision, type ParallelEvent } from "../../../../src/domain/parallel/parallel-run";
import type { Plan } from "../../../../src/domain/parallel/plan";
import { child, children, item, planOf } from "./plans";

const MAX = { maxRunning: 5 };
const chain = planOf(item("a"), item("b", ["a"]), item("c", ["b"]), item("d"));
const started = (key: string, attempt = 1, at = 100): ParallelEvent => ({ type: "child_started", key, attempt, at });
const succeeded = (key: string, attempt = 1, at = 200): ParallelEvent => ({ type: "child_succeeded", key, attempt, at });
const failed = (key: string, attempt = 1, reason = "tests fail", at = 200): ParallelEvent => ({ type: "child_failed", key, attempt, at, reason });

/** Status/attempts of every child, in plan order, for compact expectations. */
function summary(states: ChildState[]): Record<string, string> {
  return Object.fromEntries(states.map((s) => [s.key, `${s.status}/${s.attempts}`]));
}

describe("advanceParallelRun: begin", () => {
  it.each([
    ["independent children up to the cap", planOf(item("a"), item("b"), item("c")), 2, { a: "starting/1", b: "starting/1", c: "pending/0" }, [
      { type: "start_child", key: "a", attempt: 1 },
      { type: "start_child", key: "b", attempt: 1 },
    ]],
    ["only the unblocked children of a chain", chain, 5, { a: "starting/1", b: "pending/0", c: "pending/0", d: "starting/1" }, [
      { type: "start_child", key: "a", attempt: 1 },
      { type: "start_child", key: "d", attempt: 1 },
    ]],
    [
      "straight to validation when Linear has every sub-issue completed",
      planOf(item("a", [], { completedInLinear: true }), item("b", [], { completedInLinear: true })),
      5,
      { a: "succeeded/0", b: "succeeded/0" },
      [{ type: "validate" }],
    ],
  ] as const)("releases %s", (_name, plan, maxRunning, states, decisions) => {
    const step = advanceParallelRun(plan, [], { type: "begin" }, { maxRunning });
    expect(summary(step.children)).toEqual(states);
    expect(step.decisions).toEqual(decisions);
  });

  it("ends a plan that can never start (a blocker missing from it) with an error rather than waiting forever", () => {
    const step = advanceParallelRun(planOf(item("a", ["ghost"])), [], { type: "begin" }, MAX);
    expect(step.decisions).toEqual([
      {
        type: "fail_parent",
        failures: [{ key: "a", label: "Task a", reason: "its blockers can never all succeed" }],
        message: "The parallel run did not complete.\nTask a could not start: its blockers can never all succeed",
      },
    ]);
  });
});

describe("advanceParallelRun: reports from a child", () => {
  const plan = planOf(item("a"), item("b", ["a"]), item("c"));

  it("a start report makes a starting child running and records when", () => {
    const step = advanceParallelRun(plan, [child("a", "starting", 1), child("c", "starting", 1)], started("a", 1, 1234), MAX);
    expect(step.children[0]).toEqual(child("a", "running", 1, { startedAt: 1234 }));
    expect(step.decisions).toEqual([]);
  });

  it("a retry's start keeps the first attempt's start time", () => {
    const step = advanceParallelRun(plan, [child("a", "starting", 2, { startedAt: 50, reason: "x" })], started("a", 2, 900), MAX);
    expect(step.children[0]).toMatchObject({ status: "running", startedAt: 50 });
  });

  it("a success releases the children it blocked and records when it ended", () => {
    const step = advanceParallelRun(plan, [child("a", "running", 1, { startedAt: 100 }), child("c", "running", 1)], succeeded("a", 1, 700), MAX);
    expect(step.children[0]).toEqual(child("a", "succeeded", 1, { startedAt: 100, endedAt: 700 }));
    expect(summary(step.children)).toEqual({ a: "succeeded/1", b: "starting/1", c: "running/1" });
    expect(step.decisions).toEqual([{ type: "start_child", key: "b", attempt: 1 }]);
  });

  it("never changes the states it is given", () => {
    const given = children({ a: "running/1", c: "running/1" });
    const copy = structuredClone(given);
    advanceParallelRun(plan, given, succeeded("a"), MAX);
    advanceParallelRun(plan, given, { type: "parent_stopped", at: 1 }, MAX);
    expect(given).toEqual(copy);
  });

  it("a success frees a slot for the next child in plan order", () => {
    const wide = planOf(item("a"), item("b"), item("c"), item("d"));
    const step = advanceParallelRun(wide, children({ a: "running/1", b: "running/1", c: "pending", d: "pending" }), succeeded("b"), { maxRunning: 2 });
    expect(step.decisions).toEqual([{ type: "start_child", key: "c", attempt: 1 }]);
  });

  it("a success from a child whose start report never came still counts", () => {
    const step = advanceParallelRun(plan, children({ a: "starting/1", c: "succeeded/1" }), succeeded("a"), MAX);
    expect(summary(step.children)).toEqual({ a: "succeeded/1", b: "starting/1", c: "succeeded/1" });
  });

  it("the last success starts the validation", () => {
    const step = advanceParallelRun(plan, children({ a: "succeeded/1", b: "running/2", c: "succeeded/1" }), succeeded("b", 2), MAX);
    expect(step.decisions).toEqual([{ type: "validate" }]);
  });

  it.each<[string, ChildState[], ParallelEvent]>([
    ["a repeated start report", children({ a: "running/1" }), started("a")],
    ["a repeated success", children({ a: "succeeded/1", b: "succeeded/1", c: "succeeded/1" }), succeeded("a")],
    ["a success for an earlier attempt", children({ a: "running/2" }), succeeded("a", 1)],
    ["a failure for an earlier attempt", children({ a: "running/2" }), failed("a", 1)],
    ["a report from a child that was never started", children({ a: "pending" }), succeeded("a", 0)],
    ["a late success for a canceled child", children({ a: "canceled/1" }), succeeded("a")],
    ["a late failure for a failed child", children({ a: "failed/2" }), failed("a", 2)],
    ["a report about a key not in the plan", children({ a: "running/1" }), succeeded("zz")],
    ["a canceled report for a succeeded child", children({ a: "succeeded/1" }), { type: "child_canceled", key: "a", attempt: 1, at: 5, reason: "r" }],
  ])("%s changes nothing and decides nothing", (_name, given, event) => {
    const step = advanceParallelRun(plan, given, event, MAX);
    expect(step.decisions).toEqual([]);
    expect(step.children).toEqual([...childStatesByKey(plan, given).values()]);
  });
});

describe("advanceParallelRun: failures", () => {
  const plan: Plan = planOf(item("a", [], { identifier: "ENG-1" }), item("b", ["a"]), item("c", ["b"]), item("d"), item("e"));

  it("retries a child once after its first failure, keeping the reason", () => {
    const step = advanceParallelRun(plan, children({ a: "running/1", d: "running/1", e: "pending" }), failed("a", 1, "lint"), { maxRunning: 2 });
    expect(step.children[0]).toMatchObject({ status: "starting", attempts: 2, reason: "lint" });
    expect(step.decisions).toEqual([{ type: "start_child", key: "a", attempt: 2 }]);
  });

  it("on a second failure cancels every child not started, lets running ones finish, and waits for them", () => {
    const step = advanceParallelRun(plan, children({ a: "running/2", d: "running/1", e: "pending" }), failed("a", 2, "tests fail"), { maxRunning: 2 });
    expect(summary(step.children)).toEqual({ a: "failed/2", b: "canceled/0", c: "canceled/0", d: "running/1", e: "canceled/0" });
    expect(step.children[0]).toMatchObject({ reason: "tests fail", endedAt: 200 });
    expect(step.decisions).toEqual([
      { type: "cancel_child", key: "b", reason: "blocked by ENG-1 Task a, which did not finish" },
      { type: "cancel_child", key: "c", reason: "blocked by ENG-1 Task a, which did not finish" },
      { type: "cancel_child", key: "e", reason: "not started: the plan cannot complete after ENG-1 Task a did not finish" },
    ]);
  });

  it("ends the parent in an error naming the failed child once the last running child ends", () => {
    const given = [
      child("a", "failed", 2, { reason: "tests fail" }),
      child("b", "canceled", 0, { reason: "blocked" }),
      child("c", "canceled", 0, { reason: "blocked" }),
      child("d", "running", 1),
      child("e", "canceled", 0, { reason: "not started" }),
    ];
    const step = advanceParallelRun(plan, given, succeeded("d"), MAX);
    expect(step.decisions).toEqual([
      {
        type: "fail_parent",
        failures: [{ key: "a", label: "ENG-1 Task a", reason: "tests fail" }],
        message: "The parallel run did not complete.\nENG-1 Task a failed after 2 attempts: tests fail\nNot started: Task b, Task c, Task e.",
      },
    ]);
  });

  it("ends the parent at once when nothing else runs", () => {
    const step = advanceParallelRun(plan, children({ a: "running/2", d: "succeeded/1", e: "succeeded/1" }), failed("a", 2, "boom"), MAX);
    expect(step.decisions.map((d) => d.type)).toEqual(["cancel_child", "cancel_child", "fail_parent"]);
  });

  it("does not retry a child that fails after the plan already failed: it fails for good and is named too", () => {
    const given = [child("a", "failed", 2, { reason: "tests fail" }), child("b", "canceled"), child("c", "canceled"), child("d", "running", 1), child("e", "canceled")];
    const step = advanceParallelRun(plan, given, failed("d", 1, "timeout"), MAX);
    expect(step.children[3]).toMatchObject({ status: "failed", attempts: 1, reason: "timeout" });
    expect(step.decisions).toEqual([
      {
        type: "fail_parent",
        failures: [
          { key: "a", label: "ENG-1 Task a", reason: "tests fail" },
          { key: "d", label: "Task d", reason: "timeout" },
        ],
        message:
          "The parallel run did not complete.\nENG-1 Task a failed after 2 attempts: tests fail\nTask d failed after 1 attempt: timeout\nNot started: Task b, Task c, Task e.",
      },
    ]);
  });

  it("treats a child stopped from outside the plan as a cause, named as stopped", () => {
    const step = advanceParallelRun(plan, children({ a: "running/1", d: "succeeded/1", e: "succeeded/1" }), { type: "child_canceled", key: "a", attempt: 1, at: 300, reason: "stopped by a user in Linear" }, MAX);
    expect(summary(step.children)).toEqual({ a: "canceled/1", b: "canceled/0", c: "canceled/0", d: "succeeded/1", e: "succeeded/1" });
    expect(step.decisions.at(-1)).toEqual({
      type: "fail_parent",
      failures: [{ key: "a", label: "ENG-1 Task a", reason: "stopped by a user in Linear" }],
      message: "The parallel run did not complete.\nENG-1 Task a was stopped: stopped by a user in Linear\nNot started: Task b, Task c.",
    });
  });

  it("a failure without a reason says so", () => {
    const given = [child("a", "failed", 2), child("b", "canceled"), child("c", "canceled"), child("d", "running", 1), child("e", "succeeded", 1)];
    const step = advanceParallelRun(plan, given, succeeded("d"), MAX);
    expect(step.decisions[0]).toMatchObject({ failures: [{ key: "a", reason: "no reason given" }] });
  });
});

describe("advanceParallelRun: a stop on the parent", () => {
  const plan = planOf(item("a"), item("b", ["a"]), item("c"), item("d"));

  it("stops running and starting children, cancels the rest, leaves finished ones alone", () => {
    const step = advanceParallelRun(plan, children({ a: "running/1", b: "pending", c: "starting/1", d: "succeeded/1" }), { type: "parent_stopped", at: 999 }, MAX);
    expect(summary(step.children)).toEqual({ a: "canceled/1", b: "canceled/0", c: "canceled/1", d: "succeeded/1" });
    expect(step.children[0]).toMatchObject({ reason: "stopped with the parent", endedAt: 999 });
    expect(step.children[1]).toMatchObject({ reason: "the parent was stopped", endedAt: null });
    expect(step.decisions).toEqual([
      { type: "stop_child", key: "a" },
      { type: "cancel_child", key: "b", reason: "the parent was stopped" },
      { type: "stop_child", key: "c" },
    ]);
  });

  it("after the stop, a late report from a stopped child decides nothing", () => {
    const stopped = advanceParallelRun(plan, children({ a: "running/1", c: "running/1" }), { type: "parent_stopped", at: 1 }, MAX).children;
    expect(advanceParallelRun(plan, stopped, succeeded("a"), MAX).decisions).toEqual([]);
    expect(advanceParallelRun(plan, stopped, failed("c"), MAX).decisions).toEqual([]);
  });
});

describe("advanceParallelRun: a whole run", () => {
  /** Drives the run to its end, completing the oldest active child each round; returns the peak of active children. */
  function drive(plan: Plan, maxRunning: number, outcome: (key: string, attempt: number) => "ok" | "fail") {
    let states: ChildState[] = [];
    const all: ParallelDecision[] = [];
    let peak = 0;
    const apply = (event: ParallelEvent) => {
      const step = advanceParallelRun(plan, states, event, { maxRunning });
      states = step.children;
      all.push(...step.decisions);
      peak = Math.max(peak, states.filter((s) => s.status === "starting" || s.status === "running").length);
    };
    apply({ type: "begin" });
    for (let round = 0; round < 100; round++) {
      const next = states.find((s) => s.status === "starting" || s.status === "running");
      if (!next) break;
      if (next.status === "starting") apply(started(next.key, next.attempts, round));
      else apply(outcome(next.key, next.attempts) === "ok" ? succeeded(next.key, next.attempts, round) : failed(next.key, next.attempts, "no", round));
    }
    return { states, decisions: all, peak };
  }

  it("8 independent children under a cap of 3: never more than 3 at once, all run, one validation", () => {
    const plan = planOf(...["a", "b", "c", "d", "e", "f", "g", "h"].map((key) => item(key)));
    const run = drive(plan, 3, () => "ok");
    expect(run.peak).toBe(3);
    expect(run.states.every((s) => s.status === "succeeded")).toBe(true);
    expect(run.decisions.filter((d) => d.type === "start_child")).toHaveLength(8);
    expect(run.decisions.filter((d) => d.type === "validate")).toHaveLength(1);
  });

  it("a child failing once then succeeding on its retry still ends in validation", () => {
    const run = drive(chain, 5, (key, attempt) => (key === "b" && attempt === 1 ? "fail" : "ok"));
    expect(summary(run.states)).toEqual({ a: "succeeded/1", b: "succeeded/2", c: "succeeded/1", d: "succeeded/1" });
    expect(run.decisions.at(-1)).toEqual({ type: "validate" });
  });

  it("a child failing twice cancels its dependents and ends in one error", () => {
    const run = drive(chain, 5, (key) => (key === "b" ? "fail" : "ok"));
    expect(summary(run.states)).toEqual({ a: "succeeded/1", b: "failed/2", c: "canceled/0", d: "succeeded/1" });
    expect(run.decisions.filter((d) => d.type === "fail_parent")).toHaveLength(1);
    expect(run.decisions.some((d) => d.type === "validate")).toBe(false);
  });
});
