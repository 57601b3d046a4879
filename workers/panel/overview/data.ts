/**
 * What the overview shows, read straight from where it lives: the local
 * agents from the Workspace object, the cloud's health from the credential's
 * CodegenGate, Linear's install from D1, sessions and figures from the D1
 * mirror and its rollups. Each part is loaded on its own, so the live stream
 * can refresh the cheap parts often and the figures less often.
 */
import { listAgentTokens } from "../../../src/db/queries/agent-tokens";
import { listRecentlyEnded, listWorkingSessions, periodCounts, type OverviewSessionRow, type PeriodCounts } from "../../../src/db/queries/overview";
import { DAY_MS, isoDay } from "../../../src/db/queries/reports";
import { parallelAverages } from "../../../src/db/queries/parallel-runs";
import type { ParallelStats } from "../../../src/domain/parallel/figures";
import { listRepositories } from "../../../src/db/queries/repositories";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import { findWorkspace, listActiveWorkspaces } from "../../../src/db/queries/workspaces";
import { setupChecklist, type SetupStep } from "../../../src/domain/panel/setup";
import { budgetLimitsFor, effectiveSettings } from "../../../src/domain/workspace-settings";
import type { EdgeConfig } from "../../../src/config";
import type { Db } from "../../../src/db/client";
import { describeError } from "../../../src/log";
import { resolveCodegenCredential } from "../../codegen-credentials";
import type { AgentsStatus } from "../../objects/contracts";
import type { AppEnv } from "../../env";
import { codegenGateStub, workspaceStub } from "../../objects/stubs";

export interface OverviewDeps {
  env: AppEnv;
  db: Db;
  config: EdgeConfig;
  workspaceId: string;
}


export interface CloudStatus {
  configured: boolean;
  source: "workspace" | "default" | null;
  orgId: number | null;
  gate: { available: boolean; state: string; failures: number; usage: { kind: string; used: number; limit: number; windowMs: number }[]; watchedRuns: number } | null;
  error: string | null;
}

export interface LinearStatus {
  workspaces: { id: string; name: string; urlKey: string; installedAt: number; tokenExpiresAt: number; hasRefreshToken: boolean; revokedAt: number | null }[];
}

export interface ExecutorsData {
  agents: AgentsStatus | null;
  agentsError: string | null;
  cloud: CloudStatus;
  linear: LinearStatus;
  now: number;
}

export async function loadExecutors({ env, db, workspaceId }: OverviewDeps): Promise<ExecutorsData> {
  const now = Date.now();
  const agentsPromise = workspaceStub(env, workspaceId)
    .agentsStatus()
    .then((agents) => ({ agents, agentsError: null }))
    .catch((error: unknown) => ({ agents: null, agentsError: describeError(error) }));
  const cloudPromise = (async (): Promise<CloudStatus> => {
    try {
      const credential = await resolveCodegenCredential(env, db, workspaceId);
      if (!credential) return { configured: false, source: null, orgId: null, gate: null, error: null };
      const gate = await codegenGateStub(env, credential.gateName).status();
      return { configured: true, source: credential.ref.source, orgId: credential.orgId, gate, error: null };
    } catch (error) {
      return { configured: false, source: null, orgId: null, gate: null, error: describeError(error) };
    }
  })();
  const row = await findWorkspace(db, workspaceId);
  const linear: LinearStatus = {
    workspaces: row
      ? [{ id: row.id, name: row.name, urlKey: row.urlKey, installedAt: row.installedAt, tokenExpiresAt: row.tokenExpiresAt, hasRefreshToken: row.refreshTokenEnc !== null, revokedAt: row.revokedAt }]
      : [],
  };
  const [{ agents, agentsError }, cloud] = await Promise.all([agentsPromise, cloudPromise]);
  return { agents, agentsError, cloud, linear, now };
}

export interface SessionsData {
  working: OverviewSessionRow[];
  ended: OverviewSessionRow[];
}

export async function loadSessions({ db, workspaceId }: OverviewDeps): Promise<SessionsData> {
  const [working, ended] = await Promise.all([listWorkingSessions(db, workspaceId), listRecentlyEnded(db, workspaceId)]);
  return { working, ended };
}

export interface WeekData {
  figures: PeriodCounts;
  budget: { maxCostPerDayUsd: number | null; usedTodayUsd: number; remainingTodayUsd: number | null };
  /** Hybrid-parallel parents completed in the 7 days. */
  parallel: ParallelStats;
  from: string;
  to: string;
}

/** The last 7 days (one read of the covering report index), and today's budget from the Workspace's ledger. */
export async function loadWeek({ env, db, config, workspaceId }: OverviewDeps): Promise<WeekData> {
  const now = Date.now();
  const stored = await loadWorkspaceSettings(db, workspaceId);
  const limits = budgetLimitsFor(config, stored, null);
  const [figures, ledger, parallel] = await Promise.all([
    periodCounts(db, workspaceId, now - 7 * DAY_MS, now),
    workspaceStub(env, workspaceId).budgetStatus(limits),
    parallelAverages(db, { workspaceId, fromMs: now - 7 * DAY_MS, toMs: now }),
  ]);
  const maxCostPerDayUsd = effectiveSettings(config, stored).maxCostPerDayUsd ?? null;
  return {
    figures,
    budget: { maxCostPerDayUsd, usedTodayUsd: ledger.usedTodayUsd, remainingTodayUsd: ledger.remainingTodayUsd },
    parallel,
    from: isoDay(Math.floor((now - 7 * DAY_MS) / DAY_MS)),
    to: isoDay(Math.floor(now / DAY_MS)),
  };
}

/** The setup checklist's facts for this edge (and the workspace shown, if any). */
export async function loadSetup(env: AppEnv, db: Db, origin: string, workspaceId: string | null): Promise<SetupStep[]> {
  const installed = await listActiveWorkspaces(db);
  const [repositories, tokens, credential, sessions] = workspaceId
    ? await Promise.all([
        listRepositories(db, workspaceId),
        listAgentTokens(db, workspaceId),
        resolveCodegenCredential(env, db, workspaceId).catch(() => null),
        listRecentlyEnded(db, workspaceId, 1).then(async (ended) => ended.length + (await listWorkingSessions(db, workspaceId, 1)).length),
      ])
    : [[], [], null, 0];
  return setupChecklist({
    origin,
    linearAppConfigured: Boolean(env.LINEAR_CLIENT_ID && env.LINEAR_CLIENT_SECRET && env.LINEAR_WEBHOOK_SECRET),
    workspaceInstalled: workspaceId !== null && installed.some((w) => w.id === workspaceId),
    repositories: repositories.length,
    agentTokens: tokens.filter((t) => t.revokedAt === null).length,
    codegenConfigured: credential !== null,
    sessions,
  });
}
