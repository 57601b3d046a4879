/**
 * One git worktree per issue: `<workspacesDir>/<repository>/<issue identifier>`, on the task's
 * branch, created from the repository's base branch the first time and reused by every later
 * task on the same issue (so a follow-up resumes Claude in the directory where its session lives).
 *
 * Git keeps state that can disagree with the disk after a crash: a worktree git still lists whose
 * directory is gone (pruned before every add), a branch left by an add that failed (reused, not
 * re-created), a directory left without its worktree (moved aside, never deleted: it may hold
 * work). Git commands on one repository run one at a time: concurrent `worktree add`s contend
 * for the same lock files.
 *
 * A dependent task's new branch also gets its dependencies' branches merged in
 * (`dependency-merges.ts`). The merges belong to the creation: if one fails, the worktree is
 * removed and the branch put back as it was, so the next attempt starts clean; a worktree left
 * in the middle of them by a crash is rebuilt, never reused.
 */
import { spawn } from "node:child_process";
import { constants, existsSync, promises as fs, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Environment, Repository } from "./config";
import {
  clearMergesPending,
  fetchOrigin,
  interruptedMergeStart,
  markMergesPending,
  mergeSources,
  resolveMergeSources,
  type MergeSource,
} from "./dependency-merges";
import { git, refExists } from "./git";
import { formatDuration, type AgentLog } from "./output";

export { GitError, git } from "./git";

export interface ListedWorktree {
  path: string;
  /** `refs/heads/<name>`, or null when detached or bare. */
  branch: string | null;
  prunable: boolean;
}

export async function listWorktrees(repositoryPath: string): Promise<ListedWorktree[]> {
  const out = await git(repositoryPath, ["worktree", "list", "--porcelain"]);
  const worktrees: ListedWorktree[] = [];
  let current: ListedWorktree | null = null;
  for (const line of out.split("\n")) {
    if (line.startsWith("worktree ")) {
      current = { path: line.slice("worktree ".length), branch: null, prunable: false };
      worktrees.push(current);
    } else if (current && line.startsWith("branch ")) {
      current.branch = line.slice("branch ".length);
    } else if (current && line.startsWith("prunable")) {
      current.prunable = true;
    }
  }
  return worktrees;
}

/** null when the path is a usable git repository, otherwise what is wrong with it. */
export async function checkRepository(repository: Repository): Promise<string | null> {
  if (!existsSync(repository.path)) return `repository "${repository.name}": ${repository.path} does not exist`;
  try {
    await git(repository.path, ["rev-parse", "--git-dir"]);
    return null;
  } catch {
    return `repository "${repository.name}": ${repository.path} is not a git repository`;
  }
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Issue identifiers become directory names: keep them to safe characters. */
export function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "");
  return cleaned || "issue";
}

export interface WorktreeRequest {
  repository: Repository;
  issueIdentifier: string;
  branchName: string;
  baseBranch: string;
  /** Branches merged into a newly created branch, in order (a dependent task). */
  mergeBranches?: string[];
}

export interface Worktree {
  path: string;
  branch: string;
  /** False when an existing worktree was reused (a follow-up on the same issue). */
  created: boolean;
  /** What was merged into a newly created worktree (`<branch>` or `origin/<branch>`), in order. */
  merged: string[];
  /** What the task should hear about the merges (a failed fetch, a diverged branch). */
  notes: string[];
}

export interface ReconcileReport {
  repository: string;
  /** Worktrees of this agent that git lists and that exist: kept for follow-ups. */
  worktrees: string[];
  /** Directories under the workspaces dir that git does not know: moved aside when the issue runs again. */
  strays: string[];
}

export class Worktrees {
  readonly workspacesDir: string;
  #log: AgentLog;
  #locks = new Map<string, Promise<unknown>>();

  constructor(options: { workspacesDir: string; log: AgentLog }) {
    this.workspacesDir = resolve(options.workspacesDir);
    this.#log = options.log;
  }

  pathFor(repositoryName: string, issueIdentifier: string): string {
    return join(this.workspacesDir, safeSegment(repositoryName), safeSegment(issueIdentifier));
  }

