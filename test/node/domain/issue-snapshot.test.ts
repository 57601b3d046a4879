import { describe, expect, it } from "vitest";
import { issueHeadline, parseIssueSnapshot } from "../../../src/domain/issue-snapshot";

const ISSUE = {
  id: "issue-1",
  identifier: "ENG-1",
  title: "Fix the login",
  description: "It fails",
  url: "https://linear.app/x/issue/ENG-1",
  priority: 2,
  estimate: null,
  team: { id: "t", key: "ENG", name: "Eng", states: { nodes: [{ id: "s", name: "Todo", type: "unstarted", position: 1 }] } },
  state: { id: "s", name: "Todo", type: "unstarted" },
  labels: { nodes: [{ id: "l", name: "bug" }] },
  project: null,
  delegate: null,
  parent: null,
  children: { nodes: [] },
};

describe("parseIssueSnapshot: meta.issue read back with Linear's schema", () => {
  it("reads what prepareSession stored", () => {
    expect(parseIssueSnapshot(JSON.stringify(ISSUE))).toEqual(ISSUE);
  });

  it.each([
    ["missing", null],
    ["undefined", undefined],
    ["empty", ""],
    ["not JSON", "{nope"],
    ["not an object", "42"],
    ["a partial issue", JSON.stringify({ identifier: "ENG-1", title: "x" })],
    ["a wrong type", JSON.stringify({ ...ISSUE, title: 7 })],
  ] as const)("%s reads as null", (_name, json) => {
    expect(parseIssueSnapshot(json)).toBeNull();
  });
});

describe("issueHeadline: the session's copy first, then the snapshot", () => {
  const NONE = { issueId: null, issueIdentifier: null, issueTitle: null };
  it.each([
    ["the snapshot alone", ISSUE, NONE, { id: "issue-1", identifier: "ENG-1", title: "Fix the login", description: "It fails", url: ISSUE.url }],
    [
      "the session's identifier and title win",
      ISSUE,
      { issueId: "issue-9", issueIdentifier: "ENG-9", issueTitle: "Renamed" },
      { id: "issue-9", identifier: "ENG-9", title: "Renamed", description: "It fails", url: ISSUE.url },
    ],
    ["no snapshot: the session's copy", null, { issueId: "i", issueIdentifier: "ENG-2", issueTitle: "T" }, { id: "i", identifier: "ENG-2", title: "T", description: null, url: null }],
    ["no snapshot, no title: the identifier", null, { issueId: "i", issueIdentifier: "ENG-2", issueTitle: null }, { id: "i", identifier: "ENG-2", title: "ENG-2", description: null, url: null }],
    ["nothing at all", null, NONE, { id: "", identifier: "issue", title: "issue", description: null, url: null }],
  ] as const)("%s", (_name, snapshot, session, headline) => {
    expect(issueHeadline(snapshot, session)).toEqual(headline);
  });
});
