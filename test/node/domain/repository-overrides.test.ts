import { describe, expect, it } from "vitest";
import { moveRepositoryOverride } from "../../../src/domain/repository-overrides";

describe("moveRepositoryOverride", () => {
  const settings = { strategy: "cloud-only" as const, repositories: { web: { strategy: "local-only" as const }, api: { maxCostPerTaskUsd: 2 } } };
  it("moves an override to the new name and keeps the rest", () => {
    expect(moveRepositoryOverride(settings, "web", "web.app")).toEqual({ strategy: "cloud-only", repositories: { "web.app": { strategy: "local-only" }, api: { maxCostPerTaskUsd: 2 } } });
  });
  it("drops it when the repository goes", () => {
    expect(moveRepositoryOverride(settings, "web", null)).toEqual({ strategy: "cloud-only", repositories: { api: { maxCostPerTaskUsd: 2 } } });
  });
  it.each([
    ["no override for the name", { repositories: { api: {} } }, "web", "x"],
    ["no overrides at all", {}, "web", null],
    ["the same name", settings, "web", "web"],
    ["an inherited key, not an override", { repositories: {} }, "toString", null],
  ])("changes nothing with %s", (_case, input, from, to) => {
    expect(moveRepositoryOverride(input, from, to)).toBeNull();
  });
});
