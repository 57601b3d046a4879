/**
 * The durations of past cloud runs most like this one, for the CodegenGate's
 * expected end: the same repository, agent type and complexity when there are
 * enough of them, else the same repository, else every cloud run. Outcomes do
 * not matter here: a failed run ended too, and the gate hears of it the same way.
 */
export interface PastRun {
  repository: string | null;
  agentType: string | null;
  complexity: string | null;
  executor: string | null;
  durationMs: number;
}

/** Below this many, a narrower match is too thin to say when runs end. */
const ENOUGH = 5;

export function similarCloudDurations(history: readonly PastRun[], task: { repository: string | null; agentType: string | null; complexity: string | null }): number[] {
  const cloud = history.filter((run) => run.executor === "cloud" && run.durationMs > 0);
  const sameRepository = cloud.filter((run) => run.repository === task.repository);
  const sameKind = sameRepository.filter((run) => run.agentType === task.agentType && run.complexity === task.complexity);
  const pick = sameKind.length >= ENOUGH ? sameKind : sameRepository.length >= ENOUGH ? sameRepository : cloud;
  return pick.map((run) => run.durationMs);
}
