import { describe, expect, it } from "vitest";
import { parallelIntent, subIssuesFromRefs } from "../../../../src/domain/parallel/intent";

const root = { id: "P", parent: null };
const refs = [
  { id: "A", identifier: "ENG-2", title: "API", description: null, stateType: "unstarted", blocks: ["C"], blockedBy: [] },
  { id: "B", identifier: "ENG-3", title: "UI", description: null, stateType: "unstarted", blocks: ["C"], blockedBy: [] },
  { id: "C", identifier: "ENG-4", title: "Wire up", description: null, stateType: "unstarted", blocks: [], blockedBy: ["A", "B"] },
];

describe("parallelIntent", () => {
  it.each([
    ["another strategy: nothing", "hybrid-smart", root, [], false, null],
    ["a sub-issue never splits", "hybrid-parallel", { id: "C", parent: { id: "P", parent: null } }, [], false, null],
    ["a grandchild runs plain", "hybrid-parallel", { id: "G", parent: { id: "C", parent: { id: "P" } } }, [], false, null],
    ["no sub-issues: a planner first", "hybrid-parallel", root, [], false, "needs-planner"],
    ["sub-issues: they are the plan", "hybrid-parallel", root, refs, false, "plan"],
  ])("%s", (_, strategy, issue, subs, more, kind) => {
    const intent = parallelIntent({ strategy, issue, subIssues: subIssuesFromRefs(subs), moreSubIssues: more });
    expect(intent?.kind ?? null).toBe(kind);
  });

  it("reads the blocks relations as dependencies, counted once", () => {
    const intent = parallelIntent({ strategy: "hybrid-parallel", issue: root, subIssues: subIssuesFromRefs(refs), moreSubIssues: false });
    expect(intent?.kind).toBe("plan");
    const decision = intent?.kind === "plan" ? intent.decision : null;
    expect(decision?.kind).toBe("parallel");
    const items = decision?.kind === "parallel" ? decision.plan.items : [];
    expect(items.map((i) => [i.key, i.dependsOn.sort()])).toEqual([["A", []], ["B", []], ["C", ["A", "B"]]]);
  });

  it("refuses more sub-issues than a run takes", () => {
    const intent = parallelIntent({ strategy: "hybrid-parallel", issue: root, subIssues: subIssuesFromRefs(refs), moreSubIssues: true });
    expect(intent?.kind === "plan" && intent.decision.kind).toBe("invalid");
  });
});
