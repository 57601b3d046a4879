import { describe, expect, it } from "vitest";
import { planFromSubIssues, SubIssueSchema, type IssueRelation, type SubIssue } from "../../../../src/domain/parallel/plan-from-sub-issues";

/** `blocks("ENG-1", "ENG-2")`: ENG-1 blocks ENG-2, as Linear's IssueRelation says it. */
function blocks(blocker: string, blocked: string, type = "blocks"): IssueRelation {
  return { id: `rel-${blocker}-${blocked}`, type, issue: { id: blocker, identifier: blocker }, relatedIssue: { id: blocked, identifier: blocked } };
}

function sub(identifier: string, extra: Partial<SubIssue> = {}): SubIssue {
  return { id: identifier, identifier, title: `Title ${identifier}`, description: `Body ${identifier}`, ...extra };
}

/** Each relation appears where Linear puts it: in the blocker's `relations` and the blocked one's `inverseRelations`. */
function withRelations(subs: SubIssue[], relations: IssueRelation[]): SubIssue[] {
  return subs.map((s) => ({
    ...s,
    relations: { nodes: relations.filter((r) => r.issue.id === s.id) },
    inverseRelations: { nodes: relations.filter((r) => r.relatedIssue.id === s.id) },
  }));
}

function deps(decision: ReturnType<typeof planFromSubIssues>): Record<string, string[]> {
  if (decision.kind !== "parallel") throw new Error(`expected a parallel plan, got ${JSON.stringify(decision)}`);
  return Object.fromEntries(decision.plan.items.map((i) => [i.identifier, i.dependsOn]));
}

