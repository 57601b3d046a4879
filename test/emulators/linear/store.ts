/**
 * The in-memory workspace data, one organization per test. Every id is a UUID
 * and unique across organizations (as in Linear), so an id re-sent to another
 * workspace is still refused as a duplicate.
 */
import { randomUUID } from "node:crypto";
import { EmulatorClock } from "./clock";
import { alreadyExists, invalidInput, notFound } from "./errors";
import type {
  GuidanceRule,
  IssueRecord,
  LabelRecord,
  OrganizationRecord,
  ProjectRecord,
  TeamRecord,
  UserRecord,
  WorkflowStateRecord,
  WorkflowStateType,
} from "./model";
import { slugify } from "./payloads";

export interface CreateOrganizationOptions {
  name?: string;
  urlKey?: string;
  teams?: Array<{ key: string; name?: string }>;
  appUserName?: string;
  guidance?: Array<{ body: string; teamKey?: string }>;
}

const DEFAULT_STATES: Array<{ name: string; type: WorkflowStateType; position: number; color: string }> = [
  { name: "Backlog", type: "backlog", position: 0, color: "#bec2c8" },
  { name: "Todo", type: "unstarted", position: 0, color: "#e2e2e2" },
  { name: "In Progress", type: "started", position: 1, color: "#f2c94c" },
  { name: "In Review", type: "started", position: 2, color: "#0f783c" },
  { name: "Done", type: "completed", position: 3, color: "#5e6ad2" },
  { name: "Canceled", type: "canceled", position: 4, color: "#95a2b3" },
];

const LABEL_COLORS = ["#eb5757", "#f2994a", "#f2c94c", "#4cb782", "#26b5ce", "#5e6ad2", "#bb87fc"];

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

export class LinearStore {
  readonly clock = new EmulatorClock();
  readonly orgs = new Map<string, OrganizationRecord>();
  /** Which organization owns each entity id. */
  readonly #owner = new Map<string, string>();
  #syncId = 1000;
  #currentOrgId: string | null = null;

  /** The organization OAuth consent lands in when `?organization=` is not given: the newest. */
  get currentOrgId(): string | null {
    return this.#currentOrgId;
  }

  nextSyncId(): number {
    this.#syncId += 1;
    return this.#syncId;
  }

  reset(): void {
    this.orgs.clear();
    this.#owner.clear();
    this.#currentOrgId = null;
    this.clock.reset();
  }

  org(id: string): OrganizationRecord {
    const org = this.orgs.get(id);
    if (!org) throw notFound("Organization");
    return org;
  }

  ownerOf(id: string): OrganizationRecord | undefined {
    const orgId = this.#owner.get(id);
    return orgId ? this.orgs.get(orgId) : undefined;
  }

  /** Claims an id (client-supplied or generated) for an entity of `org`. */
  claimId(org: OrganizationRecord, entity: string, requested?: string | null): string {
    if (requested == null) {
      const id = randomUUID();
      this.#owner.set(id, org.id);
      return id;
    }
    if (!isUuid(requested)) throw invalidInput(`id must be a UUID`);
    const id = requested.toLowerCase();
    if (this.#owner.has(id)) throw alreadyExists(entity, id);
    this.#owner.set(id, org.id);
    return id;
  }

  createOrganization(options: CreateOrganizationOptions = {}): OrganizationRecord {
    const now = this.clock.now();
    const name = options.name ?? "Acme";
    const urlKey = this.#uniqueUrlKey(options.urlKey ?? slugify(name).replace(/-/g, ""));
    const id = randomUUID();
    const org: OrganizationRecord = {
      id,
      name,
      urlKey,
      createdAt: now,
      updatedAt: now,
      appUserId: "",
      humanUserId: "",
      webhook: null,
      guidance: [],
      users: new Map(),
      teams: new Map(),
      states: new Map(),
      labels: new Map(),
      projects: new Map(),
      issues: new Map(),
      relations: new Map(),
      comments: new Map(),
      attachments: new Map(),
      sessions: new Map(),
      activities: new Map(),
    };
    this.orgs.set(id, org);
    this.#owner.set(id, id);

    const appName = options.appUserName ?? "Cyrus";
    const app = this.#addUser(org, { name: appName, displayName: slugify(appName), app: true, admin: false });
    app.email = `${app.id}@oauthapp.linear.app`;
    org.appUserId = app.id;
    org.humanUserId = this.#addUser(org, { name: "Jane Doe", displayName: "jane", app: false, admin: true }).id;

    const teams = options.teams?.length ? options.teams : [{ key: "ENG", name: "Engineering" }];
    for (const team of teams) this.createTeam(org, team.key, team.name ?? team.key);
    for (const rule of options.guidance ?? []) {
      const team = rule.teamKey ? this.teamByKey(org, rule.teamKey) : null;
      org.guidance.push({ body: rule.body, teamId: team?.id ?? null } satisfies GuidanceRule);
    }
    this.#currentOrgId = id;
    return org;
  }

  #uniqueUrlKey(base: string): string {
    const taken = new Set([...this.orgs.values()].map((o) => o.urlKey));
    const root = base || "workspace";
    if (!taken.has(root)) return root;
    for (let n = 2; ; n += 1) if (!taken.has(`${root}${n}`)) return `${root}${n}`;
  }

