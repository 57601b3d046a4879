import { describe, expect, it } from "vitest";
import { createMayHaveLanded, nextCloudCreateStep, type CloudCreateStep, type CreateAnswer, type CreatingExecution } from "../../../src/domain/cloud-create";

const SENT_AT = 1_764_000_000_000;

describe("nextCloudCreateStep: what to do with the execution a start job finds", () => {
  const cases: Array<[string, CreatingExecution, boolean, CloudCreateStep]> = [
    ["a fresh intent, nothing sent yet", { state: "creating", runId: null, createSentAt: null }, false, "create"],
    ["a create sent and never answered (a crash between the call and its answer)", { state: "creating", runId: null, createSentAt: SENT_AT }, false, "look-up-then-create"],
    ["a create whose answer was lost, recorded as uncertain", { state: "creating", runId: null, createSentAt: SENT_AT }, true, "look-up-then-create"],
    ["an uncertain job from before sends were recorded", { state: "creating", runId: null, createSentAt: null }, true, "look-up-then-create"],
    ["a clean refusal last time (the record was cleared)", { state: "creating", runId: null, createSentAt: null }, false, "create"],
    ["a run already adopted", { state: "running", runId: 7, createSentAt: SENT_AT }, false, "nothing"],
    ["a run id stored but the state not yet moved", { state: "creating", runId: 7, createSentAt: SENT_AT }, true, "nothing"],
    ["a timed-out run", { state: "timed_out", runId: 7, createSentAt: null }, false, "nothing"],
    ["an execution that ended before a run started", { state: "ended", runId: null, createSentAt: SENT_AT }, true, "nothing"],
    ["an execution stopped before a run started", { state: "stopped", runId: null, createSentAt: null }, false, "nothing"],
  ];
  it.each(cases)("%s", (_label, execution, uncertain, step) => {
    expect(nextCloudCreateStep(execution, uncertain)).toBe(step);
  });
});

describe("createMayHaveLanded: whether a sent create must be looked up before another", () => {
  const cases: Array<[string, CreateAnswer, boolean]> = [
    ["a run came back", { status: "ok" }, true],
    ["our rate budget held it back", { status: "deferred" }, false],
    ["no credential to send it with", { status: "unconfigured" }, false],
    ["a refusal Codegen answered (4xx, 429)", { status: "failed", outcomeUnknown: false }, false],
    ["a timeout, a reset or a 5xx", { status: "failed", outcomeUnknown: true }, true],
  ];
  it.each(cases)("%s", (_label, answer, landed) => {
    expect(createMayHaveLanded(answer)).toBe(landed);
  });
});
