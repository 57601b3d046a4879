/**
 * Typed configuration from the Worker's vars. Every knob has its production
 * default here as well as in wrangler.toml, so a missing var never means NaN.
 */
import { z } from "zod";

/** An unset or blank var means "use the default"; `Number("  ")` would silently be 0. */
const blank = (v: unknown) => v === undefined || (typeof v === "string" && v.trim() === "");
const milliseconds = (fallback: number) =>
  z.preprocess((v) => (blank(v) ? fallback : Number(v)), z.number().int().nonnegative());
const dollars = (fallback: number) => z.preprocess((v) => (blank(v) ? fallback : Number(v)), z.number().nonnegative());
const optionalDollars = z.preprocess((v) => (blank(v) ? undefined : Number(v)), z.number().nonnegative().optional());
const httpUrl = () => z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const origin = (fallback: string) =>
  z.preprocess((v) => (blank(v) ? fallback : v), httpUrl().transform((u) => u.replace(/\/+$/, "")));

export const EXECUTION_STRATEGIES = ["local-only", "cloud-only", "hybrid-smart", "hybrid-parallel", "cost-optimized"] as const;
export type ExecutionStrategy = (typeof EXECUTION_STRATEGIES)[number];

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const EdgeConfigSchema = z.object({
  LINEAR_API_URL: origin("https://api.linear.app"),
  LINEAR_AUTHORIZE_URL: z.preprocess((v) => (blank(v) ? "https://linear.app/oauth/authorize" : v), httpUrl()),
  CODEGEN_API_URL: origin("https://api.codegen.com"),
  PUBLIC_URL: z.preprocess((v) => (blank(v) ? undefined : v), httpUrl().transform((u) => u.replace(/\/+$/, "")).optional()),
  EXECUTION_STRATEGY: z.preprocess((v) => (blank(v) ? "hybrid-smart" : v), z.enum(EXECUTION_STRATEGIES)),
  MAX_COST_PER_TASK_USD: optionalDollars,
  MAX_COST_PER_DAY_USD: optionalDollars,
  CODEGEN_PRICE_PER_RUN_USD: dollars(0.5),
  CODEGEN_PRICE_PER_MINUTE_USD: dollars(0.02),
  CODEGEN_POLL_INITIAL_MS: milliseconds(5_000),
  CODEGEN_POLL_MAX_MS: milliseconds(60_000),
  CODEGEN_RUN_TIMEOUT_MS: milliseconds(3_600_000),
  RETRY_BASE_MS: milliseconds(1_000),
  /**
   * How many times faster than real time the Codegen API runs: 1 in production.
   * Benchmarks and the demo drive an emulated Codegen at, say, 60x; this shrinks
   * Codegen's rate-limit windows to match.
   */
  CODEGEN_TIME_SCALE: z.preprocess((v) => (blank(v) ? 1 : Number(v)), z.number().positive()),
  AGENT_LEASE_GRACE_MS: milliseconds(60_000),
  LOCAL_QUEUE_TIMEOUT_MS: milliseconds(1_800_000),
  /** Hybrid-parallel: at most this many children of one parent run at once. */
  PARALLEL_MAX_CHILDREN: z.preprocess((v) => (blank(v) ? 5 : Number(v)), z.number().int().min(1).max(15)),
  LOG_LEVEL: z.preprocess((v) => (blank(v) ? "info" : v), z.enum(LOG_LEVELS)),
});
export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

const cache = new WeakMap<object, EdgeConfig>();

/** Parses (once per env object) the vars into a typed config, or says which var is wrong. */
export function readConfig(vars: Record<string, unknown>): EdgeConfig {
  const cached = cache.get(vars);
  if (cached) return cached;
  const result = EdgeConfigSchema.safeParse(vars);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new ConfigurationError(`invalid configuration: ${problems}`);
  }
  cache.set(vars, result.data);
  return result.data;
}