  /** Another person in the organization (the control API's `users`): an admin or a plain member. */
  createMember(org: OrganizationRecord, input: { name: string; email?: string | null; admin?: boolean }): UserRecord {
    const name = input.name.trim();
    if (!name) throw invalidInput("name must not be empty");
    const taken = new Set([...org.users.values()].map((u) => u.displayName));
    const base = slugify(name).replace(/-/g, ".") || "user";
    let displayName = base;
    for (let n = 2; taken.has(displayName); n += 1) displayName = `${base}${n}`;
    const email = input.email?.trim().toLowerCase();
    if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) throw invalidInput("email must be an email address");
    if (email && [...org.users.values()].some((u) => u.email === email)) throw invalidInput(`a user with email ${email} already exists`);
    const user = this.#addUser(org, { name, displayName, app: false, admin: input.admin ?? false });
    if (email) user.email = email;
    return user;
  }

  #addUser(org: OrganizationRecord, fields: { name: string; displayName: string; app: boolean; admin: boolean }): UserRecord {
    const now = this.clock.now();
    const user: UserRecord = {
      id: this.claimId(org, "User"),
      orgId: org.id,
      ...fields,
      email: `${fields.displayName}@${org.urlKey}.example`,
      avatarUrl: null,
      createdAt: now,
      updatedAt: now,
    };
    org.users.set(user.id, user);
    return user;
  }

  createTeam(org: OrganizationRecord, key: string, name: string): TeamRecord {
    const normalizedKey = key.toUpperCase();
    if (!/^[A-Z0-9]{1,7}$/.test(normalizedKey)) throw invalidInput(`team key must be 1 to 7 letters or digits`);
    if ([...org.teams.values()].some((t) => t.key === normalizedKey)) throw invalidInput(`team key ${normalizedKey} is taken`);
    const now = this.clock.now();
    const team: TeamRecord = { id: this.claimId(org, "Team"), orgId: org.id, key: normalizedKey, name, issueCounter: 0, createdAt: now, updatedAt: now };
    org.teams.set(team.id, team);
    for (const state of DEFAULT_STATES) {
      const record: WorkflowStateRecord = { id: this.claimId(org, "WorkflowState"), orgId: org.id, teamId: team.id, ...state, createdAt: now, updatedAt: now };
      org.states.set(record.id, record);
    }
    return team;
  }

  teamByKey(org: OrganizationRecord, key: string): TeamRecord {
    const team = [...org.teams.values()].find((t) => t.key === key.toUpperCase());
    if (!team) throw notFound("Team");
    return team;
  }

  /** A team by id or, as Linear also accepts, by key. */
  team(org: OrganizationRecord, idOrKey: string): TeamRecord {
    return org.teams.get(idOrKey) ?? this.teamByKey(org, idOrKey);
  }

  teamStates(org: OrganizationRecord, teamId: string): WorkflowStateRecord[] {
    return [...org.states.values()].filter((s) => s.teamId === teamId);
  }

  /** New issues land in the first `unstarted` state, as in a team without triage. */
  defaultState(org: OrganizationRecord, teamId: string): WorkflowStateRecord {
    const states = this.teamStates(org, teamId).filter((s) => s.type === "unstarted").sort((a, b) => a.position - b.position);
    const state = states[0] ?? this.teamStates(org, teamId)[0];
    if (!state) throw notFound("WorkflowState");
    return state;
  }

  findState(org: OrganizationRecord, teamId: string, match: { stateType?: string; stateName?: string }): WorkflowStateRecord {
    const states = this.teamStates(org, teamId).sort((a, b) => a.position - b.position);
    const state = match.stateName
      ? states.find((s) => s.name.toLowerCase() === match.stateName!.toLowerCase())
      : states.find((s) => s.type === match.stateType);
    if (!state) throw invalidInput(`no workflow state ${match.stateName ?? match.stateType} in this team`);
    return state;
  }

  /** An issue by UUID or identifier (`ENG-12`), as `issue(id:)` and `issueUpdate(id:)` accept. */
  issue(org: OrganizationRecord, idOrIdentifier: string): IssueRecord {
    const byId = org.issues.get(idOrIdentifier.toLowerCase());
    if (byId) return byId;
    const upper = idOrIdentifier.toUpperCase();
    const byIdentifier = [...org.issues.values()].find((i) => i.identifier === upper);
    if (!byIdentifier) throw notFound("Issue");
    return byIdentifier;
  }

  user(org: OrganizationRecord, id: string): UserRecord {
    const user = org.users.get(id);
    if (!user) throw notFound("User");
    return user;
  }

  /** A workspace label with this name, created when missing (the control API's `labels`). */
  ensureLabel(org: OrganizationRecord, name: string): LabelRecord {
    const existing = [...org.labels.values()].find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing;
    return this.createLabel(org, { name });
  }

  createLabel(
    org: OrganizationRecord,
    input: { id?: string | null; name: string; color?: string | null; description?: string | null; teamId?: string | null; parentId?: string | null; isGroup?: boolean | null },
  ): LabelRecord {
    const name = input.name.trim();
    if (!name) throw invalidInput("name must not be empty");
    const teamId = input.teamId ? this.team(org, input.teamId).id : null;
    const clash = [...org.labels.values()].find((l) => l.name.toLowerCase() === name.toLowerCase() && (l.teamId === null || l.teamId === teamId));
    if (clash) throw invalidInput(`a label named "${name}" already exists`);
    if (input.parentId && !org.labels.has(input.parentId)) throw notFound("IssueLabel");
    const now = this.clock.now();
    const label: LabelRecord = {
      id: this.claimId(org, "IssueLabel", input.id),
      orgId: org.id,
      teamId,
      parentId: input.parentId ?? null,
      name,
      color: input.color ?? LABEL_COLORS[org.labels.size % LABEL_COLORS.length]!,
      description: input.description ?? null,
      isGroup: input.isGroup ?? false,
      creatorId: null,
      createdAt: now,
      updatedAt: now,
    };
    org.labels.set(label.id, label);
    return label;
  }

  ensureProject(org: OrganizationRecord, name: string, teamId: string): ProjectRecord {
    const existing = [...org.projects.values()].find((p) => p.name === name);
    if (existing) {
      if (!existing.teamIds.includes(teamId)) existing.teamIds.push(teamId);
      return existing;
    }
    const now = this.clock.now();
    const project: ProjectRecord = {
      id: this.claimId(org, "Project"),
      orgId: org.id,
      name,
      slugId: randomUUID().replace(/-/g, "").slice(0, 12),
      description: "",
      teamIds: [teamId],
      createdAt: now,
      updatedAt: now,
    };
    org.projects.set(project.id, project);
    return project;
  }
}

export function issueUrl(org: OrganizationRecord, issue: IssueRecord): string {
  return `https://linear.app/${org.urlKey}/issue/${issue.identifier}/${slugify(issue.title)}`;
}

export function userUrl(org: OrganizationRecord, user: UserRecord): string {
  return `https://linear.app/${org.urlKey}/profiles/${user.displayName}`;
}

export function projectUrl(org: OrganizationRecord, project: ProjectRecord): string {
  return `https://linear.app/${org.urlKey}/project/${slugify(project.name)}-${project.slugId}`;
}

/** Linear's default branch format: `{username}/{identifier}-{title}`. */
export function branchName(org: OrganizationRecord, issue: IssueRecord): string {
  const human = org.users.get(org.humanUserId);
  return `${human?.displayName ?? "user"}/${issue.identifier.toLowerCase()}-${slugify(issue.title)}`.slice(0, 100);
}

export const PRIORITY_LABELS = ["No priority", "Urgent", "High", "Medium", "Low"] as const;
