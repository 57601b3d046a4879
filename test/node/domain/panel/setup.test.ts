import { describe, expect, it } from "vitest";
import { isLocalOrigin, linearAppManifestUrl, setupChecklist, type SetupFacts } from "../../../../src/domain/panel/setup";

const fresh: SetupFacts = { origin: "https://edge.acme.dev", linearAppConfigured: false, workspaceInstalled: false, repositories: 0, agentTokens: 0, codegenConfigured: false, sessions: 0 };

describe("setupChecklist", () => {
  it("lists every step undone on a fresh edge, in order", () => {
    const steps = setupChecklist(fresh);
    expect(steps.map((s) => [s.key, s.done])).toEqual([
      ["linear-app", false],
      ["install", false],
      ["repository", false],
      ["executor", false],
      ["delegate", false],
    ]);
  });

  it.each([
    ["linear-app", { linearAppConfigured: true }],
    ["install", { workspaceInstalled: true }],
    ["repository", { repositories: 2 }],
    ["executor", { agentTokens: 1 }],
    ["executor", { codegenConfigured: true }],
    ["delegate", { sessions: 1 }],
  ] as const)("marks %s done from %o", (key, facts) => {
    const steps = setupChecklist({ ...fresh, ...facts });
    expect(steps.filter((s) => s.done).map((s) => s.key)).toEqual([key]);
  });

  it("gives this deployment's URLs and commands", () => {
    const text = JSON.stringify(setupChecklist(fresh));
    expect(text).toContain("https://edge.acme.dev/webhooks/linear");
    expect(text).toContain("https://edge.acme.dev/oauth/linear/callback");
    expect(text).toContain("npx cyrus connect --url https://edge.acme.dev");
    expect(text).toContain("npx wrangler secret put LINEAR_CLIENT_ID");
  });

  it("on a developer's machine, says where local secrets go and that Linear cannot reach it", () => {
    const first = setupChecklist({ ...fresh, origin: "http://127.0.0.1:8787" })[0]!;
    expect(first.commands.join("\n")).toContain(".dev.vars");
    expect(first.text).toContain("Linear cannot reach 127.0.0.1");
  });
});

describe("linearAppManifestUrl", () => {
  it("fills in Linear's new-app form for this edge", () => {
    const url = new URL(linearAppManifestUrl("https://edge.acme.dev"));
    expect(`${url.origin}${url.pathname}`).toBe("https://linear.app/settings/api/applications/new");
    expect(url.searchParams.get("oauth.client_name")).toBe("Cyrus");
    expect(url.searchParams.getAll("oauth.redirect_uris")).toEqual(["https://edge.acme.dev/oauth/linear/callback", "https://edge.acme.dev/login/linear/callback"]);
    expect(url.searchParams.get("webhook.enabled")).toBe("true");
    expect(url.searchParams.get("webhook.url")).toBe("https://edge.acme.dev/webhooks/linear");
    expect(url.searchParams.getAll("webhook.resourceTypes")).toContain("AgentSessionEvent");
    expect(url.searchParams.get("distribution")).toBe("private");
  });
});

describe("isLocalOrigin", () => {
  it.each([
    ["http://127.0.0.1:8787", true],
    ["http://localhost:8787", true],
    ["http://edge.localhost", true],
    ["https://edge.acme.dev", false],
    ["not a url", false],
  ])("%s → %s", (origin, expected) => {
    expect(isLocalOrigin(origin)).toBe(expected);
  });
});
