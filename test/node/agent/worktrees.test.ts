import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Repository } from "../../../src/agent/config";
import { memoryLog } from "../../../src/agent/output";
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
    expect(worktree).toEqual({ path: join(root, "workspaces", "web", "ENG-123"), branch: "cyrus/eng-123", created: true });
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
