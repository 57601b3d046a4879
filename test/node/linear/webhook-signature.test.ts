import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hasValidLinearSignature,
  MAX_WEBHOOK_CLOCK_SKEW_MS,
  signLinearPayload,
  webhookTimestampProblem,
} from "../../../src/linear/webhook-signature";

const SECRET = "lin_wh_0123456789abcdef";
const NOW = 1773883618412;
const body = (ts: unknown = NOW) => JSON.stringify({ type: "Issue", action: "update", organizationId: "org", webhookTimestamp: ts, data: { id: "i" } });

describe("signLinearPayload", () => {
  it("is lowercase hex HMAC-SHA256 of the raw body (RFC 4231 test case 2)", async () => {
    expect(await signLinearPayload("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("agrees with Node's crypto for a realistic body", async () => {
    const raw = body();
    expect(await signLinearPayload(SECRET, raw)).toBe(createHmac("sha256", SECRET).update(raw).digest("hex"));
  });

  it("signs per secret (the key cache does not mix secrets up)", async () => {
    const raw = body();
    const a = await signLinearPayload("secret-a", raw);
    const b = await signLinearPayload("secret-b", raw);
    expect(a).not.toBe(b);
    expect(await signLinearPayload("secret-a", raw)).toBe(a);
  });
});

describe("hasValidLinearSignature", () => {
  it("accepts its own signature (roundtrip)", async () => {
    const raw = body();
    expect(await hasValidLinearSignature(SECRET, raw, await signLinearPayload(SECRET, raw))).toBe(true);
  });

  it("property: roundtrip for any secret and body; a different body is refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string(), fc.string(), async (secret, raw, other) => {
        const signature = await signLinearPayload(secret, raw);
        expect(await hasValidLinearSignature(secret, raw, signature)).toBe(true);
        if (other !== raw) expect(await hasValidLinearSignature(secret, other, signature)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts uppercase hex and surrounding whitespace", async () => {
    const raw = body();
    const signature = await signLinearPayload(SECRET, raw);
    expect(await hasValidLinearSignature(SECRET, raw, signature.toUpperCase())).toBe(true);
    expect(await hasValidLinearSignature(SECRET, raw, ` ${signature}\n`)).toBe(true);
  });

  it("refuses a signature made with another secret", async () => {
    const raw = body();
    expect(await hasValidLinearSignature(SECRET, raw, await signLinearPayload("another-secret", raw))).toBe(false);
  });

  it("refuses a tampered body, even a re-serialised identical JSON", async () => {
    const raw = body();
    const signature = await signLinearPayload(SECRET, raw);
    expect(await hasValidLinearSignature(SECRET, raw.replace('"update"', '"remove"'), signature)).toBe(false);
    expect(await hasValidLinearSignature(SECRET, JSON.stringify(JSON.parse(raw), null, 2), signature)).toBe(false);
    expect(await hasValidLinearSignature(SECRET, `${raw} `, signature)).toBe(false);
  });

  it("refuses a tampered, truncated or extended signature", async () => {
    const raw = body();
    const signature = await signLinearPayload(SECRET, raw);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`;
    expect(await hasValidLinearSignature(SECRET, raw, flipped)).toBe(false);
    expect(await hasValidLinearSignature(SECRET, raw, signature.slice(0, -2))).toBe(false);
    expect(await hasValidLinearSignature(SECRET, raw, `${signature}00`)).toBe(false);
    expect(await hasValidLinearSignature(SECRET, raw, `sha256=${signature}`)).toBe(false);
  });

  it.each([null, undefined, "", "   "])("refuses a missing or blank header (%j)", async (header) => {
    expect(await hasValidLinearSignature(SECRET, body(), header)).toBe(false);
  });

  it("refuses everything when the secret is empty (without throwing)", async () => {
    const raw = body();
    expect(await hasValidLinearSignature("", raw, await signLinearPayload(SECRET, raw))).toBe(false);
    expect(await hasValidLinearSignature("", raw, createHmac("sha256", "").update(raw).digest("hex"))).toBe(false);
  });
});

describe("webhookTimestampProblem", () => {
  it("is fine at the same instant", () => {
    expect(webhookTimestampProblem(body(NOW), null, NOW)).toBeNull();
  });

  it.each([-60_000, -59_999, -1, 1, 30_000, 60_000])("is fine %i ms away (within 60 s)", (offset) => {
    expect(webhookTimestampProblem(body(NOW + offset), null, NOW)).toBeNull();
  });

  it.each([
    ["61 s in the past", -61_000],
    ["61 s in the future", 61_000],
    ["just over a minute in the past", -60_001],
    ["just over a minute in the future", 60_001],
    ["an hour old (a replay)", -3_600_000],
  ])("refuses a timestamp %s", (_name, offset) => {
    expect(webhookTimestampProblem(body(NOW + offset), null, NOW)).toBe(
      "webhookTimestamp is more than 60 seconds away from the server's clock",
    );
  });

  it("uses a one-minute window", () => {
    expect(MAX_WEBHOOK_CLOCK_SKEW_MS).toBe(60_000);
  });

  it("does not refuse a body without a timestamp (its schema will)", () => {
    expect(webhookTimestampProblem(JSON.stringify({ type: "Issue" }), null, NOW)).toBeNull();
    expect(webhookTimestampProblem(JSON.stringify({ type: "Issue" }), undefined, NOW)).toBeNull();
  });

  it.each(["not json", "", "null", "[]", "42", JSON.stringify({ webhookTimestamp: "1773883618412" }), JSON.stringify({ webhookTimestamp: null })])(
    "does not refuse (or throw on) an unusable body %j",
    (raw) => {
      expect(webhookTimestampProblem(raw, null, NOW)).toBeNull();
    },
  );

  it("falls back to the Linear-Timestamp header when the body has none", () => {
    const noTs = JSON.stringify({ type: "Issue" });
    expect(webhookTimestampProblem(noTs, String(NOW - 61_000), NOW)).not.toBeNull();
    expect(webhookTimestampProblem(noTs, String(NOW + 61_000), NOW)).not.toBeNull();
    expect(webhookTimestampProblem(noTs, String(NOW - 1_000), NOW)).toBeNull();
    expect(webhookTimestampProblem("not json", String(NOW - 120_000), NOW)).not.toBeNull();
  });

  it("ignores an unparseable header", () => {
    expect(webhookTimestampProblem(JSON.stringify({ type: "Issue" }), "yesterday", NOW)).toBeNull();
    expect(webhookTimestampProblem(JSON.stringify({ type: "Issue" }), "", NOW)).toBeNull();
  });

  it("prefers the body's timestamp to the header", () => {
    expect(webhookTimestampProblem(body(NOW), String(NOW - 3_600_000), NOW)).toBeNull();
    expect(webhookTimestampProblem(body(NOW - 3_600_000), String(NOW), NOW)).not.toBeNull();
  });

  it("property: never throws for any body and header", () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: null }), fc.integer(), (raw, header, now) => {
        const problem = webhookTimestampProblem(raw, header, now);
        expect(problem === null || typeof problem === "string").toBe(true);
      }),
    );
  });
});
