/**
 * The emulator's "now": real time multiplied by `timeScale`, plus whatever
 * tests add with `advance`. Run statuses, logs and rate-limit windows are all
 * read from it, so a benchmark at 60× sees a "60 s" window last one real
 * second, and a test moves time forward without sleeping. `timeScale: 0`
 * freezes it: only `advance` moves it, for tests that need exact boundaries.
 * Never goes back.
 */
export class ScaledClock {
  #timeScale: number;
  /** Emulator ms at the last rebase, and the real monotonic ms then. */
  #baseMs = Date.now();
  #baseReal = performance.now();
  #offsetMs = 0;

  constructor(timeScale = 1) {
    this.#timeScale = checkScale(timeScale);
  }

  nowMs(): number {
    return Math.floor(this.#baseMs + (performance.now() - this.#baseReal) * this.#timeScale);
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  get timeScale(): number {
    return this.#timeScale;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("advanceMs must be a non-negative number");
    this.#baseMs += ms;
    this.#offsetMs += ms;
  }

  /** Changes the speed from now on; emulator time so far is kept. */
  setTimeScale(timeScale: number): void {
    const scale = checkScale(timeScale);
    this.#rebase();
    this.#timeScale = scale;
  }

  /** Back to real time at the given scale (state is cleared with it, so going back is harmless). */
  reset(timeScale: number): void {
    this.#timeScale = checkScale(timeScale);
    this.#baseMs = Date.now();
    this.#baseReal = performance.now();
    this.#offsetMs = 0;
  }

  #rebase(): void {
    const now = this.nowMs();
    this.#baseReal = performance.now();
    this.#baseMs = now;
  }
}

function checkScale(timeScale: number): number {
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new RangeError("timeScale must be a non-negative number");
  return timeScale;
}
