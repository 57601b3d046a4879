import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { api, createdPayload, createIssue, edgeFetch, installedOrg, postWebhook } from "./support";

describe("GET /health", () => {
  it("answers ok", async () => {
    const response = await edgeFetch("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });
});

describe("POST /webhooks/linear: verification", () => {
  const validBody = () => ({
    type: "OAuthApp",
    action: "other",
    organizationId: crypto.randomUUID(),
    oauthClientId: "c",
    createdAt: new Date().toISOString(),
    webhookId: "wh-config",
    webhookTimestamp: Date.now(),
  });

  it("refuses a missing signature with 401", async () => {
    const response = await postWebhook(validBody(), { signature: null });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ ok: false, error: expect.stringContaining("Linear-Signature") });
  });

  it("refuses a signature made with another secret with 401", async () => {
    expect((await postWebhook(validBody(), { secret: "not-the-secret" })).status).toBe(401);
  });

  it("refuses a body altered after signing with 401", async () => {
    const body = validBody();
    const raw = JSON.stringify(body);
    const { signLinearPayload } = await import("../../src/linear/webhook-signature");
    const signature = await signLinearPayload("test-webhook-secret", raw);
    const tampered = raw.replace('"other"', '"revoked"');
    expect((await postWebhook(body, { rawBody: tampered, signature })).status).toBe(401);
  });

  it.each([
    ["61 s in the past", -61_000],
    ["61 s in the future", 61_000],
  ])("refuses a webhookTimestamp %s with 401", async (_label, offset) => {
    const response = await postWebhook({ ...validBody(), webhookTimestamp: Date.now() + offset });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining("60 seconds") });
  });

  it("accepts a timestamp 50 s off", async () => {
    expect((await postWebhook({ ...validBody(), webhookTimestamp: Date.now() - 50_000 })).status).toBe(200);
  });
});

describe("POST /webhooks/linear: bad input is answered 200 and kept", () => {
  it("keeps a signed body that is not JSON as a dead letter", async () => {
    const delivery = crypto.randomUUID();
    const response = await postWebhook(null, { rawBody: "this is {not json", deliveryId: delivery });
    expect(response.status).toBe(200);
    const body = await response.json<{ ok: boolean; error: string; deadLetterId: string }>();
    expect(body).toMatchObject({ ok: false, error: "body is not JSON" });

    const letters = await (await api("/api/dead-letters")).json<{ deadLetters: { id: string; deliveryId: string; body: string }[] }>();
    const letter = letters.deadLetters.find((l) => l.id === body.deadLetterId);
    expect(letter).toMatchObject({ deliveryId: delivery, body: "this is {not json" });
  });

  it("keeps a signed AgentSessionEvent that misses required fields as a dead letter, naming the field", async () => {
    const payload = {
      type: "AgentSessionEvent",
      action: "created",
      organizationId: "org-1",
      appUserId: "app",
      webhookId: "wh",
      webhookTimestamp: Date.now(),
      agentSession: { issueId: "i" },
    };
    const response = await postWebhook(payload);
    expect(response.status).toBe(200);
    const body = await response.json<{ ok: boolean; error: string }>();
    expect(body.ok).toBe(false);
    expect(body.error).toContain("agentSession.id");
    const letters = await (await api("/api/dead-letters")).json<{ deadLetters: { eventType: string; organizationId: string }[] }>();
    expect(letters.deadLetters.some((l) => l.eventType === "AgentSessionEvent" && l.organizationId === "org-1")).toBe(true);
  });

  it("answers a type it does not handle with 200 and says so", async () => {
    const response = await postWebhook({ type: "Reaction", action: "create", organizationId: "o", webhookTimestamp: Date.now(), data: {} });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, ignored: expect.stringContaining("Reaction") });
  });

  it("accepts fields Linear adds later", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { payload } = await createdPayload(org, issue);
    const withNewFields = {
      ...payload,
      someFutureField: { nested: [1, 2, 3] },
      agentSession: { ...(payload.agentSession as object), brandNewField: "x" },
    };
    const response = await postWebhook(withNewFields);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, outcome: "accepted" });
  });

  it("never answers 5xx or crashes on arbitrary signed bodies (property)", async () => {
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({
        type: fc.constantFrom("AgentSessionEvent", "Issue", "Comment", "AppUserNotification", "OAuthApp", "PermissionChange", "Other"),
        action: fc.oneof(fc.constantFrom("created", "prompted", "update", "create", "revoked"), fc.string()),
        organizationId: fc.oneof(fc.uuid(), fc.constant(""), fc.integer()),
        webhookTimestamp: fc.constant(Date.now()),
        agentSession: fc.anything(),
        data: fc.anything(),
        notification: fc.anything(),
        agentActivity: fc.anything(),
      }).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(jsonish, async (raw) => {
        const response = await postWebhook(null, { rawBody: raw });
        // 401 is allowed only when the body carries a stale timestamp; anything else must be 200.
        expect([200, 401]).toContain(response.status);
        const body = await response.json<{ ok: boolean }>();
        expect(typeof body.ok).toBe("boolean");
      }),
      { numRuns: 60 },
    );
  });
});
