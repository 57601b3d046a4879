/**
 * Hybrid-parallel end to end in workerd, against both emulators: a delegated
 * issue under `hybrid-parallel` is split (its sub-issues with their `blocks`
 * relations, or a plan a planning task proposes), its children are delegated
 * as their blockers finish and run as ordinary sessions in the (emulated)
 * cloud, and the parent validates them and answers once.
 *
 * Linear's `created` webhooks for the children are recorded by the emulator
 * (its webhook target is a closed port) and posted to the edge by the test,
 * signed as Linear signs them. The vitest config runs these with
 * PARALLEL_MAX_CHILDREN=3.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { sha256Hex } from "../../src/crypto/hash";
import { CodegenEmulatorControl, type RunScript } from "../emulators/codegen/control-client";
import { activitiesOf, api, createdPayload, emulator, env, installedOrg, issueSessionStub, postWebhook, settle, type EmulatedOrg } from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));
const VALIDATION: RunScript = { match: { promptContains: "# Validate " }, repeat: true, durationMs: 30_000, finalStatus: "COMPLETE", result: "Verdict: pass. Every pull request meets its criteria; the tests pass together." };

interface Setup {
  org: EmulatedOrg;
  codegenOrgId: number;
  gate: ReturnType<typeof env.CODEGEN_GATE.get>;
  posted: Set<string>;
  children: Set<string>;
}

async function parallelWorkspace(scripts: RunScript[]): Promise<Setup> {
  const org = await installedOrg("Parallel");
  // Linear's webhooks go nowhere reachable; the emulator records them and the test posts them to the edge.
  await emulator(`/_emulator/organizations/${org.organizationId}/webhook`, { webhookUrl: "http://127.0.0.1:9/linear", webhookSecret: "test-webhook-secret" });
  const cg = await codegen.createOrganization();
  await codegen.script(cg.orgId, { scripts: [VALIDATION, ...scripts], default: { durationMs: 60_000, finalStatus: "COMPLETE", pullRequests: [{ title: "Sub-task" }], result: "Done." } });
  const q = `?workspace=${org.organizationId}`;
  expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ strategy: "hybrid-parallel", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) })).status).toBe(200);
  expect((await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) })).status).toBe(201);
  const gateName = `codegen:${cg.orgId}:${(await sha256Hex(cg.apiToken)).slice(0, 16)}`;
  return { org, codegenOrgId: cg.orgId, gate: env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(gateName)), posted: new Set(), children: new Set() };
}

interface Tree {
  parent: { id: string; identifier: string; title: string };
  subIssues: { id: string; identifier: string; key: string; title: string }[];
}

async function issueTree(setup: Setup, subIssues: { key: string; title: string; blockedBy?: string[] }[]): Promise<Tree> {
  return emulator<Tree>(`/_emulator/organizations/${setup.org.organizationId}/issue-trees`, { title: "Checkout redesign", description: "Redesign the checkout.", subIssues });
}

async function delegateParent(setup: Setup, issue: { id: string; identifier: string; title: string }) {
  const { agentSessionId, payload } = await createdPayload(setup.org, issue);
  expect((await postWebhook(payload)).status).toBe(200);
  return { agentSessionId, stub: issueSessionStub(setup.org.organizationId, issue.id) };
}

/** Posts the `created` webhooks Linear sent for delegated sub-issues since the last call. */
async function pumpWebhooks(setup: Setup): Promise<void> {
  const { deliveries } = await emulator<{ deliveries: { id: string; action: string; payload: { agentSession: { issue?: { id: string } | null; issueId?: string | null } } }[] }>(
    `/_emulator/deliveries?organizationId=${setup.org.organizationId}&event=AgentSessionEvent`,
  );
  for (const delivery of deliveries) {
    if (setup.posted.has(delivery.id) || delivery.action !== "created") continue;
    setup.posted.add(delivery.id);
    expect((await postWebhook(delivery.payload, { deliveryId: delivery.id })).status).toBe(200);
    const issueId = delivery.payload.agentSession.issue?.id ?? delivery.payload.agentSession.issueId;
    if (issueId) setup.children.add(issueId);
  }
}

/** Every object does what is due: the parent, the webhooks it caused, each child, and the parent again (the children's reports). */
async function settleAll(setup: Setup, parent: ReturnType<typeof issueSessionStub>): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    await settle(parent);
    await pumpWebhooks(setup);
    for (const child of setup.children) await settle(issueSessionStub(setup.org.organizationId, child));
  }
  await settle(parent);
}

/** Codegen's time passes; the gate refreshes and tells the sessions. */
async function letRunsProgress(setup: Setup, ms: number): Promise<void> {
  await codegen.advanceClock(ms);
  await runDurableObjectAlarm(setup.gate);
}

