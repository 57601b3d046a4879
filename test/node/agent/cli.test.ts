/**
 * The `cyrus` executable as a user runs it: bin/cyrus.js in its own process (tsx, no build),
 * against a local ws server playing the edge — including a kill -9 in the middle of a task.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TaskSpec } from "../../../src/protocol/messages";
import { RESTARTED_ERROR, SHUTDOWN_ERROR } from "../../../src/agent/agent";
import { startFakeEdge, type FakeEdge } from "./fake-edge";
import { STANDIN, initRepo, scenario, standinEnv, taskSpec, tempDir } from "./helpers";

const CYRUS = join(dirname(fileURLToPath(import.meta.url)), "../../../bin/cyrus.js");

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function cyrus(args: string[], env: Record<string, string | undefined>): Cli {
  // Its own process group, so a kill -9 takes Claude Code (the stand-in) down with it, as a crash would.
  const child = spawn(process.execPath, [CYRUS, ...args], { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, "SIGKILL");
      await exit;
    }
  });
  return { child, stdout: () => out, stderr: () => err, exit };
}

function setup() {
  const root = tempDir();
  const repoPath = join(root, "web");
  mkdirSync(repoPath);
  initRepo(repoPath);
  const env: Record<string, string | undefined> = {
    ...standinEnv(join(root, "standin")),
    CYRUS_HOME: join(root, "home"),
    CYRUS_TOKEN: "secret-agent-token",
    CYRUS_CLAUDE_PATH: STANDIN,
  };
  delete env.CYRUS_URL;
  delete env.CYRUS_REPOS;
  return { root, repoPath, env };
}

const ofLease = (edge: FakeEdge, leaseId: string) => edge.all().filter((m) => "leaseId" in m && m.leaseId === leaseId);

function resultOf(edge: FakeEdge, leaseId: string) {
  return edge.until(() => {
    const found = ofLease(edge, leaseId).find((m) => m.type === "task.result");
    return found?.type === "task.result" && found.result;
  }, `the result of ${leaseId}`);
}

function assign(edge: FakeEdge, task: TaskSpec) {
  edge.current().send({ type: "task.assign", id: randomUUID(), task });
}

describe("cyrus CLI", () => {
  it("exits 2 naming what is missing, without prompting", async () => {
    const { env } = setup();
    delete env.CYRUS_TOKEN;
    const cli = cyrus(["connect", "--url", "http://127.0.0.1:9"], env);
    expect(await cli.exit).toBe(2);
    expect(cli.stderr()).toMatch(/missing required values:[\s\S]*agent token[\s\S]*at least one repository/);
    expect(cli.stderr()).not.toMatch(/edge URL/);
  });

  it("config set writes a 0600 file without printing the token, and refuses bad values", async () => {
    const { root, env, repoPath } = setup();
    const set = cyrus(["config", "set", "token", "token-from-file"], env);
    expect(await set.exit).toBe(0);
    expect(set.stdout()).not.toContain("token-from-file");
    const file = join(root, "home", "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await cyrus(["config", "set", "repo.web", repoPath], env).exit).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ token: "token-from-file", repos: { web: repoPath } });
    const bad = cyrus(["config", "set", "maxConcurrent", "many"], env);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/maxConcurrent/);
  });

  it("exits 1 with a clear message when the edge refuses the token", async () => {
    const { env, repoPath } = setup();
    const edge = await startFakeEdge({ refuseWith: () => 401 });
    const cli = cyrus(["connect", "--url", edge.url, "--repo", `web=${repoPath}`], env);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toMatch(/the edge refused the agent token \(HTTP 401\)[\s\S]*POST \/api\/agent-tokens/);
    expect(cli.stdout() + cli.stderr()).not.toContain("secret-agent-token");
    expect(edge.upgradeAttempts).toBe(1);
  });

  it("survives kill -9 mid-task: the next start reports the task as failed, nothing lost", async () => {
    const { env, repoPath } = setup();
    const edge = await startFakeEdge({ autoAck: true });
    const args = ["connect", "--url", edge.url, "--repo", `web=${repoPath}`, "--max-concurrent", "1"];
    const first = cyrus(args, env);
    const socket = await edge.until(() => edge.sockets[0]?.messages.length && edge.sockets[0], "hello");
    expect(socket.request.headers.authorization).toBe("Bearer secret-agent-token");

    const spec = taskSpec({ prompt: scenario([{ text: "deep in thought" }, { hang: true, ignoreInterrupt: true }]) });
    assign(edge, spec);
    const started = await edge.until(() => {
      const m = ofLease(edge, spec.leaseId).find((x) => x.type === "task.event" && x.event.kind === "started");
      return m?.type === "task.event" && m.event.kind === "started" && m.event;
    }, "started");
    await edge.until(() => ofLease(edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "text"), "text");
    expect(first.stdout()).toMatch(new RegExp(`Connected to ${edge.url}`));
    expect(first.stdout()).toContain(`▶ ${spec.issue.identifier} started`);

    process.kill(-first.child.pid!, "SIGKILL");
    await first.exit;

    const second = cyrus(args, env);
    const result = await resultOf(edge, spec.leaseId);
    expect(result).toMatchObject({ status: "failed", error: RESTARTED_ERROR, claudeSessionId: started.claudeSessionId });
    const hellos = edge.all().filter((m) => m.type === "hello");
    expect(hellos).toHaveLength(2);
    expect(hellos[0]!.type === "hello" && hellos[1]!.type === "hello" && hellos[0]!.agentId === hellos[1]!.agentId).toBe(true);
    expect(second.stdout() + second.stderr()).toMatch(/was running when the agent stopped/);
  });

  it("on Ctrl-C, interrupts the running task, reports it with its cost, and exits 0", async () => {
    const { env, repoPath } = setup();
    const edge = await startFakeEdge({ autoAck: true });
    const cli = cyrus(["connect", "--url", edge.url, "--repo", `web=${repoPath}`], env);
    await edge.until(() => edge.sockets[0]?.messages.length, "hello");
    const spec = taskSpec({ prompt: scenario([{ text: "working" }, { cost: 0.2 }, { hang: true }]) });
    assign(edge, spec);
    await edge.until(() => ofLease(edge, spec.leaseId).some((m) => m.type === "task.event" && m.event.kind === "text"), "text");
    cli.child.kill("SIGINT");
    const result = await resultOf(edge, spec.leaseId);
    expect(result).toMatchObject({ status: "failed", error: SHUTDOWN_ERROR, costUsd: 0.2 });
    expect(await cli.exit).toBe(0);
  });
});
