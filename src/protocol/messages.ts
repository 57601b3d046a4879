/**
 * The edge <-> local agent protocol, defined once and used by both sides.
 * JSON text frames over one WebSocket per agent.
 *
 * Delivery is at least once, in both directions. Every message that matters
 * carries an `id` (a UUID) and stays in its sender's outbox until the other
 * side acknowledges it (`ack`); the receiver drops an `id` it has seen. So a
 * message lost as a connection dies is sent again after the reconnect, and a
 * message sent twice counts once. Agent events also carry a per-task `seq`,
 * so the edge can put them back in order.
 *
 * Version: `PROTOCOL_VERSION`. An agent that speaks another version is refused
 * with `error { code: "unsupported_version" }`, which says to upgrade. Optional
 * fields added later (`welcome.heartbeatMs`) keep the version: both sides read
 * a message without them as before.
 */
import { z } from "zod";

export const PROTOCOL_VERSION = 1;

const id = z.string().min(1).max(200);

// ---- what a task carries to the agent ----

export const TaskSpecSchema = z.object({
  taskId: id,
  /** The lease this assignment holds; events and results name it, so a re-queued task's old lease is recognised. */
  leaseId: id,
  organizationId: id,
  agentSessionId: id,
  issue: z.object({ id, identifier: z.string(), title: z.string(), description: z.string().nullable(), url: z.string().nullable() }),
  repository: z.object({ name: z.string(), baseBranch: z.string() }),
  branchName: z.string(),
  prompt: z.string(),
  /** Appended to Claude Code's own system prompt. */
  systemPromptAppend: z.string(),
  maxBudgetUsd: z.number().positive().nullable(),
  /** Continue this Claude session (it lives on the machine and in the worktree where it ran). */
  resumeClaudeSessionId: z.string().nullable(),
  /** The last running total the edge recorded for that session, so a resumed run's cost is not counted twice. */
  previousTotalCostUsd: z.number().nonnegative().nullable(),
  /**
   * A planning task: Claude Code answers with JSON that fits this schema (the SDK's
   * `outputFormat: { type: "json_schema" }`), returned as `TaskResult.structuredOutput`. It reads
   * the repository and changes nothing. Null for an ordinary task.
   */
  outputSchema: z.record(z.string(), z.unknown()).optional().nullable().default(null),
  /**
   * A dependent task: its branch, when the agent creates it, is `repository.baseBranch` with each
   * of these branches merged in, in order. A merge conflict fails the task. Empty for an ordinary task.
   */
  mergeBranches: z.array(z.string().min(1)).optional().default([]),
});
/**
 * The shape a sender builds (the fields added after protocol 1 shipped may be left out, so an edge
 * or an agent that predates them still fits); the parsed message has their defaults filled in.
 */
export type TaskSpec = z.input<typeof TaskSpecSchema>;

export const TaskEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("started"), worktreePath: z.string(), claudeSessionId: z.string().nullable() }),
  z.object({ kind: z.literal("text"), text: z.string() }),
  z.object({ kind: z.literal("tool"), tool: z.string(), input: z.string(), result: z.string().nullable() }),
  z.object({ kind: z.literal("status"), message: z.string() }),
]);
export type TaskEvent = z.infer<typeof TaskEventSchema>;

export const TaskResultSchema = z.object({
  status: z.enum(["succeeded", "failed", "stopped"]),
  /** The final text (Claude's result), or what went wrong. */
  text: z.string(),
  error: z.string().nullable(),
  claudeSessionId: z.string().nullable(),
  /** The SDK's running total for the Claude session, and this run's share of it (the difference). */
  totalCostUsd: z.number().nonnegative().nullable(),
  costUsd: z.number().nonnegative().nullable(),
  inputTokens: z.number().int().nonnegative().nullable(),
  outputTokens: z.number().int().nonnegative().nullable(),
  durationMs: z.number().nonnegative(),
  prUrls: z.array(z.string()),
  /**
   * The ids of the `task.prompt` messages whose text went into this run. A
   * follow-up that reached the agent as the run was ending is not listed, and
   * the edge runs it again as a resumed task: a follow-up is never lost.
   */
  promptIds: z.array(id),
  /** A planning task's answer: the result message's `structured_output`, already checked against `outputSchema` by Claude Code. Null otherwise. */
  structuredOutput: z.unknown().optional().default(null),
});
/** As `TaskSpec`: later optional fields may be left out by a sender. */
export type TaskResult = z.input<typeof TaskResultSchema>;