interface RunRow {
  status: string;
  source: string;
  items: { key: string; identifier: string | null; status: string; attempts: number; reason: string | null; startedAt: number | null; endedAt: number | null; pullRequests: string[] }[];
  figures: { wallMs: number; childMsSum: number; criticalPathMs: number; peakConcurrency: number } | null;
}

async function runOf(agentSessionId: string): Promise<RunRow | null> {
  const row = await env.DB.prepare("SELECT status, source, items, figures FROM parallel_runs WHERE session_id = ?").bind(agentSessionId).first<{ status: string; source: string; items: string; figures: string | null }>();
  return row ? { status: row.status, source: row.source, items: JSON.parse(row.items), figures: row.figures ? JSON.parse(row.figures) : null } : null;
}

/** The parent's run as its IssueSession holds it (the mirror trails it). */
async function liveRun(stub: ReturnType<typeof issueSessionStub>, agentSessionId: string): Promise<{ status: string; children: { key: string; status: string }[] } | null> {
  return runInDurableObject(stub, (_i, state) => {
    const row = state.storage.sql.exec(`SELECT value FROM meta WHERE key = ?`, `parallel:${agentSessionId}`).toArray()[0];
    return row ? (JSON.parse(String(row.value)) as { status: string; children: { key: string; status: string }[] }) : null;
  });
}

/** Drives everything until the parent's run ends (or the rounds run out), checking `each` after every round. */
async function runToTheEnd(setup: Setup, parent: { agentSessionId: string; stub: ReturnType<typeof issueSessionStub> }, each: () => Promise<void> = async () => {}): Promise<RunRow> {
  for (let round = 0; round < 30; round++) {
    await settleAll(setup, parent.stub);
    await each();
    const live = await liveRun(parent.stub, parent.agentSessionId);
    if (live && ["complete", "error", "stopped"].includes(live.status)) break;
    await letRunsProgress(setup, 70_000);
  }
  await settleAll(setup, parent.stub);
  return (await runOf(parent.agentSessionId))!;
}

const parentStatus = async (stub: ReturnType<typeof issueSessionStub>) =>
  runInDurableObject(stub, (_i, state) => String(state.storage.sql.exec(`SELECT status FROM agent_sessions`).toArray()[0]?.status));

