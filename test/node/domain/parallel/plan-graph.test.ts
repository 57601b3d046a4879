import { describe, expect, it } from "vitest";
import { findCycle, planGraphProblems, transitiveDependents } from "../../../../src/domain/parallel/plan-graph";
import { item } from "./plans";

describe("planGraphProblems: every reason a plan cannot run", () => {
  it.each([
    ["independent tasks", [item("a"), item("b")], []],
    ["a chain", [item("a"), item("b", ["a"]), item("c", ["b"])], []],
    ["a diamond", [item("a"), item("b", ["a"]), item("c", ["a"]), item("d", ["b", "c"])], []],
    ["a repeated key", [item("a"), item("a"), item("b")], ['the key "a" is used by 2 sub-tasks']],
    ["an unknown dependency", [item("a", ["z"])], ['"a" depends on "z", which is not in the plan']],
    ["a self-dependency", [item("a", ["a"])], ['"a" depends on itself']],
    ["a two-step cycle", [item("a", ["b"]), item("b", ["a"])], ['dependency cycle (each waits for the next): "a" → "b" → "a"']],
    [
      "a cycle behind a free task",
      [item("x"), item("a", ["x", "c"]), item("b", ["a"]), item("c", ["b"])],
      ['dependency cycle (each waits for the next): "a" → "c" → "b" → "a"'],
    ],
    ["a cycle named by identifiers", [item("id1", ["id2"], { identifier: "ENG-1" }), item("id2", ["id1"], { identifier: "ENG-2" })], [
      'dependency cycle (each waits for the next): "ENG-1" → "ENG-2" → "ENG-1"',
    ]],
    ["16 tasks", Array.from({ length: 16 }, (_, i) => item(`t${i}`)), ["the plan has 16 sub-tasks; at most 15 are allowed"]],
    ["15 tasks", Array.from({ length: 15 }, (_, i) => item(`t${i}`)), []],
    [
      "several problems at once",
      [item("a", ["a", "q"]), item("b", ["c"]), item("c", ["b"])],
      ['"a" depends on itself', '"a" depends on "q", which is not in the plan', 'dependency cycle (each waits for the next): "b" → "c" → "b"'],
    ],
  ])("%s", (_name, items, problems) => {
    expect(planGraphProblems(items)).toEqual(problems);
  });

  it("finds no cycle in self-dependencies or unknown keys alone", () => {
    expect(findCycle([item("a", ["a"]), item("b", ["nope"])])).toBeNull();
  });
});

describe("transitiveDependents: who cannot start when a task fails", () => {
  const items = [item("a"), item("b", ["a"]), item("c", ["b"]), item("d"), item("e", ["d", "c"]), item("f", ["a"])];
  it.each([
    ["a root of two chains", "a", ["b", "c", "e", "f"]],
    ["the middle of a chain", "b", ["c", "e"]],
    ["an independent task", "d", ["e"]],
    ["a leaf", "e", []],
    ["an unknown key", "z", []],
  ] as const)("%s", (_name, key, dependents) => {
    expect([...transitiveDependents(items, key)].sort()).toEqual(dependents);
  });
});
