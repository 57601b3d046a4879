/**
 * IssueSession: the single writer for one Linear issue, named
 * `<organizationId>:<issueId>` (or `<organizationId>:session:<agentSessionId>`
 * for a session with no issue). It records deliveries, decides with pure
 * functions what each one means, and keeps an outbox of writes to Linear that
 * its alarm delivers until they land.
 *
 * One alarm, multiplexed over every due job. `alarm()` never throws: it
 * catches, records and re-arms at the earliest due time in `finally`, because a
 * throwing alarm is retried only a few times and then never wakes again.
 */
import { DurableObject } from "cloudflare:workers";
import { readConfig, type EdgeConfig } from "../../../src/config";
import { createDb, type Db } from "../../../src/db/client";
import { planDelivery, type IntakePlan } from "../../../src/domain/session-intake";
import { panelPromptId, planPanelMessage, type PanelMessage } from "../../../src/domain/session-message";
import { createLogger, describeError, type Logger } from "../../../src/log";
import type { AppEnv } from "../../env";
import { runDueJobs } from "./job-runner";
import type { JobContext } from "./job-context";
import { cloudExecutor, localExecutor } from "./executors";
import { LinearAccessProvider } from "./linear-access";
import { resolveCodegenCredential, type CodegenCredential } from "../../codegen-credentials";
import type { ChildReport, CloudRunObservation, HandoffResult, IssueSessionRpc, LocalTaskUpdate, WebhookHandoff } from "../contracts";
import { IssueSessionStore } from "./store";
import { childBrief, retryRefusal, type ParentLink } from "../../../src/domain/session";
import { applyEvent, loadParallel, loadState } from "./apply-step";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import type { WorkspaceSettings } from "../../../src/domain/workspace-settings";

/** Jobs one alarm run may take on; the rest wait for the next run, due at once. */
const MAX_JOBS_PER_ALARM = 25;
const DELIVERY_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;
const FINISHED_JOB_MEMORY_MS = 24 * 60 * 60 * 1000;

