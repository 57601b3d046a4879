import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { branchNameFor, buildCodegenPrompt, runMetadata, type CodegenPromptInput } from "../../../src/prompts/cloud-run";

const PROMPT_CONTEXT = `<issue identifier="ENG-123">
  <title>Checkout fails for guests</title>
  <description>Guests get a 500 on /checkout.</description>
  <team name="Engineering"/>
</issue>
<primary_directive_thread comment_id="c1">
  <comment author="Ada">@cyrus please fix this &amp; add a test</comment>
</primary_directive_thread>
<guidance>
  <guidance-rule origin="team">Always run pnpm test before pushing.</guidance-rule>
</guidance>
`;

function input(overrides: Partial<CodegenPromptInput> = {}): CodegenPromptInput {
  return {
    issue: { identifier: "ENG-123", title: "Checkout fails for guests", description: "Guests get a 500 on /checkout.", url: "https://linear.app/acme/issue/ENG-123" },
    repository: { name: "acme/shop", gitUrl: "https://github.com/acme/shop.git", baseBranch: "develop" },
    branchName: "cyrus/eng-123",
    ...overrides,
  };
}

describe("buildCodegenPrompt", () => {
  it("names the repository, its clone URL, the base branch and the working branch, and asks for a PR and a summary", () => {
    const prompt = buildCodegenPrompt(input());
    expect(prompt).toContain("acme/shop");
    expect(prompt).toContain("https://github.com/acme/shop.git");
    expect(prompt).toContain("Base branch: `develop`");
    expect(prompt).toContain("Work on the branch `cyrus/eng-123`, created from `develop`.");
    expect(prompt).toContain("Open a pull request from `cyrus/eng-123` against `develop`.");
    expect(prompt).toMatch(/short summary of what changed and how it was verified/);
  });

  it("without promptContext: the issue's identifier, title, description and URL", () => {
    const prompt = buildCodegenPrompt(input());
    expect(prompt.startsWith("# ENG-123: Checkout fails for guests\n")).toBe(true);
    expect(prompt).toContain("Guests get a 500 on /checkout.");
    expect(prompt).toContain("https://linear.app/acme/issue/ENG-123");
  });

  it("says so when the issue has no description, and leaves out a missing URL and clone URL", () => {
    const prompt = buildCodegenPrompt(input({ issue: { identifier: "ENG-9", title: "T", description: null, url: null }, repository: { name: "r", baseBranch: "main", gitUrl: null } }));
    expect(prompt).toContain("(The issue has no description.)");
    expect(prompt).not.toContain("Issue: ");
    expect(prompt).not.toContain("Clone URL");
    expect(prompt).not.toContain("null");
  });

  it("with promptContext: includes it verbatim instead of the issue's own fields", () => {
    const prompt = buildCodegenPrompt(input({ promptContext: PROMPT_CONTEXT, issue: { identifier: "ENG-123", title: "Checkout fails for guests", description: "UNIQUE-DESCRIPTION-TEXT" } }));
    expect(prompt).toContain(PROMPT_CONTEXT);
    expect(prompt).not.toContain("UNIQUE-DESCRIPTION-TEXT");
    expect(prompt).not.toContain("### Description");
  });

  it("a blank promptContext counts as none", () => {
    const prompt = buildCodegenPrompt(input({ promptContext: "  \n " }));
    expect(prompt).toContain("Guests get a 500 on /checkout.");
  });

  it("lists team guidance, except rules promptContext already quotes", () => {
    const guidance = ["Always run pnpm test before pushing.", "Never touch the payments module."];
    const without = buildCodegenPrompt(input({ guidance }));
    expect(without).toContain("## Team guidance\n\n- Always run pnpm test before pushing.\n- Never touch the payments module.");
    const withContext = buildCodegenPrompt(input({ guidance, promptContext: PROMPT_CONTEXT }));
    expect(withContext.split("Always run pnpm test before pushing.")).toHaveLength(2); // once, inside the context
    expect(withContext).toContain("- Never touch the payments module.");
  });

  it("includes the user's comment and the follow-ups in order", () => {
    const followUps = ["Also cover the guest-with-coupon case.", "Rename the helper to `isGuest`.", "Squash the commits, please."];
    const prompt = buildCodegenPrompt(input({ initialComment: "@cyrus please fix this", followUps }));
    expect(prompt).toContain("## The user's request\n\n@cyrus please fix this");
    const positions = followUps.map((f) => prompt.indexOf(f));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(prompt).toContain("1. Also cover the guest-with-coupon case.\n2. Rename the helper to `isGuest`.\n3. Squash the commits, please.");
    expect(prompt.indexOf("@cyrus please fix this")).toBeLessThan(positions[0]!);
  });

  it("keeps a multi-line follow-up inside its list item", () => {
    const prompt = buildCodegenPrompt(input({ followUps: ["First line\nsecond line"] }));
    expect(prompt).toContain("1. First line\n   second line");
  });

  it("leaves out empty sections", () => {
    const prompt = buildCodegenPrompt(input({ guidance: ["  "], initialComment: " ", followUps: ["", "  "] }));
    expect(prompt).not.toContain("## Team guidance");
    expect(prompt).not.toContain("## The user's request");
    expect(prompt).not.toContain("## Follow-ups");
  });

  it("is deterministic: equal inputs give the same prompt", () => {
    const a = input({ promptContext: PROMPT_CONTEXT, guidance: ["g1", "g2"], initialComment: "c", followUps: ["f1", "f2"] });
    const b = structuredClone(a);
    expect(buildCodegenPrompt(a)).toBe(buildCodegenPrompt(b));
  });

  it("property: deterministic, and always names the branch, the base branch and the repository", () => {
    const text = fc.string({ maxLength: 40 });
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    fc.assert(
      fc.property(
        fc.record({
          issue: fc.record({ identifier: word, title: text, description: fc.option(text), url: fc.option(text) }),
          promptContext: fc.option(text),
          guidance: fc.array(text, { maxLength: 3 }),
          initialComment: fc.option(text),
          followUps: fc.array(text, { maxLength: 3 }),
          repository: fc.record({ name: word, gitUrl: fc.option(text), baseBranch: word }),
          branchName: word,
        }),
        (value) => {
          const prompt = buildCodegenPrompt(value);
          expect(buildCodegenPrompt(structuredClone(value))).toBe(prompt);
          expect(prompt).toContain(`Work on the branch \`${value.branchName}\`, created from \`${value.repository.baseBranch}\``);
          expect(prompt).toContain(`- Repository: ${value.repository.name}`);
        },
      ),
    );
  });
});

