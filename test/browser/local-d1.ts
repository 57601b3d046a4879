/**
 * SQL against the local D1 of a running `wrangler dev --local`, through
 * `wrangler d1 execute` on the same persist directory: for the states a test
 * cannot reach through the product in reasonable time (an expired sign-in).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./paths";

const run = promisify(execFile);
const BIN = join(REPO_ROOT, "node_modules", ".bin");

/** Runs `command` (one or more statements) and answers the rows of the last one. */
export async function executeLocalD1<Row = Record<string, unknown>>(persistDir: string, command: string): Promise<Row[]> {
  // The env startLocalEdge gives wrangler, with our node_modules/.bin first: wrangler needs the pinned Node, not the system's.
  const env = { ...process.env, CI: "1", PATH: `${BIN}:${process.env.PATH ?? ""}` };
  const args = ["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--json", "--command", command];
  let stdout: string;
  try {
    ({ stdout } = await run(join(BIN, "wrangler"), args, { env, cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }));
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`wrangler d1 execute failed for ${JSON.stringify(command)}:\n${failed.stdout ?? ""}\n${failed.stderr ?? failed.message}`);
  }
  const statements = JSON.parse(stdout) as Array<{ results: Row[]; success: boolean }>;
  return statements.at(-1)?.results ?? [];
}
