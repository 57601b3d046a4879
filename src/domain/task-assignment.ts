/**
 * Which connected agent takes a queued local task, and which leases have
 * lapsed. Pure decisions over the hub's records, tested apart from sockets.
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
 * A lease lapses when its agent has been gone (or silent) for longer than the
 * grace period: the task is then re-queued. Returns when it lapses, or lapsed.
 */
export function leaseLapsesAt(holder: LeaseHolder, graceMs: number): number {
  if (!holder.connected) return (holder.disconnectedAt ?? holder.lastHeardAt) + graceMs;
  return holder.lastHeardAt + graceMs;
}
