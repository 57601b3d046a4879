/**
 * The cloud's health as a circuit breaker, a pure state machine the caller
 * stores and passes back:
 *
 *   closed ──(threshold consecutive failures)──▶ open
 *   open ──(cooldown passed; one caller takes the trial)──▶ half-open
 *   half-open ──success──▶ closed        half-open ──failure──▶ open (cooldown restarts)
 *
 * While open, nobody calls Codegen; after the cooldown exactly one caller
 * (the one that {@link acquire}s) tries, and everyone else waits for its
 * verdict. A trial whose verdict never comes (its caller was evicted) is
 * given up after another cooldown, and a new trial is allowed.
 *
 * A success in any state closes the breaker: Codegen answered, which is the
 * evidence we wanted. A failure while open — from a call that started before
 * the breaker opened — counts but does not push the cooldown back.
 */
export interface BreakerState {
  state: "closed" | "open" | "half-open";
  /** Consecutive failures. */
  failures: number;
  /** When it opened; for half-open, when the trial began. null when closed. */
  openedAt: number | null;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 3. */
  threshold?: number;
  /** How long it stays open before a trial. Default 5 minutes. */
  cooldownMs?: number;
}

export const DEFAULT_BREAKER_OPTIONS: Required<BreakerOptions> = { threshold: 3, cooldownMs: 5 * 60_000 };

export const CLOSED_BREAKER: BreakerState = Object.freeze({ state: "closed", failures: 0, openedAt: null });

export function resolveBreakerOptions(options: BreakerOptions = {}): Required<BreakerOptions> {
  const threshold = options.threshold ?? DEFAULT_BREAKER_OPTIONS.threshold;
  const cooldownMs = options.cooldownMs ?? DEFAULT_BREAKER_OPTIONS.cooldownMs;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be a positive integer, got ${threshold}`);
  if (!Number.isFinite(cooldownMs) || cooldownMs < 0) throw new RangeError(`cooldownMs must be a finite number >= 0, got ${cooldownMs}`);
  return { threshold, cooldownMs };
}

export function recordSuccess(_state: BreakerState, now: number): BreakerState {
  checkNow(now);
  return { ...CLOSED_BREAKER };
}

export function recordFailure(state: BreakerState, now: number, options: BreakerOptions = {}): BreakerState {
  const { threshold } = resolveBreakerOptions(options);
  checkNow(now);
  const failures = state.failures + 1;
  switch (state.state) {
    case "closed":
      return failures >= threshold ? { state: "open", failures, openedAt: now } : { state: "closed", failures, openedAt: null };
    case "half-open":
      return { state: "open", failures, openedAt: now };
    case "open":
      return { state: "open", failures, openedAt: state.openedAt ?? now };
  }
}

/**
 * Whether a call may go through now, and the state to store if it does: the
 * caller that gets the trial must save the half-open state before calling, so
 * no one else takes it.
 */
export function acquire(state: BreakerState, now: number, options: BreakerOptions = {}): { allowed: boolean; state: BreakerState } {
  const { cooldownMs } = resolveBreakerOptions(options);
  checkNow(now);
  if (state.state === "closed") return { allowed: true, state };
  const since = state.openedAt ?? Number.NEGATIVE_INFINITY;
  if (now - since < cooldownMs) return { allowed: false, state };
  return { allowed: true, state: { state: "half-open", failures: state.failures, openedAt: now } };
}

/** Whether a call would be allowed now, without taking the trial: what "healthy" means to the orchestrator. */
export function isAvailable(state: BreakerState, now: number, options: BreakerOptions = {}): boolean {
  return acquire(state, now, options).allowed;
}

function checkNow(now: number): void {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a finite timestamp, got ${now}`);
}
