import { describe, expect, it } from "vitest";
import { parseIssueIdentifier } from "../../../src/domain/panel/issue-identifier";

describe("parseIssueIdentifier", () => {
  it.each([
    ["ENG-123", "ENG-123"],
    ["eng-7", "ENG-7"],
    ["  ENG-42 \n", "ENG-42"],
    ["A-1", "A-1"],
    ["MOBILE2-9", "MOBILE2-9"],
    ["ABCDEFGHIJ-123456789", "ABCDEFGHIJ-123456789"],
  ])("accepts %j as %s", (raw, identifier) => {
    expect(parseIssueIdentifier(raw)).toEqual({ ok: true, identifier });
  });

  it.each([
    [""],
    ["ENG"],
    ["ENG-"],
    ["-12"],
    ["ENG-0"],
    ["ENG-012"],
    ["ENG_12"],
    ["ENG 12"],
    ["ENG-12-3"],
    ["ABCDEFGHIJK-1"],
    ["ENG-1234567890"],
    ["ENG-12/../x"],
    ["https://linear.app/acme/issue/ENG-12/title"],
    ["ÉNG-12"],
  ])("refuses %j, saying what an identifier looks like", (raw) => {
    const parsed = parseIssueIdentifier(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain("like ENG-123");
  });
});
