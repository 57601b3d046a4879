import { describe, expect, it } from "vitest";
import { GitError, git, refExists } from "../../../src/agent/git";
import { initRepo, tempDir } from "./helpers";

describe("git", () => {
  it("returns stdout, and rejects with git's message", async () => {
    const repo = initRepo(tempDir());
    expect((await git(repo, ["rev-parse", "--abbrev-ref", "HEAD"])).trim()).toBe("main");
    await expect(git(repo, ["rev-parse", "--verify", "no-such-ref"])).rejects.toThrow(GitError);
    expect(await refExists(repo, "refs/heads/main")).toBe(true);
    expect(await refExists(repo, "refs/heads/nope")).toBe(false);
  });

  it("ends a command that outlives its time limit, saying so", async () => {
    const repo = initRepo(tempDir());
    const started = Date.now();
    await expect(git(repo, ["-c", "alias.wait=!exec sleep 2", "wait"], { timeoutMs: 200 })).rejects.toThrow(/timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(1_800);
  });
});
