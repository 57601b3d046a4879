/**
 * Where a routed task runs, until the TaskOrchestrator (with the local
 * executor, task analysis and budgets) takes over this decision: the cloud
 * when Codegen credentials are configured and the strategy allows it.
 */
import type { ExecutionStrategy } from "../config";

export type ExecutorChoice = { executor: "cloud"; reason: string } | { executor: null; reason: string };

export function chooseExecutor(input: { strategy: ExecutionStrategy; cloudConfigured: boolean }): ExecutorChoice {
  if (input.strategy === "local-only") {
    return { executor: null, reason: "the strategy is local-only, and this edge cannot run local agents yet" };
  }
  if (!input.cloudConfigured) {
    return { executor: null, reason: "no Codegen credentials are configured for cloud runs (set CODEGEN_ORG_ID and CODEGEN_API_TOKEN, or the workspace's own)" };
  }
  return { executor: "cloud", reason: `Codegen is configured and the strategy is ${input.strategy}` };
}
