/**
 * Every fault kind, seen through the real @linear/sdk: which error class it
 * throws, with which status and rate-limit fields. These are the failures the
 * product must tell apart (retry, wait, check-then-retry, give up).
 */
import {
  AuthenticationLinearError,
  InternalLinearError,
  LinearError,
  LinearErrorType,
  NetworkLinearError,
  RatelimitedLinearError,
  UnknownLinearError,
} from "@linear/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CreatedOrganization, LinearEmulatorControl } from "../../emulators/linear/control-client";
import { type LinearEmulator, startLinearEmulator } from "../../emulators/linear/server";
import { linearClient } from "../../emulators/linear/testing";

let emulator: LinearEmulator;
let control: LinearEmulatorControl;

beforeAll(async () => {
  emulator = await startLinearEmulator();
  control = new LinearEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

async function setup(): Promise<{ org: CreatedOrganization; sessionId: string; issueId: string }> {
  const org = await control.createOrganization();
  const issue = await control.createIssue(org.organizationId, { title: "Faulty" });
  const { agentSession } = await control.startAgentSession(org.organizationId, { issueId: issue.id, comment: "@cyrus go" });
  return { org, sessionId: agentSession.id, issueId: issue.id };
}

async function failure(promise: Promise<unknown>): Promise<LinearError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LinearError);
  return error as LinearError;
}

describe("HTTP failures", () => {
  it("http500: InternalLinearError with status 500, once", async () => {
    const { org } = await setup();
    const client = linearClient(emulator.url, org.accessToken);
    await control.addFault({ kind: "http500", organizationId: org.organizationId, rootField: "viewer" });
    const error = await failure(client.viewer);
    expect(error).toBeInstanceOf(InternalLinearError);
    expect(error.status).toBe(500);
    expect((await client.viewer).id).toBe(org.appUserId);
  });

  it("http502: an HTML gateway page, NetworkLinearError with status 502", async () => {
    const { org } = await setup();
    const client = linearClient(emulator.url, org.accessToken);
    await control.addFault({ kind: "http502", organizationId: org.organizationId });
    const error = await failure(client.viewer);
    expect(error).toBeInstanceOf(NetworkLinearError);
    expect(error.status).toBe(502);
  });
});

