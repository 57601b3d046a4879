/**
 * What the agent tells the person running it: one readable line per thing that happened
 * (connected, task started, task ended with its cost and duration, reconnecting). Never a token:
 * the callers pass ids and names, and `displayUrl` strips any credentials from a URL.
 */
export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function consoleLog(options: { clock?: () => Date } = {}): AgentLog {
  const clock = options.clock ?? (() => new Date());
  const stamp = () => clock().toTimeString().slice(0, 8);
  return {
    info: (m) => process.stdout.write(`${stamp()} ${m}\n`),
    warn: (m) => process.stderr.write(`${stamp()} warning: ${m}\n`),
    error: (m) => process.stderr.write(`${stamp()} error: ${m}\n`),
  };
}

/** A log that keeps its lines, for tests. */
export function memoryLog(): AgentLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`warning: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${Math.max(0, ms) < 1000 ? (ms / 1000).toFixed(1) : seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatUsd(usd: number | null): string {
  if (usd === null) return "cost unknown";
  return `$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
}