  /** Start-up: prune what a crash left in git, and compare git's list with the workspaces directory. */
  async reconcile(repository: Repository): Promise<ReconcileReport> {
    return this.#serial(repository.path, async () => {
      await git(repository.path, ["worktree", "prune"]);
      const listed = await listWorktrees(repository.path);
      const root = join(this.workspacesDir, safeSegment(repository.name));
      const known = new Set(listed.map((w) => canonical(w.path)));
      const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
      const worktrees: string[] = [];
      const strays: string[] = [];
      for (const entry of entries) {
        if (!entry.isDirectory() || entry.name.includes(".stale-")) continue;
        const path = join(root, entry.name);
        (known.has(canonical(path)) ? worktrees : strays).push(path);
      }
      for (const stray of strays) this.#log.warn(`${stray} is not a git worktree of ${repository.name} (left by a crash?): it will be moved aside if its issue runs again`);
      return { repository: repository.name, worktrees, strays };
    });
  }

  /** The issue's worktree, created from the base branch or reused. */
  async ensure(request: WorktreeRequest): Promise<Worktree> {
    const { repository, branchName, baseBranch } = request;
    const mergeBranches = request.mergeBranches ?? [];
    const path = this.pathFor(repository.name, request.issueIdentifier);
    return this.#serial(repository.path, async () => {
      await git(repository.path, ["worktree", "prune"]);
      let listed = await listWorktrees(repository.path);
      const here = listed.find((w) => canonical(w.path) === canonical(path));
      if (here && existsSync(path)) {
        const interrupted = await interruptedMergeStart(path);
        if (interrupted === null) {
          const branch = here.branch?.replace(/^refs\/heads\//, "") ?? "(detached)";
          if (branch !== branchName) this.#log.warn(`reusing ${path}, which is on branch ${branch}, not ${branchName}`);
          return { path, branch, created: false, merged: [], notes: [] };
        }
        this.#log.warn(`${path} was left in the middle of merging its dependencies (a crash?): rebuilding it`);
        await this.#undoMerges(repository.path, path, branchName, interrupted);
        listed = await listWorktrees(repository.path);
      }
      if (existsSync(path)) await this.#moveAside(path);

      const elsewhere = listed.find((w) => w.branch === `refs/heads/${branchName}`);
      if (elsewhere) throw new Error(`branch ${branchName} is already checked out at ${elsewhere.path}: switch that checkout to another branch, or remove the worktree`);
      // Found before anything is created: a missing dependency leaves nothing behind.
      const notes: string[] = [];
      let sources: MergeSource[] = [];
      if (mergeBranches.length > 0) {
        const fetchProblem = await fetchOrigin(repository.path);
        if (fetchProblem) notes.push(fetchProblem);
        sources = await resolveMergeSources(repository.path, mergeBranches);
        for (const source of sources) if (source.note) notes.push(source.note);
      }
      await fs.mkdir(join(path, ".."), { recursive: true });
      const branchExisted = await refExists(repository.path, `refs/heads/${branchName}`);
      if (branchExisted) {
        // Left by an earlier attempt (or a failed add): keep its commits.
        await git(repository.path, ["worktree", "add", path, branchName]);
      } else {
        const base = await this.#resolveBase(repository, baseBranch);
        await git(repository.path, ["worktree", "add", "-b", branchName, path, base]);
      }
      if (sources.length > 0) {
        const start = (await git(path, ["rev-parse", "HEAD"])).trim();
        await markMergesPending(path, start);
        try {
          await mergeSources(path, branchName, sources);
        } catch (error) {
          await this.#undoMerges(repository.path, path, branchName, branchExisted ? start : null);
          throw error;
        }
        await clearMergesPending(path);
      }
      return { path, branch: branchName, created: true, merged: sources.map((s) => s.display), notes };
    });
  }

  /**
   * Takes back a creation whose merges failed or were interrupted: the worktree goes, and the
   * branch returns to `restoreTo` (its commit before the merges) or, when this creation made it,
   * is deleted.
   */
  async #undoMerges(repositoryPath: string, worktreePath: string, branch: string, restoreTo: string | null): Promise<void> {
    await git(worktreePath, ["merge", "--abort"]).catch(() => undefined);
    await git(repositoryPath, ["worktree", "remove", "--force", worktreePath]);
    if (restoreTo) await git(repositoryPath, ["update-ref", `refs/heads/${branch}`, restoreTo]);
    else await git(repositoryPath, ["branch", "-D", branch]);
  }

  async #moveAside(path: string): Promise<void> {
    const entries = await fs.readdir(path).catch(() => null);
    if (entries && entries.length === 0) {
      await fs.rmdir(path);
      return;
    }
    const aside = `${path}.stale-${Date.now()}`;
    await fs.rename(path, aside);
    this.#log.warn(`${path} existed but was not a git worktree: moved it to ${aside}`);
  }

  async #resolveBase(repository: Repository, baseBranch: string): Promise<string> {
    for (const ref of [`refs/heads/${baseBranch}`, `refs/remotes/origin/${baseBranch}`]) {
      if (await refExists(repository.path, ref)) return ref.replace(/^refs\/(heads|remotes)\//, "");
    }
    throw new Error(`base branch ${baseBranch} not found in ${repository.name} (${repository.path}): neither ${baseBranch} nor origin/${baseBranch} exists`);
  }

  #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.#locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }
}

