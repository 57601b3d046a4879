/**
 * The local agent's loop: takes tasks from the edge, runs each in its issue's worktree, and
 * reports back through the outbox, so nothing is lost or doubled across disconnects and restarts.
 *
 * What the edge can rely on:
 * - every edge message with an `id` is acknowledged (`ack`) once its effect is on disk, and a
 *   second delivery of the same id is acknowledged again and otherwise ignored;
 * - `task.assign` is answered with `task.accepted` or `task.rejected` (with the reason); an
 *   assignment of a lease already running or finished here is only acknowledged;
 * - an accepted task always ends in exactly one `task.result` for its lease, even across a
 *   restart ("the agent restarted in the middle of the task"), unless the edge cancels the lease;
 * - `task.event`s and the `task.result` of a task carry increasing `seq` numbers;
 * - after `task.cancelled`, nothing more is sent for that lease (even what was still unacked);
 * - a `heartbeat` goes out whenever the number of free slots changes.
 */
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { PROTOCOL_VERSION, type AgentHello, type EdgeMessage, type TaskEvent, type TaskResult, type TaskSpec } from "../protocol/messages";
import { ConfigError, type AgentConfig, type Environment, type Repository } from "./config";
import { EdgeConnection, type ConnectionOptions, type FatalConnectionError } from "./connection";
import { Outbox, type OutgoingDraft, type OutgoingMessage } from "./outbox";
import { displayUrl, formatDuration, formatUsd, type AgentLog } from "./output";
import { TaskRun } from "./runner";
import { SessionCosts, TaskStore, loadAgentId } from "./state";
import { Worktrees, checkRepository, runSetupScript } from "./worktrees";

export const AGENT_VERSION: string = (() => {
  try {
    const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../package.json"), "utf8")));
    return pkg.version;
  } catch {
    return "unknown";
  }
})();

export const RESTARTED_ERROR = "the agent restarted in the middle of the task";
export const SHUTDOWN_ERROR = "the agent was shut down in the middle of the task";

export interface AgentOptions {
  config: AgentConfig;
  log: AgentLog;
  /** Timing overrides for the connection (tests use short intervals). */
  connection?: Partial<Pick<ConnectionOptions, "pingIntervalMs" | "pongTimeoutMs" | "backoffBaseMs" | "backoffMaxMs" | "healthyAfterMs" | "random" | "onStatus">>;
  /** The environment Claude Code and cyrus-setup.sh inherit (minus the agent token). */
  env?: Environment;
  /** A message still unacknowledged this long after it was sent goes again on the same connection. */
  resendAfterMs?: number;
}

interface ActiveTask {
  spec: TaskSpec;
  repository: Repository;
  startedAt: number;
  run: TaskRun | null;
  /** Follow-ups that came while the worktree was being prepared. */
  earlyPrompts: { id: string; text: string }[];
  /** The `task.prompt` ids whose text went into the run, reported in the result. */
  promptIds: string[];
  stopRequested: boolean;
  cancelled: boolean;
  shuttingDown: boolean;
  setupAbort: AbortController;
  worktreePath: string;
}

export class Agent {
  readonly agentId: string;
  readonly #config: AgentConfig;
  readonly #log: AgentLog;
  readonly #outbox: Outbox;
  readonly #tasks: TaskStore;
  readonly #costs: SessionCosts;
  readonly #worktrees: Worktrees;
  readonly #connection: EdgeConnection;
  readonly #env: Environment;
  readonly #active = new Map<string, ActiveTask>();
  /** Every task's execution, cancelled ones included, until its Claude Code process is gone. */
  readonly #executions = new Set<Promise<void>>();
  #shuttingDown = false;
  #outboxDrained: (() => void) | null = null;
  /** When each pending message was last written to a socket (in memory: after a restart, all go again). */
  readonly #sentAt = new Map<string, number>();
  readonly #resendAfterMs: number;
  #resendTimer: NodeJS.Timeout | null = null;

