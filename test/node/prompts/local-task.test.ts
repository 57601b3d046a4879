import { describe, expect, it } from "vitest";
import { buildLocalTaskPrompt, type LocalTaskPromptInput } from "../../../src/prompts/local-task";

const BASE: LocalTaskPromptInput = {
  issue: { identifier: "ENG-1", title: "Fix the login", description: "It fails on Safari" },
  repository: { name: "web", baseBranch: "main" },
};

describe("buildLocalTaskPrompt: the user prompt", () => {
  it.each([
    ["the issue alone", {}, "# ENG-1: Fix the login\n\nIt fails on Safari"],
    ["no description", { issue: { identifier: "ENG-1", title: "Fix the login", description: null } }, "# ENG-1: Fix the login\n\n"],
    ["Linear's promptContext stands for the issue", { promptContext: "<issue>ENG-1</issue>" }, "<issue>ENG-1</issue>"],
    ["the request that started it", { initialComment: "@cyrus please" }, "# ENG-1: Fix the login\n\nIt fails on Safari\n\nThe request:\n@cyrus please"],
    [
      "follow-ups, in order",
      { promptContext: "ctx", followUps: ["first", "second"] },
      "ctx\n\nFollow-ups, in order:\n- first\n- second",
    ],
    ["an empty request and no follow-ups add nothing", { promptContext: "ctx", initialComment: "", followUps: [] }, "ctx"],
  ] as const)("%s", (_name, overrides, prompt) => {
    expect(buildLocalTaskPrompt({ ...BASE, ...overrides }).prompt).toBe(prompt);
  });
});

describe("buildLocalTaskPrompt: the system prompt's addition", () => {
  const RULES = [
    "You are working on the Linear issue ENG-1 in the repository web.",
    "Work on the current branch, created from develop. Commit your changes; open a pull request against develop if you can.",
  ];
  const END = "End with a short summary of what changed and how you verified it.";
  it.each([
    ["no guidance", [], [...RULES, END]],
    ["the team's guidance", ["Use pnpm", "No new deps"], [...RULES, "Team guidance:\n- Use pnpm\n- No new deps", END]],
  ] as const)("%s", (_name, guidance, parts) => {
    expect(buildLocalTaskPrompt({ ...BASE, guidance: [...guidance], repository: { name: "web", baseBranch: "develop" } }).append).toBe(parts.join("\n\n"));
  });

  it("is deterministic", () => {
    const input = { ...BASE, initialComment: "x", followUps: ["a"], guidance: ["g"] };
    expect(buildLocalTaskPrompt(input)).toEqual(buildLocalTaskPrompt(structuredClone(input)));
  });
});
