import { describe, expect, it } from "vitest";
import { costReportCsv, costReportFileName, csvText, type CsvGroup } from "../../../src/domain/cost-report-csv";

const group = (key: string | null, figures: Partial<CsvGroup> = {}): CsvGroup => ({
  key,
  tasks: 0,
  succeeded: 0,
  failed: 0,
  stopped: 0,
  timedOut: 0,
  costUsd: 0,
  estimatedCostUsd: 0,
  ...figures,
});

describe("csvText", () => {
  it.each([
    ["web", "web"],
    ["acme/web", "acme/web"],
    ["", ""],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rlf", '"cr\rlf"'],
    ["=HYPERLINK(\"x\")", `"'=HYPERLINK(""x"")"`],
    ["+1", "'+1"],
    ["-rf", "'-rf"],
    ["@cmd", "'@cmd"],
    ["\tTab", "'\tTab"],
    ["a-b", "a-b"],
    ["ünïcødé", "ünïcødé"],
  ])("%j is written %j", (value, expected) => {
    expect(csvText(value)).toBe(expected);
  });
});

describe("costReportCsv", () => {
  it.each<[string, Parameters<typeof costReportCsv>[0], CsvGroup[], string[]]>([
    [
      "one row per day",
      "day",
      [group("2026-03-01", { tasks: 2, succeeded: 1, failed: 1, costUsd: 0.12345, estimatedCostUsd: 0.1 }), group("2026-03-02")],
      ["date,tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd", "2026-03-01,2,1,1,0,0,0.1235,0.1000", "2026-03-02,0,0,0,0,0,0.0000,0.0000"],
    ],
    [
      "repositories, quoted when they must be, none as an empty cell",
      "repository",
      [group("acme, inc/web", { tasks: 1, succeeded: 1, costUsd: 12 }), group(null, { tasks: 3, stopped: 2, timedOut: 1, costUsd: 1.5 })],
      ["repository,tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd", '"acme, inc/web",1,1,0,0,0,12.0000,0.0000', ",3,0,0,2,1,1.5000,0.0000"],
    ],
    ["agent types", "agentType", [group("builder", { tasks: 1 })], ["agent_type,tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd", "builder,1,0,0,0,0,0.0000,0.0000"]],
    ["executors", "executor", [group("local"), group("cloud")], ["executor,tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd", "local,0,0,0,0,0,0.0000,0.0000", "cloud,0,0,0,0,0,0.0000,0.0000"]],
    ["no groups: the header alone", "repository", [], ["repository,tasks,succeeded,failed,stopped,timed_out,cost_usd,estimated_cost_usd"]],
  ])("%s", (_name, groupBy, groups, lines) => {
    expect(costReportCsv(groupBy, groups)).toBe(`${lines.join("\r\n")}\r\n`);
  });

  it("names the file after the period", () => {
    expect(costReportFileName("2026-03-01", "2026-03-30")).toBe("cyrus-cost-report-2026-03-01-to-2026-03-30.csv");
  });
});
