/**
 * Where a routed task runs, until the TaskOrchestrator (task analysis, cost
 * estimates and budgets) takes over this decision. The rule for now: a local
 * agent when one that serves the repository has a free slot, else the cloud
 * when Codegen is configured, else the local queue (a task waits for an agent,
 * with a deadline). The strategies that pin one executor are honoured.
 */
import type { ExecutionStrategy } from "../config";

export type ExecutorChoice = { executor: "cloud" | "local"; reason: string } | { executor: null; reason: string };

export interface ExecutorSituation {
  strategy: ExecutionStrategy;
  cloudConfigured: boolean;
  local: { agentsOnline: number; freeSlots: number };
}

export function chooseExecutor(input: ExecutorSituation): ExecutorChoice {
  const localFree = input.local.freeSlots > 0;
  if (input.strategy === "local-only") return { executor: "local", reason: "the strategy is local-only" };
  if (input.strategy === "cloud-only") {
    return input.cloudConfigured
      ? { executor: "cloud", reason: "the strategy is cloud-only" }
      : { executor: null, reason: "the strategy is cloud-only and no Codegen credentials are configured (set CODEGEN_ORG_ID and CODEGEN_API_TOKEN, or the workspace's own)" };
  }
  if (localFree) return { executor: "local", reason: `a local agent that serves the repository has a free slot (${input.strategy})` };
  if (input.cloudConfigured) return { executor: "cloud", reason: `no local agent has a free slot for the repository, and Codegen is configured (${input.strategy})` };
  return { executor: "local", reason: "no local agent is free and Codegen is not configured, so the task waits for a local agent" };
}
