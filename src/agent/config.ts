/**
 * The local agent's configuration: `<CYRUS_HOME>/config.json` (CYRUS_HOME defaults to ~/.cyrus),
 * then the environment, then command-line flags; a flag wins over the environment, which wins
 * over the file. A list-valued setting (the repositories) is taken whole from the first layer
 * that sets it, so `--repo` replaces the configured list rather than adding to it.
 * Nothing here prompts: a missing value is an error that names the flag, variable and key to set.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonAtomic } from "./files";

export const PERMISSION_MODES = ["default", "acceptEdits", "bypassPermissions", "plan", "dontAsk", "auto"] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** What Claude may use without asking (no one is there to answer): edit, search, run commands in its worktree. */
export const DEFAULT_ALLOWED_TOOLS = [
  "Read",
  "Glob",
  "Grep",
  "LS",
  "Edit",
  "MultiEdit",
  "Write",
  "NotebookEdit",
  "TodoWrite",
  "Task",
  "WebFetch",
  "WebSearch",
  "Bash",
];
export const DEFAULT_MAX_CONCURRENT = 2;
export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;

const REPO_NAME = /^[A-Za-z0-9._-]+$/;

/** An environment as plain strings (Environment is widened by the Worker's generated types). */
export type Environment = Record<string, string | undefined>;

export class ConfigError extends Error {
  /** Exit code 2: the invocation is incomplete or wrong, as opposed to a failure while running. */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (blank(v) ? undefined : v), schema.optional());
const integer = (min: number) =>
  z.preprocess((v) => (typeof v === "string" ? Number(v) : v), z.number({ error: "must be a number" }).int("must be a whole number").min(min));

const edgeUrl = z
  .string()
  .trim()
  .refine((v) => /^(https?|wss?):\/\/[^/]/.test(v) && URL.canParse(v), "must be an http(s) URL, such as https://cyrus.example.workers.dev")
  .transform((v) => v.replace(/\/+$/, ""));

const repoMap = z.record(
  z.string().regex(REPO_NAME, "a repository name is letters, digits, '.', '_' or '-'"),
  z.string().min(1, "a repository path must not be empty"),
);

/** One layer (file, env or flags): every field optional. */
export const ConfigLayerSchema = z.object({
  url: optional(edgeUrl),
  token: optional(z.string().trim()),
  repos: optional(repoMap),
  maxConcurrent: optional(integer(1)),
  claudePath: optional(z.string()),
  workspacesDir: optional(z.string()),
  permissionMode: optional(z.enum(PERMISSION_MODES, { error: `must be one of ${PERMISSION_MODES.join(", ")}` })),
  allowedTools: optional(z.array(z.string().min(1))),
  setupTimeoutMs: optional(integer(1)),
  /** For the admin commands (status, stats, cost-report, logs, codegen setup): the edge's CYRUS_API_KEY. */
  apiKey: optional(z.string().trim()),
  /** Which workspace the admin commands act on, when the edge has several. */
  workspace: optional(z.string().trim()),
});
export type ConfigLayer = z.infer<typeof ConfigLayerSchema>;

export interface Repository {
  name: string;
  /** Absolute path of the repository's main checkout. */
  path: string;
}

export interface AgentConfig {
  home: string;
  url: string;
  token: string;
  repositories: Repository[];
  maxConcurrent: number;
  claudePath: string | null;
  workspacesDir: string;
  permissionMode: PermissionMode;
  allowedTools: string[];
  setupTimeoutMs: number;
}

/** What `cyrus connect` was given on its command line. */
export interface ConfigFlags {
  url?: string;
  token?: string;
  repo?: string[];
  maxConcurrent?: string;
  claudePath?: string;
  workspacesDir?: string;
}

export function cyrusHome(env: Environment = process.env): string {
  return blank(env.CYRUS_HOME) ? join(homedir(), ".cyrus") : resolve(env.CYRUS_HOME as string);
}

