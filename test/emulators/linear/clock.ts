/**
 * The emulator's notion of "now" for token expiry, code expiry and entity
 * timestamps. Tests move it forward through the control API instead of sleeping.
 * Webhook timestamps deliberately do not use it: receivers compare them with
 * their own real clock.
 */
export class EmulatorClock {
  #offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("advanceMs must be a non-negative number");
    this.#offsetMs += ms;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}
