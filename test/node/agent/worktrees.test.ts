import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Repository } from "../../../src/agent/config";
import { memoryLog } from "../../../src/agent/output";
import { MergeConflictError, markMergesPending } from "../../../src/agent/dependency-merges";
import { Worktrees, listWorktrees, runSetupScript } from "../../../src/agent/worktrees";
import { gitIn, initRepo, tempDir } from "./helpers";

function setup() {
  const root = tempDir();
  const repoPath = join(root, "web");
  mkdirSync(repoPath);
  initRepo(repoPath);
  const repository: Repository = { name: "web", path: repoPath };
  const log = memoryLog();
  const worktrees = new Worktrees({ workspacesDir: join(root, "workspaces"), log });
  const request = (identifier: string, branch = `cyrus/${identifier.toLowerCase()}`) => ({
    repository,
    issueIdentifier: identifier,
    branchName: branch,
    baseBranch: "main",
  });
  return { root, repoPath, repository, worktrees, log, request };
}

describe("Worktrees.ensure", () => {
  it("creates <workspaces>/<repo>/<issue> on a new branch from the base branch", async () => {
    const { root, repoPath, worktrees, request } = setup();
    const worktree = await worktrees.ensure(request("ENG-123"));
    expect(worktree).toEqual({ path: join(root, "workspaces", "web", "ENG-123"), branch: "cyrus/eng-123", created: true, merged: [], notes: [] });
    expect(gitIn(worktree.path, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("cyrus/eng-123");
    expect(gitIn(worktree.path, "rev-parse", "HEAD")).toBe(gitIn(repoPath, "rev-parse", "main"));
    expect(readFileSync(join(worktree.path, "README.md"), "utf8")).toBe("# web\n");
  });

  it("reuses the issue's worktree for a follow-up, keeping its work", async () => {
    const { worktrees, request } = setup();
    const first = await worktrees.ensure(request("ENG-1"));
    writeFileSync(join(first.path, "work.txt"), "in progress");
    const second = await worktrees.ensure(request("ENG-1"));
    expect(second).toEqual({ ...first, created: false });
    expect(readFileSync(join(second.path, "work.txt"), "utf8")).toBe("in progress");
  });

  it("reuses a branch left behind (by a failed add or an earlier attempt) with its commits", async () => {
    const { repoPath, worktrees, request } = setup();
    gitIn(repoPath, "branch", "cyrus/eng-2", "main");
    gitIn(repoPath, "checkout", "--quiet", "cyrus/eng-2");
    writeFileSync(join(repoPath, "earlier.txt"), "earlier attempt");
    gitIn(repoPath, "add", ".");
    gitIn(repoPath, "commit", "--quiet", "-m", "earlier attempt");
    gitIn(repoPath, "checkout", "--quiet", "main");

    const worktree = await worktrees.ensure(request("ENG-2"));
    expect(worktree.created).toBe(true);
    expect(readFileSync(join(worktree.path, "earlier.txt"), "utf8")).toBe("earlier attempt");
  });

  it("re-creates a worktree whose directory vanished while git still listed it", async () => {
    const { repoPath, worktrees, request } = setup();
    const first = await worktrees.ensure(request("ENG-3"));
    rmSync(first.path, { recursive: true, force: true });
    expect((await listWorktrees(repoPath)).some((w) => w.path === first.path)).toBe(true);

    const again = await worktrees.ensure(request("ENG-3"));
    expect(again).toEqual({ ...first, created: true });
    expect(existsSync(join(again.path, "README.md"))).toBe(true);
  });

  it("moves aside a directory that is in the way and is not a worktree, never deleting it", async () => {
    const { root, worktrees, log, request } = setup();
    const path = join(root, "workspaces", "web", "ENG-4");
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, "precious.txt"), "keep me");

    const worktree = await worktrees.ensure(request("ENG-4"));
    expect(worktree.created).toBe(true);
    const aside = readdirSync(join(root, "workspaces", "web")).filter((n) => n.startsWith("ENG-4.stale-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(root, "workspaces", "web", aside[0]!, "precious.txt"), "utf8")).toBe("keep me");
    expect(log.lines.some((l) => l.includes("moved it to"))).toBe(true);
  });

  it("refuses a branch checked out elsewhere, and a base branch that does not exist", async () => {
    const { repoPath, worktrees, request } = setup();
    gitIn(repoPath, "checkout", "--quiet", "-b", "cyrus/eng-5");
    await expect(worktrees.ensure(request("ENG-5"))).rejects.toThrow(/already checked out at/);
    await expect(worktrees.ensure({ ...request("ENG-6"), baseBranch: "develop" })).rejects.toThrow(/base branch develop not found/);
  });

  it("uses origin/<base> when there is no local base branch", async () => {
    const { root, repoPath, worktrees, request } = setup();
    const clonePath = join(root, "clone");
    gitIn(root, "clone", "--quiet", repoPath, clonePath);
    gitIn(repoPath, "branch", "release");
    gitIn(clonePath, "fetch", "--quiet");
    const clone: Repository = { name: "clone", path: clonePath };
    const worktree = await worktrees.ensure({ ...request("ENG-7"), repository: clone, baseBranch: "release" });
    expect(gitIn(worktree.path, "rev-parse", "HEAD")).toBe(gitIn(repoPath, "rev-parse", "release"));
  });

  it("creates worktrees of one repository concurrently without tripping over git's locks", async () => {
    const { worktrees, request } = setup();
    const made = await Promise.all(["ENG-10", "ENG-11", "ENG-12", "ENG-13"].map((id) => worktrees.ensure(request(id))));
    expect(made.every((w) => w.created)).toBe(true);
  });
});

/** Commits `files` on `branch` (created from `from` when new) in `repoPath`, without leaving it checked out. */
function commitOn(repoPath: string, branch: string, files: Record<string, string>, from = "main"): string {
  const exists = gitIn(repoPath, "branch", "--list", branch).trim() !== "";
  const current = gitIn(repoPath, "rev-parse", "--abbrev-ref", "HEAD").trim();
  gitIn(repoPath, "checkout", "--quiet", ...(exists ? [branch] : ["-b", branch, from]));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(repoPath, name), content);
  gitIn(repoPath, "add", ".");
  gitIn(repoPath, "commit", "--quiet", "-m", `on ${branch}: ${Object.keys(files).join(", ")}`);
  gitIn(repoPath, "checkout", "--quiet", current);
  return gitIn(repoPath, "rev-parse", branch).trim();
}

const branchExists = (repoPath: string, branch: string) => gitIn(repoPath, "branch", "--list", branch).trim() !== "";

describe("Worktrees.ensure for a dependent task (mergeBranches)", () => {
  it("creates the branch from the base and merges each dependency in order, from branches that exist only on this machine", async () => {
    const { repoPath, worktrees, request } = setup();
    // The dependencies ran here: their branches are local, one still checked out in its own worktree.
    const api = await worktrees.ensure(request("ENG-1"));
    writeFileSync(join(api.path, "api.ts"), "export const api = 1;\n");
    gitIn(api.path, "add", ".");
    gitIn(api.path, "commit", "--quiet", "-m", "api");
    const uiTip = commitOn(repoPath, "cyrus/eng-2", { "ui.ts": "export const ui = 2;\n" });

    const worktree = await worktrees.ensure({ ...request("ENG-3"), mergeBranches: ["cyrus/eng-1", "cyrus/eng-2"] });
    expect(worktree).toMatchObject({ branch: "cyrus/eng-3", created: true, merged: ["cyrus/eng-1", "cyrus/eng-2"], notes: [] });
    expect(readFileSync(join(worktree.path, "api.ts"), "utf8")).toBe("export const api = 1;\n");
    expect(readFileSync(join(worktree.path, "ui.ts"), "utf8")).toBe("export const ui = 2;\n");
    // In order: main, then eng-1 merged, then eng-2 merged on top.
    expect(gitIn(worktree.path, "rev-parse", "HEAD^2").trim()).toBe(uiTip);
    expect(gitIn(worktree.path, "rev-parse", "HEAD^1^2").trim()).toBe(gitIn(repoPath, "rev-parse", "cyrus/eng-1").trim());
    expect(gitIn(worktree.path, "rev-parse", "HEAD^1^1").trim()).toBe(gitIn(repoPath, "rev-parse", "main").trim());
    expect(gitIn(worktree.path, "status", "--porcelain").trim()).toBe("");
    expect(existsSync(join(gitIn(worktree.path, "rev-parse", "--absolute-git-dir").trim(), "cyrus-merges-pending"))).toBe(false);

    // A follow-up reuses it as it is: nothing merged again.
    const again = await worktrees.ensure({ ...request("ENG-3"), mergeBranches: ["cyrus/eng-1", "cyrus/eng-2"] });
    expect(again).toMatchObject({ created: false, merged: [] });
  });

  it("fetches origin first, so a dependency that ran in the cloud is merged from origin/<branch>", async () => {
    const { root, repoPath, worktrees, request } = setup();
    const clonePath = join(root, "clone");
    gitIn(root, "clone", "--quiet", repoPath, clonePath);
    // Pushed after the clone was made: only a fetch makes it known here.
    const tip = commitOn(repoPath, "cyrus/eng-8", { "cloud.txt": "from the cloud\n" });
    const clone: Repository = { name: "clone", path: clonePath };

    const worktree = await worktrees.ensure({ ...request("ENG-9"), repository: clone, mergeBranches: ["cyrus/eng-8"] });
    expect(worktree).toMatchObject({ created: true, merged: ["origin/cyrus/eng-8"], notes: [] });
    expect(gitIn(worktree.path, "rev-parse", "HEAD^2").trim()).toBe(tip);
    expect(readFileSync(join(worktree.path, "cloud.txt"), "utf8")).toBe("from the cloud\n");
  });

  it("takes whichever of <branch> and origin/<branch> holds the other; diverged, origin's, saying so", async () => {
    const { root, repoPath, worktrees, request } = setup();
    commitOn(repoPath, "cyrus/eng-30", { "a.txt": "pushed\n" });
    commitOn(repoPath, "cyrus/eng-31", { "b.txt": "pushed\n" });
    const clonePath = join(root, "clone");
    gitIn(root, "clone", "--quiet", repoPath, clonePath);
    gitIn(clonePath, "config", "user.email", "test@example.com");
    gitIn(clonePath, "config", "user.name", "Test");
    // eng-30: a local commit not yet pushed (local is ahead). eng-31: local and origin both moved on.
    const aheadTip = commitOn(clonePath, "cyrus/eng-30", { "a.txt": "pushed\nand more, not pushed\n" }, "origin/cyrus/eng-30");
    commitOn(clonePath, "cyrus/eng-31", { "c.txt": "local only\n" }, "origin/cyrus/eng-31");
    const upstreamTip = commitOn(repoPath, "cyrus/eng-31", { "d.txt": "pushed later\n" });
    const clone: Repository = { name: "clone", path: clonePath };

    const worktree = await worktrees.ensure({ ...request("ENG-32"), repository: clone, mergeBranches: ["cyrus/eng-30", "cyrus/eng-31"] });
    expect(worktree.merged).toEqual(["cyrus/eng-30", "origin/cyrus/eng-31"]);
    expect(worktree.notes).toEqual([expect.stringMatching(/cyrus\/eng-31 and origin\/cyrus\/eng-31 have diverged: merged origin\/cyrus\/eng-31/)]);
    expect(gitIn(worktree.path, "rev-parse", "HEAD^1^2").trim()).toBe(aheadTip);
    expect(gitIn(worktree.path, "rev-parse", "HEAD^2").trim()).toBe(upstreamTip);
  });

  it("goes on with the local branches when origin cannot be fetched, saying so", async () => {
    const { root, repoPath, worktrees, request } = setup();
    gitIn(repoPath, "remote", "add", "origin", join(root, "no-such-remote"));
    commitOn(repoPath, "cyrus/eng-40", { "local.txt": "here\n" });
    const worktree = await worktrees.ensure({ ...request("ENG-41"), mergeBranches: ["cyrus/eng-40"] });
    expect(worktree.merged).toEqual(["cyrus/eng-40"]);
    expect(worktree.notes).toEqual([expect.stringMatching(/^could not fetch origin, merging the branches as they are on this machine: /)]);
  });

  it("fails on a conflict naming the branch and the files, and leaves no worktree and no branch behind; a retry starts clean", async () => {
    const { root, repoPath, worktrees, request } = setup();
    commitOn(repoPath, "cyrus/eng-50", { "README.md": "# web, by eng-50\n", "api.ts": "1\n" });
    commitOn(repoPath, "cyrus/eng-51", { "README.md": "# web, by eng-51\n", "ui.ts": "2\n" });
    const path = join(root, "workspaces", "web", "ENG-52");

    const failure = await worktrees.ensure({ ...request("ENG-52"), mergeBranches: ["cyrus/eng-50", "cyrus/eng-51"] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MergeConflictError);
    expect(failure).toMatchObject({ branch: "cyrus/eng-51", into: "cyrus/eng-52", files: ["README.md"] });
    expect((failure as Error).message).toMatch(/^merging cyrus\/eng-51 into cyrus\/eng-52 conflicts in README\.md: /);
    expect(existsSync(path)).toBe(false);
    expect((await listWorktrees(repoPath)).map((w) => w.path)).not.toContain(path);
    expect(branchExists(repoPath, "cyrus/eng-52")).toBe(false);
    expect(gitIn(repoPath, "status", "--porcelain").trim()).toBe("");

    // Once the dependency is fixed, the same task starts from a clean creation.
    commitOn(repoPath, "cyrus/eng-51", { "README.md": "# web, by eng-50\n" });
    const retried = await worktrees.ensure({ ...request("ENG-52"), mergeBranches: ["cyrus/eng-50", "cyrus/eng-51"] });
    expect(retried).toMatchObject({ path, created: true, merged: ["cyrus/eng-50", "cyrus/eng-51"] });
    expect(readFileSync(join(path, "ui.ts"), "utf8")).toBe("2\n");
  });

  it("puts a branch left by an earlier attempt back where it was when a merge conflicts", async () => {
    const { repoPath, worktrees, request } = setup();
    const earlier = commitOn(repoPath, "cyrus/eng-62", { "earlier.txt": "keep me\n" });
    commitOn(repoPath, "cyrus/eng-60", { "README.md": "# a\n" });
    commitOn(repoPath, "cyrus/eng-61", { "README.md": "# b\n" });
    await expect(worktrees.ensure({ ...request("ENG-62"), mergeBranches: ["cyrus/eng-60", "cyrus/eng-61"] })).rejects.toThrow(MergeConflictError);
    expect(gitIn(repoPath, "rev-parse", "cyrus/eng-62").trim()).toBe(earlier);
  });

  it("fails naming a branch found nowhere, before creating anything", async () => {
    const { root, repoPath, worktrees, request } = setup();
    commitOn(repoPath, "cyrus/eng-70", { "a.txt": "a\n" });
    await expect(worktrees.ensure({ ...request("ENG-71"), mergeBranches: ["cyrus/eng-70", "cyrus/eng-nope"] })).rejects.toThrow(
      /branch cyrus\/eng-nope to merge was not found in .*: neither cyrus\/eng-nope nor origin\/cyrus\/eng-nope exists/,
    );
    expect(existsSync(join(root, "workspaces", "web", "ENG-71"))).toBe(false);
    expect(branchExists(repoPath, "cyrus/eng-71")).toBe(false);
  });

  it("rebuilds a worktree a crash left in the middle of its merges instead of reusing it half-merged", async () => {
    const { repoPath, worktrees, log, request } = setup();
    commitOn(repoPath, "cyrus/eng-80", { "a.txt": "a\n" });
    commitOn(repoPath, "cyrus/eng-81", { "README.md": "# other\n" });
    // What a crash leaves: the worktree, its marker, and a merge in progress with a conflict.
    const crashed = await worktrees.ensure(request("ENG-82"));
    const start = gitIn(crashed.path, "rev-parse", "HEAD").trim();
    await markMergesPending(crashed.path, start);
    writeFileSync(join(crashed.path, "README.md"), "# crashed mid-merge\n");
    gitIn(crashed.path, "commit", "--quiet", "-am", "diverge");
    try {
      gitIn(crashed.path, "merge", "--no-edit", "cyrus/eng-81");
    } catch {
      // the conflict is the point
    }
    expect(existsSync(join(gitIn(crashed.path, "rev-parse", "--absolute-git-dir").trim(), "MERGE_HEAD"))).toBe(true);

    const rebuilt = await worktrees.ensure({ ...request("ENG-82"), mergeBranches: ["cyrus/eng-80"] });
    expect(rebuilt).toMatchObject({ path: crashed.path, created: true, merged: ["cyrus/eng-80"] });
    expect(gitIn(rebuilt.path, "rev-parse", "HEAD^1").trim()).toBe(start);
    expect(readFileSync(join(rebuilt.path, "README.md"), "utf8")).toBe("# web\n");
    expect(gitIn(rebuilt.path, "status", "--porcelain").trim()).toBe("");
    expect(log.lines.some((l) => l.includes("left in the middle of merging its dependencies"))).toBe(true);
  });
});

describe("Worktrees.reconcile", () => {
  it("prunes git's entries for vanished directories and reports strays", async () => {
    const { root, repoPath, repository, worktrees, request } = setup();
    const kept = await worktrees.ensure(request("ENG-20"));
    const gone = await worktrees.ensure(request("ENG-21"));
    rmSync(gone.path, { recursive: true, force: true });
    mkdirSync(join(root, "workspaces", "web", "ENG-22"));

    const report = await worktrees.reconcile(repository);
    expect(report.worktrees).toEqual([kept.path]);
    expect(report.strays).toEqual([join(root, "workspaces", "web", "ENG-22")]);
    const listed = (await listWorktrees(repoPath)).map((w) => w.path);
    expect(listed).toContain(kept.path);
    expect(listed).not.toContain(gone.path);
  });
});

describe("runSetupScript", () => {
  async function withScript(body: string | null, mode = 0o755) {
    const { repoPath, worktrees, request, repository } = setup();
    if (body !== null) {
      writeFileSync(join(repoPath, "cyrus-setup.sh"), `#!/bin/sh\n${body}\n`);
      chmodSync(join(repoPath, "cyrus-setup.sh"), mode);
    }
    const worktree = await worktrees.ensure(request("ENG-30"));
    const run = (timeoutMs = 10_000, signal?: AbortSignal) =>
      runSetupScript({ repositoryPath: repository.path, worktreePath: worktree.path, timeoutMs, env: { ...process.env, CYRUS_ISSUE: "ENG-30" }, signal });
    return { worktree, run };
  }

  it("runs an executable cyrus-setup.sh in the worktree, once per worktree", async () => {
    const { worktree, run } = await withScript('pwd > setup-ran.txt; echo "$CYRUS_ISSUE" >> setup-ran.txt');
    const first = await run();
    expect(first).toMatchObject({ ran: true, ok: true });
    expect(readFileSync(join(worktree.path, "setup-ran.txt"), "utf8")).toBe(`${worktree.path}\nENG-30\n`);
    expect(await run()).toEqual({ ran: false, note: null });
  });

  it("reports a failing script with its exit code and the tail of its output, and runs it again next time", async () => {
    const { run } = await withScript('echo "installing deps"; echo "npm ERR! missing thing" >&2; exit 3');
    const outcome = await run();
    expect(outcome).toMatchObject({ ran: true, ok: false, reason: "cyrus-setup.sh exited with code 3" });
    expect(outcome.ran && !outcome.ok && outcome.outputTail).toMatch(/installing deps[\s\S]*npm ERR! missing thing/);
    expect(await run()).toMatchObject({ ran: true, ok: false });
  });

  it("kills a script that runs past its time limit", async () => {
    const { run } = await withScript('echo "waiting forever"; sleep 30; echo "never"');
    const outcome = await run(300);
    expect(outcome).toMatchObject({ ran: true, ok: false, reason: "cyrus-setup.sh timed out after 0.3 s" });
    expect(outcome.ran && !outcome.ok && outcome.outputTail).toBe("waiting forever");
    expect(outcome.ran && outcome.durationMs).toBeLessThan(10_000);
  });

  it("stops a script when the task is stopped", async () => {
    const { run } = await withScript("sleep 30");
    const abort = new AbortController();
    const outcome = run(60_000, abort.signal);
    abort.abort();
    expect(await outcome).toMatchObject({ ran: true, ok: false, reason: "cyrus-setup.sh was stopped" });
  });

  it("skips a script that is not executable, saying so, and does nothing without one", async () => {
    const notExecutable = await withScript("exit 1", 0o644);
    const skipped = await notExecutable.run();
    expect(skipped.ran).toBe(false);
    expect(!skipped.ran && skipped.note).toMatch(/not executable/);
    expect(await (await withScript(null)).run()).toEqual({ ran: false, note: null });
  });
});
