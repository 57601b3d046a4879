/**
 * Organizations, API tokens and runs, with integer ids as Codegen uses them.
 * A token belongs to a user and may reach several organizations (a personal
 * token carries its user's memberships); only its hash leaves the store.
 */
import { createHash, randomBytes } from "node:crypto";
import { HttpError } from "./http";
import type { OrgRecord, RunRecord, TokenRecord } from "./model";
import { DEFAULT_SCRIPT } from "./scripts";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}

export interface CreateOrganizationInput {
  repos?: Array<{ id?: number; name: string }>;
  allowance?: number | null;
}

export class CodegenStore {
  readonly orgs = new Map<number, OrgRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly runs = new Map<number, RunRecord>();
  #nextOrgId = 101;
  #nextUserId = 301;
  #nextRepoId = 501;
  #nextRunId = 1001;
  #nextPrId = 9001;

  createOrganization(input: CreateOrganizationInput): { org: OrgRecord; token: TokenRecord } {
    const id = this.#nextOrgId++;
    const repos = (input.repos ?? [{ name: "acme/app" }]).map((repo) => {
      const repoId = repo.id ?? this.#nextRepoId++;
      return { id: repoId, name: repo.name.includes("/") ? repo.name : `acme/${repo.name}`, nextPrNumber: 1 };
    });
    if (new Set(repos.map((r) => r.id)).size !== repos.length) throw new HttpError(400, "repo ids must be unique");
    const org: OrgRecord = { id, repos, allowance: input.allowance ?? null, scriptQueue: [], defaultScript: DEFAULT_SCRIPT, runs: [] };
    this.orgs.set(id, org);
    return { org, token: this.grantToken(org) };
  }

  org(orgId: number): OrgRecord {
    const org = this.orgs.get(orgId);
    if (!org) throw new HttpError(404, `no organization ${orgId}`);
    return org;
  }

  /** Gives `token` (a new one when absent) access to the organization. */
  grantToken(org: OrgRecord, token?: string): TokenRecord {
    const value = token ?? `sk-${randomBytes(24).toString("hex")}`;
    let record = this.tokens.get(value);
    if (!record) {
      record = { token: value, hash: hashToken(value), userId: this.#nextUserId++, orgIds: new Set() };
      this.tokens.set(value, record);
    }
    record.orgIds.add(org.id);
    return record;
  }

  nextRunId(): number {
    return this.#nextRunId++;
  }

  nextPrId(): number {
    return this.#nextPrId++;
  }

  addRun(org: OrgRecord, run: RunRecord): void {
    this.runs.set(run.id, run);
    org.runs.push(run);
  }

  /** A run of this organization, or null (another organization's run is not found either). */
  run(org: OrgRecord, runId: number): RunRecord | null {
    const run = this.runs.get(runId);
    return run && run.orgId === org.id ? run : null;
  }
}
