/**
 * The CodegenGate's watching inside workerd: refreshes paid from the
 * allowance its runs earn, placed where src/domain/cloud-polling.ts says, and
 * the durations of the runs it saw end kept for the next. The decisions
 * themselves are table-tested in test/node/domain/cloud-polling.test.ts; this
 * checks that the gate loads, stores and performs them. Codegen's clock is
 * left alone (cloud-executor.test.ts moves it).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import { sha256Hex } from "../../src/crypto/hash";
import { CodegenGateStore } from "../../workers/objects/codegen-gate/store";
import type { CodegenCredentialRef } from "../../workers/objects/contracts";
import { api, createdPayload, createIssue, env, installedOrg, issueSessionStub, postWebhook, settle } from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));

type Gate = ReturnType<typeof env.CODEGEN_GATE.get>;

function readGate(gate: Gate) {
  return runInDurableObject(gate, async (_instance, state) => {
    const store = new CodegenGateStore(state.storage);
    return {
      alarmAt: await state.storage.getAlarm(),
      watched: store.watched(),
      allowance: store.allowance(),
      expectedEnds: [...store.expectedEnds().entries()],
      endedDurations: store.endedDurations(),
    };
  });
}

describe("CodegenGate: watching paid from an allowance", () => {
  it("looks at a lone new run once it has earned the call, and a session re-registering its run does not pull that forward", async () => {
    const gate = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`codegen:test:${crypto.randomUUID()}`));
    const ref: CodegenCredentialRef = { source: "workspace", workspaceId: "nobody" };
    const startedAt = Date.now();
    await gate.watchRun(ref, { runId: 1, sessionObject: "org:issue-1", runCreatedAt: startedAt });
    const first = await readGate(gate);
    expect(first.watched.map((r) => r.runId)).toEqual([1]);
    // One run earns a call every 72 s at 50 per run-hour; nothing is known of its end, so at most half of that is spent: ~144 s.
    expect(first.alarmAt! - startedAt).toBeGreaterThanOrEqual(72_000);
    expect(first.alarmAt! - startedAt).toBeLessThanOrEqual(150_000);

    await gate.watchRun(ref, { runId: 1, sessionObject: "org:issue-1", runCreatedAt: startedAt });
    expect((await readGate(gate)).alarmAt).toBe(first.alarmAt);

    // A second run earns too: the next look comes sooner. Its session said when it should end; that is kept until it is unwatched.
    await gate.watchRun(ref, { runId: 2, sessionObject: "org:issue-2", runCreatedAt: Date.now(), expectedEnd: { fromMs: 600_000, toMs: 900_000 } });
    const second = await readGate(gate);
    expect(second.alarmAt!).toBeLessThan(first.alarmAt!);
    expect(second.expectedEnds).toEqual([[2, { fromMs: 600_000, toMs: 900_000 }]]);
    await gate.watchRun(ref, { runId: 3, sessionObject: "org:issue-3", runCreatedAt: null, expectedEnd: { fromMs: 5, toMs: 1 } as never });
    expect((await readGate(gate)).expectedEnds.map(([runId]) => runId)).toEqual([2]);
    await gate.unwatchRun(2);
    const after = await readGate(gate);
    expect(after.expectedEnds).toEqual([]);
    expect(after.watched.map((r) => r.runId)).toEqual([1, 3]);
  });

  it("pays each refresh from the allowance, and keeps how long the runs it saw end took", async () => {
    const org = await installedOrg("Gate");
    const cg = await codegen.createOrganization();
    // Ends a millisecond after it starts: the first refresh sees it done.
    await codegen.script(cg.orgId, { default: { durationMs: 1 } });
    const q = `?workspace=${org.organizationId}`;
    expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) })).status).toBe(200);
    expect((await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) })).status).toBe(201);
    const gate = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`codegen:${cg.orgId}:${(await sha256Hex(cg.apiToken)).slice(0, 16)}`));

    const issue = await createIssue(org, { delegateToApp: true });
    const { payload } = await createdPayload(org, issue);
    expect((await postWebhook(payload)).status).toBe(200);
    const stub = issueSessionStub(org.organizationId, issue.id);
    await settle(stub);
    const watching = await readGate(gate);
    expect(watching.watched).toHaveLength(1);
    expect(watching.allowance.calls).toBeLessThan(1);
    // As if the run had been watched a while: five calls saved.
    await runInDurableObject(gate, (_instance, state) => new CodegenGateStore(state.storage).setAllowance({ calls: 5, at: Date.now() }));

    await runDurableObjectAlarm(gate);
    const stats = await codegen.stats(cg.orgId);
    expect(stats.byKind.list.calls).toBe(1);
    expect(stats.byKind.get.calls).toBe(0);
    const done = await readGate(gate);
    // Told its session and stopped watching: nothing left to earn or to look at.
    expect(done.watched).toEqual([]);
    expect(done.alarmAt).toBeNull();
    // One list call paid; the rest is what the run earned in the milliseconds before it was unwatched.
    expect(done.allowance.calls).toBeGreaterThanOrEqual(4);
    expect(done.allowance.calls).toBeLessThan(4.1);
    expect(done.endedDurations).toHaveLength(1);
    expect(done.endedDurations[0]!).toBeGreaterThanOrEqual(0);
    expect(done.endedDurations[0]!).toBeLessThan(60_000);
  });
});
