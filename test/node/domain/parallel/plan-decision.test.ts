import { describe, expect, it } from "vitest";
import { decidePlan } from "../../../../src/domain/parallel/plan-decision";
import { item } from "./plans";

describe("decidePlan: parallel, one task, or not at all", () => {
  it("runs two or more valid sub-tasks in parallel, keeping the notes", () => {
    const items = [item("a"), item("b", ["a"])];
    expect(decidePlan("proposal", items, ["a note"])).toEqual({
      kind: "parallel",
      plan: { source: "proposal", items },
      notes: ["a note"],
    });
  });

  it.each([
    ["a single proposed sub-task", "proposal", [item("a")], null, "The plan has a single sub-task, so the issue runs as one task, as hybrid-smart would."],
    ["a single sub-issue", "sub-issues", [item("a")], null, "The plan has a single sub-task, so the issue runs as one task, as hybrid-smart would."],
    ["no proposed sub-task", "proposal", [], null, "The planner proposed no sub-tasks, so the issue runs as one task, as hybrid-smart would."],
    ["no sub-issue left", "sub-issues", [], null, "The issue has no sub-issues to run, so the issue runs as one task, as hybrid-smart would."],
    ["a declined split", "proposal", [], "it is a one-line fix", "The planner declined to split this issue (it is a one-line fix), so the issue runs as one task, as hybrid-smart would."],
    ["a declined split with a blank reason", "proposal", [], "  ", "The planner declined to split this issue, so the issue runs as one task, as hybrid-smart would."],
    ["a declined split wins over tasks", "proposal", [item("a"), item("b")], "too small", "The planner declined to split this issue (too small), so the issue runs as one task, as hybrid-smart would."],
  ] as const)("%s runs as hybrid-smart and says so", (_name, source, items, declined, reason) => {
    expect(decidePlan(source, [...items], [], declined)).toEqual({ kind: "single", reason, notes: [] });
  });

  it("refuses a plan that cannot run, even a single task", () => {
    expect(decidePlan("proposal", [item("a", ["a"])], ["n"])).toEqual({ kind: "invalid", problems: ['"a" depends on itself'], notes: ["n"] });
  });
});
