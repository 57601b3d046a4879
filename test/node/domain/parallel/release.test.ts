import { describe, expect, it } from "vitest";
import { childStatesByKey, initialChildStates, isChildActive, isChildFinal } from "../../../../src/domain/parallel/child-state";
import { childrenToRelease } from "../../../../src/domain/parallel/release";
import { child, children, item, planOf } from "./plans";

const independent8 = planOf(...["a", "b", "c", "d", "e", "f", "g", "h"].map((key) => item(key)));
const diamond = planOf(item("a"), item("b", ["a"]), item("c", ["a"]), item("d", ["b", "c"]));

describe("childrenToRelease: blockers succeeded, room under the cap, plan order", () => {
  it.each([
    ["the first wave of independent children, up to the cap", independent8, {}, 3, ["a", "b", "c"]],
    ["all of them when the cap allows", independent8, {}, 8, ["a", "b", "c", "d", "e", "f", "g", "h"]],
    [
      "only the room left by running and starting children",
      independent8,
      { a: "running/1", b: "starting/1", c: "succeeded/1" },
      3,
      ["d"],
    ],
    ["nothing when the cap is full", independent8, { a: "running/1", b: "running/2", c: "starting/1" }, 3, []],
    ["the root of a diamond alone", diamond, {}, 5, ["a"]],
    ["nothing while a blocker runs", diamond, { a: "running/1" }, 5, []],
    ["both middles once the root succeeded", diamond, { a: "succeeded/1" }, 5, ["b", "c"]],
    ["not the join while one middle runs", diamond, { a: "succeeded/1", b: "succeeded/1", c: "running/1" }, 5, []],
    ["the join when both middles succeeded", diamond, { a: "succeeded/1", b: "succeeded/1", c: "succeeded/2" }, 5, ["d"]],
    ["nothing once a child failed for good", diamond, { a: "succeeded/1", b: "failed/2" }, 5, []],
    ["nothing once a child was canceled", independent8, { a: "canceled/1" }, 5, []],
    ["a child whose blocker Linear already has completed", planOf(item("a", [], { completedInLinear: true }), item("b", ["a"])), {}, 5, ["b"]],
  ])("%s", (_name, plan, spec, max, released) => {
    const given = children(spec as Record<string, string>);
    expect(childrenToRelease(plan, given, max)).toEqual(released);
  });

  it("never releases a child whose blocker is missing from the plan", () => {
    expect(childrenToRelease(planOf(item("a", ["ghost"])), [], 5)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses a cap of %s", (max) => {
    expect(() => childrenToRelease(independent8, [], max)).toThrow(RangeError);
  });
});

describe("child states", () => {
  it("start pending, or succeeded when Linear already has them completed", () => {
    const plan = planOf(item("a"), item("b", [], { completedInLinear: true }));
    expect(initialChildStates(plan)).toEqual([child("a", "pending"), child("b", "succeeded")]);
  });

  it("are read by key in plan order, a missing one as its initial state", () => {
    const plan = planOf(item("a"), item("b"));
    const byKey = childStatesByKey(plan, [child("b", "running", 1), child("stray", "running", 1)]);
    expect([...byKey.values()]).toEqual([child("a", "pending"), child("b", "running", 1)]);
  });

  it.each([
    ["pending", false, false],
    ["starting", true, false],
    ["running", true, false],
    ["succeeded", false, true],
    ["failed", false, true],
    ["canceled", false, true],
  ] as const)("%s: active %s, final %s", (status, active, final) => {
    expect(isChildActive(status)).toBe(active);
    expect(isChildFinal(status)).toBe(final);
  });
});
