/**
 * Delivers webhooks the way Linear does: a signed JSON POST that must be
 * answered with 200 within 5 seconds. Each delivery and the receiver's answer
 * are recorded. There are no automatic retries (Linear's come after 1 min, 1 h
 * and 6 h); tests ask for a redelivery through the control API instead.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { WebhookTarget } from "./model";
import type { LinearWebhookPayload } from "./payloads";
import { webhookHeaders } from "./payloads";
import type { DeliveryRecord, Recorder } from "./recorder";

const DELIVERY_TIMEOUT_MS = 5_000;

export class WebhookSender {
  readonly #recorder: Recorder;
  /** Deliveries still in flight, so `close()` and tests can wait for them. */
  readonly #inFlight = new Set<Promise<DeliveryRecord>>();

  constructor(recorder: Recorder) {
    this.#recorder = recorder;
  }

  deliver(target: WebhookTarget, payload: LinearWebhookPayload, options: { deliveryId?: string } = {}): Promise<DeliveryRecord> {
    const promise = this.#send(target, payload, options.deliveryId ?? randomUUID());
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
    return promise;
  }

  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #send(target: WebhookTarget, payload: LinearWebhookPayload, deliveryId: string): Promise<DeliveryRecord> {
    const body = JSON.stringify(payload);
    const signature = createHmac("sha256", target.secret).update(body).digest("hex");
    const started = Date.now();
    const record: DeliveryRecord = {
      id: deliveryId,
      at: new Date(started).toISOString(),
      organizationId: payload.organizationId,
      webhookId: payload.webhookId,
      url: target.url,
      event: payload.type,
      action: payload.action,
      status: null,
      durationMs: 0,
      payload,
    };
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: webhookHeaders(payload.type, signature, deliveryId),
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      record.status = response.status;
      if (response.status !== 200) record.error = `receiver answered HTTP ${response.status}`;
    } catch (error) {
      record.error = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${DELIVERY_TIMEOUT_MS} ms` : `could not deliver: ${String(error)}`;
    }
    record.durationMs = Date.now() - started;
    this.#recorder.recordDelivery(record);
    return record;
  }
}
