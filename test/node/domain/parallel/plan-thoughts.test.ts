import { describe, expect, it } from "vitest";
import type { ChildState } from "../../../../src/domain/parallel/child-state";
import { planThought } from "../../../../src/domain/parallel/plan-thoughts";
import { child, item, planOf } from "./plans";

const plan = planOf(item("a", [], { identifier: "ENG-1" }), item("b"), item("c"));

describe("planThought: one thought per change that matters", () => {
  it.each<[string, ChildState, ChildState, string | null]>([
    ["delegated, start not yet reported", child("a"), child("a", "starting", 1), null],
    ["started", child("a", "starting", 1), child("a", "running", 1), "Started ENG-1 Task a."],
    ["started again on its retry", child("a", "starting", 2), child("a", "running", 2), "Started ENG-1 Task a again (attempt 2)."],
    ["failed once and retried", child("a", "running", 1), child("a", "starting", 2, { reason: "lint" }), "ENG-1 Task a failed (lint); retrying once."],
    ["finished", child("a", "running", 1), child("a", "succeeded", 1), "ENG-1 Task a finished."],
    ["finished without a start report", child("a", "starting", 1), child("a", "succeeded", 1), "ENG-1 Task a finished."],
    ["failed for good", child("a", "running", 2), child("a", "failed", 2, { reason: "tests fail" }), "ENG-1 Task a failed after 2 attempts: tests fail"],
    ["failed once while the plan already failed", child("a", "running", 1), child("a", "failed", 1, { reason: "x" }), "ENG-1 Task a failed after 1 attempt: x"],
    ["canceled", child("a"), child("a", "canceled", 0, { reason: "blocked" }), "ENG-1 Task a canceled: blocked"],
    ["canceled with no reason", child("a", "running", 1), child("a", "canceled", 1), "ENG-1 Task a canceled: no reason given"],
    ["a poll that changed nothing", child("a", "running", 1), child("a", "running", 1), null],
  ])("%s", (_name, before, after, thought) => {
    expect(planThought(plan, [before], [after])).toBe(thought);
  });

  it("puts every change of one step in one thought, in plan order", () => {
    const before = [child("a", "running", 2), child("b"), child("c")];
    const after = [child("a", "failed", 2, { reason: "boom" }), child("b", "canceled", 0, { reason: "blocked" }), child("c", "canceled", 0, { reason: "plan failed" })];
    expect(planThought(plan, before, after)).toBe(
      ["ENG-1 Task a failed after 2 attempts: boom", "Task b canceled: blocked", "Task c canceled: plan failed"].join("\n"),
    );
  });

  it("says nothing when a success only delegates the next children", () => {
    expect(planThought(plan, [child("a", "succeeded", 1), child("b")], [child("a", "succeeded", 1), child("b", "starting", 1)])).toBeNull();
  });
});
