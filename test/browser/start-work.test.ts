/**
 * Starting work from the panel: an existing Linear issue, typed by its
 * identifier into the overview's "Start work" form, gets an agent session in
 * Linear (agentSessionCreateOnIssue), whose `created` webhook starts it like
 * any delegation; here it runs in the (emulated) cloud to a response.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBrowserHarness, type BrowserHarness } from "./harness";

let h: BrowserHarness;

beforeAll(async () => {
  h = await startBrowserHarness();
  const cg = await h.codegen.createOrganization();
  await h.codegen.script(cg.orgId, { scripts: [{ durationMs: 3 * 60_000, finalStatus: "COMPLETE", result: "Raised the contrast; tests pass.", pullRequests: [{ title: "Raise contrast" }] }] });
  const repository = await h.api("/api/repositories", { method: "POST", body: JSON.stringify({ name: "web", isCatchAll: true, codegenRepoId: cg.repos[0]!.id }) });
  expect(repository.status).toBe(201);
  const config = await h.api("/api/config", { method: "PUT", body: JSON.stringify({ strategy: "cloud-only", codegen: { orgId: cg.orgId, apiToken: cg.apiToken } }) });
  expect(config.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

it("starts an existing issue by its identifier and it runs to a response", async () => {
  const issue = await h.linear.createIssue(h.org!.organizationId, { title: "Fix checkout contrast", teamKey: "ENG", stateType: "unstarted" });
  const page = await h.newPage();
  await h.signInWithKey(page);
  await page.getByLabel("Start work on a Linear issue").fill(issue.identifier.toLowerCase());
  await page.getByRole("button", { name: "Start work" }).click();

  const started = page.locator("form[data-start-work] [data-status] a");
  await expect(started).toContainText(issue.identifier, { timeout: 15_000 });
  const href = (await started.getAttribute("href"))!;
  const agentSessionId = decodeURIComponent(new URL(href, h.url).pathname.replace("/sessions/", ""));

  // In Linear: the session on the issue, created by the app, ends in a response.
  await expect
    .poll(
      async () => {
        const session = (await h.linear.state(h.org!.organizationId)).agentSessions.find((s) => s.id === agentSessionId);
        return session?.activities.find((a) => a.content.type === "response")?.content.body ?? null;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toContain("Raised the contrast");
  const state = await h.linear.state(h.org!.organizationId);
  expect(state.agentSessions.find((s) => s.id === agentSessionId)?.issueId).toBe(issue.id);

  // The link opens the session's page, which waits for the session to be recorded, then shows it; the audit log says who started it.
  await started.click();
  await expect(page.locator("h1")).toContainText(issue.identifier, { timeout: 40_000 });
  const audit = (await (await h.api("/api/audit")).json()) as { entries: { action: string; actor: string; details: Record<string, unknown> }[] };
  expect(audit.entries.find((e) => e.action === "issue.delegated")).toMatchObject({ actor: "admin key (panel)" });
  await h.expectNoProblems(page);
  await h.screenshot(page, "start-work-session");
}, 120_000);
