/**
 * Which connected agent takes a queued local task, when a lease lapses, how
 * often an agent must make itself heard, and when a re-queue is worth telling
 * Linear about. Pure decisions over the hub's records, tested apart from sockets.
 */
export interface AgentCapacity {
  agentId: string;
  repositories: string[];
  maxConcurrent: number;
  /** Tasks assigned to or running on it now. */
  active: number;
}

export interface QueuedTask {
  repository: string;
  /** A follow-up that must continue its Claude session goes back to the machine that has it. */
  requiredAgentId: string | null;
}

/** The agent with the most free slots that serves the repository (and is the required one, if any). */
export function pickAgent(task: QueuedTask, agents: readonly AgentCapacity[]): string | null {
  let best: AgentCapacity | null = null;
  for (const agent of agents) {
    if (task.requiredAgentId && agent.agentId !== task.requiredAgentId) continue;
    if (!agent.repositories.includes(task.repository)) continue;
    const free = agent.maxConcurrent - agent.active;
    if (free <= 0) continue;
    if (!best || free > best.maxConcurrent - best.active) best = agent;
  }
  return best?.agentId ?? null;
}

export interface LeaseHolder {
  connected: boolean;
  /** When we last heard from it: a message, or the automatic pong to its ping. */
  lastHeardAt: number;
  disconnectedAt: number | null;
}

/**
 * When a lease lapses (or lapsed): `graceMs` after the latest of the moment it
 * was granted and the last sign of its agent (the last word while connected,
 * the disconnect once gone). So a lease never lapses sooner than the grace
 * after it was granted, however long its agent had been idle before: a task
 * handed to an agent last heard long ago is not taken back the moment it
 * arrives, and cannot be re-queued and re-assigned in a tight loop.
 */
export function leaseLapsesAt(holder: LeaseHolder, grantedAt: number, graceMs: number): number {
  const lastSign = holder.connected ? holder.lastHeardAt : (holder.disconnectedAt ?? holder.lastHeardAt);
  return Math.max(grantedAt, lastSign) + graceMs;
}

/** The agent's heartbeat when the edge names none (an edge older than `welcome.heartbeatMs`). */
export const DEFAULT_HEARTBEAT_MS = 20_000;
/** Never ping more often than this, however short the grace. */
export const MIN_HEARTBEAT_MS = 1_000;

/**
 * How often a connected agent must ping so that an idle but healthy agent is
 * heard at least three times per lease grace: a third of the grace, at least
 * `MIN_HEARTBEAT_MS`, at most `DEFAULT_HEARTBEAT_MS`.
 */
export function heartbeatIntervalFor(graceMs: number): number {
  return Math.min(DEFAULT_HEARTBEAT_MS, Math.max(MIN_HEARTBEAT_MS, Math.floor(graceMs / 3)));
}

/** The agent's ping interval: its own setting, shortened to what the edge asks for, never below the minimum. */
export function agentPingInterval(ownMs: number, edgeHeartbeatMs: number | undefined): number {
  if (edgeHeartbeatMs === undefined) return ownMs;
  return Math.min(ownMs, Math.max(MIN_HEARTBEAT_MS, edgeHeartbeatMs));
}

/** A "went quiet; back to the queue" thought already posted for this session. */
export interface RequeueNotice {
  taskId: string;
  agentId: string | null;
  at: number;
}

/** The same task losing the same agent again within this long is not news for the Linear thread. */
export const REQUEUE_NOTICE_WINDOW_MS = 10 * 60_000;

/**
 * Whether a re-queue is told in Linear: always the first time, again only for
 * another task or another agent, or after `REQUEUE_NOTICE_WINDOW_MS`. A thread
 * is never flooded by one flapping agent (it is still on the timeline).
 */
export function shouldPostRequeueNotice(previous: RequeueNotice | null, current: RequeueNotice, windowMs = REQUEUE_NOTICE_WINDOW_MS): boolean {
  if (!previous) return true;
  if (previous.taskId !== current.taskId || previous.agentId !== current.agentId) return true;
  return current.at - previous.at >= windowMs;
}
