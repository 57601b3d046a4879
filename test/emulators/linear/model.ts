/**
 * The records the emulator keeps in memory. Relations are stored as ids, as in
 * Linear's own API; the GraphQL resolvers and the control API resolve them.
 */
export type WorkflowStateType = "triage" | "backlog" | "unstarted" | "started" | "completed" | "canceled" | "duplicate";

export type AgentSessionStatus = "pending" | "active" | "awaitingInput" | "complete" | "error" | "stale" | "stopping";

export type AgentActivityType = "thought" | "action" | "elicitation" | "response" | "error" | "prompt";

export type AgentActivitySignal = "auth" | "continue" | "select" | "stop";

export type ActivityContent =
  | { type: "thought" | "elicitation" | "response"; body: string }
  | { type: "error"; body: string; reasonCode?: string }
  | { type: "prompt"; body: string; title?: string }
  | { type: "action"; action: string; parameter: string; result?: string };

export interface ExternalUrl {
  label: string;
  url: string;
}

export interface GuidanceRule {
  body: string;
  /** `null` for a workspace-wide rule. */
  teamId: string | null;
}

export interface UserRecord {
  id: string;
  orgId: string;
  name: string;
  displayName: string;
  email: string;
  avatarUrl: string | null;
  app: boolean;
  admin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface TeamRecord {
  id: string;
  orgId: string;
  key: string;
  name: string;
  issueCounter: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkflowStateRecord {
  id: string;
  orgId: string;
  teamId: string;
  name: string;
  type: WorkflowStateType;
  position: number;
  color: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface LabelRecord {
  id: string;
  orgId: string;
  /** `null` for a workspace label. */
  teamId: string | null;
  parentId: string | null;
  name: string;
  color: string;
  description: string | null;
  isGroup: boolean;
  creatorId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProjectRecord {
  id: string;
  orgId: string;
  name: string;
  slugId: string;
  description: string;
  teamIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface IssueRecord {
  id: string;
  orgId: string;
  teamId: string;
  number: number;
  identifier: string;
  title: string;
  description: string | null;
  priority: number;
  estimate: number | null;
  stateId: string;
  labelIds: string[];
  projectId: string | null;
  parentId: string | null;
  assigneeId: string | null;
  delegateId: string | null;
  creatorId: string | null;
  dueDate: string | null;
  sortOrder: number;
  subIssueSortOrder: number | null;
  trashed: boolean;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  canceledAt: Date | null;
}

/** Linear's `IssueRelationType`. */
export type IssueRelationType = "blocks" | "duplicate" | "related" | "similar";

/** A directed relation: `issue` blocks (duplicates, relates to) `relatedIssue`. */
export interface IssueRelationRecord {
  id: string;
  orgId: string;
  issueId: string;
  relatedIssueId: string;
  type: IssueRelationType;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
}

export interface CommentRecord {
  id: string;
  orgId: string;
  issueId: string;
  parentId: string | null;
  userId: string | null;
  body: string;
  quotedText: string | null;
  /** The root Linear creates for a session started by delegation rather than a mention. */
  isArtificialAgentSessionRoot: boolean;
  /** Set on an app's comment posted with `createAsUser`. */
  createAsUser: string | null;
  displayIconUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
  editedAt: Date | null;
  archivedAt: Date | null;
}

export interface AttachmentRecord {
  id: string;
  orgId: string;
  issueId: string;
  title: string;
  subtitle: string | null;
  url: string;
  iconUrl: string | null;
  metadata: Record<string, unknown>;
  sourceType: string | null;
  groupBySource: boolean;
  creatorId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AgentSessionRecord {
  id: string;
  orgId: string;
  appUserId: string;
  issueId: string | null;
  /** The root comment of the session's thread. */
  commentId: string | null;
  /** The comment the session was spawned from, when it is in another thread. */
  sourceCommentId: string | null;
  creatorId: string | null;
  status: AgentSessionStatus;
  slugId: string;
  summary: string | null;
  externalLink: string | null;
  externalUrls: ExternalUrl[];
  plan: unknown;
  activityIds: string[];
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  archivedAt: Date | null;
  dismissedAt: Date | null;
}

export interface AgentActivityRecord {
  id: string;
  orgId: string;
  agentSessionId: string;
  content: ActivityContent;
  ephemeral: boolean;
  signal: AgentActivitySignal | null;
  signalMetadata: unknown;
  sourceCommentId: string | null;
  /** The thread comment Linear posts for a response, elicitation or error. */
  commentId: string | null;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
}

export interface WebhookTarget {
  url: string;
  secret: string;
  /** The registered webhook's id: the same on every delivery to this target. */
  webhookId: string;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  urlKey: string;
  createdAt: Date;
  updatedAt: Date;
  appUserId: string;
  humanUserId: string;
  /** Overrides the emulator-wide webhook target for this organization. */
  webhook: WebhookTarget | null;
  guidance: GuidanceRule[];
  users: Map<string, UserRecord>;
  teams: Map<string, TeamRecord>;
  states: Map<string, WorkflowStateRecord>;
  labels: Map<string, LabelRecord>;
  projects: Map<string, ProjectRecord>;
  issues: Map<string, IssueRecord>;
  relations: Map<string, IssueRelationRecord>;
  comments: Map<string, CommentRecord>;
  attachments: Map<string, AttachmentRecord>;
  sessions: Map<string, AgentSessionRecord>;
  activities: Map<string, AgentActivityRecord>;
}
