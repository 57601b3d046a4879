import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import type { ValidationTargets } from "hono";

/** zValidator with our one error shape: 400 `{ error }` naming every problem. */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) {
      const problems = result.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
      return c.json({ error: `invalid ${target}: ${problems.join("; ")}` }, 400);
    }
  });
}