// ---- cyrus-setup.sh ----

export const SETUP_SCRIPT = "cyrus-setup.sh";
const TAIL_CHARS = 4_000;

export type SetupOutcome =
  | { ran: false; note: string | null }
  | { ran: true; ok: true; durationMs: number }
  | { ran: true; ok: false; reason: string; outputTail: string; durationMs: number };

/** The marker lives in the worktree's private git dir: it goes away with the worktree. */
async function setupMarker(worktreePath: string): Promise<string> {
  const gitDir = (await git(worktreePath, ["rev-parse", "--absolute-git-dir"])).trim();
  return join(gitDir, "cyrus-setup-done");
}

/**
 * Runs the repository's executable `cyrus-setup.sh` in the worktree, once per worktree (until it
 * succeeds), with a time limit. Its process group is killed on timeout or when `signal` aborts.
 */
export async function runSetupScript(options: {
  repositoryPath: string;
  worktreePath: string;
  timeoutMs: number;
  env: Environment;
  signal?: AbortSignal;
}): Promise<SetupOutcome> {
  const script = join(options.repositoryPath, SETUP_SCRIPT);
  const stat = await fs.stat(script).catch(() => null);
  if (!stat?.isFile()) return { ran: false, note: null };
  try {
    await fs.access(script, constants.X_OK);
  } catch {
    return { ran: false, note: `${script} is not executable (chmod +x it to run it before each new worktree): skipped` };
  }
  const marker = await setupMarker(options.worktreePath);
  if (existsSync(marker)) return { ran: false, note: null };

  const started = Date.now();
  let output = "";
  const child = spawn(script, [], { cwd: options.worktreePath, env: options.env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-TAIL_CHARS * 2);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  let stopReason: string | null = null;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = (reason: string) => {
    if (stopReason) return;
    stopReason = reason;
    killGroup("SIGTERM");
    setTimeout(() => killGroup("SIGKILL"), 3_000).unref();
  };
  const timer = setTimeout(() => stop(`${SETUP_SCRIPT} timed out after ${formatDuration(options.timeoutMs)}`), options.timeoutMs);
  const onAbort = () => stop(`${SETUP_SCRIPT} was stopped`);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolvePromise) => {
    child.once("error", (error) => resolvePromise({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => {
      // Wait for the pipes to drain, but not for a background process that inherited them.
      const drained = setTimeout(() => resolvePromise({ code, signal }), 1_000);
      child.once("close", () => {
        clearTimeout(drained);
        resolvePromise({ code, signal });
      });
    });
  });
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  const durationMs = Date.now() - started;
  const outputTail = output.slice(-TAIL_CHARS).trim();
  if (stopReason) return { ran: true, ok: false, reason: stopReason, outputTail, durationMs };
  if (exit.error) return { ran: true, ok: false, reason: `${SETUP_SCRIPT} could not start: ${exit.error.message}`, outputTail, durationMs };
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return { ran: true, ok: false, reason: `${SETUP_SCRIPT} ${how}`, outputTail, durationMs };
  }
  await fs.writeFile(marker, `${new Date().toISOString()}\n`);
  return { ran: true, ok: true, durationMs };
}
