/**
 * "Crash after the call, before the answer" for the session's effects whose
 * outcome a crash can hide. Each test leaves storage exactly as a process that
 * died at that point would: the other side (the Workspace hub, D1, the ledger)
 * has the effect, and the session's job that caused it is still pending, with
 * nothing of its answer stored. The next alarm runs the job again; the effect
 * must not happen twice. (The Codegen create's case, where the crash is a real
 * SIGKILL of `wrangler dev`, is test/node/e2e/codegen-crash.e2e.test.ts.)
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { sha256Hex } from "../../src/crypto/hash";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import { api, createdPayload, createIssue, env, hubSnapshot, inspectSession, installedOrg, issueSessionStub, postWebhook, settle, activitiesOf, type EmulatedOrg } from "./support";

async function localWorkspace(name: string): Promise<EmulatedOrg> {
  const org = await installedOrg(name);
  await api(`/api/repositories?workspace=${org.organizationId}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true }) });
  await api(`/api/config?workspace=${org.organizationId}`, { method: "PUT", body: JSON.stringify({ strategy: "local-only" }) });
  return org;
}

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));
const workspace = (org: EmulatedOrg) => env.WORKSPACE.get(env.WORKSPACE.idFromName(org.organizationId));

describe("crash after the call, before the answer", () => {
  it("a local task the hub queued before the edge stored its answer is queued once, and the session goes on", async () => {
    const org = await localWorkspace("CrashLocal");
    const issue = await createIssue(org, { delegateToApp: true });
    const { agentSessionId, payload } = await createdPayload(org, issue);
    const stub = issueSessionStub(org.organizationId, issue.id);
    await postWebhook(payload);
    // The first attempt's task id is its attempt key. The hub took the task; the edge died before storing the answer.
    const taskId = `${agentSessionId}:1`;
    await workspace(org).enqueueLocalTask({
      sessionObject: `${org.organizationId}:${issue.id}`,
      spec: {
        taskId,
        organizationId: org.organizationId,
        agentSessionId,
        issue: { id: issue.id, identifier: issue.identifier, title: issue.title, description: null, url: null },
        repository: { name: "web", baseBranch: "main" },
        branchName: "cyrus/crash",
        prompt: "the first call's prompt",
        systemPromptAppend: "",
        maxBudgetUsd: null,
        resumeClaudeSessionId: null,
        previousTotalCostUsd: null,
      },
      requiredAgentId: null,
    });

    const snapshot = await settle(stub);

    const hub = await hubSnapshot(workspace(org));
    expect(hub.tasks.filter((t) => t.agentSessionId === agentSessionId).map((t) => t.taskId)).toEqual([taskId]);
    const executions = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec(`SELECT attempt_key, task_id, state FROM executions`).toArray());
    expect(executions).toEqual([{ attempt_key: taskId, task_id: taskId, state: "creating" }]);
    expect(snapshot.agentSessions[0]).toMatchObject({ status: "active" });
    expect(snapshot.timeline.filter((e) => e.kind === "local.queued")).toHaveLength(1);
    const queuedThoughts = (await activitiesOf(org, agentSessionId)).filter((a) => a.content.body?.includes("local agent that serves"));
    expect(queuedThoughts).toHaveLength(1);
  });

  it("a run's metrics row and settlement written before the edge marked the job done are written once", async () => {
    const org = await installedOrg("CrashMetrics");
    const cg = await codegen.createOrganization();
    await codegen.script(cg.orgId, { scripts: [{ durationMs: 60_000, finalStatus: "COMPLETE", result: "Done." }], default: { durationMs: 60_000 } });
    const q = `?workspace=${org.organizationId}`;
    expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", maxCostPerDayUsd: 50, codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) })).status).toBe(200);
    expect((await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) })).status).toBe(201);
    const issue = await createIssue(org, { delegateToApp: true });
    const { agentSessionId, payload } = await createdPayload(org, issue);
    const stub = issueSessionStub(org.organizationId, issue.id);
    await postWebhook(payload);
    await settle(stub);
    await codegen.advanceClock(90_000);
    const gateName = `codegen:${cg.orgId}:${(await sha256Hex(cg.apiToken)).slice(0, 16)}`;
    await runDurableObjectAlarm(env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(gateName)));
    await settle(stub);

    const rows = async () => (await env.DB.prepare("SELECT id, outcome, cost_usd FROM execution_metrics WHERE session_id = ?").bind(agentSessionId).all()).results;
    const spent = async () => (await workspace(org).budgetStatus({ maxPerDayUsd: 50, maxPerTaskUsd: null })).usedTodayUsd;
    const before = { rows: await rows(), spent: await spent() };
    expect(before.rows).toHaveLength(1);
    expect(before.rows[0]).toMatchObject({ outcome: "succeeded" });
    // The process died after the row and the settlement, before the job was marked done: it is pending again.
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE jobs SET state = 'pending', finished_at = NULL, due_at = ? WHERE kind = 'metrics.record'`, Date.now());
    });
    await settle(stub);

    expect(await rows()).toEqual(before.rows);
    expect(await spent()).toBe(before.spent);
    expect((await inspectSession(stub)).jobs.filter((j) => j.kind === "metrics.record").every((j) => j.state === "done")).toBe(true);
  });
});
