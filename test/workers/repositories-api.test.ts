import { describe, expect, it } from "vitest";
import { api, edgeFetch, installedOrg } from "./support";

describe("/api authentication", () => {
  it("refuses a missing or wrong API key with 401", async () => {
    expect((await edgeFetch("/api/repositories")).status).toBe(401);
    const wrong = await edgeFetch("/api/repositories", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: expect.stringContaining("CYRUS_API_KEY") });
  });
});

describe("/api/repositories", () => {
  it("creates, lists, updates and deletes repositories of one workspace", async () => {
    const org = await installedOrg("Repos");
    const q = `?workspace=${org.organizationId}`;
    const created = await api(`/api/repositories${q}`, {
      method: "POST",
      body: JSON.stringify({ name: "web", gitUrl: "git@github.com:acme/web.git", teamKeys: ["ENG"], labels: ["frontend"], codegenRepoId: 42 }),
    });
    expect(created.status).toBe(201);
    const repo = await created.json<{ id: string }>();
    expect(repo).toMatchObject({ name: "web", baseBranch: "main", teamKeys: ["ENG"], labels: ["frontend"], projectKeys: [], isCatchAll: false, codegenRepoId: 42 });

    const duplicate = await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "web" }) });
    expect(duplicate.status).toBe(409);

    const patched = await api(`/api/repositories/${repo.id}${q}`, { method: "PATCH", body: JSON.stringify({ baseBranch: "develop", isCatchAll: true }) });
    expect(await patched.json()).toMatchObject({ baseBranch: "develop", isCatchAll: true });

    const second = await (await api(`/api/repositories${q}`, { method: "POST", body: JSON.stringify({ name: "api", isCatchAll: true }) })).json<{ id: string }>();
    const listed = await (await api(`/api/repositories${q}`)).json<{ repositories: { id: string; name: string; isCatchAll: boolean }[] }>();
    expect(listed.repositories.map((r) => [r.name, r.isCatchAll])).toEqual([
      ["web", false],
      ["api", true],
    ]);

    expect((await api(`/api/repositories/${second.id}${q}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/repositories/${second.id}${q}`, { method: "DELETE" })).status).toBe(404);
  });

  it("explains what is wrong with a bad body", async () => {
    const org = await installedOrg("Bad");
    const response = await api(`/api/repositories?workspace=${org.organizationId}`, {
      method: "POST",
      body: JSON.stringify({ name: "has spaces", teamKeys: "ENG", surprise: true }),
    });
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: string }>();
    expect(error).toContain("name");
    expect(error).toContain("teamKeys");
    expect(error).toContain("surprise");
  });

  it("asks which workspace when several are installed", async () => {
    await installedOrg("One");
    await installedOrg("Two");
    const response = await api("/api/repositories");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringContaining("?workspace=") });
    expect((await api("/api/repositories?workspace=does-not-exist")).status).toBe(404);
  });
});
