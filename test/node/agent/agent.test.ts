/**
 * The agent's loop end to end inside this process: a local ws server plays the edge, the real
 * SDK runs the stand-in executable, git makes real worktrees.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TaskResult, TaskSpec } from "../../../src/protocol/messages";
import { Agent, RESTARTED_ERROR } from "../../../src/agent/agent";
import type { AgentConfig } from "../../../src/agent/config";
import { memoryLog } from "../../../src/agent/output";
import { Outbox } from "../../../src/agent/outbox";
import { TaskStore } from "../../../src/agent/state";
import { startFakeEdge, type FakeEdge } from "./fake-edge";
import { STANDIN, gitIn, initRepo, readLaunch, scenario, standinEnv, taskSpec, tempDir } from "./helpers";

interface World {
  root: string;
  home: string;
  repoPath: string;
  stateDir: string;
  edge: FakeEdge;
}

async function world(edgeOptions: Parameters<typeof startFakeEdge>[0] = { autoAck: true }): Promise<World> {
  const root = tempDir();
  const repoPath = join(root, "web");
  mkdirSync(repoPath);
  initRepo(repoPath);
  const stateDir = join(root, "standin");
  return { root, home: join(root, "home"), repoPath, stateDir, edge: await startFakeEdge(edgeOptions) };
}

function startAgent(w: World, overrides: Partial<AgentConfig> = {}, agentOptions: { resendAfterMs?: number } = {}) {
  const config: AgentConfig = {
    home: w.home,
    url: w.edge.url,
    token: "agent-token-secret",
    repositories: [{ name: "web", path: w.repoPath }],
    maxConcurrent: 2,
    claudePath: STANDIN,
    workspacesDir: join(w.root, "workspaces"),
    permissionMode: "acceptEdits",
    allowedTools: ["Read", "Edit"],
    setupTimeoutMs: 10_000,
    ...overrides,
  };
  const log = watchedLog();
  const agent = new Agent({
    config,
    log,
    env: { ...standinEnv(w.stateDir), CYRUS_TOKEN: "agent-token-secret" },
    connection: { backoffBaseMs: 10, backoffMaxMs: 100, random: () => 0.5 },
    ...agentOptions,
  });
  onTestFinished(() => agent.shutdown({ graceMs: 100, flushMs: 0 }));
  return { agent, log, start: () => agent.start() };
}

function assign(edge: FakeEdge, task: TaskSpec, id: string = randomUUID()): string {
  edge.current().send({ type: "task.assign", id, task });
  return id;
}

const ofLease = (edge: FakeEdge, leaseId: string) => edge.all().filter((m) => "leaseId" in m && m.leaseId === leaseId);

function resultOf(edge: FakeEdge, leaseId: string): Promise<TaskResult> {
  return edge.until(() => {
    const found = ofLease(edge, leaseId).find((m) => m.type === "task.result");
    return found?.type === "task.result" && found.result;
  }, `the result of ${leaseId}`);
}

const acked = (edge: FakeEdge, id: string) => edge.all().filter((m) => m.type === "ack" && m.ids.includes(id)).length;
const heartbeats = (edge: FakeEdge) => edge.all().flatMap((m) => (m.type === "heartbeat" ? [m.freeSlots] : []));

/** The agent's human-readable log, with a way to wait for a line: the agent's own signal. */
function watchedLog() {
  const log = memoryLog();
  const waiters = new Set<() => void>();
  const wrap =
    (write: (m: string) => void) =>
    (m: string): void => {
      write(m);
      for (const waiter of [...waiters]) waiter();
    };
  return {
    lines: log.lines,
    info: wrap(log.info),
    warn: wrap(log.warn),
    error: wrap(log.error),
    waitFor: (pattern: RegExp) =>
      new Promise<string>((resolve) => {
        const check = () => {
          const line = log.lines.find((l) => pattern.test(l));
          if (line) {
            waiters.delete(check);
            resolve(line);
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

async function connected(w: World) {
  return w.edge.until(() => w.edge.sockets.at(-1)?.messages.some((m) => m.type === "hello") && w.edge.sockets.at(-1), "hello");
}

describe("Agent", () => {
  it("accepts a task, streams its events with increasing seq, and reports the result with its cost", async () => {
    const w = await world();
    const { agent, log, start } = startAgent(w);
    await start();
    const socket = await connected(w);
    expect(socket.messages[0]).toMatchObject({ type: "hello", protocol: 1, agentId: agent.agentId, repositories: ["web"], maxConcurrent: 2, runningTaskIds: [] });

    const spec = taskSpec({ prompt: scenario([{ text: "On it." }, { tool: "Edit", input: { file: "a.ts" }, result: "ok" }, { cost: 0.25 }], { result: "Done." }) });
    const assignId = assign(w.edge, spec);
    const result = await resultOf(w.edge, spec.leaseId);

    expect(acked(w.edge, assignId)).toBe(1);
    const messages = ofLease(w.edge, spec.leaseId);
    expect(messages.map((m) => (m.type === "task.event" ? m.event.kind : m.type))).toEqual(["task.accepted", "status", "started", "text", "tool", "task.result"]);
    const seqs = messages.flatMap((m) => ("seq" in m ? [m.seq] : []));
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    expect(result).toMatchObject({ status: "succeeded", text: "Done.", costUsd: 0.25, totalCostUsd: 0.25 });

    const worktree = join(w.root, "workspaces", "web", spec.issue.identifier);
    const started = messages.find((m) => m.type === "task.event" && m.event.kind === "started");
    expect(started?.type === "task.event" && started.event).toEqual({ kind: "started", worktreePath: worktree, claudeSessionId: result.claudeSessionId });
    expect(gitIn(worktree, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe(spec.branchName);
    // Slots: taken, then given back.
    expect(heartbeats(w.edge)).toEqual([1, 2]);
    // The human-readable log names the issue, its cost; never the token.
    expect(log.lines.some((l) => l.startsWith(`▶ ${spec.issue.identifier} started`))).toBe(true);
    expect(log.lines.some((l) => l.startsWith(`■ ${spec.issue.identifier} succeeded`) && l.includes("$0.25"))).toBe(true);
    expect(log.lines.join("\n")).not.toContain("agent-token-secret");
    // Claude Code never sees the agent token.
    expect(readLaunch(w.stateDir, result.claudeSessionId!).argv.join(" ")).not.toContain("agent-token-secret");
  });

  it("acknowledges a duplicate assignment again but runs the task once", async () => {
    const w = await world();
    const { start } = startAgent(w);
    await start();
    await connected(w);
    const spec = taskSpec({ prompt: scenario([{ text: "once" }, { cost: 0.01 }]) });
    const id = assign(w.edge, spec);
    assign(w.edge, spec, id); // the same message again
    assign(w.edge, spec); // the same lease in a new message
    await resultOf(w.edge, spec.leaseId);
    await w.edge.until(() => acked(w.edge, id) === 2, "two acks");
    expect(ofLease(w.edge, spec.leaseId).filter((m) => m.type === "task.accepted")).toHaveLength(1);
    expect(ofLease(w.edge, spec.leaseId).filter((m) => m.type === "task.result")).toHaveLength(1);
  });

  it("rejects a task for a repository it does not have, and one too many", async () => {
    const w = await world();
    const { start } = startAgent(w, { maxConcurrent: 1 });
    await start();
    await connected(w);
    const unknownRepo = taskSpec({ repository: { name: "api", baseBranch: "main" } });
    assign(w.edge, unknownRepo);
    const busy = taskSpec({ prompt: scenario([{ text: "busy" }, { hang: true }]) });
    const overflow = taskSpec();
    assign(w.edge, busy);
    await w.edge.until(() => ofLease(w.edge, busy.leaseId).some((m) => m.type === "task.accepted"), "busy accepted");
    assign(w.edge, overflow);

    const rejection = (lease: string) =>
      w.edge.until(() => {
        const m = ofLease(w.edge, lease).find((x) => x.type === "task.rejected");
        return m?.type === "task.rejected" && m.reason;
      }, `rejection of ${lease}`);
    expect(await rejection(unknownRepo.leaseId)).toMatch(/repository "api" is not configured on this agent \(it has web\)/);
    expect(await rejection(overflow.leaseId)).toMatch(/no free slot: 1 of 1/);
  });

  it("re-sends every unacknowledged message, in order, after a reconnect; nothing once acked", async () => {
    const w = await world({ autoAck: false });
    const { start } = startAgent(w);
    await start();
    const first = await connected(w);
    const spec = taskSpec({ prompt: scenario([{ text: "a" }, { text: "b" }, { cost: 0.1 }]) });
    assign(w.edge, spec);
    await resultOf(w.edge, spec.leaseId);
    const sent = first.messages.filter((m) => "leaseId" in m);
    const ackedFirst = sent[0]!;
    first.send({ type: "ack", ids: ["id" in ackedFirst ? ackedFirst.id : ""] });
    await w.edge.until(() => heartbeats(w.edge).length === 2, "the slot given back");
    first.socket.terminate();

    const second = await w.edge.until(() => w.edge.sockets.length === 2 && w.edge.sockets[1]!.messages.length >= sent.length && w.edge.sockets[1], "the re-sent messages");
    expect(second.messages[0]?.type).toBe("hello");
    expect(second.messages.slice(1)).toEqual(sent.slice(1));

    second.send({ type: "ack", ids: sent.flatMap((m) => ("id" in m ? [m.id] : [])) });
    // A graceful close: the agent reads the ack before it sees the close frame.
    second.socket.close(1001, "going away");
    const third = await w.edge.until(() => w.edge.sockets.length === 3 && w.edge.sockets[2]!.messages.length > 0 && w.edge.sockets[2], "third hello");
    expect(third.messages.map((m) => m.type)).toEqual(["hello"]);
    expect(new Outbox(w.home).pending()).toEqual([]);
  });

  it("keeps working while disconnected and delivers everything after the reconnect, in order", async () => {
    let refuse = false;
    const w = await world({ autoAck: true, refuseWith: () => (refuse ? 503 : null) });
    const { log, start } = startAgent(w);
    await start();
    const first = await connected(w);
    const spec = taskSpec({ prompt: scenario([{ text: "before" }, { waitForPrompt: true }, { text: "after" }, { cost: 0.1 }]) });
    assign(w.edge, spec);
    await w.edge.until(() => ofLease(w.edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "text"), "first text");

    // Dropped while the task runs: the next hello names it, so the edge keeps its lease.
    first.socket.terminate();
    const second = await w.edge.until(() => w.edge.sockets[1]?.messages.length && w.edge.sockets[1], "second hello");
    expect(second.messages[0]).toMatchObject({ type: "hello", runningTaskIds: [spec.taskId] });

    // Now the edge is unreachable while the task finishes.
    refuse = true;
    second.send({ type: "task.prompt", id: randomUUID(), taskId: spec.taskId, text: scenario([{ text: "follow-up" }]) });
    await w.edge.until(() => second.messages.some((m) => m.type === "ack"), "the prompt acknowledged");
    second.socket.terminate();
    await log.waitFor(new RegExp(`■ ${spec.issue.identifier} succeeded`));
    refuse = false;

    const result = await resultOf(w.edge, spec.leaseId);
    expect(result.status).toBe("succeeded");
    const texts = ofLease(w.edge, spec.leaseId).flatMap((m) => (m.type === "task.event" && m.event.kind === "text" ? [m.event.text] : []));
    expect(texts).toEqual(["before", "after", "follow-up"]);
    const seqs = ofLease(w.edge, spec.leaseId).flatMap((m) => ("seq" in m ? [m.seq] : []));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("sends a message again on the same connection while the edge has not acknowledged it", async () => {
    const w = await world({ autoAck: false });
    const { start } = startAgent(w, {}, { resendAfterMs: 30 });
    await start();
    const socket = await connected(w);
    const spec = taskSpec({ prompt: scenario([{ cost: 0.01 }]) });
    assign(w.edge, spec);
    const accepted = await w.edge.until(() => socket.messages.find((m) => m.type === "task.accepted"), "accepted");
    const copies = await w.edge.until(() => {
      const same = socket.messages.filter((m) => m.type === "task.accepted");
      return same.length >= 3 && same;
    }, "the acceptance sent again");
    expect(copies.every((m) => JSON.stringify(m) === JSON.stringify(accepted))).toBe(true);
    expect(w.edge.sockets).toHaveLength(1);
  });

  it("pushes a follow-up into the running session, and sends nothing for one after the task ended", async () => {
    const w = await world();
    const { start } = startAgent(w);
    await start();
    await connected(w);
    const spec = taskSpec({ prompt: scenario([{ text: "first" }, { waitForPrompt: true }, { cost: 0.1 }]) });
    assign(w.edge, spec);
    await w.edge.until(() => ofLease(w.edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "text"), "first text");
    w.edge.current().send({ type: "task.prompt", id: randomUUID(), taskId: spec.taskId, text: scenario([{ text: "second" }, { cost: 0.05 }], { result: "both" }) });
    const result = await resultOf(w.edge, spec.leaseId);
    expect(result).toMatchObject({ status: "succeeded", text: "both" });
    expect(result.costUsd).toBeCloseTo(0.15, 9);
    expect(readLaunch(w.stateDir, result.claudeSessionId!).prompts).toHaveLength(2);

    const lateId = randomUUID();
    w.edge.current().send({ type: "task.prompt", id: lateId, taskId: spec.taskId, text: "too late" });
    await w.edge.until(() => acked(w.edge, lateId) === 1, "ack of the late prompt");
    expect(ofLease(w.edge, spec.leaseId).filter((m) => m.type === "task.result")).toHaveLength(1);
  });

  it("stops a task on task.stop: interrupt, then the result with its cost and status stopped", async () => {
    const w = await world();
    const { start } = startAgent(w);
    await start();
    await connected(w);
    const spec = taskSpec({ prompt: scenario([{ text: "long job" }, { cost: 0.2 }, { hang: true }]) });
    assign(w.edge, spec);
    await w.edge.until(() => ofLease(w.edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "text"), "text");
    w.edge.current().send({ type: "task.stop", id: randomUUID(), taskId: spec.taskId, graceMs: 120_000 });
    expect(await resultOf(w.edge, spec.leaseId)).toMatchObject({ status: "stopped", costUsd: 0.2 });
  });

  it("on task.cancelled, kills the run and sends nothing more for the lease, not even what was unacked", async () => {
    const w = await world({ autoAck: false });
    const { agent, start } = startAgent(w);
    await start();
    const first = await connected(w);
    const spec = taskSpec({ prompt: scenario([{ text: "working" }, { hang: true, ignoreInterrupt: true }]) });
    assign(w.edge, spec);
    await w.edge.until(() => ofLease(w.edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "text"), "text");
    first.send({ type: "task.cancelled", id: randomUUID(), taskId: spec.taskId, leaseId: spec.leaseId, reason: "re-queued" });
    await w.edge.until(() => heartbeats(w.edge).at(-1) === 2, "the slot given back");
    expect(agent.runningTaskIds).toEqual([]);
    await agent.idle();

    first.socket.terminate();
    const second = await w.edge.until(() => w.edge.sockets[1]?.messages.length && w.edge.sockets[1], "reconnect");
    // Only the hello: the lease's unacked accepted and events were dropped, and no result is sent.
    expect(second.messages.map((m) => m.type)).toEqual(["hello"]);
    expect(first.messages.some((m) => m.type === "task.result")).toBe(false);
    expect(new TaskStore(w.home).unfinished()).toEqual([]);
  });

  it("after a restart, reports the task the previous process died in as failed, and re-sends its unacked messages first", async () => {
    const w = await world();
    // What a process killed mid-task leaves behind: its record and an unacknowledged acceptance.
    const spec = taskSpec();
    const tasks = new TaskStore(w.home);
    tasks.start(spec);
    tasks.update(spec.taskId, { claudeSessionId: "claude-session-1", worktreePath: "/somewhere" });
    const accepted = new Outbox(w.home).add({ type: "task.accepted", taskId: spec.taskId, leaseId: spec.leaseId });

    const { start, log } = startAgent(w);
    await start();
    const result = await resultOf(w.edge, spec.leaseId);
    expect(result).toMatchObject({ status: "failed", error: RESTARTED_ERROR, claudeSessionId: "claude-session-1", costUsd: null });
    expect(ofLease(w.edge, spec.leaseId)[0]).toEqual(accepted);
    expect(log.lines.some((l) => l.includes(`${spec.issue.identifier} (task ${spec.taskId}) was running when the agent stopped`))).toBe(true);
    expect(new TaskStore(w.home).unfinished()).toEqual([]);
  });

  it("reports a failing cyrus-setup.sh as a failed result with its output, without starting Claude", async () => {
    const w = await world();
    writeFileSync(join(w.repoPath, "cyrus-setup.sh"), "#!/bin/sh\necho 'pnpm install'\necho 'ERR_PNPM_NO_LOCKFILE' >&2\nexit 1\n");
    chmodSync(join(w.repoPath, "cyrus-setup.sh"), 0o755);
    const { start } = startAgent(w);
    await start();
    await connected(w);
    const spec = taskSpec();
    assign(w.edge, spec);
    const result = await resultOf(w.edge, spec.leaseId);
    expect(result.status).toBe("failed");
    expect(result.error).toBe("cyrus-setup.sh exited with code 1");
    expect(result.text).toMatch(/pnpm install[\s\S]*ERR_PNPM_NO_LOCKFILE/);
    expect(ofLease(w.edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "started")).toBe(false);
  });

  it("reports a crashing Claude Code as a failed result, and keeps taking tasks", async () => {
    const w = await world();
    const { start } = startAgent(w);
    await start();
    await connected(w);
    const crash = taskSpec({ prompt: scenario([{ crash: "Segmentation fault" }]) });
    assign(w.edge, crash);
    expect(await resultOf(w.edge, crash.leaseId)).toMatchObject({ status: "failed", error: expect.stringMatching(/Segmentation fault/) });
    const next = taskSpec({ prompt: scenario([{ cost: 0.01 }]) });
    assign(w.edge, next);
    expect((await resultOf(w.edge, next.leaseId)).status).toBe("succeeded");
  });

  it("reuses the issue's worktree and resumes its session for a follow-up task, counting only the new cost", async () => {
    const w = await world();
    const { start } = startAgent(w);
    await start();
    await connected(w);
    const first = taskSpec({ prompt: scenario([{ cost: 0.3 }]) });
    assign(w.edge, first);
    const one = await resultOf(w.edge, first.leaseId);
    const followUp = taskSpec({
      issue: first.issue,
      branchName: first.branchName,
      prompt: scenario([{ cost: 0.15 }]),
      resumeClaudeSessionId: one.claudeSessionId,
      previousTotalCostUsd: 0.3,
    });
    assign(w.edge, followUp);
    const two = await resultOf(w.edge, followUp.leaseId);
    expect(two.claudeSessionId).toBe(one.claudeSessionId);
    expect(two.costUsd).toBeCloseTo(0.15, 9);
    expect(two.totalCostUsd).toBeCloseTo(0.45, 9);
    const status = ofLease(w.edge, followUp.leaseId).find((m) => m.type === "task.event" && m.event.kind === "status");
    expect(status?.type === "task.event" && status.event.kind === "status" && status.event.message).toMatch(/^Reusing worktree/);
    expect(existsSync(join(w.root, "workspaces", "web", first.issue.identifier))).toBe(true);
  });

  describe("hybrid-parallel tasks", () => {
    const statusMessages = (edge: FakeEdge, leaseId: string) =>
      ofLease(edge, leaseId).flatMap((m) => (m.type === "task.event" && m.event.kind === "status" ? [m.event.message] : []));

    it("runs a planning task in its own worktree and reports Claude's structured output, changing nothing", async () => {
      const w = await world();
      const { start } = startAgent(w);
      await start();
      await connected(w);
      const plan = { subtasks: [{ key: "api", title: "API", dependsOn: [] }] };
      const outputSchema = { type: "object", required: ["subtasks"], properties: { subtasks: { type: "array" } } };
      const spec = taskSpec({ outputSchema, prompt: scenario([{ text: "Reading." }, { cost: 0.04 }], { result: "One part.", structuredOutput: plan }) });
      assign(w.edge, spec);
      const result = await resultOf(w.edge, spec.leaseId);

      expect(result).toMatchObject({ status: "succeeded", text: "One part.", structuredOutput: plan, costUsd: 0.04, prUrls: [] });
      const worktree = join(w.root, "workspaces", "web", spec.issue.identifier);
      expect(readLaunch(w.stateDir, result.claudeSessionId!).cwd).toBe(worktree);
      expect(gitIn(worktree, "status", "--porcelain").trim()).toBe("");
      expect(gitIn(worktree, "rev-parse", "HEAD")).toBe(gitIn(w.repoPath, "rev-parse", "main"));
    });

    it("starts a dependent task from its dependencies' local branches, merged in order", async () => {
      const w = await world();
      const { start } = startAgent(w);
      await start();
      await connected(w);
      for (const [branch, file] of [["cyrus/eng-1", "api.ts"], ["cyrus/eng-2", "ui.ts"]] as const) {
        gitIn(w.repoPath, "checkout", "--quiet", "-b", branch, "main");
        writeFileSync(join(w.repoPath, file), `${file}\n`);
        gitIn(w.repoPath, "add", ".");
        gitIn(w.repoPath, "commit", "--quiet", "-m", file);
      }
      gitIn(w.repoPath, "checkout", "--quiet", "main");
      const spec = taskSpec({ mergeBranches: ["cyrus/eng-1", "cyrus/eng-2"], prompt: scenario([{ cost: 0.01 }]) });
      assign(w.edge, spec);
      const result = await resultOf(w.edge, spec.leaseId);

      expect(result.status).toBe("succeeded");
      const worktree = join(w.root, "workspaces", "web", spec.issue.identifier);
      expect(statusMessages(w.edge, spec.leaseId)[0]).toBe(`Created worktree ${worktree} on branch ${spec.branchName} from main, merging cyrus/eng-1, cyrus/eng-2`);
      expect(existsSync(join(worktree, "api.ts")) && existsSync(join(worktree, "ui.ts"))).toBe(true);
      expect(gitIn(worktree, "log", "--merges", "--format=%s").trim().split("\n")).toEqual([
        `Merge cyrus/eng-2 into ${spec.branchName} (a dependency of this task)`,
        `Merge cyrus/eng-1 into ${spec.branchName} (a dependency of this task)`,
      ]);
    });

    it("fails a dependent task whose branches conflict, naming the branch and files, without starting Claude or leaving a worktree", async () => {
      const w = await world();
      const { start } = startAgent(w);
      await start();
      await connected(w);
      for (const branch of ["cyrus/eng-1", "cyrus/eng-2"]) {
        gitIn(w.repoPath, "checkout", "--quiet", "-b", branch, "main");
        writeFileSync(join(w.repoPath, "README.md"), `# web, as ${branch} has it\n`);
        gitIn(w.repoPath, "commit", "--quiet", "-am", branch);
      }
      gitIn(w.repoPath, "checkout", "--quiet", "main");
      const spec = taskSpec({ mergeBranches: ["cyrus/eng-1", "cyrus/eng-2"] });
      assign(w.edge, spec);
      const result = await resultOf(w.edge, spec.leaseId);

      expect(result.status).toBe("failed");
      expect(result.error).toMatch(/^could not prepare the worktree: merging cyrus\/eng-2 into cyrus\/eng-\d+ conflicts in README\.md: /);
      expect(ofLease(w.edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "started")).toBe(false);
      expect(existsSync(join(w.root, "workspaces", "web", spec.issue.identifier))).toBe(false);
      expect(gitIn(w.repoPath, "branch", "--list", spec.branchName).trim()).toBe("");
    });
  });
});
