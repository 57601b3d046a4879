/**
 * Where a parent's own helper task runs — the planning task that proposes
 * sub-tasks, and the validation task that checks the children's pull
 * requests: locally when an agent serving the repository has a free slot,
 * else in the cloud when Codegen is configured and healthy, else locally when
 * an agent is at least online (it queues), else nowhere, with the reason.
 */
import type { ExecutorKind } from "../executor";

export interface HelperTaskSituation {
  local: { agentsOnline: number; freeSlots: number };
  cloud: { configured: boolean; healthy: boolean };
}

export type HelperTaskChoice = { executor: ExecutorKind; reason: string } | { executor: null; reason: string };

export function chooseHelperExecutor(purpose: "planning" | "validation", situation: HelperTaskSituation): HelperTaskChoice {
  const what = purpose === "planning" ? "The planning task" : "The validation task";
  if (situation.local.freeSlots > 0) return { executor: "local", reason: `${what} runs on a local agent that has a free slot.` };
  if (situation.cloud.configured && situation.cloud.healthy) return { executor: "cloud", reason: `${what} runs in the cloud: no local agent has a free slot.` };
  if (situation.local.agentsOnline > 0) return { executor: "local", reason: `${what} waits for a local agent: every one is busy and the cloud is not available.` };
  const cloud = situation.cloud.configured ? "Codegen is not healthy right now" : "no Codegen credentials are configured";
  return { executor: null, reason: `${what} cannot run: no local agent serving the repository is online and ${cloud}.` };
}
