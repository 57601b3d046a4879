import { describe, expect, it } from "vitest";
import { ConfigurationError, EXECUTION_STRATEGIES, LOG_LEVELS, readConfig } from "../../src/config";

const DEFAULTS = {
  LINEAR_API_URL: "https://api.linear.app",
  LINEAR_AUTHORIZE_URL: "https://linear.app/oauth/authorize",
  CODEGEN_API_URL: "https://api.codegen.com",
  PUBLIC_URL: undefined,
  EXECUTION_STRATEGY: "hybrid-smart",
  MAX_COST_PER_TASK_USD: undefined,
  MAX_COST_PER_DAY_USD: undefined,
  CODEGEN_PRICE_PER_RUN_USD: 0.5,
  CODEGEN_PRICE_PER_MINUTE_USD: 0.02,
  CODEGEN_POLL_INITIAL_MS: 5_000,
  CODEGEN_POLL_MAX_MS: 60_000,
  CODEGEN_RUN_TIMEOUT_MS: 3_600_000,
  RETRY_BASE_MS: 1_000,
  CODEGEN_TIME_SCALE: 1,
  AGENT_LEASE_GRACE_MS: 60_000,
  LOCAL_QUEUE_TIMEOUT_MS: 1_800_000,
  PARALLEL_MAX_CHILDREN: 5,
  LOG_LEVEL: "info",
};

const VARS = Object.keys(DEFAULTS);