describe("runMetadata", () => {
  it("carries the session, the issue and the attempt key", () => {
    expect(runMetadata({ linearSessionId: "sess-1", linearIssueId: "issue-1", attemptKey: "sess-1:1" })).toEqual({
      linear_session_id: "sess-1",
      linear_issue_id: "issue-1",
      cyrus_attempt_key: "sess-1:1",
    });
  });

  it.each([null, undefined, ""])("leaves out an issue id of %j", (linearIssueId) => {
    const metadata = runMetadata({ linearSessionId: "sess-1", linearIssueId, attemptKey: "k" });
    expect(metadata).toEqual({ linear_session_id: "sess-1", cyrus_attempt_key: "k" });
    expect(Object.keys(metadata)).not.toContain("linear_issue_id");
  });
});

describe("branchNameFor", () => {
  it.each([
    ["ENG-123", "cyrus/eng-123"],
    ["eng-123", "cyrus/eng-123"],
    [" OPS2-7 ", "cyrus/ops2-7"],
    ["ENG 12/x", "cyrus/eng-12-x"],
  ])("%j → %s", (identifier, branch) => {
    expect(branchNameFor(identifier)).toBe(branch);
  });

  it.each(["", "   ", "///"])("refuses %j", (identifier) => {
    expect(() => branchNameFor(identifier)).toThrow(RangeError);
  });
});