  constructor(options: AgentOptions) {
    this.#config = options.config;
    this.#log = options.log;
    this.agentId = loadAgentId(options.config.home);
    this.#outbox = new Outbox(options.config.home);
    this.#tasks = new TaskStore(options.config.home);
    this.#costs = new SessionCosts(options.config.home);
    this.#worktrees = new Worktrees({ workspacesDir: options.config.workspacesDir, log: options.log });
    this.#resendAfterMs = options.resendAfterMs ?? 10_000;
    const { CYRUS_TOKEN: _token, ...env } = options.env ?? process.env;
    this.#env = env;
    this.#connection = new EdgeConnection({
      ...options.connection,
      url: options.config.url,
      token: options.config.token,
      log: options.log,
      hello: () => this.#hello(),
      onOpen: () => this.#onOpen(),
      onMessage: (message) => this.#onMessage(message),
    });
  }

  /** Settles when the connection gives up for good (a fatal refusal), or after `shutdown()`. */
  get done(): Promise<FatalConnectionError | null> {
    return this.#connection.done;
  }

  get runningTaskIds(): string[] {
    return [...this.#active.keys()];
  }

  get freeSlots(): number {
    return Math.max(0, this.#config.maxConcurrent - this.#active.size);
  }

  /** Checks the repositories, reports tasks a previous process died in, reconciles worktrees, connects. */
  async start(): Promise<void> {
    for (const repository of this.#config.repositories) {
      const problem = await checkRepository(repository);
      if (problem) throw new ConfigError(problem);
    }
    this.#reportInterruptedTasks();
    for (const repository of this.#config.repositories) {
      try {
        await this.#worktrees.reconcile(repository);
      } catch (error) {
        this.#log.warn(`could not reconcile the worktrees of ${repository.name}: ${describe(error)}`);
      }
    }
    this.#log.info(
      `Connecting to ${displayUrl(this.#config.url)} as ${this.agentId} — repositories ${this.#config.repositories.map((r) => r.name).join(", ")}, ${this.#config.maxConcurrent} slot(s)`,
    );
    this.#connection.start();
    this.#resendTimer = setInterval(() => this.#resendOverdue(), this.#resendAfterMs);
    this.#resendTimer.unref();
  }

  /**
   * Stops every running task (interrupt, then abort after `graceMs`) and reports it as failed,
   * waits up to `flushMs` for the edge to acknowledge what is pending, then disconnects.
   */
  async shutdown(options: { graceMs?: number; flushMs?: number } = {}): Promise<void> {
    const graceMs = options.graceMs ?? 10_000;
    this.#shuttingDown = true;
    for (const task of this.#active.values()) {
      task.shuttingDown = true;
      this.#stopTask(task, graceMs);
    }
    await this.idle();
    if (this.#outbox.pending().length > 0 && this.#connection.isOpen) {
      await new Promise<void>((resolve) => {
        this.#outboxDrained = resolve;
        setTimeout(resolve, options.flushMs ?? 5_000).unref();
      });
    }
    const pending = this.#outbox.pending().length;
    if (pending > 0) this.#log.info(`${pending} message(s) not yet acknowledged by the edge: they are kept and sent on the next connect`);
    if (this.#resendTimer) clearInterval(this.#resendTimer);
    await this.#connection.close();
  }

  /** Resolves when no task is running and every cancelled one has ended too. */
  async idle(): Promise<void> {
    while (this.#executions.size > 0) await Promise.all([...this.#executions]);
  }

  // ---- the connection ----

  #hello(): AgentHello {
    return {
      type: "hello",
      protocol: PROTOCOL_VERSION,
      agentId: this.agentId,
      agentVersion: AGENT_VERSION,
      hostname: hostname(),
      repositories: this.#config.repositories.map((r) => r.name),
      maxConcurrent: this.#config.maxConcurrent,
      runningTaskIds: this.runningTaskIds,
    };
  }

  #onOpen(): void {
    const pending = this.#outbox.pending();
    this.#log.info(`Connected to ${displayUrl(this.#config.url)}${pending.length ? `; re-sending ${pending.length} unacknowledged message(s)` : ""}`);
    for (const message of pending) this.#transmit(message);
  }

  /** The edge acknowledges what it has stored; one it failed to store is left unacknowledged, to come again. */
  #resendOverdue(): void {
    if (!this.#connection.isOpen) return;
    const now = Date.now();
    const pending = this.#outbox.pending();
    const pendingIds = new Set(pending.map((m) => m.id));
    for (const id of this.#sentAt.keys()) if (!pendingIds.has(id)) this.#sentAt.delete(id);
    for (const message of pending) {
      const sentAt = this.#sentAt.get(message.id);
      if (sentAt === undefined || now - sentAt >= this.#resendAfterMs) this.#transmit(message);
    }
  }

  #transmit(message: OutgoingMessage): void {
    if (this.#connection.send(message)) this.#sentAt.set(message.id, Date.now());
  }

  #onMessage(message: EdgeMessage): void {
    switch (message.type) {
      case "welcome":
        this.#log.info(`The edge accepted this agent for workspace ${message.workspace}`);
        return;
      case "error":
        return; // handled by the connection
      case "ack":
        this.#outbox.ack(message.ids);
        for (const id of message.ids) this.#sentAt.delete(id);
        if (this.#outboxDrained && this.#outbox.pending().length === 0) this.#outboxDrained();
        return;
    }
    if (!this.#outbox.hasSeen(message.id)) {
      switch (message.type) {
        case "task.assign":
          this.#onAssign(message.task);
          break;
        case "task.prompt":
          this.#onPrompt(message.taskId, message.text, message.id);
          break;
        case "task.stop":
          this.#onStop(message.taskId, message.graceMs);
          break;
        case "task.cancelled":
          this.#onCancelled(message.taskId, message.leaseId, message.reason);
          break;
      }
      // Its effect is on disk (task record, outbox) before the edge hears it was received.
      this.#outbox.markSeen(message.id);
    }
    this.#connection.send({ type: "ack", ids: [message.id] });
  }

  #send(draft: OutgoingDraft): void {
    this.#transmit(this.#outbox.add(draft));
  }

  #heartbeat(): void {
    this.#connection.send({ type: "heartbeat", freeSlots: this.freeSlots, runningTaskIds: this.runningTaskIds });
  }

  // ---- edge messages ----

  #onAssign(spec: TaskSpec): void {
    const { taskId, leaseId } = spec;
    const running = this.#active.get(taskId);
    if (running?.spec.leaseId === leaseId || (!running && this.#tasks.isFinished(leaseId))) return; // a re-delivery
    const reject = (reason: string) => {
      this.#log.info(`Declined ${spec.issue.identifier} (task ${taskId}): ${reason}`);
      this.#send({ type: "task.rejected", taskId, leaseId, reason });
    };
    if (running) return reject(`task ${taskId} is already running on this agent under another lease`);
    if (this.#shuttingDown) return reject("the agent is shutting down");
    const repository = this.#config.repositories.find((r) => r.name === spec.repository.name);
    if (!repository) {
      return reject(`repository "${spec.repository.name}" is not configured on this agent (it has ${this.#config.repositories.map((r) => r.name).join(", ")})`);
    }
    if (this.freeSlots === 0) return reject(`no free slot: ${this.#active.size} of ${this.#config.maxConcurrent} task(s) running`);
    const worktreePath = this.#worktrees.pathFor(repository.name, spec.issue.identifier);
    const sameIssue = [...this.#active.values()].find((t) => t.worktreePath === worktreePath);
    if (sameIssue) return reject(`issue ${spec.issue.identifier} already has a task running on this agent (task ${sameIssue.spec.taskId})`);

    this.#tasks.start(spec);
    this.#send({ type: "task.accepted", taskId, leaseId });
    const task: ActiveTask = {
      spec,
      repository,
      startedAt: Date.now(),
      run: null,
      earlyPrompts: [],
      promptIds: [],
      stopRequested: false,
      cancelled: false,
      shuttingDown: false,
      setupAbort: new AbortController(),
      worktreePath,
    };
    this.#active.set(taskId, task);
    this.#heartbeat();
    this.#log.info(`▶ ${spec.issue.identifier} started: ${spec.issue.title} (task ${taskId}, ${repository.name}, branch ${spec.branchName})`);
    const done = this.#execute(task).catch((error: unknown) => {
      // Only a failing disk gets here; the task record stays, so the next start reports the task.
      this.#log.error(`${spec.issue.identifier} (task ${taskId}): ${describe(error)}`);
      if (this.#active.get(taskId) === task) {
        this.#active.delete(taskId);
        this.#heartbeat();
      }
    });
    this.#executions.add(done);
    void done.finally(() => this.#executions.delete(done));
  }

  #onPrompt(taskId: string, text: string, messageId: string): void {
    const task = this.#active.get(taskId);
    if (!task || task.cancelled) return;
    if (!task.run) {
      task.earlyPrompts.push({ id: messageId, text });
    } else if (task.run.prompt(text)) {
      task.promptIds.push(messageId);
      this.#log.info(`  ${task.spec.issue.identifier}: follow-up passed to the running session`);
    } else {
      this.#log.info(`  ${task.spec.issue.identifier}: follow-up came as the run was ending; the edge will start it as a new task`);
    }
  }

  #onStop(taskId: string, graceMs: number): void {
    const task = this.#active.get(taskId);
    if (!task || task.cancelled) return;
    this.#log.info(`  ${task.spec.issue.identifier}: stop requested`);
    this.#stopTask(task, graceMs);
  }

  #stopTask(task: ActiveTask, graceMs: number): void {
    task.stopRequested = true;
    task.setupAbort.abort();
    task.run?.stop(graceMs);
  }

  #onCancelled(taskId: string, leaseId: string, reason: string): void {
    this.#outbox.dropLease(leaseId);
    const task = this.#active.get(taskId);
    if (task && task.spec.leaseId === leaseId) {
      task.cancelled = true;
      task.setupAbort.abort();
      task.run?.cancel();
      this.#active.delete(taskId);
      this.#heartbeat();
      this.#log.info(`■ ${task.spec.issue.identifier} cancelled by the edge: ${reason}`);
    }
    this.#tasks.finish(taskId, leaseId);
  }

  // ---- running a task ----

  async #execute(task: ActiveTask): Promise<void> {
    const { spec, repository } = task;
    const emit = (event: TaskEvent) => {
      if (!task.cancelled) this.#send({ type: "task.event", taskId: spec.taskId, leaseId: spec.leaseId, event });
    };
    let result: TaskResult;
    try {
      const worktree = await this.#worktrees.ensure({
        repository,
        issueIdentifier: spec.issue.identifier,
        branchName: spec.branchName,
        baseBranch: spec.repository.baseBranch,
        mergeBranches: spec.mergeBranches ?? [],
      });
      if (task.cancelled) return;
      this.#tasks.update(spec.taskId, { worktreePath: worktree.path });
      const merged = worktree.merged.length ? `, merging ${worktree.merged.join(", ")}` : "";
      emit({
        kind: "status",
        message: worktree.created
          ? `Created worktree ${worktree.path} on branch ${worktree.branch} from ${spec.repository.baseBranch}${merged}`
          : `Reusing worktree ${worktree.path} (branch ${worktree.branch})`,
      });
      for (const note of worktree.notes) {
        this.#log.warn(`${spec.issue.identifier}: ${note}`);
        emit({ kind: "status", message: note });
      }

      const setup = await runSetupScript({
        repositoryPath: repository.path,
        worktreePath: worktree.path,
        timeoutMs: this.#config.setupTimeoutMs,
        env: { ...this.#env, CYRUS_WORKTREE: worktree.path, CYRUS_REPOSITORY: repository.name, CYRUS_BRANCH: worktree.branch, CYRUS_ISSUE: spec.issue.identifier },
        signal: task.setupAbort.signal,
      });
      if (task.cancelled) return;
      if (!setup.ran && setup.note) {
        this.#log.warn(setup.note);
        emit({ kind: "status", message: setup.note });
      } else if (setup.ran && setup.ok) {
        emit({ kind: "status", message: `cyrus-setup.sh finished in ${formatDuration(setup.durationMs)}` });
      } else if (setup.ran && !setup.ok && !task.stopRequested) {
        const text = `${setup.reason}.${setup.outputTail ? `\n\nLast output:\n${setup.outputTail}` : ""}`;
        return this.#finish(task, this.#plainResult(task, "failed", text, setup.reason));
      }

      const run = new TaskRun({
        spec,
        cwd: worktree.path,
        claudePath: this.#config.claudePath,
        permissionMode: this.#config.permissionMode,
        allowedTools: this.#config.allowedTools,
        env: this.#env,
        lastTotalFor: (sessionId) => this.#costs.lastTotal(sessionId),
        onEvent: emit,
        onSession: (sessionId) => {
          if (!task.cancelled) this.#tasks.update(spec.taskId, { claudeSessionId: sessionId });
        },
        log: this.#log,
      });
      for (const early of task.earlyPrompts) if (run.prompt(early.text)) task.promptIds.push(early.id);
      task.run = run;
      if (task.stopRequested) run.stop(0);
      const outcome = await run.start();
      if (outcome.kind === "cancelled") {
        if (outcome.claudeSessionId && outcome.totalCostUsd !== null) this.#costs.record(outcome.claudeSessionId, outcome.totalCostUsd);
        return;
      }
      result = outcome.result;
    } catch (error) {
      if (task.cancelled) return;
      const message = `could not prepare the worktree: ${describe(error)}`;
      result = this.#plainResult(task, "failed", message, message);
    }
    this.#finish(task, result);
  }

  #plainResult(task: ActiveTask, status: TaskResult["status"], text: string, error: string | null): TaskResult {
    return {
      status,
      text,
      error,
      claudeSessionId: null,
      totalCostUsd: null,
      costUsd: null,
      inputTokens: null,
      outputTokens: null,
      durationMs: Date.now() - task.startedAt,
      prUrls: [],
      promptIds: [],
      structuredOutput: null,
    };
  }

  #finish(task: ActiveTask, runResult: TaskResult): void {
    if (task.cancelled) return;
    const { spec } = task;
    let result: TaskResult = { ...runResult, durationMs: Date.now() - task.startedAt, promptIds: [...task.promptIds] };
    if (task.shuttingDown && result.status === "stopped") result = { ...result, status: "failed", error: SHUTDOWN_ERROR };
    // The result is in the outbox before the task record goes: a crash in between cannot lose it.
    this.#send({ type: "task.result", taskId: spec.taskId, leaseId: spec.leaseId, result });
    this.#tasks.finish(spec.taskId, spec.leaseId);
    if (result.claudeSessionId && result.totalCostUsd !== null) this.#costs.record(result.claudeSessionId, result.totalCostUsd);
    this.#active.delete(spec.taskId);
    this.#heartbeat();
    const prs = result.prUrls.length ? `, ${result.prUrls.join(" ")}` : "";
    const line = `■ ${spec.issue.identifier} ${result.status} in ${formatDuration(result.durationMs)}, ${formatUsd(result.costUsd)}${prs}`;
    if (result.status === "failed") this.#log.warn(`${line}: ${result.error ?? "no detail"}`);
    else this.#log.info(line);
  }

  /** Tasks a previous process accepted and never finished: each gets a failed result, nothing is silently lost. */
  #reportInterruptedTasks(): void {
    const resultPending = new Set(this.#outbox.pending().flatMap((m) => (m.type === "task.result" ? [m.leaseId] : [])));
    for (const record of this.#tasks.unfinished()) {
      const { spec } = record;
      if (!resultPending.has(spec.leaseId)) {
        this.#outbox.add({
          type: "task.result",
          taskId: spec.taskId,
          leaseId: spec.leaseId,
          result: {
            status: "failed",
            text: `The local agent restarted while working on ${spec.issue.identifier}; the work so far is in ${record.worktreePath ?? "its worktree"}.`,
            error: RESTARTED_ERROR,
            claudeSessionId: record.claudeSessionId,
            totalCostUsd: null,
            costUsd: null,
            inputTokens: null,
            outputTokens: null,
            durationMs: Math.max(0, Date.now() - record.acceptedAt),
            prUrls: [],
            promptIds: [],
            structuredOutput: null,
          },
        });
        this.#log.warn(`${spec.issue.identifier} (task ${spec.taskId}) was running when the agent stopped: reported as failed`);
      }
      this.#tasks.finish(spec.taskId, spec.leaseId);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
