/**
 * The contracts between the Durable Objects and with the Worker: the plain
 * data that crosses their RPC boundaries, and each object's RPC surface. The
 * Worker's bindings (`AppEnv`) are typed with these interfaces rather than the
 * classes, so no module that reaches an object imports the object's code, and
 * no object imports another. Each class `implements` its interface, so the
 * compiler keeps the two in step.
 */
import type { BreakerState } from "../../src/domain/circuit-breaker";
import type { BudgetLimits, ReserveResult } from "../../src/domain/budget";
import type { CodegenCallKind } from "../../src/domain/rate-window";
import type { EndWindow } from "../../src/domain/run-end-window";
import type { IntakePlan, SessionDelivery } from "../../src/domain/session-intake";
import type { PanelMessage } from "../../src/domain/session-message";
import type { LinearTokens } from "../../src/linear/oauth";
import type { TaskEvent, TaskResult, TaskSpec } from "../../src/protocol/messages";
import type { BudgetWaiterRef } from "./workspace/ledger-store";

export type { BudgetWaiterRef };

// ---- IssueSession ----------------------------------------------------------

/** One verified, parsed webhook, handed to the issue's IssueSession. */
export interface WebhookHandoff {
  objectName: string;
  organizationId: string;
  deliveryId: string | null;
  receivedAt: number;
  event: SessionDelivery;
}

export interface HandoffResult {
  outcome: IntakePlan["outcome"];
  reason?: string;
}

import type { ParentLink } from "../../src/domain/session";
export type { ParentLink };

export interface IssueSessionRpc extends Rpc.DurableObjectBranded {
  receiveWebhook(handoff: WebhookHandoff): Promise<HandoffResult>;
  sendMessage(message: PanelMessage): Promise<{ status: 202 | 404 | 409; ok: boolean; message: string; duplicate?: boolean }>;
  stopSession(agentSessionId: string): Promise<{ ok: boolean; message: string }>;
  retrySession(agentSessionId: string): Promise<{ ok: boolean; message: string }>;
  resumeAfterBudget(agentSessionId: string): Promise<{ waiting: boolean }>;
  onCloudRunUpdate(observation: CloudRunObservation): Promise<void>;
  onLocalTaskUpdate(update: LocalTaskUpdate): Promise<void>;
  /** Hybrid-parallel: a child asks its parent's issue whether it is part of a running plan (null: it is not). */
  childBrief(childIssueId: string): Promise<ParentLink | null>;
  /** Hybrid-parallel: a child started or ended. Stored before it returns; the same `reportId` twice counts once. */
  onChildReport(report: ChildReport): Promise<{ known: boolean }>;
}

export interface ChildReport {
  reportId: string;
  childIssueId: string;
  childSessionId: string;
  kind: "started" | "waiting" | "succeeded" | "failed" | "canceled";
  reason: string | null;
  pullRequests: string[];
  at: number;
}

// ---- Workspace -------------------------------------------------------------

export type AccessTokenResult =
  | { ok: true; accessToken: string; appUserId: string; expiresAt: number }
  | { ok: false; reason: "not_installed" | "revoked" | "refresh_failed" | "misconfigured"; message: string };

/** The local agents as the control panel shows them (no connection or token ids). */
export interface AgentsStatus {
  agents: {
    agentId: string;
    hostname: string;
    agentVersion: string;
    repositories: string[];
    maxConcurrent: number;
    connected: boolean;
    connectedAt: number | null;
    lastSeenAt: number;
    disconnectedAt: number | null;
    runningTasks: number;
  }[];
  queuedTasks: number;
}

export interface InstallInput {
  organizationId: string;
  name: string;
  urlKey: string;
  appUserId: string;
  tokens: LinearTokens;
  installedBy: string;
}

/** What the hub tells an IssueSession about its local task. */
export type LocalTaskUpdate =
  | { kind: "accepted"; taskId: string; leaseId: string; agentId: string; hostname: string }
  | { kind: "event"; taskId: string; leaseId: string; seq: number; event: TaskEvent }
  | { kind: "result"; taskId: string; leaseId: string; seq: number; agentId: string; result: TaskResult }
  | { kind: "requeued"; taskId: string; reason: string; agentId: string | null }
  | { kind: "rejected"; taskId: string; reason: string }
  | { kind: "queue_timeout"; taskId: string; waitedMs: number };

export interface LocalTaskInput {
  sessionObject: string;
  spec: Omit<TaskSpec, "leaseId">;
  requiredAgentId: string | null;
}

