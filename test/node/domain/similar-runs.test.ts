import { describe, expect, it } from "vitest";
import { similarCloudDurations, type PastRun } from "../../../src/domain/similar-runs";

const run = (durationMs: number, overrides: Partial<PastRun> = {}): PastRun => ({ repository: "web", agentType: "builder", complexity: "low", executor: "cloud", durationMs, ...overrides });
const task = { repository: "web", agentType: "builder", complexity: "low" };

describe("similarCloudDurations", () => {
  it.each([
    ["enough of the same kind: only those", [...[1, 2, 3, 4, 5].map((d) => run(d)), run(99, { complexity: "high" })], [1, 2, 3, 4, 5]],
    ["too few of the kind: the repository's", [run(1), run(2), ...[10, 11, 12].map((d) => run(d, { complexity: "high" }))], [1, 2, 10, 11, 12]],
    ["too few in the repository: every cloud run", [run(1), run(7, { repository: "api" })], [1, 7]],
    ["local runs and runs with no duration never count", [run(5, { executor: "local" }), run(0)], []],
  ])("%s", (_, history, expected) => {
    expect(similarCloudDurations(history, task).sort((a, b) => a - b)).toEqual(expected);
  });
});
