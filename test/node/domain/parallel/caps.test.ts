import { describe, expect, it } from "vitest";
import {
  checkMayDelegate,
  checkMaySplit,
  checkPlanSize,
  depthRole,
  type IssueAncestry,
} from "../../../../src/domain/parallel/caps";

const root: IssueAncestry = { id: "P", parent: null };
const childOfRoot: IssueAncestry = { id: "C", parent: { id: "P", parent: null } };
const grandchild: IssueAncestry = { id: "G", parent: { id: "C", parent: { id: "P" } } };

describe("depth: one level of children, no more", () => {
  it.each([
    ["an issue with no parent", root, "root", true],
    ["a sub-issue of a root", childOfRoot, "child", false],
    ["a sub-issue of a sub-issue", grandchild, "plain", false],
  ] as const)("%s is a %s (may split: %s)", (_name, issue, role, maySplit) => {
    expect(depthRole(issue)).toBe(role);
    expect(checkMaySplit(issue).ok).toBe(maySplit);
  });

  it("says why a child and a grandchild do not split", () => {
    expect(checkMaySplit(childOfRoot)).toEqual({ ok: false, reason: expect.stringContaining("a child never splits again") });
    expect(checkMaySplit(grandchild)).toEqual({ ok: false, reason: expect.stringContaining("runs as a plain task") });
  });
});

describe("delegation: a session delegates only its own children", () => {
  it.each([
    ["a root delegates its sub-issue", root, { id: "C", parentId: "P" }, null],
    ["a root never delegates itself", root, { id: "P", parentId: null }, "a session never delegates its own issue"],
    ["a child never delegates itself", childOfRoot, { id: "C", parentId: "P" }, "a session never delegates its own issue"],
    ["a child never delegates its parent", childOfRoot, { id: "P", parentId: null }, "a child never delegates its parent"],
    ["a child never delegates a sibling", childOfRoot, { id: "S", parentId: "P" }, "only an issue with no parent delegates sub-issues"],
    ["a child never delegates its own sub-issue", childOfRoot, { id: "G", parentId: "C" }, "only an issue with no parent delegates sub-issues"],
    ["a grandchild never delegates its parent", grandchild, { id: "C", parentId: "P" }, "a child never delegates its parent"],
    ["a root never delegates another issue's sub-issue", root, { id: "X", parentId: "Q" }, "a session delegates only its own sub-issues"],
    ["a root never delegates an unrelated issue", root, { id: "X", parentId: null }, "a session delegates only its own sub-issues"],
  ] as const)("%s", (_name, from, target, reason) => {
    expect(checkMayDelegate(from, target)).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});

describe("plan size: at most 15 sub-tasks", () => {
  it.each([
    [0, true],
    [15, true],
    [16, false],
  ] as const)("%i sub-tasks: ok %s", (count, ok) => {
    const check = checkPlanSize(count);
    expect(check.ok).toBe(ok);
    if (!check.ok) expect(check.reason).toBe("the plan has 16 sub-tasks; at most 15 are allowed");
  });
});
