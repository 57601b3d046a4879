/**
 * One emulator instance: the store, the scaled clock, the rate limiter, the
 * faults, and what was recorded. `reset()` brings it back to its start options.
 */
import { ScaledClock } from "./clock";
import { FaultQueue } from "./faults";
import { RateLimiter } from "./rate-limits";
import { Recorder } from "./recorder";
import { StatsTracker } from "./stats";
import { CodegenStore } from "./store";
import { DEFAULT_RATE_LIMITS, type RateBucket, type RateLimit, type RateLimits } from "./types";

export interface EmulatorOptions {
  /** Emulator ms per real ms (1). At 60, a "60 s" rate window lasts one real second; 0 freezes the clock. */
  timeScale?: number;
  /** Overrides of the documented limits, per family (windows in emulator ms). */
  rateLimits?: Partial<RateLimits>;
}

function resolveLimits(overrides: Partial<RateLimits> = {}): RateLimits {
  const limits = { ...DEFAULT_RATE_LIMITS };
  for (const [bucket, value] of Object.entries(overrides) as Array<[RateBucket, RateLimit | undefined]>) {
    if (!(bucket in limits)) throw new RangeError(`unknown rate-limit family ${bucket}`);
    if (!value) continue;
    if (!Number.isInteger(value.limit) || value.limit < 1) throw new RangeError(`rateLimits.${bucket}.limit must be a positive integer`);
    if (!Number.isFinite(value.windowMs) || value.windowMs <= 0) throw new RangeError(`rateLimits.${bucket}.windowMs must be positive`);
    limits[bucket] = { limit: value.limit, windowMs: value.windowMs };
  }
  return limits;
}

export class Emulator {
  readonly clock: ScaledClock;
  readonly faults = new FaultQueue();
  readonly recorder = new Recorder();
  readonly limits: RateLimits;
  readonly limiter: RateLimiter;
  readonly stats: StatsTracker;
  readonly #timeScale: number;
  #store = new CodegenStore();

  constructor(options: EmulatorOptions = {}) {
    this.#timeScale = options.timeScale ?? 1;
    this.clock = new ScaledClock(this.#timeScale);
    this.limits = resolveLimits(options.rateLimits);
    this.limiter = new RateLimiter(this.limits);
    this.stats = new StatsTracker(this.limits);
  }

  get store(): CodegenStore {
    return this.#store;
  }

  reset(): void {
    this.#store = new CodegenStore();
    this.faults.clear();
    this.recorder.clear();
    this.limiter.clear();
    this.stats.clear();
    this.clock.reset(this.#timeScale);
  }
}
