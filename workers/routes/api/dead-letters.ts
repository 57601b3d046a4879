import { z } from "zod";
import { listDeadLetters } from "../../../src/db/queries/dead-letters";
import { factory } from "../../factory";
import { validate } from "../../validation";

const QuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.iso.datetime().optional(),
});

/** Correctly signed webhooks that could not be used, newest first. Not scoped to a workspace: a bad body may name none. */
export const deadLetterRoutes = factory.createApp().get("/", validate("query", QuerySchema), async (c) => {
  const { limit, before } = c.req.valid("query");
  const rows = await listDeadLetters(c.var.db, { limit, before: before ? Date.parse(before) : undefined });
  return c.json({
    deadLetters: rows.map((row) => ({
      id: row.id,
      deliveryId: row.deliveryId,
      eventType: row.eventType,
      organizationId: row.organizationId,
      error: row.error,
      body: row.body,
      receivedAt: new Date(row.receivedAt).toISOString(),
    })),
  });
});
