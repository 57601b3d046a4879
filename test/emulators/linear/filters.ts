/**
 * Evaluates Linear's filter inputs (`IssueFilter`, `WorkflowStateFilter`, …)
 * against records: comparators on values, nested filters on relations,
 * `some`/`every`/`length` on collections, `and`/`or`, and `null` on nullable
 * relations. Every key the SDL's filter inputs accept has an entry here.
 */
import type { RelativeDate } from "./schema";
import type {
  AgentActivityRecord,
  AttachmentRecord,
  CommentRecord,
  IssueRecord,
  LabelRecord,
  OrganizationRecord,
  UserRecord,
  WorkflowStateRecord,
} from "./model";

export interface FilterContext {
  org: OrganizationRecord;
  viewerId: string;
  nowMs: number;
}

type Entity = "Team" | "WorkflowState" | "User" | "IssueLabel" | "Project" | "Issue" | "Comment" | "Attachment" | "AgentActivity";

type FieldSpec =
  | { kind: "value"; get: (item: any, ctx: FilterContext) => unknown }
  | { kind: "entity"; entity: Entity; get: (item: any, ctx: FilterContext) => unknown }
  | { kind: "collection"; entity: Entity; get: (item: any, ctx: FilterContext) => unknown[] };

const value = (get: (item: any, ctx: FilterContext) => unknown): FieldSpec => ({ kind: "value", get });
const entity = (name: Entity, get: (item: any, ctx: FilterContext) => unknown): FieldSpec => ({ kind: "entity", entity: name, get });
const prop = (key: string) => value((item) => item[key]);
const timestamps = { createdAt: prop("createdAt"), updatedAt: prop("updatedAt") };

const SPECS: Record<Entity, Record<string, FieldSpec>> = {
  Team: {
    id: prop("id"),
    key: prop("key"),
    name: prop("name"),
    description: value(() => null),
    parent: entity("Team", () => null),
    ...timestamps,
  },
  WorkflowState: {
    id: prop("id"),
    name: prop("name"),
    type: prop("type"),
    position: prop("position"),
    description: value(() => null),
    team: entity("Team", (s: WorkflowStateRecord, ctx) => ctx.org.teams.get(s.teamId)),
    ...timestamps,
  },
  User: {
    id: prop("id"),
    name: prop("name"),
    displayName: prop("displayName"),
    email: prop("email"),
    active: value(() => true),
    admin: prop("admin"),
    owner: prop("admin"),
    app: prop("app"),
    isMe: value((u: UserRecord, ctx) => u.id === ctx.viewerId),
    ...timestamps,
  },
  IssueLabel: {
    id: prop("id"),
    name: prop("name"),
    isGroup: prop("isGroup"),
    team: entity("Team", (l: LabelRecord, ctx) => (l.teamId ? ctx.org.teams.get(l.teamId) : null)),
    creator: entity("User", (l: LabelRecord, ctx) => (l.creatorId ? ctx.org.users.get(l.creatorId) : null)),
    parent: entity("IssueLabel", (l: LabelRecord, ctx) => (l.parentId ? ctx.org.labels.get(l.parentId) : null)),
    ...timestamps,
  },
  Project: {
    id: prop("id"),
    name: prop("name"),
    slugId: prop("slugId"),
    state: value(() => "started"),
    ...timestamps,
  },
  Issue: {
    id: value((i: IssueRecord) => [i.id, i.identifier]),
    number: prop("number"),
    title: prop("title"),
    description: prop("description"),
    priority: prop("priority"),
    estimate: prop("estimate"),
    archivedAt: prop("archivedAt"),
    startedAt: prop("startedAt"),
    completedAt: prop("completedAt"),
    canceledAt: prop("canceledAt"),
    state: entity("WorkflowState", (i: IssueRecord, ctx) => ctx.org.states.get(i.stateId)),
    team: entity("Team", (i: IssueRecord, ctx) => ctx.org.teams.get(i.teamId)),
    labels: { kind: "collection", entity: "IssueLabel", get: (i: IssueRecord, ctx) => i.labelIds.map((id) => ctx.org.labels.get(id)) },
    assignee: entity("User", (i: IssueRecord, ctx) => (i.assigneeId ? ctx.org.users.get(i.assigneeId) : null)),
    delegate: entity("User", (i: IssueRecord, ctx) => (i.delegateId ? ctx.org.users.get(i.delegateId) : null)),
    creator: entity("User", (i: IssueRecord, ctx) => (i.creatorId ? ctx.org.users.get(i.creatorId) : null)),
    parent: entity("Issue", (i: IssueRecord, ctx) => (i.parentId ? ctx.org.issues.get(i.parentId) : null)),
    project: entity("Project", (i: IssueRecord, ctx) => (i.projectId ? ctx.org.projects.get(i.projectId) : null)),
    ...timestamps,
  },
  Comment: {
    id: prop("id"),
    body: prop("body"),
    issue: entity("Issue", (c: CommentRecord, ctx) => ctx.org.issues.get(c.issueId)),
    parent: entity("Comment", (c: CommentRecord, ctx) => (c.parentId ? ctx.org.comments.get(c.parentId) : null)),
    user: entity("User", (c: CommentRecord, ctx) => (c.userId ? ctx.org.users.get(c.userId) : null)),
    ...timestamps,
  },
  Attachment: {
    id: prop("id"),
    title: prop("title"),
    subtitle: prop("subtitle"),
    url: prop("url"),
    creator: entity("User", (a: AttachmentRecord, ctx) => (a.creatorId ? ctx.org.users.get(a.creatorId) : null)),
    ...timestamps,
  },
  AgentActivity: {
    id: prop("id"),
    agentSessionId: prop("agentSessionId"),
    type: value((a: AgentActivityRecord) => a.content.type),
    sourceComment: entity("Comment", (a: AgentActivityRecord, ctx) => (a.sourceCommentId ? ctx.org.comments.get(a.sourceCommentId) : null)),
    ...timestamps,
  },
};

