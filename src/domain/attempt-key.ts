/**
 * An execution attempt's key, `<agentSessionId>:<attempt>` (attempts count
 * from 1): the executions row, the local task id and the budget reservation
 * id. A D1 `execution_metrics` row adds the cloud run's resumes,
 * `<agentSessionId>:<attempt>:<resume>`. Built and read only here.
 */

export interface AttemptKey {
  agentSessionId: string;
  attempt: number;
}

export function formatAttemptKey(agentSessionId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  if (agentSessionId === "") throw new RangeError("agentSessionId must not be empty");
  return `${agentSessionId}:${attempt}`;
}

/** The key of the attempt after `attempt` (the first when there was none). */
export function nextAttemptKey(agentSessionId: string, lastAttempt: number | null | undefined): string {
  return formatAttemptKey(agentSessionId, (lastAttempt ?? 0) + 1);
}

/** Reads a key; null when it is not `<non-empty id>:<integer ≥ 1>`. The session id may itself contain colons. */
export function parseAttemptKey(key: string): AttemptKey | null {
  const at = key.lastIndexOf(":");
  if (at <= 0) return null;
  const digits = key.slice(at + 1);
  if (!/^[1-9][0-9]*$/.test(digits)) return null;
  const attempt = Number(digits);
  if (!Number.isSafeInteger(attempt)) return null;
  return { agentSessionId: key.slice(0, at), attempt };
}

/** The attempt number a key names; 1 for a key that names none (the first attempt). */
export function attemptNumber(key: string): number {
  return parseAttemptKey(key)?.attempt ?? 1;
}

/** The `execution_metrics` row id of an attempt's `resume`-th run (0 for the first). */
export function metricsRowId(key: string, resume: number): string {
  if (!Number.isInteger(resume) || resume < 0) throw new RangeError(`resume must be an integer >= 0, got ${resume}`);
  return `${key}:${resume}`;
}