describe("planFromSubIssues: existing sub-issues and their blocks relations", () => {
  it("makes one item per sub-issue, keyed by its Linear id", () => {
    const decision = planFromSubIssues([sub("ENG-2"), sub("ENG-3", { description: null })]);
    expect(decision).toEqual({
      kind: "parallel",
      notes: [],
      plan: {
        source: "sub-issues",
        items: [
          { key: "ENG-2", title: "Title ENG-2", description: "Body ENG-2", acceptanceCriteria: [], dependsOn: [], issueId: "ENG-2", identifier: "ENG-2", completedInLinear: false },
          { key: "ENG-3", title: "Title ENG-3", description: "", acceptanceCriteria: [], dependsOn: [], issueId: "ENG-3", identifier: "ENG-3", completedInLinear: false },
        ],
      },
    });
  });

  it.each([
    ["seen from both ends", withRelations([sub("A"), sub("B"), sub("C")], [blocks("A", "C"), blocks("B", "C")]), { A: [], B: [], C: ["A", "B"] }],
    ["seen only in the blocker's relations", [sub("A", { relations: { nodes: [blocks("A", "B")] } }), sub("B")], { A: [], B: ["A"] }],
    ["seen only in the blocked one's inverseRelations", [sub("A"), sub("B", { inverseRelations: { nodes: [blocks("A", "B")] } })], { A: [], B: ["A"] }],
    ["a chain", withRelations([sub("A"), sub("B"), sub("C")], [blocks("A", "B"), blocks("B", "C")]), { A: [], B: ["A"], C: ["B"] }],
    ["related and duplicate relations order nothing", withRelations([sub("A"), sub("B")], [blocks("A", "B", "related"), blocks("B", "A", "duplicate")]), { A: [], B: [] }],
  ])("reads a blocks relation %s", (_name, subs, expected) => {
    expect(deps(planFromSubIssues(subs))).toEqual(expected);
  });

  it("orders items by Linear's sub-issue order, unordered ones last in the order read", () => {
    const decision = planFromSubIssues([
      sub("D"),
      sub("B", { subIssueSortOrder: 2 }),
      sub("E"),
      sub("A", { subIssueSortOrder: -1 }),
    ]);
    expect(Object.keys(deps(decision))).toEqual(["A", "B", "D", "E"]);
  });

  it("ignores relations that reach outside the plan, saying why", () => {
    const outside = { ...blocks("ENG-99", "A"), issue: { id: "ENG-99", identifier: "ENG-99" } };
    const parent = { ...blocks("B", "P-1"), relatedIssue: { id: "P-1", identifier: null } };
    const decision = planFromSubIssues([sub("A", { inverseRelations: { nodes: [outside] } }), sub("B", { relations: { nodes: [parent] } })]);
    expect(decision.notes).toEqual([
      'ignored "ENG-99 blocks A": ENG-99 is not a sub-issue of this issue',
      'ignored "B blocks P-1": P-1 is not a sub-issue of this issue',
    ]);
    expect(deps(decision)).toEqual({ A: [], B: [] });
  });

  it("leaves canceled and duplicate sub-issues out, with the relations that reach them", () => {
    const subs = withRelations(
      [sub("A"), sub("B", { state: { type: "canceled" } }), sub("C"), sub("D", { state: { type: "duplicate" } })],
      [blocks("B", "C")],
    );
    const decision = planFromSubIssues(subs);
    expect(decision.notes).toEqual([
      "B is canceled in Linear and is left out of the plan",
      "D is duplicate in Linear and is left out of the plan",
      'ignored "B blocks C": B is left out of the plan',
    ]);
    expect(deps(decision)).toEqual({ A: [], C: [] });
  });

  it("keeps a sub-issue completed in Linear as already done", () => {
    const decision = planFromSubIssues([sub("A", { state: { type: "completed" } }), sub("B", { state: { type: "started" } })]);
    if (decision.kind !== "parallel") throw new Error("expected a parallel plan");
    expect(decision.plan.items.map((i) => i.completedInLinear)).toEqual([true, false]);
  });

  it.each([
    ["one sub-issue", "single", [sub("A")]],
    ["two, one of them canceled", "single", [sub("A"), sub("B", { state: { type: "canceled" } })]],
    ["16 sub-issues", "invalid", Array.from({ length: 16 }, (_, i) => sub(`S-${i}`))],
    ["a cycle of blocks", "invalid", withRelations([sub("A"), sub("B")], [blocks("A", "B"), blocks("B", "A")])],
  ] as const)("%s: %s", (_name, kind, subs) => {
    expect(planFromSubIssues([...subs]).kind).toBe(kind);
  });

  it("names a cycle by identifiers, not by Linear ids", () => {
    const uuid = (identifier: string) => ({ id: `uuid-${identifier}` });
    const relation = (blocker: string, blocked: string): IssueRelation => ({ id: `r-${blocker}`, type: "blocks", issue: uuid(blocker), relatedIssue: uuid(blocked) });
    const decision = planFromSubIssues([
      sub("A", { ...uuid("A"), relations: { nodes: [relation("A", "B")] } }),
      sub("B", { ...uuid("B"), relations: { nodes: [relation("B", "A")] } }),
    ]);
    // A waits for B (B blocks A), which waits for A.
    expect(decision).toEqual({ kind: "invalid", problems: ['dependency cycle (each waits for the next): "A" → "B" → "A"'], notes: [] });
  });
});

describe("SubIssueSchema: the children as Linear's GraphQL returns them", () => {
  it("reads a child with relations and lets unknown fields through", () => {
    const raw = {
      id: "u1",
      identifier: "ENG-7",
      title: "Add the API",
      description: null,
      subIssueSortOrder: 12.5,
      state: { type: "unstarted", name: "Todo" },
      priority: 2,
      relations: { nodes: [{ id: "r1", type: "blocks", issue: { id: "u1" }, relatedIssue: { id: "u2", identifier: "ENG-8" } }] },
      inverseRelations: { nodes: [] },
    };
    const parsed = SubIssueSchema.parse(raw);
    expect(parsed.relations?.nodes[0]?.relatedIssue).toEqual({ id: "u2", identifier: "ENG-8" });
  });

  it("refuses a relation without its ends", () => {
    expect(SubIssueSchema.safeParse({ id: "u1", identifier: "E-1", title: "t", relations: { nodes: [{ id: "r", type: "blocks" }] } }).success).toBe(false);
  });
});
