/**
 * POST /webhooks/linear. Verified (signature, then timestamp) against the raw
 * body, parsed with zod, handed to the Durable Object that owns its state, and
 * answered at once: nothing here waits on Linear or Codegen.
 *
 * Bad input never gets a 5xx: a correctly signed body we cannot use is answered
 * 200 and kept as a dead letter, because any other status only makes Linear
 * retry the same body and, in time, disable the webhook.
 */
import { recordDeadLetter } from "../../src/db/queries/dead-letters";
import { hasValidLinearSignature, webhookTimestampProblem } from "../../src/linear/webhook-signature";
import { parseLinearWebhook } from "../../src/linear/webhook-schemas";
import { describeError } from "../../src/log";
import { factory } from "../factory";
import { dispatchLinearWebhook } from "../webhook-dispatch";

export const linearWebhookRoutes = factory.createApp().post("/", async (c) => {
  const { log } = c.var;
  const secret = c.env.LINEAR_WEBHOOK_SECRET;
  if (!secret) {
    log.error("LINEAR_WEBHOOK_SECRET is not set: refusing webhooks");
    return c.json({ ok: false, error: "webhook receiver is not configured" }, 503);
  }
  const rawBody = await c.req.text();
  if (!(await hasValidLinearSignature(secret, rawBody, c.req.header("linear-signature")))) {
    log.warn("webhook refused: bad signature", { delivery: c.req.header("linear-delivery") });
    return c.json({ ok: false, error: "missing or invalid Linear-Signature" }, 401);
  }
  const staleness = webhookTimestampProblem(rawBody, c.req.header("linear-timestamp"), Date.now());
  if (staleness) {
    log.warn("webhook refused: stale", { delivery: c.req.header("linear-delivery") });
    return c.json({ ok: false, error: staleness }, 401);
  }

  const deliveryId = c.req.header("linear-delivery") ?? null;
  const parsed = parseLinearWebhook(rawBody);
  if (parsed.kind === "invalid") {
    const letterId = await recordDeadLetter(c.var.db, {
      deliveryId,
      eventType: parsed.type ?? c.req.header("linear-event") ?? null,
      organizationId: parsed.organizationId ?? null,
      error: parsed.error,
      body: rawBody,
      receivedAt: Date.now(),
    }).catch((error: unknown) => {
      // Even if D1 is down the delivery is answered 200; the log line is then the only record.
      log.error("could not store dead letter", { error: describeError(error) });
      return null;
    });
    log.warn("webhook kept as dead letter", { delivery: deliveryId, type: parsed.type, error: parsed.error, letterId });
    return c.json({ ok: false, error: parsed.error, deadLetterId: letterId });
  }
  if (parsed.kind === "unhandled") {
    log.info("webhook type not handled", { delivery: deliveryId, type: parsed.type });
    return c.json({ ok: true, ignored: `webhook type ${parsed.type} is not handled` });
  }

  const result = await dispatchLinearWebhook(c.env, c.var.db, parsed.event, deliveryId);
  log.debug("webhook handled", { delivery: deliveryId, type: parsed.event.type, outcome: result.outcome });
  return c.json({ ok: true, ...result });
});
