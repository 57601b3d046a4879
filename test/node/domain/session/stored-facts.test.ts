import { describe, expect, it } from "vitest";
import { ParallelFactsSchema, ParentLinkSchema, readStored } from "../../../../src/domain/session/stored-facts";

const link = { parentIssueId: "p", parentSessionId: "s", mergeBranches: ["cyrus/eng-2"] };
const run = { status: "running", plan: { source: "sub-issues", items: [] }, children: [], links: {}, plannerAttemptKey: null, validation: null, startedAt: 1, endedAt: null };

describe("readStored", () => {
  it.each([
    ["absent", null, null],
    ["not JSON", "{oops", null],
    ["another shape", JSON.stringify({ parentIssueId: 1 }), null],
    ["the shape", JSON.stringify(link), link],
  ])("a parent link that is %s", (_, value, expected) => {
    expect(readStored(ParentLinkSchema, value)).toEqual(expected);
  });

  it("reads a parallel run back whole, and refuses one with an unknown child status", () => {
    expect(readStored(ParallelFactsSchema, JSON.stringify(run))).toEqual(run);
    const damaged = { ...run, children: [{ key: "a", status: "exploded", attempts: 1, reason: null, startedAt: null, endedAt: null }] };
    expect(readStored(ParallelFactsSchema, JSON.stringify(damaged))).toBeNull();
  });
});