export type LocalPromptResult = { status: "merged" } | { status: "sent"; messageId: string } | { status: "not_running" };

export interface BudgetStatus {
  day: string;
  usedTodayUsd: number;
  remainingTodayUsd: number | null;
}

export interface WorkspaceRpc extends Rpc.DurableObjectBranded {
  enqueueLocalTask(input: LocalTaskInput): Promise<{ queued: true; agentsOnline: number; freshSession: boolean }>;
  localAvailability(repository: string): Promise<{ agentsOnline: number; freeSlots: number }>;
  sendLocalPrompt(taskId: string, text: string): Promise<LocalPromptResult>;
  stopLocalTask(taskId: string, graceMs: number): Promise<"sent" | "dequeued" | "not_running">;
  reserveBudget(request: { id: string; amountUsd: number; repository: string | null }, limits: BudgetLimits, waiter?: BudgetWaiterRef): Promise<ReserveResult>;
  settleBudget(id: string, actualUsd: number): Promise<void>;
  releaseBudget(id: string): Promise<void>;
  recheckBudgetWaiters(): Promise<void>;
  cancelBudgetWait(agentSessionId: string): Promise<void>;
  budgetStatus(limits: BudgetLimits, repository?: string): Promise<BudgetStatus>;
  revokeAgentToken(tokenId: string): Promise<number>;
  agentsStatus(): Promise<AgentsStatus>;
  install(input: InstallInput): Promise<void>;
  getLinearAccessToken(organizationId: string): Promise<AccessTokenResult>;
  refreshAfterRejection(organizationId: string, rejectedToken: string): Promise<AccessTokenResult>;
  revoke(organizationId: string, reason: string): Promise<void>;
}

// ---- CodegenGate -----------------------------------------------------------

/** Which Codegen credential a call uses: the edge's default, or a workspace's own. */
export type CodegenCredentialRef = { source: "default" } | { source: "workspace"; workspaceId: string };

/** What a session learns about its run. */
export interface CloudRunObservation {
  runId: number;
  status: string | null;
  webUrl: string | null;
  result: string | null;
  summary: string | null;
  pullRequests: { url: string; title: string | null }[];
  observedAt: number;
}

/** A Codegen failure as plain data (an Error's own fields do not survive RPC). */
export interface CodegenFailure {
  kind: "retryable" | "final";
  message: string;
  status: number | null;
  retryAfterMs: number | null;
  outcomeUnknown: boolean;
}

export type GateResult<T> =
  | { status: "ok"; value: T }
  /** The credential's budget for this kind of call is spent until `retryAt`. */
  | { status: "deferred"; retryAt: number }
  | { status: "failed"; failure: CodegenFailure }
  | { status: "unconfigured"; message: string };

export interface GateHealth {
  available: boolean;
  state: BreakerState["state"];
  failures: number;
}

export interface GateStatus extends GateHealth {
  usage: { kind: CodegenCallKind; used: number; limit: number; windowMs: number }[];
  watchedRuns: number;
}

export interface CodegenLogPage {
  total: number;
  entries: { at: string | null; type: string | null; text: string }[];
}

export interface CodegenGateRpc extends Rpc.DurableObjectBranded {
  createRun(ref: CodegenCredentialRef, input: { prompt: string; metadata: Record<string, string>; repoId: number | null }): Promise<GateResult<CloudRunObservation>>;
  health(): Promise<GateHealth>;
  status(): Promise<GateStatus>;
  findRun(ref: CodegenCredentialRef, input: { attemptKey: string; intentAt: number }): Promise<GateResult<{ run: CloudRunObservation | null; twins: number[] }>>;
  resumeRun(ref: CodegenCredentialRef, input: { runId: number; prompt: string }): Promise<GateResult<CloudRunObservation>>;
  readLogs(ref: CodegenCredentialRef, input: { runId: number; skip: number }): Promise<GateResult<CodegenLogPage>>;
  removeFromPr(ref: CodegenCredentialRef, input: { runId: number }): Promise<GateResult<true>>;
  /** `expectedEnd`: durations from the run's start within which similar runs ended (`endWindow` of their durations); optional, the gate falls back to the runs it saw end. */
  watchRun(ref: CodegenCredentialRef, input: { runId: number; sessionObject: string; runCreatedAt: number | null; expectedEnd?: EndWindow | null }): Promise<void>;
  unwatchRun(runId: number): Promise<void>;
  lastObservation(runId: number): Promise<CloudRunObservation | null>;
}
