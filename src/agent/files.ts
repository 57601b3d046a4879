/**
 * Small JSON files under CYRUS_HOME, written atomically (a temp file, fsync, rename) so a
 * crash leaves either the old content or the new, never half of each. Writes are synchronous
 * on purpose: the agent persists a message before it sends it, and a synchronous write keeps
 * that order without any locking.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { z } from "zod";

export function writeJsonAtomic(file: string, value: unknown, mode = 0o600): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Reads and validates a JSON file; `fallback` when it does not exist. A corrupt file is an error that names it. */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, fallback: () => T): T {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback();
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON: fix or delete it`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} has an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
