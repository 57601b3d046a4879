import { describe, expect, it } from "vitest";
import { startedStateToMoveTo, type IssueStateSnapshot } from "../../../src/domain/issue-start";

const APP = "app-user-uuid";

const TEAM_STATES: IssueStateSnapshot["teamStates"] = [
  { id: "st-backlog", name: "Backlog", type: "backlog", position: 0 },
  { id: "st-todo", name: "Todo", type: "unstarted", position: 1 },
  { id: "st-review", name: "In Review", type: "started", position: 3 },
  { id: "st-progress", name: "In Progress", type: "started", position: 2 },
  { id: "st-done", name: "Done", type: "completed", position: 4 },
  { id: "st-canceled", name: "Canceled", type: "canceled", position: 5 },
];

describe("startedStateToMoveTo", () => {
  it("moves an unstarted issue delegated to the app to the lowest-position started state", () => {
    expect(startedStateToMoveTo({ delegateId: APP, stateType: "unstarted", teamStates: TEAM_STATES }, APP)).toEqual({
      id: "st-progress",
      name: "In Progress",
    });
  });

  it.each(["backlog", "unstarted", "triage", null, undefined])("moves from state type %s", (stateType) => {
    expect(startedStateToMoveTo({ delegateId: APP, stateType, teamStates: TEAM_STATES }, APP)?.id).toBe("st-progress");
  });

  it.each([
    ["someone else", "user-uuid"],
    ["nobody", null],
    ["undefined", undefined],
  ])("leaves the issue alone when delegated to %s", (_label, delegateId) => {
    expect(startedStateToMoveTo({ delegateId, stateType: "unstarted", teamStates: TEAM_STATES }, APP)).toBeNull();
  });

  it.each(["started", "completed", "canceled", "duplicate"])("leaves an issue that is already %s alone", (stateType) => {
    expect(startedStateToMoveTo({ delegateId: APP, stateType, teamStates: TEAM_STATES }, APP)).toBeNull();
  });

  it("returns null when the team has no started state", () => {
    const teamStates = TEAM_STATES.filter((s) => s.type !== "started");
    expect(startedStateToMoveTo({ delegateId: APP, stateType: "unstarted", teamStates }, APP)).toBeNull();
    expect(startedStateToMoveTo({ delegateId: APP, stateType: "unstarted", teamStates: [] }, APP)).toBeNull();
  });

  it("picks by position, not by list order, including negative and fractional positions", () => {
    const teamStates = [
      { id: "a", name: "A", type: "started", position: 10 },
      { id: "b", name: "B", type: "started", position: -1.5 },
      { id: "c", name: "C", type: "started", position: 0 },
    ];
    expect(startedStateToMoveTo({ delegateId: APP, stateType: "unstarted", teamStates }, APP)).toEqual({ id: "b", name: "B" });
  });

  it("does not reorder the caller's team states", () => {
    const teamStates = TEAM_STATES.map((s) => ({ ...s }));
    const before = teamStates.map((s) => s.id);
    startedStateToMoveTo({ delegateId: APP, stateType: "unstarted", teamStates }, APP);
    expect(teamStates.map((s) => s.id)).toEqual(before);
  });
});
