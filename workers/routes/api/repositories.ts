/**
 * Repositories and the rules that route issues to them. An issue goes to the
 * first match of: `[repo=<name>]` in its description, a routing label, its
 * project, its team key, the catch-all repository.
 */
import { z } from "zod";
import { recordAudit } from "../../../src/db/queries/audit";
import { loadWorkspaceSettings, saveWorkspaceSettings } from "../../../src/db/queries/settings";
import { moveRepositoryOverride } from "../../../src/domain/repository-overrides";
import type { Db } from "../../../src/db/client";
import {
  deleteRepository,
  findRepository,
  findRepositoryByName,
  insertRepository,
  listRepositories,
  updateRepository,
  type RepositoryRow,
} from "../../../src/db/queries/repositories";
import { factory } from "../../factory";
import { validate } from "../../validation";

/** null clears a list, as [] does: a form's blank field arrives as null. */
const keyList = z
  .array(z.string().trim().min(1).max(100))
  .max(100)
  .nullable()
  .transform((list) => list ?? []);

const RepositoryBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'"),
  gitUrl: z.string().trim().min(1).max(500).nullish(),
  baseBranch: z.string().trim().min(1).max(200).optional(),
  teamKeys: keyList.optional(),
  labels: keyList.optional(),
  projectKeys: keyList.optional(),
  isCatchAll: z.boolean().optional(),
  codegenRepoId: z.number().int().positive().nullish(),
});

const RepositoryPatchSchema = RepositoryBodySchema.partial().refine((body) => Object.keys(body).length > 0, "nothing to change");

const IdParamSchema = z.object({ id: z.string().min(1) });

/** Keeps the repository's overrides of the workspace settings under its current name (or drops them with it). */
async function moveOverride(db: Db, workspaceId: string, from: string, to: string | null): Promise<void> {
  const moved = moveRepositoryOverride(await loadWorkspaceSettings(db, workspaceId), from, to);
  if (moved) await saveWorkspaceSettings(db, workspaceId, moved, Date.now());
}

function present(row: RepositoryRow) {
  return {
    id: row.id,
    name: row.name,
    gitUrl: row.gitUrl,
    baseBranch: row.baseBranch,
    teamKeys: row.teamKeys,
    labels: row.labels,
    projectKeys: row.projectKeys,
    isCatchAll: row.isCatchAll,
    codegenRepoId: row.codegenRepoId,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

export const repositoryRoutes = factory
  .createApp()
  .get("/", async (c) => {
    const rows = await listRepositories(c.var.db, c.var.workspaceId);
    return c.json({ repositories: rows.map(present) });
  })
  .post("/", validate("json", RepositoryBodySchema), async (c) => {
    const body = c.req.valid("json");
    const { db, workspaceId } = c.var;
    if (await findRepositoryByName(db, workspaceId, body.name)) {
      return c.json({ error: `a repository named "${body.name}" already exists` }, 409);
    }
    const row = await insertRepository(
      db,
      workspaceId,
      {
        name: body.name,
        gitUrl: body.gitUrl ?? null,
        baseBranch: body.baseBranch ?? "main",
        teamKeys: body.teamKeys ?? [],
        labels: body.labels ?? [],
        projectKeys: body.projectKeys ?? [],
        isCatchAll: body.isCatchAll ?? false,
        codegenRepoId: body.codegenRepoId ?? null,
      },
      Date.now(),
    );
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "repository.created", details: { id: row.id, name: row.name } });
    return c.json(present(row), 201);
  })
  .get("/:id", validate("param", IdParamSchema), async (c) => {
    const row = await findRepository(c.var.db, c.var.workspaceId, c.req.valid("param").id);
    return row ? c.json(present(row)) : c.json({ error: "no such repository" }, 404);
  })
  .patch("/:id", validate("param", IdParamSchema), validate("json", RepositoryPatchSchema), async (c) => {
    const { db, workspaceId } = c.var;
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.name) {
      const clash = await findRepositoryByName(db, workspaceId, body.name);
      if (clash && clash.id !== id) return c.json({ error: `a repository named "${body.name}" already exists` }, 409);
    }
    const before = await findRepository(db, workspaceId, id);
    if (!before) return c.json({ error: "no such repository" }, 404);
    const row = await updateRepository(db, workspaceId, id, body, Date.now());
    if (!row) return c.json({ error: "no such repository" }, 404);
    if (row.name !== before.name) await moveOverride(db, workspaceId, before.name, row.name);
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "repository.updated", details: { id, changes: Object.keys(body) } });
    return c.json(present(row));
  })
  .delete("/:id", validate("param", IdParamSchema), async (c) => {
    const { db, workspaceId } = c.var;
    const { id } = c.req.valid("param");
    const row = await findRepository(db, workspaceId, id);
    if (!row || !(await deleteRepository(db, workspaceId, id))) return c.json({ error: "no such repository" }, 404);
    await moveOverride(db, workspaceId, row.name, null);
    await recordAudit(db, { workspaceId, actor: c.var.actor, action: "repository.deleted", details: { id, name: row.name } });
    return c.body(null, 204);
  });