export const configFile = (home: string) => join(home, "config.json");

/** `name=path,name=path` (CYRUS_REPOS, `config set repos`) or repeated `name=path` (`--repo`). */
export function parseRepoList(entries: string[], source: string): Record<string, string> {
  const repos: Record<string, string> = {};
  for (const raw of entries.flatMap((e) => e.split(","))) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.indexOf("=");
    if (eq <= 0 || eq === entry.length - 1) throw new ConfigError(`${source}: "${entry}" is not name=path (for example web=~/code/web)`);
    repos[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
  }
  return repos;
}

function parseLayer(raw: Record<string, unknown>, source: string, describe: (key: string) => string): ConfigLayer {
  const parsed = ConfigLayerSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const [key, ...rest] = issue.path.map(String);
    const where = key ? `${describe(key)}${rest.length ? ` (${rest.join(".")})` : ""}` : source;
    return `${where}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration in ${source}:\n  ${problems.join("\n  ")}`);
}

const FLAG: Record<string, string> = {
  url: "--url",
  token: "--token",
  repos: "--repo",
  maxConcurrent: "--max-concurrent",
  claudePath: "--claude-path",
  workspacesDir: "--workspaces-dir",
};
const ENV: Record<string, string> = {
  url: "CYRUS_URL",
  token: "CYRUS_TOKEN",
  repos: "CYRUS_REPOS",
  maxConcurrent: "CYRUS_MAX_CONCURRENT",
  claudePath: "CYRUS_CLAUDE_PATH",
  workspacesDir: "CYRUS_WORKSPACES_DIR",
};

export function readConfigFile(home: string): ConfigLayer & Record<string, unknown> {
  const file = configFile(home);
  let raw: Record<string, unknown>;
  try {
    raw = readJsonFile(file, z.record(z.string(), z.unknown()), () => ({}));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const layer = parseLayer(raw, file, (key) => `${file}: "${key}"`);
  return { ...raw, ...layer };
}

function envLayer(env: Environment): ConfigLayer {
  return parseLayer(
    {
      url: env.CYRUS_URL,
      token: env.CYRUS_TOKEN,
      repos: blank(env.CYRUS_REPOS) ? undefined : parseRepoList([env.CYRUS_REPOS as string], "CYRUS_REPOS"),
      maxConcurrent: env.CYRUS_MAX_CONCURRENT,
      claudePath: env.CYRUS_CLAUDE_PATH,
      workspacesDir: env.CYRUS_WORKSPACES_DIR,
    },
    "the environment",
    (key) => ENV[key] ?? key,
  );
}

function flagLayer(flags: ConfigFlags): ConfigLayer {
  return parseLayer(
    {
      url: flags.url,
      token: flags.token,
      repos: flags.repo && flags.repo.length > 0 ? parseRepoList(flags.repo, "--repo") : undefined,
      maxConcurrent: flags.maxConcurrent,
      claudePath: flags.claudePath,
      workspacesDir: flags.workspacesDir,
    },
    "the command line",
    (key) => FLAG[key] ?? key,
  );
}

function expandPath(path: string, cwd: string): string {
  const expanded = path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(cwd, expanded);
}

/**
 * Merges file, environment and flags into the agent's configuration, or throws a ConfigError
 * naming every required value that is missing and where it can be given.
 */
export function loadAgentConfig(options: { flags?: ConfigFlags; env?: Environment; cwd?: string } = {}): AgentConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = cyrusHome(env);
  const layers = [flagLayer(options.flags ?? {}), envLayer(env), readConfigFile(home)];
  const pick = <K extends keyof ConfigLayer>(key: K): ConfigLayer[K] => layers.find((l) => l[key] !== undefined)?.[key];

  const url = pick("url");
  const token = pick("token");
  const repos = pick("repos");
  const missing: string[] = [];
  if (!url) missing.push("the edge URL (--url, CYRUS_URL or `cyrus config set url <url>`)");
  if (!token) missing.push("the agent token (--token, CYRUS_TOKEN or `cyrus config set token <token>`; create one with POST /api/agent-tokens)");
  if (!repos || Object.keys(repos).length === 0) {
    missing.push("at least one repository (--repo <name>=<path>, CYRUS_REPOS=name=path,… or `cyrus config set repo.<name> <path>`)");
  }
  if (missing.length > 0) throw new ConfigError(`missing ${missing.length === 1 ? missing[0] : `required values:\n  - ${missing.join("\n  - ")}`}`);

  const claudePath = pick("claudePath");
  return {
    home,
    url: url as string,
    token: token as string,
    repositories: Object.entries(repos as Record<string, string>).map(([name, path]) => ({ name, path: expandPath(path, cwd) })),
    maxConcurrent: pick("maxConcurrent") ?? DEFAULT_MAX_CONCURRENT,
    claudePath: claudePath ? expandPath(claudePath, cwd) : null,
    workspacesDir: expandPath(pick("workspacesDir") ?? join(home, "workspaces"), cwd),
    permissionMode: pick("permissionMode") ?? "acceptEdits",
    allowedTools: pick("allowedTools") ?? DEFAULT_ALLOWED_TOOLS,
    setupTimeoutMs: pick("setupTimeoutMs") ?? DEFAULT_SETUP_TIMEOUT_MS,
  };
}

