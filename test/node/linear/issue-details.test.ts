/**
 * subIssueRefs: an issue's sub-issues with their `blocks` edges, read from
 * both ends of each relation and counted once.
 */
import { describe, expect, it } from "vitest";
import { type ChildIssue, subIssueRefs } from "../../../src/linear/issue-details";

const child = (id: string, extra: Partial<ChildIssue> = {}): ChildIssue => ({ id, identifier: id.toUpperCase(), ...extra });
const out = (type: string, to: string) => ({ type, relatedIssue: { id: to } });
const inn = (type: string, from: string) => ({ type, issue: { id: from } });

describe("subIssueRefs", () => {
  it.each([
    {
      name: "no relations",
      children: [child("a"), child("b")],
      edges: { a: [[], []], b: [[], []] },
    },
    {
      name: "a sibling edge seen from both ends counts once",
      children: [child("a", { relations: { nodes: [out("blocks", "b")] } }), child("b", { inverseRelations: { nodes: [inn("blocks", "a")] } })],
      edges: { a: [["b"], []], b: [[], ["a"]] },
    },
    {
      name: "only one end read (older snapshot of the blocker, say) still gives the edge",
      children: [child("a"), child("b", { inverseRelations: { nodes: [inn("blocks", "a")] } })],
      edges: { a: [["b"], []], b: [[], ["a"]] },
    },
    {
      name: "related, duplicate and similar are not dependencies",
      children: [child("a", { relations: { nodes: [out("related", "b"), out("duplicate", "b")] } }), child("b", { inverseRelations: { nodes: [inn("similar", "a")] } })],
      edges: { a: [[], []], b: [[], []] },
    },
    {
      name: "a blocker outside the tree is kept",
      children: [child("a", { inverseRelations: { nodes: [inn("blocks", "x")] } })],
      edges: { a: [[], ["x"]] },
    },
    {
      name: "fan-in: two blockers of one sub-issue, in reading order",
      children: [child("a", { relations: { nodes: [out("blocks", "c")] } }), child("b", { relations: { nodes: [out("blocks", "c")] } }), child("c")],
      edges: { a: [["c"], []], b: [["c"], []], c: [[], ["a", "b"]] },
    },
  ])("$name", ({ children, edges }) => {
    const refs = subIssueRefs({ children: { nodes: children } });
    expect(Object.fromEntries(refs.map((r) => [r.id, [r.blocks, r.blockedBy]]))).toEqual(edges);
  });

  it("fills what an older snapshot lacks: the identifier for the title, nulls elsewhere", () => {
    const [ref] = subIssueRefs({ children: { nodes: [child("a", { title: undefined, state: { id: "s", name: "Todo", type: "unstarted" }, delegate: { id: "app" } })] } });
    expect(ref).toEqual({ id: "a", identifier: "A", title: "A", description: null, stateType: "unstarted", delegateId: "app", blocks: [], blockedBy: [] });
  });
});