describe("hybrid-parallel", () => {
  it("runs existing sub-issues in parallel, the blocked one after its blockers, validates and answers once", async () => {
    const setup = await parallelWorkspace([]);
    const tree = await issueTree(setup, [{ key: "api", title: "Payment API" }, { key: "ui", title: "Checkout UI" }, { key: "wire", title: "Wire the UI to the API", blockedBy: ["api", "ui"] }]);
    const parent = await delegateParent(setup, tree.parent);

    const run = await runToTheEnd(setup, parent);

    expect(run.status).toBe("complete");
    const byKey = new Map(run.items.map((i) => [i.identifier, i]));
    const [api, ui, wire] = tree.subIssues.map((s) => byKey.get(s.identifier)!);
    expect([api!.status, ui!.status, wire!.status]).toEqual(["succeeded", "succeeded", "succeeded"]);
    // The independent two overlapped; the blocked one started after both ended.
    expect(api!.startedAt!).toBeLessThan(ui!.endedAt!);
    expect(ui!.startedAt!).toBeLessThan(api!.endedAt!);
    expect(wire!.startedAt!).toBeGreaterThanOrEqual(Math.max(api!.endedAt!, ui!.endedAt!));
    expect(run.figures).toMatchObject({ peakConcurrency: 2 });
    expect(run.figures!.childMsSum).toBeGreaterThan(run.figures!.criticalPathMs);

    const activities = await activitiesOf(setup.org, parent.agentSessionId);
    const responses = activities.filter((a) => a.content.type === "response");
    expect(responses).toHaveLength(1);
    for (const item of run.items) for (const pr of item.pullRequests) expect(responses[0]!.content.body).toContain(pr);
    expect(run.items.every((i) => i.pullRequests.length === 1)).toBe(true);
    expect(responses[0]!.content.body).toContain("Verdict: pass");
    // Linear's agent plan: every sub-task and the validation completed.
    const state = await emulator<{ agentSessions: { id: string; plan: { content: string; status: string }[] | null }[] }>(`/_emulator/organizations/${setup.org.organizationId}/state`);
    const plan = state.agentSessions.find((s) => s.id === parent.agentSessionId)?.plan;
    expect(plan?.map((step) => step.status)).toEqual(["completed", "completed", "completed", "completed"]);
    // Three children and one validation: four Codegen runs.
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(4);
  });

  it("retries a child that fails once, and finishes", async () => {
    const setup = await parallelWorkspace([{ match: { promptContains: "Flaky migration" }, durationMs: 60_000, finalStatus: "FAILED" }]);
    const tree = await issueTree(setup, [{ key: "a", title: "Flaky migration" }, { key: "b", title: "Docs" }]);
    const parent = await delegateParent(setup, tree.parent);

    const run = await runToTheEnd(setup, parent);

    expect(run.status).toBe("complete");
    expect(run.items.find((i) => i.key === tree.subIssues[0]!.id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await parentStatus(parent.stub)).toBe("complete");
  });

  it("a child that fails twice: its dependents are canceled and the parent ends in an error naming it", async () => {
    const setup = await parallelWorkspace([{ match: { promptContains: "Broken schema" }, repeat: true, durationMs: 60_000, finalStatus: "FAILED" }]);
    const tree = await issueTree(setup, [{ key: "a", title: "Broken schema" }, { key: "b", title: "Uses the schema", blockedBy: ["a"] }]);
    const parent = await delegateParent(setup, tree.parent);

    const run = await runToTheEnd(setup, parent);

    expect(run.status).toBe("error");
    const [a, b] = tree.subIssues.map((s) => run.items.find((i) => i.key === s.id)!);
    expect(a).toMatchObject({ status: "failed", attempts: 2 });
    expect(b).toMatchObject({ status: "canceled", attempts: 0 });
    expect(await parentStatus(parent.stub)).toBe("error");
    const errors = (await activitiesOf(setup.org, parent.agentSessionId)).filter((x) => x.content.type === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.content.body).toContain(`${tree.subIssues[0]!.identifier} Broken schema failed after 2 attempts`);
    // The dependent was never delegated: no session, no run.
    expect(setup.children.has(tree.subIssues[1]!.id)).toBe(false);
  });

  it("a stop on the parent stops every running child and cancels the rest", async () => {
    const setup = await parallelWorkspace([]);
    const tree = await issueTree(setup, [{ key: "a", title: "One" }, { key: "b", title: "Two" }, { key: "c", title: "Three", blockedBy: ["a"] }]);
    const parent = await delegateParent(setup, tree.parent);
    await settleAll(setup, parent.stub);
    expect(setup.children.size).toBe(2);

    expect((await api(`/api/sessions/${parent.agentSessionId}/stop?workspace=${setup.org.organizationId}`, { method: "POST" })).status).toBe(202);
    await settleAll(setup, parent.stub);

    const live = await liveRun(parent.stub, parent.agentSessionId);
    expect(live?.status).toBe("stopped");
    expect(live?.children.map((c) => c.status)).toEqual(["canceled", "canceled", "canceled"]);
    for (const child of setup.children) expect(await parentStatus(issueSessionStub(setup.org.organizationId, child))).toBe("stopped");
    expect(setup.children.has(tree.subIssues[2]!.id)).toBe(false);
  });

  it("runs at most PARALLEL_MAX_CHILDREN (3) of 8 independent children at once, and all of them", async () => {
    const setup = await parallelWorkspace([]);
    const tree = await issueTree(setup, Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, title: `Part ${i + 1}` })));
    const parent = await delegateParent(setup, tree.parent);
    let peak = 0;

    const run = await runToTheEnd(setup, parent, async () => {
      const live = await liveRun(parent.stub, parent.agentSessionId);
      const active = live?.children.filter((c) => c.status === "starting" || c.status === "running").length ?? 0;
      peak = Math.max(peak, active);
      expect(active).toBeLessThanOrEqual(3);
    });

    expect(peak).toBe(3);
    expect(run.status).toBe("complete");
    expect(run.items.filter((i) => i.status === "succeeded")).toHaveLength(8);
    expect(run.figures?.peakConcurrency).toBeLessThanOrEqual(3);
  });

  it("runs a sub-issue delegated twice (Linear's duplicate created) once", async () => {
    const setup = await parallelWorkspace([]);
    const tree = await issueTree(setup, [{ key: "a", title: "Only part" }, { key: "b", title: "Other part" }]);
    const parent = await delegateParent(setup, tree.parent);
    await settleAll(setup, parent.stub);
    const { deliveries } = await emulator<{ deliveries: { id: string; action: string; payload: Record<string, unknown> }[] }>(
      `/_emulator/deliveries?organizationId=${setup.org.organizationId}&event=AgentSessionEvent`,
    );
    const first = deliveries.find((d) => d.action === "created")!;
    // The same event again under a new delivery id, as Linear may send it.
    expect((await postWebhook(first.payload)).status).toBe(200);

    const run = await runToTheEnd(setup, parent);

    expect(run.status).toBe("complete");
    const runs = await codegen.runs(setup.codegenOrgId);
    expect(runs).toHaveLength(3);
  });

  it("a sub-issue of a sub-issue runs as a plain task: no split, no report", async () => {
    const setup = await parallelWorkspace([]);
    const tree = await issueTree(setup, [{ key: "a", title: "Middle" }]);
    const grandchild = await emulator<{ id: string; identifier: string; title: string }>(`/_emulator/organizations/${setup.org.organizationId}/issues`, { title: "Leaf work", description: "Small. [executor=cloud]", parent: tree.subIssues[0]!.id });
    const leaf = await delegateParent(setup, grandchild);
    for (let round = 0; round < 3; round++) {
      await settle(leaf.stub);
      await letRunsProgress(setup, 70_000);
    }
    await settle(leaf.stub);

    expect(await parentStatus(leaf.stub)).toBe("complete");
    expect(await runOf(leaf.agentSessionId)).toBeNull();
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(1);
    const timeline = await runInDurableObject(leaf.stub, (_i, state) => state.storage.sql.exec(`SELECT kind FROM timeline`).toArray().map((r) => String(r.kind)));
    expect(timeline.filter((k) => k.startsWith("parallel."))).toEqual([]);
  });
});

