/**
 * Verifies a Linear webhook: `Linear-Signature` is hex(HMAC-SHA256(secret, raw body)),
 * and the body's `webhookTimestamp` (epoch ms) must be within a minute of our clock.
 */
import { bytesToHex, timingSafeEqual } from "../crypto/encoding";

export const MAX_WEBHOOK_CLOCK_SKEW_MS = 60_000;

const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keyCache.set(secret, key);
  }
  return key;
}

export async function signLinearPayload(secret: string, rawBody: string): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(rawBody));
  return bytesToHex(new Uint8Array(signature));
}

export async function hasValidLinearSignature(secret: string, rawBody: string, header: string | null | undefined): Promise<boolean> {
  if (!header || !secret) return false;
  const expected = await signLinearPayload(secret, rawBody);
  return timingSafeEqual(expected, header.trim().toLowerCase());
}

/**
 * The replay check. Reads `webhookTimestamp` without trusting the rest of the body,
 * which is parsed later; a missing timestamp falls back to the `Linear-Timestamp` header
 * (as Linear's own SDK does). A signed body with no timestamp at all is not refused
 * here: it cannot be valid, so it fails its schema and becomes a dead letter.
 */
export function webhookTimestampProblem(rawBody: string, timestampHeader: string | null | undefined, now: number): string | null {
  let timestamp: unknown;
  try {
    timestamp = (JSON.parse(rawBody) as { webhookTimestamp?: unknown } | null)?.webhookTimestamp;
  } catch {
    timestamp = undefined;
  }
  if (timestamp === undefined && timestampHeader) timestamp = Number(timestampHeader);
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) return null;
  if (Math.abs(now - timestamp) > MAX_WEBHOOK_CLOCK_SKEW_MS) return "webhookTimestamp is more than 60 seconds away from the server's clock";
  return null;
}
