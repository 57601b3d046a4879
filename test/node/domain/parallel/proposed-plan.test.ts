import { describe, expect, it } from "vitest";
import { planFromProposal, proposedPlanJsonSchema } from "../../../../src/domain/parallel/proposed-plan";

const task = (key: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}) => ({
  key,
  title: `Task ${key}`,
  description: `Do ${key}`,
  acceptanceCriteria: [`${key} works`],
  dependsOn,
  ...extra,
});

describe("planFromProposal: the planner's structured output", () => {
  it("turns valid sub-tasks into plan items in the planner's order", () => {
    const decision = planFromProposal({ subtasks: [task("api"), task("ui", ["api", "api"]), task("docs")] });
    expect(decision).toEqual({
      kind: "parallel",
      notes: [],
      plan: {
        source: "proposal",
        items: [
          { key: "api", title: "Task api", description: "Do api", acceptanceCriteria: ["api works"], dependsOn: [], issueId: null, identifier: null, completedInLinear: false },
          { key: "ui", title: "Task ui", description: "Do ui", acceptanceCriteria: ["ui works"], dependsOn: ["api"], issueId: null, identifier: null, completedInLinear: false },
          { key: "docs", title: "Task docs", description: "Do docs", acceptanceCriteria: ["docs works"], dependsOn: [], issueId: null, identifier: null, completedInLinear: false },
        ],
      },
    });
  });

  it("defaults missing criteria and dependencies, and lets unknown fields through", () => {
    const decision = planFromProposal({
      subtasks: [
        { key: "a", title: "A", description: "", extra: 1 },
        { key: "b", title: "B", description: "" },
      ],
      confidence: "high",
    });
    expect(decision.kind).toBe("parallel");
    if (decision.kind === "parallel") expect(decision.plan.items.map((i) => [i.acceptanceCriteria, i.dependsOn])).toEqual([[[], []], [[], []]]);
  });

  it.each([
    ["one sub-task", { subtasks: [task("a")] }, "The plan has a single sub-task, so the issue runs as one task, as hybrid-smart would.", []],
    ["no sub-task", { subtasks: [] }, "The planner proposed no sub-tasks, so the issue runs as one task, as hybrid-smart would.", []],
    [
      "a declined split",
      { subtasks: [], declineReason: "a one-line fix" },
      "The planner declined to split this issue (a one-line fix), so the issue runs as one task, as hybrid-smart would.",
      [],
    ],
    [
      "a decline that also proposes tasks",
      { subtasks: [task("a"), task("b")], declineReason: "small" },
      "The planner declined to split this issue (small), so the issue runs as one task, as hybrid-smart would.",
      ["the planner declined and also proposed 2 sub-tasks; they are ignored"],
    ],
  ])("%s runs as hybrid-smart", (_name, raw, reason, notes) => {
    expect(planFromProposal(raw)).toEqual({ kind: "single", reason, notes });
  });

  it.each([
    ["a cycle", { subtasks: [task("a", ["b"]), task("b", ["a"])] }, ['dependency cycle (each waits for the next): "a" → "b" → "a"']],
    ["a self-dependency", { subtasks: [task("a", ["a"]), task("b")] }, ['"a" depends on itself']],
    ["an unknown dependency", { subtasks: [task("a", ["zz"]), task("b")] }, ['"a" depends on "zz", which is not in the plan']],
    ["a repeated key", { subtasks: [task("a"), task("a")] }, ['the key "a" is used by 2 sub-tasks']],
    ["16 sub-tasks", { subtasks: Array.from({ length: 16 }, (_, i) => task(`t${i}`)) }, ["the plan has 16 sub-tasks; at most 15 are allowed"]],
  ])("refuses %s, saying which", (_name, raw, problems) => {
    expect(planFromProposal(raw)).toEqual({ kind: "invalid", problems, notes: [] });
  });

  it.each([
    ["not an object", "split it please", "plan: "],
    ["no subtasks", {}, "subtasks: "],
    ["a key with spaces", { subtasks: [task("a b"), task("c")] }, "subtasks.0.key: a key is 1-64 letters"],
    ["an empty title", { subtasks: [task("a", [], { title: "  " }), task("c")] }, "subtasks.0.title: "],
    ["a missing description", { subtasks: [{ key: "a", title: "A" }, task("c")] }, "subtasks.0.description: "],
    ["dependencies that are not a list", { subtasks: [task("a", [], { dependsOn: "c" }), task("c")] }, "subtasks.0.dependsOn: "],
    ["a blank decline reason", { subtasks: [], declineReason: " " }, "declineReason: "],
  ])("refuses an answer with %s, naming the field", (_name, raw, problem) => {
    const decision = planFromProposal(raw);
    expect(decision.kind).toBe("invalid");
    if (decision.kind !== "invalid") return;
    expect(decision.problems[0]).toBe("the planner's answer does not match the plan schema");
    expect(decision.problems[1]).toContain(problem);
  });
});

describe("proposedPlanJsonSchema: the schema handed to the planner", () => {
  it("requires every field of a sub-task and allows a decline reason", () => {
    const schema = proposedPlanJsonSchema() as {
      type: string;
      required: string[];
      properties: { subtasks: { items: { required: string[] } }; declineReason: { type: string } };
    };
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(["subtasks"]);
    expect(schema.properties.subtasks.items.required).toEqual(["key", "title", "description", "acceptanceCriteria", "dependsOn"]);
    expect(schema.properties.declineReason.type).toBe("string");
  });
});