export class IssueSession extends DurableObject<AppEnv> implements IssueSessionRpc {
  readonly #store: IssueSessionStore;
  readonly #config: EdgeConfig;
  readonly #db: Db;
  readonly #log: Logger;
  #alarmRun: Promise<void> | null = null;
  /** The alarm we last set; undefined until read from storage after a wake-up. */
  #alarmAt: number | null | undefined = undefined;
  #linear: LinearAccessProvider | null = null;
  #codegen: { at: number; credential: Promise<CodegenCredential | null> } | null = null;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.#config = readConfig(env as unknown as Record<string, unknown>);
    this.#store = new IssueSessionStore(ctx.storage);
    this.#db = createDb(env.DB);
    this.#log = createLogger(this.#config.LOG_LEVEL, { component: "IssueSession" });
  }

  /**
   * Takes one verified, parsed webhook. Everything it decides is stored before
   * it returns, so the Worker's 200 means the delivery survives an eviction.
   * It never waits on Linear: the replies go out from the alarm.
   */
  async receiveWebhook(handoff: WebhookHandoff): Promise<HandoffResult> {
    const { event, deliveryId } = handoff;
    const store = this.#store;
    const agentSessionId = event.type === "AgentSessionEvent" ? event.agentSession.id : null;
    const promptId = event.type === "AgentSessionEvent" ? (event.agentActivity?.id ?? null) : null;
    const session = agentSessionId ? store.getAgentSession(agentSessionId) : null;
    const execution = agentSessionId ? store.latestExecution(agentSessionId) : null;
    const plan = planDelivery(
      event,
      {
        deliverySeen: deliveryId !== null && store.deliverySeen(deliveryId),
        agentSessionKnown: session !== null,
        promptSeen: promptId !== null && store.promptSeen(promptId),
        hasAgentSessions: store.agentSessionCount() > 0,
        appUserId: store.getMeta("app_user_id"),
        agentSessionRouted: session?.routedAt != null,
        preparePending: agentSessionId !== null && store.hasPendingJobInLane("session.prepare", `prepare:${agentSessionId}`),
        execution: execution ? { attemptKey: execution.attemptKey, executor: execution.executor, state: execution.state } : null,
      },
      () => crypto.randomUUID(),
    );
    const now = Date.now();
    if (plan.outcome !== "accepted") {
      // Remember a duplicate's delivery id too, so its next retry is answered from the first check.
      if (plan.outcome === "duplicate" && deliveryId && store.agentSessionCount() > 0) store.recordDelivery(deliveryId, now);
      return { outcome: plan.outcome, reason: plan.reason };
    }
    this.ctx.storage.transactionSync(() => {
      if (deliveryId) store.recordDelivery(deliveryId, now);
      if (!store.getMeta("organization_id")) {
        store.setMeta("organization_id", handoff.organizationId);
        store.setMeta("object_name", handoff.objectName);
      }
      this.#applyIntake(plan, now);
    });
    await this.#armAlarm();
    return { outcome: "accepted" };
  }

  /**
   * `POST /api/sessions/:id/messages`: a message from the panel, delivered as
   * Linear's follow-up `prompted` event would be (src/domain/session-message.ts)
   * and posted in the session's Linear thread through the outbox. The message
   * id is the dedupe key: the same id twice delivers once.
   */
  async sendMessage(message: PanelMessage): Promise<{ status: 202 | 404 | 409; ok: boolean; message: string; duplicate?: boolean }> {
    const store = this.#store;
    const organizationId = store.getMeta("organization_id");
    const session = store.getAgentSession(message.agentSessionId);
    if (!organizationId || !session) return { status: 404, ok: false, message: "no such agent session on this issue" };
    const execution = store.latestExecution(message.agentSessionId);
    const now = Date.now();
    const plan = planPanelMessage(
      message,
      {
        organizationId,
        session: { issueId: session.issueId, status: session.status, routed: session.routedAt !== null, rootCommentId: store.rootCommentId(session.id) },
        execution: execution ? { attemptKey: execution.attemptKey, executor: execution.executor, state: execution.state } : null,
        promptSeen: store.promptSeen(panelPromptId(message.id)),
        appUserId: store.getMeta("app_user_id"),
        preparePending: store.hasPendingJobInLane("session.prepare", `prepare:${session.id}`),
      },
      now,
      () => crypto.randomUUID(),
    );
    if (plan.outcome === "refused") return { status: plan.status, ok: false, message: plan.error };
    if (plan.outcome === "duplicate") return { status: 202, ok: true, message: plan.message, duplicate: true };
    this.ctx.storage.transactionSync(() => this.#applyIntake(plan.intake, now));
    await this.#armAlarm();
    return { status: 202, ok: true, message: plan.message };
  }

  /** Stores an accepted intake plan's effects; the caller holds the transaction. */
  #applyIntake(plan: Extract<IntakePlan, { outcome: "accepted" }>, now: number): void {
    const store = this.#store;
    if (plan.appUserId) store.setMeta("app_user_id", plan.appUserId);
    if (plan.issueSnapshot) store.setMeta("issue_webhook_snapshot", JSON.stringify(plan.issueSnapshot));
    if (plan.agentSession) store.insertAgentSession(plan.agentSession, now);
    if (plan.prompt) store.insertPrompt(plan.prompt, now);
    if (plan.stopRequested) {
      // A session waiting for budget leaves the Workspace's queue (if this is lost, the queue drops it when it would wake it).
      if (store.getAgentSession(plan.stopRequested)?.status === "waiting_for_budget") {
        store.enqueueJob({ kind: "budget.leave-queue", payload: { agentSessionId: plan.stopRequested } }, now);
      }
      store.updateAgentSession(plan.stopRequested, { status: "stopped", stopRequestedAt: now, endedAt: now }, now);
    }
    if (plan.agentSession && plan.jobs.some((j) => j.kind === "linear.activity" && j.payload.content.type === "response")) {
      store.updateAgentSession(plan.agentSession.id, { status: "complete", endedAt: now }, now);
    }
    for (const entry of plan.timeline) store.appendTimeline(entry, now);
    for (const job of plan.jobs) store.enqueueJob(job, now);
  }

  /** `POST /api/sessions/:id/stop`: the same as the stop button in Linear. */
  async stopSession(agentSessionId: string): Promise<{ ok: boolean; message: string }> {
    const context = this.#context();
    const result = context ? applyEvent(context, agentSessionId, "latest", { type: "stop.requested", source: "api" }) : null;
    if (!result) return { ok: false, message: "no such agent session on this issue" };
    await this.#armAlarm();
    const stopping = result.effects.some((e) => e.kind === "job" && e.job.kind === "execution.stop");
    return { ok: true, message: stopping ? "stopping the running work" : "nothing was running" };
  }

  /** `POST /api/sessions/:id/retry`: routes and decides again, and starts a new attempt. */
  async retrySession(agentSessionId: string): Promise<{ ok: boolean; message: string }> {
    const context = this.#context();
    const state = context ? loadState(context, agentSessionId, "latest") : null;
    if (!context || !state) return { ok: false, message: "no such agent session on this issue" };
    const refusal = retryRefusal(state);
    if (refusal) return { ok: false, message: refusal };
    applyEvent(context, agentSessionId, "latest", { type: "retry.requested" });
    await this.#armAlarm();
    return { ok: true, message: "retrying: a new attempt will be routed and started" };
  }

  /**
   * The Workspace says the budget may now have room for a session waiting for
   * it: decide and reserve again from the alarm (`session.plan`). Answers
   * whether the session is still waiting, so the Workspace can drop one that
   * is not (stopped, ended).
   */
  async resumeAfterBudget(agentSessionId: string): Promise<{ waiting: boolean }> {
    const context = this.#context();
    const session = this.#store.getAgentSession(agentSessionId);
    if (!context || !session || session.status !== "waiting_for_budget" || session.stopRequestedAt) return { waiting: false };
    applyEvent(context, agentSessionId, "latest", () => ({
      type: "budget.room",
      planPending: this.#store.hasPendingJobInLane("session.plan", `prepare:${agentSessionId}`),
    }));
    await this.#armAlarm();
    return { waiting: true };
  }

  /** Hybrid-parallel: the parent's answer to a child of this issue (null: no running plan here includes it). */
  async childBrief(childIssueId: string): Promise<ParentLink | null> {
    const context = this.#context();
    if (!context) return null;
    for (const session of this.#store.listAgentSessions().reverse()) {
      const state = loadState(context, session.id, "latest");
      const link = state ? childBrief(state, childIssueId) : null;
      if (link) return link;
    }
    return null;
  }

  /** Hybrid-parallel: a child's report, applied to the parent session whose plan includes it. */
  async onChildReport(report: ChildReport): Promise<{ known: boolean }> {
    const context = this.#context();
    if (!context) return { known: false };
    const parent = this.#store
      .listAgentSessions()
      .reverse()
      .find((session) => loadParallel(context, session.id)?.plan?.items.some((item) => item.issueId === report.childIssueId));
    if (!parent) return { known: false };
    const store = this.#store;
    applyEvent(context, parent.id, "latest", () => {
      // A retried report (its answer lost) is applied once.
      if (store.deliverySeen(report.reportId)) return null;
      store.recordDelivery(report.reportId, Date.now());
      const { reportId: _id, ...rest } = report;
      return { type: "parallel.child-report", ...rest };
    });
    await this.#armAlarm();
    return { known: true };
  }

  override async alarm(): Promise<void> {
    // Never two runs at once in one instance: a second wake-up waits for the first, whose
    // `finally` re-arms for anything still due. Two runs could otherwise send one job twice.
    if (this.#alarmRun) return this.#alarmRun;
    this.#alarmAt = null;
    this.#alarmRun = this.#runAlarm().finally(() => {
      this.#alarmRun = null;
    });
    return this.#alarmRun;
  }

  async #runAlarm(): Promise<void> {
    try {
      const context = this.#context();
      if (context) await runDueJobs(context, MAX_JOBS_PER_ALARM);
      const now = Date.now();
      this.#store.pruneDeliveries(now - DELIVERY_MEMORY_MS);
      this.#store.pruneFinishedJobs(now - FINISHED_JOB_MEMORY_MS);
    } catch (error) {
      this.#log.error("alarm failed", { error: describeError(error), object: this.#store.getMeta("object_name") });
    } finally {
      // Unconditionally: inside alarm() the running alarm may still be reported as set.
      await this.#armAlarm(true).catch((error: unknown) => this.#log.error("could not re-arm the alarm", { error: describeError(error) }));
    }
  }

  /**
   * The CodegenGate tells us our run changed. Stored and acted on from the
   * alarm; answering quickly lets the gate move on to the next run.
   */
  async onCloudRunUpdate(observation: CloudRunObservation): Promise<void> {
    const context = this.#context();
    if (!context) return;
    cloudExecutor.receive(context, observation);
    await this.#armAlarm();
  }

  /**
   * The Workspace hub reports on our local task. Stored before this returns:
   * only then does the hub acknowledge the agent, so nothing is lost between them.
   */
  async onLocalTaskUpdate(update: LocalTaskUpdate): Promise<void> {
    const context = this.#context();
    if (!context) return;
    localExecutor.receive(context, update);
    await this.#armAlarm();
  }

  #context(): JobContext | null {
    const organizationId = this.#store.getMeta("organization_id");
    if (!organizationId) return null;
    let settings: Promise<WorkspaceSettings> | null = null;
    return {
      env: this.env,
      store: this.#store,
      db: this.#db,
      workspaceSettings: () => {
        if (!settings) {
          settings = loadWorkspaceSettings(this.#db, organizationId);
          // A failed read is not remembered: the next job asks again.
          settings.catch(() => (settings = null));
        }
        return settings;
      },
      config: this.#config,
      log: this.#log,
      linear: (this.#linear ??= new LinearAccessProvider(this.env, organizationId, this.#config.LINEAR_API_URL)),
      codegenCredential: () => this.#codegenCredential(organizationId),
      organizationId,
      objectName: this.#store.getMeta("object_name") ?? organizationId,
      now: () => Date.now(),
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
    };
  }

  /** Resolved at most once a minute: credentials set through the API apply to the next run. */
  #codegenCredential(organizationId: string): Promise<CodegenCredential | null> {
    if (!this.#codegen || Date.now() - this.#codegen.at > 60_000) {
      this.#codegen = { at: Date.now(), credential: resolveCodegenCredential(this.env, this.#db, organizationId) };
      this.#codegen.credential.catch(() => (this.#codegen = null));
    }
    return this.#codegen.credential;
  }

  /**
   * Sets the alarm to the earliest due job. The alarm time is remembered, so a
   * burst of deliveries that need no earlier alarm costs no storage operation.
   */
  async #armAlarm(force = false): Promise<void> {
    const next = this.#store.nextJobDueAt();
    if (next === null) return;
    if (!force && this.#alarmAt !== undefined && this.#alarmAt !== null && this.#alarmAt <= next) return;
    const current = force ? null : this.#alarmAt === undefined ? await this.ctx.storage.getAlarm() : this.#alarmAt;
    if (current === null || current > next) {
      const at = Math.max(next, Date.now());
      await this.ctx.storage.setAlarm(at);
      this.#alarmAt = at;
    } else {
      this.#alarmAt = current;
    }
  }
}