type Comparator = Record<string, unknown>;

function comparable(v: unknown, ctx: FilterContext): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "object" && v !== null && "durationMs" in v) return ctx.nowMs + (v as RelativeDate).durationMs;
  return v;
}

function fold(v: unknown): string {
  return String(v).normalize("NFKD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/** One comparator on one value. A value may be a list (an issue matches by id or identifier). */
function compare(raw: unknown, comparator: Comparator, ctx: FilterContext): boolean {
  const candidates = Array.isArray(raw) ? raw : [raw];
  return Object.entries(comparator).every(([op, operand]) => {
    if (operand === undefined) return true;
    if (op === "null") return (raw === null || raw === undefined) === operand;
    if (op === "and") return (operand as Comparator[]).every((c) => compare(raw, c, ctx));
    if (op === "or") return (operand as Comparator[]).some((c) => compare(raw, c, ctx));
    if (raw === null || raw === undefined) return op === "neq" || op === "nin" || op.startsWith("not") || op === "neqIgnoreCase";
    const target = comparable(operand, ctx);
    const list = Array.isArray(operand) ? operand.map((o) => comparable(o, ctx)) : [];
    const test = (candidate: unknown): boolean => {
      const v = comparable(candidate, ctx);
      const s = String(v);
      const t = String(target);
      switch (op) {
        case "eq":
          return v === target;
        case "neq":
          return v !== target;
        case "in":
          return list.includes(v);
        case "nin":
          return !list.includes(v);
        case "eqIgnoreCase":
          return s.toLowerCase() === t.toLowerCase();
        case "neqIgnoreCase":
          return s.toLowerCase() !== t.toLowerCase();
        case "contains":
          return s.includes(t);
        case "notContains":
          return !s.includes(t);
        case "containsIgnoreCase":
          return s.toLowerCase().includes(t.toLowerCase());
        case "notContainsIgnoreCase":
          return !s.toLowerCase().includes(t.toLowerCase());
        case "containsIgnoreCaseAndAccent":
          return fold(s).includes(fold(t));
        case "startsWith":
          return s.startsWith(t);
        case "startsWithIgnoreCase":
          return s.toLowerCase().startsWith(t.toLowerCase());
        case "notStartsWith":
          return !s.startsWith(t);
        case "endsWith":
          return s.endsWith(t);
        case "notEndsWith":
          return !s.endsWith(t);
        case "gt":
          return (v as number) > (target as number);
        case "gte":
          return (v as number) >= (target as number);
        case "lt":
          return (v as number) < (target as number);
        case "lte":
          return (v as number) <= (target as number);
        default:
          throw new Error(`emulator: unsupported comparator ${op}`);
      }
    };
    // Negative comparators must hold for every candidate; positive ones for any.
    return op === "neq" || op === "nin" || op.startsWith("not") || op === "neqIgnoreCase" ? candidates.every(test) : candidates.some(test);
  });
}

function matchCollection(entityName: Entity, items: unknown[], filter: Record<string, unknown>, ctx: FilterContext): boolean {
  return Object.entries(filter).every(([key, operand]) => {
    if (operand === undefined || operand === null) return true;
    switch (key) {
      case "and":
        return (operand as Record<string, unknown>[]).every((f) => matchCollection(entityName, items, f, ctx));
      case "or":
        return (operand as Record<string, unknown>[]).some((f) => matchCollection(entityName, items, f, ctx));
      case "null":
        return (items.length === 0) === operand;
      case "length":
        return compare(items.length, operand as Comparator, ctx);
      case "some":
        return items.some((item) => matches(entityName, item, operand as Record<string, unknown>, ctx));
      case "every":
        return items.every((item) => matches(entityName, item, operand as Record<string, unknown>, ctx));
      default:
        // A field filter on a collection holds when some member matches it.
        return items.some((item) => matches(entityName, item, { [key]: operand }, ctx));
    }
  });
}

/** Whether `item` (possibly a missing relation) satisfies `filter`. */
export function matches(entityName: Entity, item: unknown, filter: Record<string, unknown> | null | undefined, ctx: FilterContext): boolean {
  if (!filter) return true;
  const missing = item === null || item === undefined;
  if (missing) return filter.null === true || Object.keys(filter).length === 0;
  const spec = SPECS[entityName];
  return Object.entries(filter).every(([key, operand]) => {
    if (operand === undefined || operand === null) return true;
    if (key === "null") return operand === false;
    if (key === "and") return (operand as Record<string, unknown>[]).every((f) => matches(entityName, item, f, ctx));
    if (key === "or") return (operand as Record<string, unknown>[]).some((f) => matches(entityName, item, f, ctx));
    const field = spec[key];
    if (!field) throw new Error(`emulator: ${entityName} filter on ${key} is not implemented`);
    switch (field.kind) {
      case "value":
        return compare(field.get(item, ctx), operand as Comparator, ctx);
      case "entity":
        return matches(field.entity, field.get(item, ctx), operand as Record<string, unknown>, ctx);
      case "collection":
        return matchCollection(field.entity, field.get(item, ctx), operand as Record<string, unknown>, ctx);
    }
  });
}

export type { Entity as FilterEntity };