/** The keys `cyrus config set` accepts, besides `repo.<name>`. */
export const SETTABLE_KEYS = [
  "url",
  "token",
  "repos",
  "maxConcurrent",
  "claudePath",
  "workspacesDir",
  "permissionMode",
  "allowedTools",
  "setupTimeoutMs",
  "apiKey",
  "workspace",
] as const;

/**
 * `cyrus config set <key> <value>`: validates the value, writes the file (mode 0600, it holds the
 * token) and returns what to print — never the token itself. `repo.<name>` sets one repository;
 * an empty value removes it (or unsets any other key).
 */
export function setConfigValue(home: string, key: string, value: string, cwd = process.cwd()): string {
  const current = readConfigFile(home);
  const next: Record<string, unknown> = { ...current };
  const remove = value.trim() === "";
  if (key.startsWith("repo.")) {
    const name = key.slice("repo.".length);
    const repos = { ...(current.repos ?? {}) };
    if (remove) delete repos[name];
    else repos[name] = expandPath(value.trim(), cwd);
    next.repos = repos;
  } else if (!(SETTABLE_KEYS as readonly string[]).includes(key)) {
    throw new ConfigError(`unknown key "${key}": use one of ${SETTABLE_KEYS.join(", ")} or repo.<name>`);
  } else if (remove) {
    delete next[key];
  } else if (key === "repos") {
    next.repos = Object.fromEntries(Object.entries(parseRepoList([value], "repos")).map(([n, p]) => [n, expandPath(p, cwd)]));
  } else if (key === "allowedTools") {
    next.allowedTools = value.split(",").map((t) => t.trim()).filter(Boolean);
  } else if (key === "claudePath" || key === "workspacesDir") {
    next[key] = expandPath(value.trim(), cwd);
  } else {
    next[key] = value;
  }
  // Validate the whole file as it will be read back, then store the parsed values.
  const layer = parseLayer(next, "the new value", (k) => `"${k}"`);
  const file = configFile(home);
  writeJsonAtomic(file, { ...next, ...layer });
  let shown: string;
  if (key === "token" || key === "apiKey") shown = "(hidden)";
  else if (remove) shown = "(removed)";
  else if (key.startsWith("repo.")) shown = layer.repos?.[key.slice("repo.".length)] ?? "";
  else shown = JSON.stringify(layer[key as keyof ConfigLayer]);
  return `Set ${key} = ${shown} in ${file}`;
}
