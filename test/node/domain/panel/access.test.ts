import { describe, expect, it } from "vitest";
import { apiPermission, canChangeSettings, chooseWorkspace, describeActor, safeReturnPath, visibleWorkspaces, type Principal } from "../../../../src/domain/panel/access";

const bearer: Principal = { kind: "admin_key", via: "bearer" };
const panelAdmin: Principal = { kind: "admin_key", via: "panel" };
const member: Principal = { kind: "linear", userId: "u1", name: "Mia Member", email: "mia@acme.test", organizationId: "acme", admin: false };
const linearAdmin: Principal = { ...member, userId: "u2", name: "Ada Admin", admin: true };
const acme = { id: "acme", name: "Acme" };
const beta = { id: "beta", name: "Beta" };

describe("chooseWorkspace", () => {
  it.each([
    ["a member always gets their own", member, [acme, beta], undefined, undefined, { ok: true, workspaceId: "acme" }],
    ["a member naming their own", member, [acme, beta], "acme", undefined, { ok: true, workspaceId: "acme" }],
    ["a member naming another: as if it did not exist", member, [acme, beta], "beta", undefined, { ok: false, status: 404 }],
    ["a member whose organization is not installed", member, [beta], undefined, undefined, { ok: false, status: 404 }],
    ["the key naming one", bearer, [acme, beta], "beta", undefined, { ok: true, workspaceId: "beta" }],
    ["the key naming an unknown one", bearer, [acme], "nope", undefined, { ok: false, status: 404 }],
    ["the key with one installed", bearer, [acme], undefined, undefined, { ok: true, workspaceId: "acme" }],
    ["the bearer with several and none named must choose", bearer, [acme, beta], undefined, undefined, { ok: false, status: 400 }],
    ["the panel admin with several sees the first by name", panelAdmin, [beta, acme], undefined, undefined, { ok: true, workspaceId: "acme" }],
    ["the panel admin's remembered choice", panelAdmin, [acme, beta], undefined, "beta", { ok: true, workspaceId: "beta" }],
    ["a remembered choice since uninstalled is ignored", panelAdmin, [acme], undefined, "beta", { ok: true, workspaceId: "acme" }],
    ["the query wins over the remembered choice", panelAdmin, [acme, beta], "acme", "beta", { ok: true, workspaceId: "acme" }],
    ["nothing installed", panelAdmin, [], undefined, undefined, { ok: false, status: 409 }],
  ] as const)("%s", (_name, principal, installed, requested, remembered, expected) => {
    expect(chooseWorkspace(principal, [...installed], requested, remembered)).toMatchObject(expected);
  });

  it("never names another workspace in a member's refusal", () => {
    const refused = chooseWorkspace(member, [acme, beta], "beta");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).not.toContain("Beta");
  });
});

describe("apiPermission", () => {
  it.each([
    ["the key may do anything", bearer, "DELETE", "/api/repositories/r1", true],
    ["a member reads", member, "GET", "/api/config", true],
    ["a member stops a session", member, "POST", "/api/sessions/s1/stop", true],
    ["a member retries a session", member, "POST", "/api/sessions/s1/retry", true],
    ["a member messages the agent", member, "POST", "/api/sessions/s1/messages", true],
    ["a member starts work on an issue", member, "POST", "/api/issues/ENG-12/delegate", true],
    ["a member may not change the configuration", member, "PUT", "/api/config", false],
    ["a member may not add a repository", member, "POST", "/api/repositories", false],
    ["a member may not create an agent token", member, "POST", "/api/agent-tokens", false],
    ["a member may not set Codegen credentials", member, "PUT", "/api/codegen/credentials", false],
    ["a member may not read edge-wide dead letters", member, "GET", "/api/dead-letters", false],
    ["a Linear admin changes the configuration", linearAdmin, "PUT", "/api/config", true],
    ["a Linear admin still may not read edge-wide dead letters", linearAdmin, "GET", "/api/dead-letters", false],
    ["a look-alike path is not a work action", member, "POST", "/api/sessions/s1/stop/extra", false],
  ] as const)("%s", (_name, principal, method, path, allowed) => {
    expect(apiPermission(principal, method, path).ok).toBe(allowed);
  });
});

describe("who sees and changes what", () => {
  it("shows a member only their workspace, the key every one", () => {
    expect(visibleWorkspaces(member, [acme, beta])).toEqual([acme]);
    expect(visibleWorkspaces(panelAdmin, [acme, beta])).toEqual([acme, beta]);
  });

  it.each([
    [member, false],
    [linearAdmin, true],
    [panelAdmin, true],
  ] as const)("canChangeSettings(%o) is %s", (principal, expected) => {
    expect(canChangeSettings(principal)).toBe(expected);
  });

  it("names the actor without secrets", () => {
    expect(describeActor(bearer)).toBe("api key");
    expect(describeActor(panelAdmin)).toBe("admin key (panel)");
    expect(describeActor(member)).toBe("Mia Member (Linear user u1)");
  });
});

describe("safeReturnPath", () => {
  it.each([
    [undefined, "/"],
    ["", "/"],
    ["/sessions?status=active", "/sessions?status=active"],
    ["https://evil.test/", "/"],
    ["//evil.test/x", "/"],
    ["/\\evil.test", "/"],
    ["/login?next=/x", "/"],
    ["/logout", "/"],
    ["/ok\u0000", "/"],
    ["/.//evil.test", "/"],
    ["/a/../..//evil.test", "/"],
    ["/sessions/../settings", "/settings"],
    ["/login/linear?next=/x", "/"],
    [`/${"a".repeat(600)}`, "/"],
  ])("%s → %s", (raw, expected) => {
    expect(safeReturnPath(raw)).toBe(expected);
  });
});
