/**
 * Settings and repositories through their forms, in a real browser: Codegen
 * credentials set and tested, a strategy changed that the next delegated
 * issue obeys; an agent token created (shown once, with its command) that a
 * real `cyrus` agent connects with, then revoked (the agent is disconnected);
 * a repository created, edited (with its overrides) and deleted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentEnv, createBenchRepository, standInPath } from "../../scripts/lib/agent-fixtures";
import { startBrowserHarness, type BrowserHarness } from "./harness";

let h: BrowserHarness;
const agents: ChildProcess[] = [];
const home = mkdtempSync(join(tmpdir(), "cyrus-settings-home-"));

beforeAll(async () => {
  h = await startBrowserHarness();
}, 180_000);

afterAll(async () => {
  for (const agent of agents) agent.kill("SIGKILL");
  await h?.close();
  rmSync(home, { recursive: true, force: true });
});

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await h.api(path, init);
  expect(response.ok, `${init?.method ?? "GET"} ${path}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

/** Clicks a button whose API call ends in a reload (panel.js's data-then="reload"), and waits for the new page. */
async function clickAndReload(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name, exact: true }).click()]);
}

/** Accepts the next confirm() the page asks. */
const acceptNextDialog = (page: Page) => page.once("dialog", (dialog) => void dialog.accept());

describe("settings", () => {
  it("sets Codegen credentials and tests them, and a strategy changed there is what the next issue gets", async () => {
    const cg = await h.codegen.createOrganization();
    await json("/api/repositories", { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) });

    const page = await h.newPage();
    await h.signInWithKey(page, { next: "/settings" });
    const codegen = page.locator("#codegen");
    await expect(codegen).toContainText("not configured");
    await page.getByLabel("Org id").fill(String(cg.orgId));
    await page.getByLabel("API token").fill(cg.apiToken);
    await clickAndReload(page, "Save credentials");
    await expect(codegen).toContainText(`Org ${cg.orgId}, this workspace's own credentials`);
    expect(await page.content()).not.toContain(cg.apiToken);
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.locator("#codegen > .actions > [data-status]")).toContainText(`Connection works: org ${cg.orgId}`);

    const strategy = page.getByLabel("Strategy");
    await expect(strategy).toHaveValue("hybrid-smart");
    await strategy.selectOption("cloud-only");
    await clickAndReload(page, "Save execution settings");
    await expect(page.getByLabel("Strategy")).toHaveValue("cloud-only");
    await expect(page.locator("#execution")).toContainText("this workspace's setting");
    // Only what changed was sent: the limits and the price model still follow the edge's vars.
    const config = await json<{ stored: Record<string, unknown> }>("/api/config");
    expect(config.stored).toEqual({ strategy: "cloud-only" });
    await h.expectNoProblems(page);
    await h.screenshot(page, "settings-admin");

    // A one-line fix would run locally under hybrid-smart; under cloud-only it is a Codegen run.
    const orgId = h.org!.organizationId;
    const issue = await h.linear.createIssue(orgId, { title: "Fix a typo in the footer", teamKey: "ENG", stateType: "unstarted" });
    await h.linear.startAgentSession(orgId, { issueId: issue.id, deliver: true });
    await expect.poll(async () => (await h.codegen.runs(cg.orgId)).length, { timeout: 60_000, interval: 500 }).toBe(1);
  }, 120_000);

  it("shows a new agent token once with its command, and revoking it disconnects the agent", async () => {
    const page = await h.newPage();
    await h.signInWithKey(page, { next: "/settings" });
    await expect(page.locator("#new-token")).toBeHidden();
    await page.locator("#create-agent-token").getByLabel("Name").fill("laptop");
    await page.getByRole("button", { name: "Create token" }).click();
    const box = page.locator("#new-token");
    await expect(box).toBeVisible();
    const token = (await page.locator("#new-token-value").textContent())!;
    expect(token).toMatch(/^cyrus_agent_/);
    const command = (await page.locator("#new-token-command").textContent())!;
    expect(command).toBe(`npx cyrus connect --url ${h.url} --token ${token} --repo web=/path/to/your/web`);
    await expect(page.locator("#agent-token-list")).toContainText("laptop");
    await h.screenshot(page, "settings-token-once");

    // The command, with a real checkout for the path, connects an agent.
    const args = command.replace(/^npx cyrus /, "").replace("/path/to/your/web", createBenchRepository()).split(" ");
    let stderr = "";
    const agent = spawn(process.execPath, ["bin/cyrus.js", ...args, "--claude-path", standInPath()], { env: agentEnv(home), stdio: ["ignore", "ignore", "pipe"] });
    agents.push(agent);
    agent.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once("exit", (code) => resolve(code)));
    type Tokens = { agentTokens: { name: string; lastUsedAt: string | null; revokedAt: string | null }[] };
    await expect.poll(async () => (await json<Tokens>("/api/agent-tokens")).agentTokens.find((t) => t.name === "laptop")?.lastUsedAt ?? null, { timeout: 30_000, interval: 250 }).not.toBeNull();

    await page.reload();
    expect(await page.content()).not.toContain(token);
    await expect(page.locator("#new-token")).toBeHidden();

    const row = page.locator("#agent-token-list tbody tr").filter({ hasText: "laptop" });
    acceptNextDialog(page);
    await Promise.all([page.waitForEvent("load"), row.getByRole("button", { name: "Revoke" }).click()]);
    await expect(page.locator("#agent-token-list tbody tr").filter({ hasText: "laptop" })).toContainText("revoked");
    expect(await exited).not.toBe(0);
    expect(stderr).toContain("revoked");
    expect((await json<Tokens>("/api/agent-tokens")).agentTokens.find((t) => t.name === "laptop")?.revokedAt).not.toBeNull();
    await h.expectNoProblems(page);
  }, 120_000);
});