// ---- agent -> edge ----

export const AgentHelloSchema = z.object({
  type: z.literal("hello"),
  protocol: z.number().int(),
  agentId: id,
  agentVersion: z.string(),
  hostname: z.string(),
  repositories: z.array(z.string()),
  maxConcurrent: z.number().int().positive(),
  /** Tasks still running on the agent (after a reconnect): their leases are kept. */
  runningTaskIds: z.array(id),
});

export const AgentMessageSchema = z.discriminatedUnion("type", [
  AgentHelloSchema,
  z.object({ type: z.literal("heartbeat"), freeSlots: z.number().int().nonnegative(), runningTaskIds: z.array(id) }),
  z.object({ type: z.literal("ack"), ids: z.array(id) }),
  z.object({ type: z.literal("task.accepted"), id, taskId: id, leaseId: id }),
  z.object({ type: z.literal("task.rejected"), id, taskId: id, leaseId: id, reason: z.string() }),
  z.object({ type: z.literal("task.event"), id, taskId: id, leaseId: id, seq: z.number().int().nonnegative(), event: TaskEventSchema }),
  z.object({ type: z.literal("task.result"), id, taskId: id, leaseId: id, seq: z.number().int().nonnegative(), result: TaskResultSchema }),
]);
/** What a sender builds; see `TaskSpec`. */
export type AgentMessage = z.input<typeof AgentMessageSchema>;
export type AgentHello = z.input<typeof AgentHelloSchema>;

// ---- edge -> agent ----

export const EdgeMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    protocol: z.number().int(),
    agentId: id,
    workspace: z.string(),
    /**
     * Ping at least this often (ms): the edge takes a task back from an agent silent for its lease
     * grace, so an idle agent must be heard well within it. Optional, so this stays protocol 1: an
     * edge that does not send it gets the agent's own 20 s, and an agent that does not know it
     * ignores it (unknown fields are dropped).
     */
    heartbeatMs: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal("error"), code: z.enum(["unsupported_version", "bad_message", "revoked", "replaced"]), message: z.string() }),
  z.object({ type: z.literal("ack"), ids: z.array(id) }),
  z.object({ type: z.literal("task.assign"), id, task: TaskSpecSchema }),
  z.object({ type: z.literal("task.prompt"), id, taskId: id, text: z.string() }),
  z.object({ type: z.literal("task.stop"), id, taskId: id, graceMs: z.number().int().nonnegative() }),
  /** The lease is gone (re-queued elsewhere or cancelled): stop work on it and send nothing more for it. */
  z.object({ type: z.literal("task.cancelled"), id, taskId: id, leaseId: id, reason: z.string() }),
]);
/** What a sender builds; see `TaskSpec`. */
export type EdgeMessage = z.input<typeof EdgeMessageSchema>;

/** Messages the receiver must acknowledge (everything with an `id`). */
export function needsAck(message: AgentMessage | EdgeMessage): message is Extract<AgentMessage | EdgeMessage, { id: string }> {
  return "id" in message && typeof message.id === "string";
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, raw: string | ArrayBuffer): ParseResult<T> {
  if (typeof raw !== "string") return { ok: false, error: "binary frames are not part of the protocol" };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: "frame is not JSON" };
  }
  const result = schema.safeParse(json);
  return result.success ? { ok: true, message: result.data } : { ok: false, error: z.prettifyError(result.error) };
}

export const parseAgentMessage = (raw: string | ArrayBuffer) => parseWith(AgentMessageSchema, raw);
export const parseEdgeMessage = (raw: string | ArrayBuffer) => parseWith(EdgeMessageSchema, raw);
