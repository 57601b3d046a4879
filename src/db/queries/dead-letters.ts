import { desc, lt } from "drizzle-orm";
import type { Db } from "../client";
import { deadLetters } from "../schema";

export type DeadLetter = typeof deadLetters.$inferSelect;

/** Bodies are capped: a dead letter is evidence, not an archive of arbitrary uploads. */
export const MAX_DEAD_LETTER_BODY = 64 * 1024;

export async function recordDeadLetter(db: Db, letter: Omit<DeadLetter, "id" | "body"> & { body: string }): Promise<string> {
  const id = crypto.randomUUID();
  await db.insert(deadLetters).values({ ...letter, id, body: letter.body.slice(0, MAX_DEAD_LETTER_BODY) });
  return id;
}

export async function listDeadLetters(db: Db, options: { limit: number; before?: number }): Promise<DeadLetter[]> {
  const query = db.select().from(deadLetters);
  const filtered = options.before === undefined ? query : query.where(lt(deadLetters.receivedAt, options.before));
  return filtered.orderBy(desc(deadLetters.receivedAt)).limit(options.limit).all();
}
