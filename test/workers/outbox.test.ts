import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  activitiesOf,
  createdPayload,
  createIssue,
  injectFault,
  inspectSession,
  installedOrg,
  issueSessionStub,
  linearCalls,
  postWebhook,
  settle,
} from "./support";

describe("outbox: every write to Linear lands exactly once", () => {
  it("delivers exactly one activity after a failure and a lost answer", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    // First attempt: Linear fails. Second: Linear creates the activity but the answer is lost.
    await injectFault(org, { rootField: "agentActivityCreate", kind: "http500" });
    await injectFault(org, { rootField: "agentActivityCreate", kind: "commitThenFail" });

    await postWebhook(payload);
    const stub = issueSessionStub(org.organizationId, issue.id);
    const snapshot = await settle(stub);

    const acks = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.startsWith("On it"));
    expect(acks).toHaveLength(1);
    const ackJob = snapshot.jobs.find((j) => j.kind === "linear.activity" && j.id === acks[0]!.id);
    expect(ackJob).toMatchObject({ state: "done", attempts: 2 });
    // The third attempt looked the activity up instead of posting it again.
    const lookups = await linearCalls(org, "agentActivity");
    expect(lookups.some((call) => call.variables.id === acks[0]!.id)).toBe(true);
  });

  it("holds writes through a Linear outage and delivers them when Linear is back", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await injectFault(org, { path: "/graphql", kind: "http502", count: 6 });
    await postWebhook(payload);
    const stub = issueSessionStub(org.organizationId, issue.id);

    await runDurableObjectAlarm(stub);
    const during = await inspectSession(stub);
    expect(during.jobs.find((j) => j.kind === "linear.activity")).toMatchObject({ state: "pending" });
    expect(await activitiesOf(org, agentSessionId)).toHaveLength(0);

    await settle(stub);
    const acks = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.startsWith("On it"));
    expect(acks).toHaveLength(1);
  });

  it.each([
    ["HTTP 429", "ratelimit429"],
    ["HTTP 400 with RATELIMITED", "ratelimit400"],
  ])("waits for the rate limit's reset after %s, without counting it as a failure", async (_label, kind) => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { agentSessionId, payload } = await createdPayload(org, issue);
    await injectFault(org, { rootField: "agentActivityCreate", kind, resetAfterMs: 120_000 });
    await postWebhook(payload);
    const stub = issueSessionStub(org.organizationId, issue.id);

    const startedAt = Date.now();
    await runDurableObjectAlarm(stub);
    const waiting = await inspectSession(stub);
    const job = waiting.jobs.find((j) => j.kind === "linear.activity")!;
    expect(job).toMatchObject({ state: "pending", attempts: 0 });
    expect(job.dueAt).toBeGreaterThanOrEqual(startedAt + 100_000);
    // Every write to Linear waits for the reset, not just the one that was refused.
    for (const pending of waiting.jobs.filter((j) => j.state === "pending" && (j.kind.startsWith("linear.") || j.kind === "session.prepare"))) {
      expect(pending.dueAt).toBeGreaterThanOrEqual(startedAt + 100_000);
    }

    await settle(stub);
    expect((await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.startsWith("On it"))).toHaveLength(1);
  });

  it("gives up on a write Linear rejects, and records why", async () => {
    const org = await installedOrg();
    const issue = await createIssue(org);
    const { payload } = await createdPayload(org, issue);
    // A session Linear does not know: every write to it is refused.
    const unknownSession = { ...(payload.agentSession as Record<string, unknown>), id: crypto.randomUUID() };
    await postWebhook({ ...payload, agentSession: unknownSession });
    const snapshot = await settle(issueSessionStub(org.organizationId, issue.id));
    const ack = snapshot.jobs.find((j) => j.kind === "linear.activity");
    expect(ack).toMatchObject({ state: "failed", lastError: expect.stringContaining("Linear rejected") });
    expect(snapshot.timeline.some((t) => t.kind === "outbox.failed")).toBe(true);
  });
});
