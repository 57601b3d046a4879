import { describe, expect, it } from "vitest";
import { attemptNumber, formatAttemptKey, metricsRowId, nextAttemptKey, parseAttemptKey } from "../../../src/domain/attempt-key";

describe("attempt keys: <agentSessionId>:<attempt>", () => {
  it.each([
    ["the first attempt", "sess-1", 1, "sess-1:1"],
    ["a later attempt", "sess-1", 12, "sess-1:12"],
    ["a session id with colons", "org:session:abc", 2, "org:session:abc:2"],
  ] as const)("builds and reads back %s", (_name, agentSessionId, attempt, key) => {
    expect(formatAttemptKey(agentSessionId, attempt)).toBe(key);
    expect(parseAttemptKey(key)).toEqual({ agentSessionId, attempt });
  });

  it.each([
    ["no previous attempt", undefined, "s:1"],
    ["null", null, "s:1"],
    ["after the first", 1, "s:2"],
    ["after the ninth", 9, "s:10"],
  ] as const)("next attempt: %s", (_name, last, key) => {
    expect(nextAttemptKey("s", last)).toBe(key);
  });

  it.each([
    ["no colon", "sess-1"],
    ["no session id", ":1"],
    ["no attempt", "sess-1:"],
    ["attempt 0", "sess-1:0"],
    ["a leading zero", "sess-1:01"],
    ["not a number", "sess-1:x"],
    ["a negative attempt", "sess-1:-1"],
    ["a fraction", "sess-1:1.5"],
  ] as const)("does not read %s", (_name, key) => {
    expect(parseAttemptKey(key)).toBeNull();
    expect(attemptNumber(key)).toBe(1);
  });

  it.each([
    ["attempt 0", "s", 0],
    ["a fraction", "s", 1.5],
    ["an empty session id", "", 1],
  ] as const)("refuses to build %s", (_name, agentSessionId, attempt) => {
    expect(() => formatAttemptKey(agentSessionId, attempt)).toThrow(RangeError);
  });

  it("reads the attempt number", () => {
    expect(attemptNumber("sess-1:3")).toBe(3);
  });
});

describe("execution_metrics ids: <agentSessionId>:<attempt>:<resume>", () => {
  it.each([
    ["the first run", "sess-1:1", 0, "sess-1:1:0"],
    ["a resumed run", "sess-1:2", 3, "sess-1:2:3"],
  ] as const)("%s", (_name, key, resume, id) => {
    expect(metricsRowId(key, resume)).toBe(id);
  });

  it("refuses a negative resume", () => {
    expect(() => metricsRowId("s:1", -1)).toThrow(RangeError);
  });
});
