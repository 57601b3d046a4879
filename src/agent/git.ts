/** git, run as a child process in a directory: the one way the agent touches repositories. */
import { execFile } from "node:child_process";

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} failed: ${stderr.trim() || "no output"}`);
    this.name = "GitError";
  }
}

/** `timeoutMs` bounds a command that talks to a remote (a fetch must not hold up every task of the repository). */
export function git(cwd: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "git",
      args,
      { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" }, maxBuffer: 16 * 1024 * 1024, timeout: options.timeoutMs ?? 0 },
      (error, stdout, stderr) => {
        if (error && error.killed && options.timeoutMs) reject(new GitError(args, `timed out after ${options.timeoutMs} ms`));
        else if (error) reject(new GitError(args, stderr || error.message));
        else resolvePromise(stdout);
      },
    );
  });
}

/** Whether `ref` names a commit (a branch, a remote-tracking branch, a sha). */
export async function refExists(cwd: string, ref: string): Promise<boolean> {
  try {
    await git(cwd, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}
