/**
 * One emulator instance: the workspace data, tokens, faults, recordings and the
 * webhook sender, plus the configuration the control API can change.
 */
import { randomUUID } from "node:crypto";
import { FaultQueue } from "./faults";
import { HttpError } from "./http";
import type { OrganizationRecord, WebhookTarget } from "./model";
import type { LinearWebhookPayload } from "./payloads";
import type { DeliveryRecord } from "./recorder";
import { Recorder } from "./recorder";
import { LinearStore } from "./store";
import { TokenStore } from "./tokens";
import { WebhookSender } from "./webhooks";
import type { EventContext } from "./events";

export interface EmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  tokenTtlSeconds?: number;
}

export interface EmulatorConfig {
  clientId: string;
  clientSecret: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  /** `expires_in` of issued access tokens; they really expire then, on the emulator's clock. */
  tokenTtlSeconds: number;
  /** Registered callback URLs; `null` accepts any http(s) URL. */
  redirectUris: string[] | null;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 86_399;

function initialConfig(options: EmulatorOptions): EmulatorConfig {
  return {
    clientId: options.clientId ?? "test-client-id",
    clientSecret: options.clientSecret ?? "test-client-secret",
    webhookUrl: options.webhookUrl ?? null,
    webhookSecret: options.webhookSecret ?? null,
    tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    redirectUris: null,
  };
}

export class Emulator {
  readonly store = new LinearStore();
  readonly recorder = new Recorder();
  readonly faults = new FaultQueue();
  readonly tokens = new TokenStore(this.store.clock);
  readonly webhooks = new WebhookSender(this.recorder);
  /** The OAuth application's id, as webhooks carry it in `oauthClientId`. */
  readonly oauthClientId = randomUUID();
  readonly #options: EmulatorOptions;
  #config: EmulatorConfig;
  /** The id of the emulator-wide webhook: one per configured URL, the same on every delivery. */
  #webhookId = randomUUID();

  constructor(options: EmulatorOptions = {}) {
    this.#options = options;
    this.#config = initialConfig(options);
  }

  get config(): EmulatorConfig {
    return this.#config;
  }

  /** The configuration without secrets, for the control API and logs. */
  publicConfig() {
    const { clientSecret: _secret, webhookSecret, ...rest } = this.#config;
    return { ...rest, webhookSecretSet: webhookSecret !== null, webhookId: this.#webhookId, oauthClientId: this.oauthClientId };
  }

  configure(patch: Record<string, unknown>): void {
    const next = { ...this.#config };
    const str = (key: string): string | null | undefined => {
      const value = patch[key];
      if (value === undefined) return undefined;
      if (value !== null && (typeof value !== "string" || !value)) throw new HttpError(400, `${key} must be a non-empty string or null`);
      return value as string | null;
    };
    const webhookUrl = str("webhookUrl");
    if (webhookUrl !== undefined) {
      if (webhookUrl !== null) checkHttpUrl(webhookUrl, "webhookUrl");
      if (webhookUrl !== next.webhookUrl) this.#webhookId = randomUUID();
      next.webhookUrl = webhookUrl;
    }
    const webhookSecret = str("webhookSecret");
    if (webhookSecret !== undefined) next.webhookSecret = webhookSecret;
    const clientId = str("clientId");
    if (clientId) next.clientId = clientId;
    const clientSecret = str("clientSecret");
    if (clientSecret) next.clientSecret = clientSecret;
    if (patch.tokenTtlSeconds !== undefined) {
      const ttl = patch.tokenTtlSeconds;
      if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1) throw new HttpError(400, "tokenTtlSeconds must be a positive integer");
      next.tokenTtlSeconds = ttl;
    }
    if (patch.redirectUris !== undefined) {
      const uris = patch.redirectUris;
      if (uris !== null && (!Array.isArray(uris) || !uris.every((u) => typeof u === "string"))) throw new HttpError(400, "redirectUris must be an array of URLs or null");
      next.redirectUris = uris as string[] | null;
    }
    this.#config = next;
  }

  webhookTarget(org: OrganizationRecord): WebhookTarget | null {
    if (org.webhook) return org.webhook;
    const { webhookUrl, webhookSecret } = this.#config;
    return webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret, webhookId: this.#webhookId } : null;
  }

  eventContext(org: OrganizationRecord): EventContext {
    return { oauthClientId: this.oauthClientId, webhookId: this.webhookTarget(org)?.webhookId ?? this.#webhookId };
  }

  /** Delivers to the organization's webhook target; resolves to null when none is configured. */
  async send(org: OrganizationRecord, payload: LinearWebhookPayload): Promise<DeliveryRecord | null> {
    const target = this.webhookTarget(org);
    return target ? this.webhooks.deliver(target, payload) : null;
  }

  /** Fire-and-forget delivery, for webhooks that follow a GraphQL mutation (Linear does not wait for receivers). */
  sendInBackground(org: OrganizationRecord, payload: LinearWebhookPayload): void {
    void this.send(org, payload).catch(() => undefined);
  }

  reset(): void {
    this.store.reset();
    this.tokens.reset();
    this.faults.clear();
    this.recorder.clear();
    this.#config = initialConfig(this.#options);
    this.#webhookId = randomUUID();
  }
}

export function checkHttpUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // fall through
  }
  throw new HttpError(400, `${name} must be an http(s) URL`);
}
