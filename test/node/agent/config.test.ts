import { readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_ALLOWED_TOOLS, loadAgentConfig, setConfigValue } from "../../../src/agent/config";
import { tempDir } from "./helpers";

function writeConfig(home: string, value: unknown) {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, "config.json"), JSON.stringify(value));
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadAgentConfig", () => {
  it("takes flags over the environment over the file, key by key", () => {
    const home = tempDir();
    writeConfig(home, { url: "https://file.example", token: "file-token", repos: { web: "/repos/web" }, maxConcurrent: 5, claudePath: "/file/claude" });
    const env = { CYRUS_HOME: home, CYRUS_URL: "https://env.example", CYRUS_MAX_CONCURRENT: "3" };

    const fromFileAndEnv = loadAgentConfig({ env, cwd: "/" });
    expect(fromFileAndEnv).toMatchObject({
      home,
      url: "https://env.example",
      token: "file-token",
      maxConcurrent: 3,
      claudePath: "/file/claude",
      repositories: [{ name: "web", path: "/repos/web" }],
      workspacesDir: join(home, "workspaces"),
      permissionMode: "acceptEdits",
      allowedTools: DEFAULT_ALLOWED_TOOLS,
      setupTimeoutMs: 600_000,
    });

    const withFlags = loadAgentConfig({
      env: { ...env, CYRUS_REPOS: "api=/repos/api,docs=/repos/docs" },
      flags: { url: "http://127.0.0.1:8787/", maxConcurrent: "1", repo: ["app=relative/app"], workspacesDir: "ws" },
      cwd: "/work",
    });
    expect(withFlags.url).toBe("http://127.0.0.1:8787");
    expect(withFlags.maxConcurrent).toBe(1);
    // A list comes whole from the first layer that sets it.
    expect(withFlags.repositories).toEqual([{ name: "app", path: "/work/relative/app" }]);
    expect(withFlags.workspacesDir).toBe("/work/ws");

    const fromEnvRepos = loadAgentConfig({ env: { ...env, CYRUS_REPOS: "api=/repos/api, docs=/repos/docs" } });
    expect(fromEnvRepos.repositories.map((r) => r.name)).toEqual(["api", "docs"]);
  });

  it("names every missing required value and where to give it, with exit code 2", () => {
    const home = tempDir();
    const error = configError(() => loadAgentConfig({ env: { CYRUS_HOME: home } }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/edge URL \(--url, CYRUS_URL/);
    expect(error.message).toMatch(/agent token \(--token, CYRUS_TOKEN/);
    expect(error.message).toMatch(/at least one repository \(--repo/);

    const onlyToken = configError(() => loadAgentConfig({ env: { CYRUS_HOME: home, CYRUS_URL: "https://e.example", CYRUS_REPOS: "web=/w" } }));
    expect(onlyToken.message).toMatch(/^missing the agent token/);
    expect(onlyToken.message).not.toMatch(/URL/);
  });

  it("rejects bad values with the flag, variable or file key that holds them", () => {
    const home = tempDir();
    const base = { CYRUS_HOME: home, CYRUS_URL: "https://e.example", CYRUS_TOKEN: "t", CYRUS_REPOS: "web=/w" };
    expect(configError(() => loadAgentConfig({ env: { ...base, CYRUS_MAX_CONCURRENT: "zero" } })).message).toMatch(/CYRUS_MAX_CONCURRENT: must be a number/);
    expect(configError(() => loadAgentConfig({ env: base, flags: { maxConcurrent: "0" } })).message).toMatch(/--max-concurrent/);
    expect(configError(() => loadAgentConfig({ env: base, flags: { url: "not a url" } })).message).toMatch(/--url: must be an http\(s\) URL/);
    expect(configError(() => loadAgentConfig({ env: base, flags: { repo: ["nopath"] } })).message).toMatch(/--repo: "nopath" is not name=path/);
    expect(configError(() => loadAgentConfig({ env: { ...base, CYRUS_REPOS: "bad name=/x" } })).message).toMatch(/CYRUS_REPOS/);

    writeConfig(home, { permissionMode: "yolo" });
    expect(configError(() => loadAgentConfig({ env: base })).message).toMatch(/config\.json: "permissionMode": must be one of default, acceptEdits/);
    writeFileSync(join(home, "config.json"), "{ nope");
    expect(configError(() => loadAgentConfig({ env: base })).message).toMatch(/config\.json is not valid JSON/);
  });
});

describe("setConfigValue", () => {
  it("writes the file with mode 0600, validates, and never echoes the token", () => {
    const home = tempDir();
    expect(setConfigValue(home, "url", "https://edge.example/")).toMatch(/url = "https:\/\/edge\.example"/);
    const tokenMessage = setConfigValue(home, "token", "cyrus_secret_token_value");
    expect(tokenMessage).not.toContain("cyrus_secret_token_value");
    expect(tokenMessage).toMatch(/hidden/);
    setConfigValue(home, "repo.web", "/repos/web");
    setConfigValue(home, "repo.api", "/repos/api");
    setConfigValue(home, "maxConcurrent", "4");
    setConfigValue(home, "allowedTools", "Read, Edit");

    const file = join(home, "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      url: "https://edge.example",
      token: "cyrus_secret_token_value",
      repos: { web: "/repos/web", api: "/repos/api" },
      maxConcurrent: 4,
      allowedTools: ["Read", "Edit"],
    });
    const config = loadAgentConfig({ env: { CYRUS_HOME: home } });
    expect(config.repositories).toEqual([
      { name: "web", path: "/repos/web" },
      { name: "api", path: "/repos/api" },
    ]);

    setConfigValue(home, "repo.api", "");
    expect(JSON.parse(readFileSync(file, "utf8")).repos).toEqual({ web: "/repos/web" });
  });

  it("refuses unknown keys and invalid values without touching the file", () => {
    const home = tempDir();
    setConfigValue(home, "maxConcurrent", "2");
    expect(configError(() => setConfigValue(home, "colour", "blue")).message).toMatch(/unknown key "colour"/);
    expect(configError(() => setConfigValue(home, "maxConcurrent", "-1")).message).toMatch(/maxConcurrent/);
    expect(JSON.parse(readFileSync(join(home, "config.json"), "utf8"))).toEqual({ maxConcurrent: 2 });
  });
});
