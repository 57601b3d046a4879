/**
 * At-least-once delivery to the edge, both ways round.
 *
 * Out: every agent message that carries an `id` (task.accepted, task.rejected, task.event,
 * task.result) is written to `<CYRUS_HOME>/state/outbox.json` before it is sent, and leaves the
 * file only when an edge `ack` names its id. After a reconnect or a restart the agent sends every
 * pending message again, oldest first. Per-task `seq` numbers are kept in the same file and in the
 * same write, so a restart never hands out a number twice.
 *
 * In: every edge message with an `id` is recorded as seen (kept for `seenTtlMs`, two days by
 * default: the edge gives up on a message long before that) so that a second delivery is only
 * acknowledged, never acted on twice.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { z } from "zod";
import { AgentMessageSchema, type AgentMessage } from "../protocol/messages";
import { readJsonFile, writeJsonAtomic } from "./files";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The agent messages that need an acknowledgement. */
export type OutgoingMessage = Extract<AgentMessage, { id: string }>;
/** An outgoing message before the outbox gives it its `id` (and `seq`, for events and results). */
export type OutgoingDraft = DistributiveOmit<OutgoingMessage, "id" | "seq">;

const DAY_MS = 24 * 60 * 60_000;

const OutboxFileSchema = z.object({
  version: z.literal(1),
  pending: z.array(AgentMessageSchema),
  /** taskId -> the next seq and when it was last used. */
  seq: z.record(z.string(), z.object({ next: z.number().int().nonnegative(), usedAt: z.number() })),
  /** Edge message id -> when it was first received. */
  seen: z.record(z.string(), z.number()),
});
// Input shapes: the stored messages are what the agent built (later optional protocol fields may be absent).
type OutboxFile = z.input<typeof OutboxFileSchema>;

export interface OutboxOptions {
  now?: () => number;
  seenTtlMs?: number;
  /** Sequence counters of tasks with nothing pending are forgotten after this long. */
  seqTtlMs?: number;
}

export class Outbox {
  readonly file: string;
  #state: OutboxFile;
  #now: () => number;
  #seenTtlMs: number;
  #seqTtlMs: number;

  constructor(home: string, options: OutboxOptions = {}) {
    this.file = join(home, "state", "outbox.json");
    this.#now = options.now ?? Date.now;
    this.#seenTtlMs = options.seenTtlMs ?? 2 * DAY_MS;
    this.#seqTtlMs = options.seqTtlMs ?? 7 * DAY_MS;
    this.#state = readJsonFile(this.file, OutboxFileSchema, () => ({ version: 1 as const, pending: [], seq: {}, seen: {} }));
    this.#prune();
  }

  /** Gives the message its id (and seq), stores it, and returns it ready to send. */
  add(draft: OutgoingDraft): OutgoingMessage {
    const message = { ...draft, id: randomUUID() } as OutgoingMessage;
    if (message.type === "task.event" || message.type === "task.result") {
      const counter = this.#state.seq[message.taskId] ?? { next: 0, usedAt: 0 };
      message.seq = counter.next;
      this.#state.seq[message.taskId] = { next: counter.next + 1, usedAt: this.#now() };
    }
    this.#state.pending.push(message);
    this.#save();
    return message;
  }

  /** Unacknowledged messages, oldest first. */
  pending(): OutgoingMessage[] {
    return this.#state.pending.filter((m): m is OutgoingMessage => "id" in m);
  }

  /** Removes the acknowledged messages; returns how many were pending. */
  ack(ids: readonly string[]): number {
    const acked = new Set(ids);
    const before = this.#state.pending.length;
    this.#state.pending = this.#state.pending.filter((m) => !("id" in m) || !acked.has(m.id));
    const removed = before - this.#state.pending.length;
    if (removed > 0) this.#save();
    return removed;
  }

  /** Forgets every pending message of a lease the edge has cancelled: nothing more is sent for it. */
  dropLease(leaseId: string): number {
    const before = this.#state.pending.length;
    this.#state.pending = this.#state.pending.filter((m) => !("leaseId" in m) || m.leaseId !== leaseId);
    const removed = before - this.#state.pending.length;
    if (removed > 0) this.#save();
    return removed;
  }

  hasSeen(id: string): boolean {
    return id in this.#state.seen;
  }

  /** Records an edge message id; false when it was already seen (a duplicate to acknowledge and drop). */
  markSeen(id: string): boolean {
    if (this.hasSeen(id)) return false;
    this.#state.seen[id] = this.#now();
    this.#prune();
    this.#save();
    return true;
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, at] of Object.entries(this.#state.seen)) {
      if (now - at > this.#seenTtlMs) delete this.#state.seen[id];
    }
    const pendingTasks = new Set(this.#state.pending.map((m) => ("taskId" in m ? m.taskId : "")));
    for (const [taskId, counter] of Object.entries(this.#state.seq)) {
      if (!pendingTasks.has(taskId) && now - counter.usedAt > this.#seqTtlMs) delete this.#state.seq[taskId];
    }
  }

  #save(): void {
    writeJsonAtomic(this.file, this.#state);
  }
}