function configError(vars: Record<string, unknown>): ConfigurationError {
  try {
    readConfig(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`readConfig accepted ${JSON.stringify(vars)}`);
}

describe("readConfig defaults", () => {
  it("gives every default when no var is set", () => {
    const config = readConfig({});
    expect(config).toEqual(DEFAULTS);
    expect(Object.values(config).some((v) => typeof v === "number" && Number.isNaN(v))).toBe(false);
  });

  it("treats empty strings as unset", () => {
    expect(readConfig(Object.fromEntries(VARS.map((name) => [name, ""])))).toEqual(DEFAULTS);
  });

  it("ignores vars it does not know (secrets and bindings live on the same env)", () => {
    const config = readConfig({ LINEAR_CLIENT_SECRET: "s", DB: {}, RETRY_BASE_MS: "50" }) as Record<string, unknown>;
    expect(config.RETRY_BASE_MS).toBe(50);
    expect(config.LINEAR_CLIENT_SECRET).toBeUndefined();
  });
});

describe("readConfig parsing", () => {
  it("parses numbers from strings, as wrangler vars arrive", () => {
    const config = readConfig({
      RETRY_BASE_MS: "50",
      CODEGEN_POLL_INITIAL_MS: "0",
      CODEGEN_POLL_MAX_MS: "1e3",
      CODEGEN_RUN_TIMEOUT_MS: "7200000",
      AGENT_LEASE_GRACE_MS: 15_000,
      LOCAL_QUEUE_TIMEOUT_MS: "600000",
      PARALLEL_MAX_CHILDREN: "3",
      CODEGEN_PRICE_PER_RUN_USD: "1.25",
      CODEGEN_PRICE_PER_MINUTE_USD: "0",
      MAX_COST_PER_TASK_USD: "2.5",
      MAX_COST_PER_DAY_USD: "100",
    });
    expect(config).toMatchObject({
      RETRY_BASE_MS: 50,
      CODEGEN_POLL_INITIAL_MS: 0,
      CODEGEN_POLL_MAX_MS: 1_000,
      CODEGEN_RUN_TIMEOUT_MS: 7_200_000,
      AGENT_LEASE_GRACE_MS: 15_000,
      LOCAL_QUEUE_TIMEOUT_MS: 600_000,
      PARALLEL_MAX_CHILDREN: 3,
      CODEGEN_PRICE_PER_RUN_USD: 1.25,
      CODEGEN_PRICE_PER_MINUTE_USD: 0,
      MAX_COST_PER_TASK_USD: 2.5,
      MAX_COST_PER_DAY_USD: 100,
    });
  });

  it.each(EXECUTION_STRATEGIES)("accepts the strategy %s", (strategy) => {
    expect(readConfig({ EXECUTION_STRATEGY: strategy }).EXECUTION_STRATEGY).toBe(strategy);
  });

  it.each(LOG_LEVELS)("accepts the log level %s", (level) => {
    expect(readConfig({ LOG_LEVEL: level }).LOG_LEVEL).toBe(level);
  });

  it.each([
    ["LINEAR_API_URL", "https://api.linear.app/", "https://api.linear.app"],
    ["LINEAR_API_URL", "http://127.0.0.1:8787///", "http://127.0.0.1:8787"],
    ["CODEGEN_API_URL", "https://api.codegen.com/", "https://api.codegen.com"],
    ["PUBLIC_URL", "https://edge.example.com/", "https://edge.example.com"],
    ["PUBLIC_URL", "https://edge.example.com", "https://edge.example.com"],
  ])("strips trailing slashes from %s=%s", (name, value, expected) => {
    expect((readConfig({ [name]: value }) as Record<string, unknown>)[name]).toBe(expected);
  });

  it("keeps the authorize URL as given (it is a URL, not an origin)", () => {
    expect(readConfig({ LINEAR_AUTHORIZE_URL: "http://127.0.0.1:9/oauth/authorize" }).LINEAR_AUTHORIZE_URL).toBe("http://127.0.0.1:9/oauth/authorize");
  });

  it("parses once per env object", () => {
    const env = { RETRY_BASE_MS: "50" };
    const first = readConfig(env);
    expect(readConfig(env)).toBe(first);
    expect(readConfig({ RETRY_BASE_MS: "50" })).not.toBe(first);
    expect(readConfig({ RETRY_BASE_MS: "50" })).toEqual(first);
  });
});

describe("readConfig refuses bad values, naming the var", () => {
  it.each([
    ["EXECUTION_STRATEGY", "fastest"],
    ["EXECUTION_STRATEGY", "LOCAL-ONLY"],
    ["LOG_LEVEL", "verbose"],
    ["LINEAR_API_URL", "not a url"],
    ["LINEAR_API_URL", "api.linear.app"],
    ["CODEGEN_API_URL", "https//api.codegen.com"],
    ["LINEAR_AUTHORIZE_URL", "/oauth/authorize"],
    ["PUBLIC_URL", "edge.example.com"],
    ["RETRY_BASE_MS", "soon"],
    ["RETRY_BASE_MS", "-5"],
    ["RETRY_BASE_MS", "1.5"],
    ["CODEGEN_POLL_MAX_MS", "60s"],
    ["CODEGEN_PRICE_PER_RUN_USD", "$0.50"],
    ["CODEGEN_PRICE_PER_MINUTE_USD", "-0.01"],
    ["MAX_COST_PER_TASK_USD", "ten"],
    ["MAX_COST_PER_DAY_USD", "-1"],
    ["PARALLEL_MAX_CHILDREN", "0"],
    ["PARALLEL_MAX_CHILDREN", "16"],
    ["PARALLEL_MAX_CHILDREN", "2.5"],
  ])("%s=%j", (name, value) => {
    const error = configError({ [name]: value });
    expect(error.name).toBe("ConfigurationError");
    expect(error.message).toMatch(/^invalid configuration: /);
    expect(error.message).toContain(`${name}:`);
    // only the bad var is named
    for (const other of VARS.filter((v) => v !== name)) expect(error.message).not.toContain(`${other}:`);
  });

  it("names every bad var at once", () => {
    const error = configError({ EXECUTION_STRATEGY: "nope", LINEAR_API_URL: "nope", RETRY_BASE_MS: "nope" });
    expect(error.message).toContain("EXECUTION_STRATEGY:");
    expect(error.message).toContain("LINEAR_API_URL:");
    expect(error.message).toContain("RETRY_BASE_MS:");
  });

  it("does not cache a failure", () => {
    const env: Record<string, unknown> = { EXECUTION_STRATEGY: "nope" };
    expect(() => readConfig(env)).toThrow(ConfigurationError);
    env.EXECUTION_STRATEGY = "local-only";
    expect(readConfig(env).EXECUTION_STRATEGY).toBe("local-only");
  });

  // The origins are HTTP origins: a missing or other scheme must be refused up front.
  it.each([
    ["LINEAR_API_URL", "localhost:8787"],
    ["CODEGEN_API_URL", "ftp://api.codegen.com"],
    ["PUBLIC_URL", "javascript:alert(1)"],
  ])("an origin that is not http(s) is refused: %s=%j", (name, value) => {
    expect(configError({ [name]: value }).message).toContain(`${name}:`);
  });

  // A blank number var means the default, not Number("  ") === 0.
  it("a whitespace-only number var is treated as unset, not as 0", () => {
    expect(readConfig({ RETRY_BASE_MS: "  " }).RETRY_BASE_MS).toBe(1_000);
  });
});
