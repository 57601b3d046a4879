import { describe, expect, it } from "vitest";
import { agentPlanChanged, agentPlanSteps, VALIDATION_STEP, type AgentPlanStep } from "../../../../src/domain/parallel/agent-plan";
import { child, item, planOf } from "./plans";

const plan = planOf(item("a", [], { identifier: "ENG-1" }), item("b"));

describe("agentPlanSteps: the plan Linear shows on the parent", () => {
  it.each([
    ["pending", child("a"), { content: "ENG-1 Task a", status: "pending" }],
    ["starting", child("a", "starting", 1), { content: "ENG-1 Task a", status: "inProgress" }],
    ["running", child("a", "running", 1), { content: "ENG-1 Task a", status: "inProgress" }],
    ["running its retry", child("a", "running", 2, { reason: "lint" }), { content: "ENG-1 Task a (retry 1)", status: "inProgress" }],
    ["succeeded", child("a", "succeeded", 1), { content: "ENG-1 Task a", status: "completed" }],
    ["failed", child("a", "failed", 2, { reason: "tests fail" }), { content: "ENG-1 Task a (failed: tests fail)", status: "canceled" }],
    ["failed with no reason", child("a", "failed", 2), { content: "ENG-1 Task a (failed: no reason given)", status: "canceled" }],
    ["canceled", child("a", "canceled", 0, { reason: "blocked by X" }), { content: "ENG-1 Task a (canceled: blocked by X)", status: "canceled" }],
  ] as const)("a child %s", (_name, state, step) => {
    expect(agentPlanSteps(plan, [state, child("b")])[0]).toEqual(step);
  });

  it("names an item without a sub-issue by its title, and a child with no state as pending", () => {
    expect(agentPlanSteps(plan, [])[1]).toEqual({ content: "Task b", status: "pending" });
  });

  it("keeps a long or multi-line reason to one readable line", () => {
    const reason = `line one\n\n${"x".repeat(400)}`;
    const content = agentPlanSteps(plan, [child("a", "failed", 2, { reason })])[0]?.content ?? "";
    expect(content).not.toContain("\n");
    expect(content).toMatch(/^ENG-1 Task a \(failed: line one x+…\)$/);
    expect(content.length).toBeLessThan(240);
  });

  it.each([
    ["pending by default", undefined, [child("a", "running", 1)], "pending"],
    ["as the caller says while it runs", "inProgress", [child("a", "succeeded", 1), child("b", "succeeded", 1)], "inProgress"],
    ["completed", "completed", [child("a", "succeeded", 1), child("b", "succeeded", 1)], "completed"],
    ["canceled once a child failed", "pending", [child("a", "failed", 2), child("b", "running", 1)], "canceled"],
    ["canceled once a child was canceled", "inProgress", [child("a", "canceled", 1)], "canceled"],
  ] as const)("ends with the validation step, %s", (_name, validation, states, status) => {
    const steps = agentPlanSteps(plan, [...states], validation);
    expect(steps).toHaveLength(3);
    expect(steps[2]).toEqual({ content: VALIDATION_STEP, status });
  });
});

describe("agentPlanChanged: send agentSessionUpdate only when the plan differs", () => {
  const base: AgentPlanStep[] = [
    { content: "A", status: "pending" },
    { content: "B", status: "inProgress" },
  ];
  it.each([
    ["the same plan", base, false],
    ["a status moved", [base[0], { content: "B", status: "completed" }], true],
    ["a content changed", [{ content: "A (retry 1)", status: "pending" }, base[1]], true],
    ["a step more", [...base, { content: "C", status: "pending" }], true],
    ["a step less", [base[0]], true],
  ] as const)("%s: %s", (_name, after, changed) => {
    expect(agentPlanChanged(base, after as AgentPlanStep[])).toBe(changed);
  });
});
