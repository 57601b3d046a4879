import { describe, expect, it } from "vitest";
import { planTree, type PlanTreeInput, type PlanTreeNode } from "../../../workers/session-history/plan-tree";

/** The tree as indented lines: "key (after x, y)", two spaces a level. */
function lines(nodes: PlanTreeNode[], level = 0): string[] {
  return nodes.flatMap((n) => [`${"  ".repeat(level)}${n.key}${n.after.length ? ` (after ${n.after.join(", ")})` : ""}`, ...lines(n.children, level + 1)]);
}

const item = (key: string, ...dependsOn: string[]): PlanTreeInput => ({ key, dependsOn });

describe("planTree", () => {
  it.each<[string, PlanTreeInput[], string[]]>([
    ["nothing", [], []],
    ["independent sub-tasks are roots in plan order", [item("a"), item("b"), item("c")], ["a", "b", "c"]],
    ["the design's example: the third after the first two", [item("a"), item("b"), item("c", "a", "b")], ["a", "  c (after b)", "b"]],
    ["a chain nests all the way down", [item("a"), item("b", "a"), item("c", "b")], ["a", "  b", "    c"]],
    [
      "a sub-task sits under its deepest dependency, the others named",
      [item("a"), item("b", "a"), item("x"), item("c", "x", "b")],
      ["a", "  b", "    c (after x)", "x"],
    ],
    ["a tie goes to the first dependency listed", [item("a"), item("b"), item("c", "b", "a")], ["a", "b", "  c (after a)"]],
    ["a diamond draws each sub-task once", [item("a"), item("b", "a"), item("c", "a"), item("d", "b", "c")], ["a", "  b", "    d (after c)", "  c"]],
    ["an unknown dependency is named, the sub-task a root", [item("a", "ghost")], ["a (after ghost)"]],
    ["a self dependency is named, never followed", [item("a", "a")], ["a (after a)"]],
    ["a repeated dependency is named once", [item("a"), item("b", "a", "a")], ["a", "  b"]],
    ["a repeated key is drawn once, its first entry kept", [item("a"), item("b", "a"), item("b")], ["a", "  b"]],
    ["a cycle still draws every sub-task once, the edge that closes it named", [item("a", "b"), item("b", "a"), item("c")], ["c", "a (after b)", "  b"]],
  ])("%s", (_name, items, expected) => {
    expect(lines(planTree(items))).toEqual(expected);
  });

  it("places every sub-task exactly once in a wide plan of 15", () => {
    const items = Array.from({ length: 15 }, (_, i) => item(`t${i}`, ...(i === 0 ? [] : [`t${Math.floor((i - 1) / 2)}`, `t${Math.max(0, i - 2)}`])));
    const keys = lines(planTree(items)).map((line) => line.trim().split(" ")[0]);
    expect(keys.sort()).toEqual(items.map((i) => i.key).sort());
  });
});