describe("repositories", () => {
  it("creates, edits (with overrides) and deletes a repository through the forms", async () => {
    const page = await h.newPage();
    await h.signInWithKey(page, { next: "/repositories" });
    const create = page.locator("#create-repository");
    await create.getByLabel("Name").fill("docs.site");
    await create.getByLabel("Team keys").fill("DOC, OPS");
    await Promise.all([page.waitForURL(/\/repositories\/[0-9a-f-]{36}/), create.getByRole("button", { name: "Add repository" }).click()]);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("docs.site");
    const id = new URL(page.url()).pathname.split("/").pop()!;
    await h.screenshot(page, "repositories-detail");

    const edit = page.locator("#edit-repository");
    await expect(edit.getByLabel("Team keys")).toHaveValue("DOC, OPS");
    await edit.getByLabel("Base branch").fill("develop");
    await edit.getByLabel("Labels").fill("documentation");
    await edit.getByLabel("Team keys").fill("");
    await clickAndReload(page, "Save changes");
    type Repo = { name: string; baseBranch: string; teamKeys: string[]; labels: string[]; projectKeys: string[]; gitUrl: string | null };
    expect(await json<Repo>(`/api/repositories/${id}`)).toMatchObject({ name: "docs.site", baseBranch: "develop", teamKeys: [], labels: ["documentation"], projectKeys: [], gitUrl: null });
    // Only the changed fields were sent, so the audit log names just those.
    const audit = await json<{ entries: { action: string; details: { changes?: string[] } }[] }>("/api/audit?limit=20");
    expect(audit.entries.find((e) => e.action === "repository.updated")?.details.changes?.sort()).toEqual(["baseBranch", "labels", "teamKeys"]);

    await page.getByLabel("Strategy").selectOption("local-only");
    await page.getByLabel("Max cost per task (USD)").fill("2");
    await clickAndReload(page, "Save overrides");
    await expect(page.getByLabel("Strategy")).toHaveValue("local-only");
    const config = await json<{ stored: { repositories?: Record<string, unknown> }; repositories: Record<string, { strategy: string; maxCostPerTaskUsd: number | null }> }>("/api/config");
    expect(config.stored.repositories?.["docs.site"]).toEqual({ strategy: "local-only", maxCostPerTaskUsd: 2 });
    expect(config.repositories["docs.site"]).toMatchObject({ strategy: "local-only", maxCostPerTaskUsd: 2 });

    acceptNextDialog(page);
    await Promise.all([page.waitForURL((url) => url.pathname === "/repositories"), page.getByRole("button", { name: "Delete repository" }).click()]);
    await expect(page.locator("main")).not.toContainText("docs.site");
    const left = await json<{ repositories: { name: string }[] }>("/api/repositories");
    expect(left.repositories.map((r) => r.name)).not.toContain("docs.site");
    expect((await json<{ stored: { repositories?: Record<string, unknown> } }>("/api/config")).stored.repositories ?? {}).not.toHaveProperty("docs.site");
    await h.expectNoProblems(page);
  }, 120_000);
});
