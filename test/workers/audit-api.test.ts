/**
 * GET /api/audit: newest first, keyset-paged on (created_at, id) with no entry
 * lost or repeated across pages (ties in one millisecond included), one
 * workspace's entries only, the edge's own entries for the admin key only;
 * and the changes the panel makes leave entries that name who did what,
 * never a secret.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { eq, isNull } from "drizzle-orm";
import { recordAudit, scopePage } from "../../src/db/queries/audit";
import { auditLog } from "../../src/db/schema";
import { api, env, seededWorkspace } from "./support";
import { panelApi, signedIn } from "./panel-session-support";

interface Entry {
  id: string;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  workspaceId: string | null;
}
interface AuditPage {
  entries: Entry[];
  nextCursor: string | null;
}

const db = () => createDb(env.DB);

/** Walks every page of `path` (which has its own query string) with `fetchPage`. */
async function allPages(fetchPage: (path: string) => Promise<Response>, path: string, limit: number): Promise<{ entries: Entry[]; pages: number }> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await fetchPage(`${path}&limit=${limit}${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
    expect(response.status).toBe(200);
    const page = await response.json<AuditPage>();
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    entries.push(...page.entries);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { entries, pages };
}

/** Seeds entries at the given times (ms); equal times are ties the id must order. */
async function seed(workspaceId: string | null, times: number[], action: string): Promise<void> {
  for (const [i, at] of times.entries()) await recordAudit(db(), { workspaceId, actor: "seed", action, details: { n: i }, at });
}

describe("GET /api/audit", () => {
  it("pages newest first through every entry once, ties included, for one workspace only", async () => {
    const ws = await seededWorkspace("Audit paging");
    const other = await seededWorkspace("Audit neighbour");
    const base = Date.parse("2026-03-01T00:00:00Z");
    await seed(ws, [base, base + 1, base + 1, base + 1, base + 2, base + 5, base + 9], "test.mine");
    await seed(other, [base + 3, base + 4], "test.theirs");
    const member = await signedIn({ kind: "linear", organizationId: ws, admin: false });

    const { entries, pages } = await allPages((path) => panelApi(member, path), "/api/audit?x=1", 3);
    expect(pages).toBe(3);
    expect(entries.map((e) => e.action)).toEqual(Array(7).fill("test.mine"));
    expect(new Set(entries.map((e) => e.id)).size).toBe(7);
    const order = entries.map((e) => [Date.parse(e.at), e.id] as const);
    const sorted = [...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
    expect(order).toEqual(sorted);
    expect(entries[0]).toMatchObject({ at: new Date(base + 9).toISOString(), actor: "seed", details: { n: 6 }, workspaceId: ws });

    // A member cannot name another workspace, and never sees the edge's own entries.
    expect((await panelApi(member, `/api/audit?workspace=${other}`)).status).toBe(404);
    const theirs = await (await api(`/api/audit?workspace=${other}`)).json<AuditPage>();
    expect(theirs.entries.map((e) => e.action)).toEqual(["test.theirs", "test.theirs"]);
  });

  it("adds the edge-wide entries (no workspace) for the admin key only", async () => {
    const ws = await seededWorkspace("Audit edge-wide");
    const base = Date.parse("2026-04-01T00:00:00Z");
    await seed(ws, [base + 1, base + 3, base + 5], "test.workspace");
    await seed(null, [base + 2, base + 4, base + 4], "test.edge");
    const admin = await signedIn({ kind: "admin_key" });

    for (const fetchPage of [(path: string) => api(path), (path: string) => panelApi(admin, path)]) {
      const { entries } = await allPages(fetchPage, `/api/audit?workspace=${ws}`, 2);
      // Edge-wide entries of other tests in this file may be there too; ours keep their place among the workspace's.
      const ours = entries.filter((e) => e.action === "test.workspace" || e.action === "test.edge");
      expect(ours.map((e) => [e.action, Date.parse(e.at) - base])).toEqual([
        ["test.workspace", 5],
        ["test.edge", 4],
        ["test.edge", 4],
        ["test.workspace", 3],
        ["test.edge", 2],
        ["test.workspace", 1],
      ]);
      expect(ours[1]!.id > ours[2]!.id).toBe(true);
      expect(entries.every((e) => e.workspaceId === ws || e.workspaceId === null)).toBe(true);
    }

    const member = await signedIn({ kind: "linear", organizationId: ws, admin: true });
    const page = await (await panelApi(member, "/api/audit?limit=200")).json<AuditPage>();
    expect(page.entries.map((e) => e.action)).toEqual(["test.workspace", "test.workspace", "test.workspace"]);
  });

  it("refuses a cursor it did not give and a page too large", async () => {
    const ws = await seededWorkspace("Audit bad query");
    const badCursor = await api(`/api/audit?workspace=${ws}&before=not-a-cursor`);
    expect(badCursor.status).toBe(400);
    expect((await badCursor.json<{ error: string }>()).error).toContain("not a cursor from this API");
    expect((await api(`/api/audit?workspace=${ws}&limit=201`)).status).toBe(400);
  });

  it("walks the index audit_log_workspace_created for a page of either scope", async () => {
    for (const scope of [eq(auditLog.workspaceId, "w"), isNull(auditLog.workspaceId)]) {
      const query = scopePage(db(), scope, { createdAt: 1, id: "x" }, 51).toSQL();
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
        .bind(...query.params)
        .all<{ detail: string }>();
      const details = plan.results.map((row) => row.detail).join("\n");
      expect(details).toContain("USING INDEX audit_log_workspace_created");
      expect(details).not.toMatch(/SCAN audit_log\b/);
    }
  });
});

describe("what the panel's changes leave in the audit log", () => {
  it("names who changed config, credentials, tokens and repositories, and never a secret", async () => {
    const ws = await seededWorkspace("Audit writers");
    const admin = await signedIn({ kind: "linear", organizationId: ws, admin: true, name: "Ada Admin" });
    const secrets = ["sk-codegen-very-secret", "https://hooks.example/services/T1/B2/also-secret"];
    const calls: [string, string, unknown?][] = [
      ["PUT", "/api/config", { strategy: "cloud-only", alerts: { webhookUrl: secrets[1] } }],
      ["PUT", "/api/codegen/credentials", { orgId: 12, apiToken: secrets[0] }],
      ["DELETE", "/api/codegen/credentials"],
      ["POST", "/api/repositories", { name: "web" }],
    ];
    for (const [method, path, body] of calls) {
      const response = await panelApi(admin, path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
    }
    const token = await (await panelApi(admin, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ name: "ci" }) })).json<{ id: string; token: string }>();
    expect((await panelApi(admin, `/api/agent-tokens/${token.id}`, { method: "DELETE" })).status).toBe(204);

    const page = await (await panelApi(admin, "/api/audit?limit=50")).json<AuditPage>();
    expect(page.entries.map((e) => e.action)).toEqual([
      "agent_token.revoked",
      "agent_token.created",
      "repository.created",
      "codegen.credentials_cleared",
      "codegen.credentials_set",
      "config.updated",
    ]);
    expect(page.entries.every((e) => e.actor.startsWith("Ada Admin"))).toBe(true);
    expect(page.entries.at(-1)!.details).toMatchObject({ changes: { strategy: "cloud-only", alerts: { webhookUrl: "set" } }, codegen: "unchanged" });
    expect(page.entries.find((e) => e.action === "codegen.credentials_set")!.details).toEqual({ orgId: 12 });
    const text = JSON.stringify(page);
    for (const secret of [...secrets, token.token]) expect(text).not.toContain(secret);
  });
});