describe("rate limits", () => {
  it("ratelimit429: RatelimitedLinearError carrying Retry-After and the reset time", async () => {
    const { org } = await setup();
    const client = linearClient(emulator.url, org.accessToken);
    await control.addFault({ kind: "ratelimit429", organizationId: org.organizationId, resetAfterMs: 30_000 });
    const before = Date.now();
    const error = await failure(client.viewer);
    expect(error).toBeInstanceOf(RatelimitedLinearError);
    const limited = error as RatelimitedLinearError;
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe(30);
    expect(limited.requestsRemaining).toBe(0);
    expect(limited.requestsResetAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(limited.requestsResetAt).toBeLessThan(before + 35_000);
  });

  it("ratelimit400: HTTP 400 with extensions.code RATELIMITED, still a RatelimitedLinearError", async () => {
    const { org } = await setup();
    const client = linearClient(emulator.url, org.accessToken);
    await control.addFault({ kind: "ratelimit400", organizationId: org.organizationId });
    const error = await failure(client.viewer);
    expect(error).toBeInstanceOf(RatelimitedLinearError);
    expect(error.status).toBe(400);
    const raw = (error.raw as { response: { errors: Array<{ extensions: Record<string, unknown> }> } }).response.errors[0]!.extensions;
    expect(raw).toMatchObject({ code: "RATELIMITED", statusCode: 429 });
    expect((error as RatelimitedLinearError).requestsResetAt).toBeGreaterThan(Date.now());
  });

  it("without extensions.type the SDK cannot tell: UnknownLinearError, only the raw code says RATELIMITED", async () => {
    const { org } = await setup();
    await control.addFault({ kind: "ratelimit400", organizationId: org.organizationId, omitErrorType: true });
    const error = await failure(linearClient(emulator.url, org.accessToken).viewer);
    expect(error).toBeInstanceOf(UnknownLinearError);
    expect(error.type).toBe(LinearErrorType.Unknown);
    expect(JSON.stringify(error.raw)).toContain("RATELIMITED");
  });

  it("successful answers carry the rate-limit headers", async () => {
    const { org } = await setup();
    const result = await linearClient(emulator.url, org.accessToken).client.rawRequest(`query { viewer { id } }`, {});
    expect(Number(result.headers?.get("x-ratelimit-requests-limit"))).toBe(5000);
    expect(Number(result.headers?.get("x-ratelimit-requests-remaining"))).toBeLessThan(5000);
  });
});

describe("slow, lost and hung answers", () => {
  it("slow: answers normally after the delay", async () => {
    const { org } = await setup();
    await control.addFault({ kind: "slow", organizationId: org.organizationId, delayMs: 300 });
    const started = Date.now();
    const viewer = await linearClient(emulator.url, org.accessToken).viewer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(viewer.id).toBe(org.appUserId);
  });

  it("commitThenFail: the activity is created but the answer is a 500; a re-send is refused as existing", async () => {
    const { org, sessionId } = await setup();
    const client = linearClient(emulator.url, org.accessToken);
    await control.addFault({ kind: "commitThenFail", organizationId: org.organizationId, rootField: "agentActivityCreate" });
    const id = crypto.randomUUID();
    const input = { id, agentSessionId: sessionId, content: { type: "response", body: "Done" } };
    const lost = await failure(client.createAgentActivity(input));
    expect(lost).toBeInstanceOf(InternalLinearError);
    expect((await client.agentActivity(id)).id).toBe(id);
    const resend = await failure(client.createAgentActivity(input));
    expect(resend.message).toMatch(/already exists/);
    const state = await control.state(org.organizationId);
    expect(state.agentSessions[0]!.activities.map((a) => a.id)).toEqual([id]);
    expect(state.agentSessions[0]!.status).toBe("complete");
  });

  it("hang: no answer until the client gives up", async () => {
    const { org } = await setup();
    await control.addFault({ kind: "hang", organizationId: org.organizationId });
    const client = linearClient(emulator.url, org.accessToken, { signal: AbortSignal.timeout(300) });
    const started = Date.now();
    const error = await client.viewer.catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(LinearError);
    expect(String((error as LinearError).message)).toMatch(/abort|timeout/i);
    const { graphql } = await control.calls({ organizationId: org.organizationId });
    expect(graphql.at(-1)).toMatchObject({ fault: "hang", status: 0 });
  });
});

describe("matching and consumption", () => {
  it("applies a fault only to its organization and root field, count times, in order", async () => {
    const a = await setup();
    const b = await setup();
    const clientA = linearClient(emulator.url, a.org.accessToken);
    const clientB = linearClient(emulator.url, b.org.accessToken);
    await control.addFault({ kind: "http500", organizationId: a.org.organizationId, rootField: "issueUpdate", count: 2 });
    await control.addFault({ kind: "ratelimit429", organizationId: a.org.organizationId, rootField: "issueUpdate" });

    expect((await clientB.updateIssue(b.issueId, { title: "B is fine" })).success).toBe(true);
    expect((await clientA.viewer).id).toBe(a.org.appUserId);
    await expect(clientA.updateIssue(a.issueId, { title: "1" })).rejects.toBeInstanceOf(InternalLinearError);
    await expect(clientA.updateIssue(a.issueId, { title: "2" })).rejects.toBeInstanceOf(InternalLinearError);
    await expect(clientA.updateIssue(a.issueId, { title: "3" })).rejects.toBeInstanceOf(RatelimitedLinearError);
    expect((await clientA.updateIssue(a.issueId, { title: "4" })).success).toBe(true);
    expect((await control.state(a.org.organizationId)).issues[0]!.title).toBe("4");
  });

  it("DELETE /faults?organizationId clears only that organization's faults", async () => {
    const a = await setup();
    const b = await setup();
    await control.addFault({ kind: "http500", organizationId: a.org.organizationId });
    await control.addFault({ kind: "http500", organizationId: b.org.organizationId });
    expect((await control.clearFaults(a.org.organizationId)).removed).toBe(1);
    expect((await linearClient(emulator.url, a.org.accessToken).viewer).id).toBe(a.org.appUserId);
    await expect(linearClient(emulator.url, b.org.accessToken).viewer).rejects.toBeInstanceOf(InternalLinearError);
  });

  it("OAuth faults name their path", async () => {
    const { org } = await setup();
    await control.addFault({ kind: "http500", path: "/oauth/token", organizationId: org.organizationId });
    const form = { grant_type: "refresh_token", refresh_token: org.refreshToken, client_id: "test-client-id", client_secret: "test-client-secret" };
    const post = () => fetch(`${emulator.url}/oauth/token`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
    expect((await post()).status).toBe(500);
    // The failed attempt did not rotate the token: the same refresh token still works.
    expect((await post()).status).toBe(200);
    await expect(linearClient(emulator.url, org.accessToken).viewer).rejects.toBeInstanceOf(AuthenticationLinearError);
  });
});
