import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { CodegenEmulatorControl } from "../emulators/codegen/control-client";
import { api, env, installedOrg } from "./support";

const codegen = new CodegenEmulatorControl(inject("codegenEmulatorUrl"));

describe("/api/config", () => {
  it("shows the edge's defaults until the workspace sets its own", async () => {
    const org = await installedOrg("Defaults");
    const body = await (await api(`/api/config?workspace=${org.organizationId}`)).json<{ effective: Record<string, unknown>; codegen: { configured: boolean } }>();
    expect(body.effective).toMatchObject({ strategy: "hybrid-smart", maxCostPerTaskUsd: null, maxCostPerDayUsd: null, priceModel: { perRunUsd: 0.5, perMinuteUsd: 0.02 }, localCountsAgainstBudget: true, cloudTimeoutAction: "ask" });
    expect(body.codegen.configured).toBe(false);
  });

  it("merges changes, applies repository overrides, and keeps the Codegen token write-only and encrypted", async () => {
    const org = await installedOrg("Configured");
    const q = `?workspace=${org.organizationId}`;
    const first = await api(`/api/config${q}`, {
      method: "PUT",
      body: JSON.stringify({ strategy: "cost-optimized", maxCostPerDayUsd: 50, labelMap: { bug: "debugger" }, repositories: { web: { strategy: "cloud-only", maxCostPerTaskUsd: 3 } } }),
    });
    expect(first.status).toBe(200);
    const second = await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ labelMap: { spike: "scoper" }, codegen: { orgId: 77, apiToken: "sk-codegen-secret-token" } }) });
    const body = await second.json<{ effective: Record<string, unknown>; stored: Record<string, unknown> }>();
    expect(body.effective).toMatchObject({ strategy: "cost-optimized", maxCostPerDayUsd: 50, labelMap: { bug: "debugger", spike: "scoper" } });

    const read = await (await api(`/api/config${q}`)).json<{ repositories: Record<string, Record<string, unknown>>; codegen: Record<string, unknown> }>();
    expect(read.repositories.web).toMatchObject({ strategy: "cloud-only", maxCostPerTaskUsd: 3, maxCostPerDayUsd: 50 });
    expect(read.codegen).toEqual({ configured: true, source: "workspace", orgId: 77 });
    expect(JSON.stringify(read)).not.toContain("sk-codegen-secret-token");
    const row = await env.DB.prepare("SELECT codegen_api_token_enc FROM workspaces WHERE id = ?").bind(org.organizationId).first<{ codegen_api_token_enc: string }>();
    expect(row!.codegen_api_token_enc).toMatch(/^v1\./);
    expect(row!.codegen_api_token_enc).not.toContain("sk-codegen");
  });

  it("sets and clears Codegen credentials the same way through PUT /api/config and /api/codegen/credentials: encrypted, audited, never the token", async () => {
    const org = await installedOrg("Credentials both ways");
    const q = `?workspace=${org.organizationId}`;
    const audit = async () =>
      (await env.DB.prepare("SELECT action, details FROM audit_log WHERE workspace_id = ? AND action LIKE 'codegen.%' ORDER BY rowid").bind(org.organizationId).all<{ action: string; details: string | null }>()).results;
    const stored = async () => env.DB.prepare("SELECT codegen_org_id, codegen_api_token_enc FROM workspaces WHERE id = ?").bind(org.organizationId).first<{ codegen_org_id: number | null; codegen_api_token_enc: string | null }>();

    expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ codegen: { orgId: 5, apiToken: "sk-through-config" } }) })).status).toBe(200);
    expect(await stored()).toMatchObject({ codegen_org_id: 5, codegen_api_token_enc: expect.stringMatching(/^v1\./) });
    expect((await api(`/api/codegen/credentials${q}`, { method: "PUT", body: JSON.stringify({ orgId: 6, apiToken: "sk-through-credentials" }) })).status).toBe(204);
    expect(await stored()).toMatchObject({ codegen_org_id: 6, codegen_api_token_enc: expect.stringMatching(/^v1\./) });
    expect((await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ codegen: null }) })).status).toBe(200);
    expect(await stored()).toMatchObject({ codegen_org_id: null, codegen_api_token_enc: null });

    const entries = await audit();
    expect(entries.map((e) => e.action)).toEqual(["codegen.credentials_set", "codegen.credentials_set", "codegen.credentials_cleared"]);
    expect(entries.slice(0, 2).map((e) => JSON.parse(e.details ?? "{}"))).toEqual([{ orgId: 5 }, { orgId: 6 }]);
    expect(JSON.stringify(entries)).not.toContain("sk-through");

    // The same rules on both: a token too short is refused, and nothing is stored.
    for (const [path, body] of [
      ["/api/config", { codegen: { orgId: 7, apiToken: "short" } }],
      ["/api/codegen/credentials", { orgId: 7, apiToken: "short" }],
    ] as const) {
      expect((await api(`${path}${q}`, { method: "PUT", body: JSON.stringify(body) })).status, path).toBe(400);
    }
    expect(await stored()).toMatchObject({ codegen_org_id: null });
  });

  it("explains what is wrong with a bad change", async () => {
    const org = await installedOrg("Bad config");
    const response = await api(`/api/config?workspace=${org.organizationId}`, { method: "PUT", body: JSON.stringify({ strategy: "yolo", maxCostPerDayUsd: -1, alerts: { webhookUrl: "ftp://x" } }) });
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: string }>();
    expect(error).toContain("strategy");
    expect(error).toContain("maxCostPerDayUsd");
    expect(error).toContain("alerts.webhookUrl");
  });
});

describe("POST /api/codegen/test", () => {
  it("confirms working credentials and says what is wrong with bad ones", async () => {
    const org = await installedOrg("Codegen test");
    const q = `?workspace=${org.organizationId}`;
    expect(await (await api(`/api/codegen/test${q}`, { method: "POST" })).json()).toMatchObject({ ok: false, error: expect.stringContaining("no Codegen credentials") });

    const cg = await codegen.createOrganization();
    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) });
    expect(await (await api(`/api/codegen/test${q}`, { method: "POST" })).json()).toMatchObject({ ok: true, source: "workspace", orgId: cg.orgId });

    await api(`/api/config${q}`, { method: "PUT", body: JSON.stringify({ codegen: { orgId: cg.orgId, apiToken: "not-the-right-token" } }) });
    const refused = await api(`/api/codegen/test${q}`, { method: "POST" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ ok: false, error: expect.stringContaining("401") });
  });
});
