/**
 * A dependent task starts from its dependencies' work: its new branch is the base branch with each
 * dependency's branch merged in, in the order the edge listed them.
 *
 * A dependency may have run on this machine (its branch is local, perhaps never pushed) or in the
 * cloud (its branch is on origin), or both: origin is fetched first, then each branch is taken
 * from whichever of `<branch>` and `origin/<branch>` holds the other; when they have diverged,
 * origin's (what the pull request shows) is taken and the task is told so.
 *
 * A merge that fails is aborted here, so the worktree is never left half-merged; the caller
 * removes the worktree and puts the branch back (see `Worktrees.ensure`).
 */
import { existsSync, promises as fs } from "node:fs";
import { join } from "node:path";
import { git, refExists } from "./git";

export interface MergeSource {
  /** The dependency's branch, as the edge named it. */
  branch: string;
  /** What is merged: `refs/heads/<branch>` or `refs/remotes/origin/<branch>`. */
  ref: string;
  /** `<branch>` or `origin/<branch>`, for messages. */
  display: string;
  /** Something the task should hear about this choice, or null. */
  note: string | null;
}

export class MergeConflictError extends Error {
  constructor(
    readonly branch: string,
    readonly into: string,
    readonly files: string[],
  ) {
    super(`merging ${branch} into ${into} conflicts in ${files.join(", ")}: the dependencies' branches must merge cleanly before this task can start`);
    this.name = "MergeConflictError";
  }
}

const FETCH_TIMEOUT_MS = 120_000;

/** Fetches origin when the repository has one. Null when done (or nothing to do), else what went wrong: local branches may still be all the task needs. */
export async function fetchOrigin(repositoryPath: string): Promise<string | null> {
  const remotes = (await git(repositoryPath, ["remote"])).split("\n").map((r) => r.trim());
  if (!remotes.includes("origin")) return null;
  try {
    await git(repositoryPath, ["fetch", "--quiet", "origin"], { timeoutMs: FETCH_TIMEOUT_MS });
    return null;
  } catch (error) {
    return `could not fetch origin, merging the branches as they are on this machine: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function isAncestor(cwd: string, ancestor: string, of: string): Promise<boolean> {
  try {
    await git(cwd, ["merge-base", "--is-ancestor", ancestor, of]);
    return true;
  } catch {
    return false;
  }
}

/** Where each branch to merge is found; throws naming the first one found nowhere. */
export async function resolveMergeSources(repositoryPath: string, branches: string[]): Promise<MergeSource[]> {
  const sources: MergeSource[] = [];
  for (const branch of branches) {
    const local = `refs/heads/${branch}`;
    const remote = `refs/remotes/origin/${branch}`;
    const [hasLocal, hasRemote] = await Promise.all([refExists(repositoryPath, local), refExists(repositoryPath, remote)]);
    const localSource: MergeSource = { branch, ref: local, display: branch, note: null };
    const remoteSource: MergeSource = { branch, ref: remote, display: `origin/${branch}`, note: null };
    if (hasLocal && hasRemote) {
      if (await isAncestor(repositoryPath, remote, local)) sources.push(localSource);
      else if (await isAncestor(repositoryPath, local, remote)) sources.push(remoteSource);
      else sources.push({ ...remoteSource, note: `${branch} and origin/${branch} have diverged: merged origin/${branch}, what its pull request shows` });
    } else if (hasLocal) {
      sources.push(localSource);
    } else if (hasRemote) {
      sources.push(remoteSource);
    } else {
      throw new Error(`branch ${branch} to merge was not found in ${repositoryPath}: neither ${branch} nor origin/${branch} exists`);
    }
  }
  return sources;
}

/** Merges each source into the worktree's branch in order; on a failure the merge is aborted and the error names the branch (and the conflicting files). */
export async function mergeSources(worktreePath: string, into: string, sources: MergeSource[]): Promise<void> {
  for (const source of sources) {
    try {
      await git(worktreePath, ["merge", "--no-ff", "--no-edit", "-m", `Merge ${source.display} into ${into} (a dependency of this task)`, source.ref]);
    } catch (error) {
      const conflicted = await git(worktreePath, ["diff", "--name-only", "--diff-filter=U"]).catch(() => "");
      await git(worktreePath, ["merge", "--abort"]).catch(() => undefined);
      const files = conflicted.split("\n").map((f) => f.trim()).filter(Boolean);
      if (files.length > 0) throw new MergeConflictError(source.display, into, files);
      throw new Error(`merging ${source.display} into ${into} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

// ---- a marker for merges in progress ----
// Written before the first merge, removed after the last: a worktree that still has it was left
// by a crash in the middle, and is rebuilt rather than reused half-merged. It lives in the
// worktree's private git dir, so it goes away with the worktree.

async function markerPath(worktreePath: string): Promise<string> {
  const gitDir = (await git(worktreePath, ["rev-parse", "--absolute-git-dir"])).trim();
  return join(gitDir, "cyrus-merges-pending");
}

/** The commit the branch was on before the merges, when they were interrupted; otherwise null. */
export async function interruptedMergeStart(worktreePath: string): Promise<string | null> {
  const marker = await markerPath(worktreePath);
  if (!existsSync(marker)) return null;
  const start = (await fs.readFile(marker, "utf8")).trim();
  return /^[0-9a-f]{40,64}$/.test(start) ? start : null;
}

export async function markMergesPending(worktreePath: string, startCommit: string): Promise<void> {
  await fs.writeFile(await markerPath(worktreePath), `${startCommit}\n`);
}

export async function clearMergesPending(worktreePath: string): Promise<void> {
  await fs.rm(await markerPath(worktreePath), { force: true });
}