describe("hybrid-parallel with a planning task", () => {
  const proposal = {
    subtasks: [
      { key: "schema", title: "Add the orders schema", description: "Tables and migration.", acceptanceCriteria: ["migration runs"], dependsOn: [] },
      { key: "endpoint", title: "Orders endpoint", description: "GET /orders.", acceptanceCriteria: ["returns orders"], dependsOn: ["schema"] },
    ],
  };
  const planner: RunScript = { match: { promptContains: "# Plan " }, durationMs: 30_000, finalStatus: "COMPLETE", result: `Here is the plan.\n\`\`\`json\n${JSON.stringify(proposal)}\n\`\`\`` };

  it("creates the proposed sub-issues once, even when a create landed and its answer was lost, and runs them", async () => {
    const setup = await parallelWorkspace([planner]);
    const parentIssue = await emulator<{ id: string; identifier: string; title: string }>(`/_emulator/organizations/${setup.org.organizationId}/issues`, { title: "Orders", description: "Add orders." });
    // The first sub-issue's create reaches Linear, which makes it and then answers 500: the edge cannot know it landed.
    await emulator("/_emulator/faults", { kind: "commitThenFail", organizationId: setup.org.organizationId, rootField: "issueCreate", count: 1 });
    const parent = await delegateParent(setup, parentIssue);

    const run = await runToTheEnd(setup, parent);

    const state = await emulator<{ issues: { id: string; parent: { id: string } | null; title: string }[]; issueRelations: { type: string }[] }>(`/_emulator/organizations/${setup.org.organizationId}/state`);
    const subIssues = state.issues.filter((i) => i.parent?.id === parentIssue.id);
    expect(subIssues.map((i) => i.title).sort()).toEqual(["Add the orders schema", "Orders endpoint"]);
    expect(state.issueRelations.filter((r) => r.type === "blocks")).toHaveLength(1);
    expect(run.status).toBe("complete");
    expect(run.source).toBe("proposal");
    expect(run.items.map((i) => i.status)).toEqual(["succeeded", "succeeded"]);
    const [schema, endpoint] = run.items;
    expect(endpoint!.startedAt!).toBeGreaterThanOrEqual(schema!.endedAt!);
    // The planner, two children and the validation.
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(4);
  });

  it("a planner that declines to split runs the issue as one task and says so", async () => {
    const decline: RunScript = { match: { promptContains: "# Plan " }, durationMs: 30_000, finalStatus: "COMPLETE", result: JSON.stringify({ subtasks: [], declineReason: "the change is one small function" }) };
    const setup = await parallelWorkspace([decline]);
    const parentIssue = await emulator<{ id: string; identifier: string; title: string }>(`/_emulator/organizations/${setup.org.organizationId}/issues`, { title: "Tiny fix", description: "One function. [executor=cloud]" });
    const parent = await delegateParent(setup, parentIssue);
    for (let round = 0; round < 4; round++) {
      await settle(parent.stub);
      await letRunsProgress(setup, 70_000);
    }
    await settle(parent.stub);

    expect(await parentStatus(parent.stub)).toBe("complete");
    const thoughts = (await activitiesOf(setup.org, parent.agentSessionId)).map((a) => a.content.body ?? "");
    expect(thoughts.filter((t) => t.includes("declined to split this issue (the change is one small function)") && t.includes("as hybrid-smart would"))).toHaveLength(1);
    // The planner's run and the work's run.
    expect(await codegen.runs(setup.codegenOrgId)).toHaveLength(2);
  });
});
