/**
 * A hand-written subset of Linear's public GraphQL schema
 * (linear/linear packages/sdk/src/schema.graphql, as typed in @linear/sdk 98).
 * Type, field, argument and input names match Linear's exactly, so the SDK's
 * generated documents and the product's own documents run unchanged. A field is
 * non-null here only when the emulator always supplies it; fields the SDK selects
 * but this subset lacks are skipped at execution.
 */
const page = `after: String, before: String, first: Int, last: Int, includeArchived: Boolean, orderBy: PaginationOrderBy`;

export const LINEAR_SDL = /* GraphQL */ `
scalar DateTime
scalar DateTimeOrDuration
scalar JSON
scalar JSONObject
scalar TimelessDate

interface Node { id: ID! }

enum PaginationOrderBy { createdAt updatedAt }
enum PaginationNulls { first last }
enum PaginationSortOrder { Ascending Descending }
enum AgentActivitySignal { auth continue select stop }
enum AgentActivityType { action elicitation error prompt response thought }
enum AgentSessionStatus { active awaitingInput complete error pending stale stopping }
enum AgentSessionType { commentThread }
enum GitLinkKind { closes contributes links }
enum IssueSharedAccessDisallowedField { cycleId projectId projectMilestoneId teamId }
enum ProjectStatusType { backlog canceled completed paused planned started }
enum SLADayCountType { all onlyBusinessDays }
enum LabelGroupType { multiSelect singleSelect }
enum IssueRelationType { blocks duplicate related similar }

type PageInfo {
  startCursor: String
  endCursor: String
  hasPreviousPage: Boolean!
  hasNextPage: Boolean!
}

type Organization implements Node {
  id: ID!
  name: String!
  urlKey: String!
  logoUrl: String
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  userCount: Int!
  createdIssueCount: Int!
  previousUrlKeys: [String!]!
  allowedAuthServices: [String!]!
  gitBranchFormat: String
  projectStatuses: [ProjectStatus!]!
  teams(filter: TeamFilter, ${page}): TeamConnection!
  users(includeDisabled: Boolean, ${page}): UserConnection!
  labels(filter: IssueLabelFilter, ${page}): IssueLabelConnection!
}

type User implements Node {
  id: ID!
  name: String!
  displayName: String!
  email: String!
  avatarUrl: String
  avatarBackgroundColor: String!
  initials: String!
  url: String!
  description: String
  timezone: String
  active: Boolean!
  admin: Boolean!
  owner: Boolean!
  guest: Boolean!
  app: Boolean!
  isMe: Boolean!
  isAssignable: Boolean!
  isMentionable: Boolean!
  supportsAgentSessions: Boolean!
  createdIssueCount: Int!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  organization: Organization!
  teams(filter: TeamFilter, ${page}): TeamConnection!
  assignedIssues(filter: IssueFilter, ${page}): IssueConnection!
  delegatedIssues(filter: IssueFilter, ${page}): IssueConnection!
  createdIssues(filter: IssueFilter, ${page}): IssueConnection!
}

type Team implements Node {
  id: ID!
  key: String!
  name: String!
  displayName: String!
  description: String
  color: String
  icon: String
  private: Boolean!
  timezone: String!
  issueCount: Int!
  cyclesEnabled: Boolean!
  triageEnabled: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  organization: Organization!
  parent: Team
  defaultIssueState: WorkflowState
  states(filter: WorkflowStateFilter, ${page}): WorkflowStateConnection!
  labels(filter: IssueLabelFilter, ${page}): IssueLabelConnection!
  members(filter: UserFilter, includeDisabled: Boolean, sort: [UserSortInput!], ${page}): UserConnection!
  issues(filter: IssueFilter, includeSubTeams: Boolean, ${page}): IssueConnection!
}

type WorkflowState implements Node {
  id: ID!
  name: String!
  type: String!
  position: Float!
  color: String!
  description: String
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  team: Team!
  issues(filter: IssueFilter, ${page}): IssueConnection!
}

type IssueLabel implements Node {
  id: ID!
  name: String!
  color: String!
  description: String
  isGroup: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  organization: Organization!
  team: Team
  parent: IssueLabel
  creator: User
  children(filter: IssueLabelFilter, ${page}): IssueLabelConnection!
  issues(filter: IssueFilter, ${page}): IssueConnection!
}

type ProjectStatus implements Node {
  id: ID!
  name: String!
  color: String!
  type: ProjectStatusType!
  position: Float!
  indefinite: Boolean!
  description: String
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
}

type Project implements Node {
  id: ID!
  name: String!
  slugId: String!
  url: String!
  description: String!
  color: String!
  icon: String
  state: String!
  priority: Int!
  priorityLabel: String!
  progress: Float!
  scope: Float!
  sortOrder: Float!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  startedAt: DateTime
  completedAt: DateTime
  canceledAt: DateTime
  lead: User
  creator: User
  teams(filter: TeamFilter, ${page}): TeamConnection!
  issues(filter: IssueFilter, ${page}): IssueConnection!
}

type Reaction implements Node {
  id: ID!
  emoji: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  user: User
}

type IssueSharedAccess {
  isShared: Boolean!
  sharedWithCount: Int!
  sharedWithUsers: [User!]!
  viewerHasOnlySharedAccess: Boolean!
  disallowedIssueFields: [IssueSharedAccessDisallowedField!]!
}

type Issue implements Node {
  id: ID!
  identifier: String!
  number: Float!
  title: String!
  description: String
  url: String!
  branchName: String!
  priority: Float!
  priorityLabel: String!
  prioritySortOrder: Float!
  estimate: Float
  sortOrder: Float!
  boardOrder: Float!
  subIssueSortOrder: Float
  dueDate: TimelessDate
  trashed: Boolean
  customerTicketCount: Int!
  labelIds: [String!]!
  previousIdentifiers: [String!]!
  reactionData: JSONObject!
  reactions: [Reaction!]!
  sharedAccess: IssueSharedAccess!
  inheritsSharedAccess: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  startedAt: DateTime
  completedAt: DateTime
  canceledAt: DateTime
  addedToTeamAt: DateTime
  addedToProjectAt: DateTime
  team: Team!
  state: WorkflowState!
  project: Project
  parent: Issue
  creator: User
  assignee: User
  delegate: User
  labels(filter: IssueLabelFilter, ${page}): IssueLabelConnection!
  children(filter: IssueFilter, ${page}): IssueConnection!
  comments(filter: CommentFilter, ${page}): CommentConnection!
  attachments(filter: AttachmentFilter, ${page}): AttachmentConnection!
  agentSessions(${page}): AgentSessionConnection!
  relations(${page}): IssueRelationConnection!
  inverseRelations(${page}): IssueRelationConnection!
}

type IssueRelation implements Node {
  id: ID!
  type: String!
  issue: Issue!
  relatedIssue: Issue!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
}

type Comment implements Node {
  id: ID!
  body: String!
  url: String!
  quotedText: String
  isArtificialAgentSessionRoot: Boolean!
  reactionData: JSONObject!
  reactions: [Reaction!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  editedAt: DateTime
  resolvedAt: DateTime
  issueId: String
  parentId: String
  issue: Issue
  parent: Comment
  user: User
  agentSession: AgentSession
  children(filter: CommentFilter, ${page}): CommentConnection!
}

type Attachment implements Node {
  id: ID!
  title: String!
  subtitle: String
  url: String!
  metadata: JSONObject!
  source: JSONObject
  sourceType: String
  groupBySource: Boolean!
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  issue: Issue!
  creator: User
}

type AgentSessionExternalLink {
  label: String!
  url: String!
}

type AgentSession implements Node {
  id: ID!
  status: AgentSessionStatus!
  type: AgentSessionType
  slugId: String!
  url: String
  summary: String
  context: JSON!
  externalLink: String
  externalLinks: [AgentSessionExternalLink!]!
  externalUrls: JSON!
  plan: JSON
  sourceMetadata: JSON
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  startedAt: DateTime
  endedAt: DateTime
  dismissedAt: DateTime
  appUser: User!
  creator: User
  issue: Issue
  comment: Comment
  sourceComment: Comment
  activities(filter: AgentActivityFilter, ${page}): AgentActivityConnection!
}

type AgentActivityThoughtContent {
  type: AgentActivityType!
  body: String!
}

type AgentActivityElicitationContent {
  type: AgentActivityType!
  body: String!
}

type AgentActivityResponseContent {
  type: AgentActivityType!
  body: String!
}

type AgentActivityErrorContent {
  type: AgentActivityType!
  body: String!
  reasonCode: String
}

type AgentActivityPromptContent {
  type: AgentActivityType!
  body: String!
  title: String
}

type AgentActivityActionContent {
  type: AgentActivityType!
  action: String!
  parameter: String!
  result: String
}

union AgentActivityContent =
    AgentActivityActionContent
  | AgentActivityElicitationContent
  | AgentActivityErrorContent
  | AgentActivityPromptContent
  | AgentActivityResponseContent
  | AgentActivityThoughtContent

type AgentActivity implements Node {
  id: ID!
  content: AgentActivityContent!
  ephemeral: Boolean!
  queued: Boolean!
  signal: AgentActivitySignal
  signalMetadata: JSON
  sourceMetadata: JSON
  createdAt: DateTime!
  updatedAt: DateTime!
  archivedAt: DateTime
  agentSession: AgentSession!
  sourceComment: Comment
  user: User!
}

type AgentActivityEdge { node: AgentActivity!, cursor: String! }
type AgentSessionEdge { node: AgentSession!, cursor: String! }
type AttachmentEdge { node: Attachment!, cursor: String! }
type CommentEdge { node: Comment!, cursor: String! }
type IssueEdge { node: Issue!, cursor: String! }
type IssueRelationEdge { node: IssueRelation!, cursor: String! }
type IssueLabelEdge { node: IssueLabel!, cursor: String! }
type TeamEdge { node: Team!, cursor: String! }
type UserEdge { node: User!, cursor: String! }
type WorkflowStateEdge { node: WorkflowState!, cursor: String! }

type AgentActivityConnection { edges: [AgentActivityEdge!]!, nodes: [AgentActivity!]!, pageInfo: PageInfo! }
type AgentSessionConnection { edges: [AgentSessionEdge!]!, nodes: [AgentSession!]!, pageInfo: PageInfo! }
type AttachmentConnection { edges: [AttachmentEdge!]!, nodes: [Attachment!]!, pageInfo: PageInfo! }
type CommentConnection { edges: [CommentEdge!]!, nodes: [Comment!]!, pageInfo: PageInfo! }
type IssueConnection { edges: [IssueEdge!]!, nodes: [Issue!]!, pageInfo: PageInfo! }
type IssueRelationConnection { edges: [IssueRelationEdge!]!, nodes: [IssueRelation!]!, pageInfo: PageInfo! }
type IssueLabelConnection { edges: [IssueLabelEdge!]!, nodes: [IssueLabel!]!, pageInfo: PageInfo! }
type TeamConnection { edges: [TeamEdge!]!, nodes: [Team!]!, pageInfo: PageInfo! }
type UserConnection { edges: [UserEdge!]!, nodes: [User!]!, pageInfo: PageInfo! }
type WorkflowStateConnection { edges: [WorkflowStateEdge!]!, nodes: [WorkflowState!]!, pageInfo: PageInfo! }

type AgentActivityPayload { lastSyncId: Float!, success: Boolean!, agentActivity: AgentActivity! }
type AgentSessionPayload { lastSyncId: Float!, success: Boolean!, agentSession: AgentSession! }
type AttachmentPayload { lastSyncId: Float!, success: Boolean!, attachment: Attachment! }
type CommentPayload { lastSyncId: Float!, success: Boolean!, comment: Comment! }
type IssuePayload { lastSyncId: Float!, success: Boolean!, issue: Issue }
type IssueRelationPayload { lastSyncId: Float!, success: Boolean!, issueRelation: IssueRelation! }
type DeletePayload { lastSyncId: Float!, success: Boolean!, entityId: String! }
type IssueLabelPayload { lastSyncId: Float!, success: Boolean!, issueLabel: IssueLabel! }

input IDComparator { eq: ID, neq: ID, in: [ID!], nin: [ID!] }
input IssueIDComparator { eq: ID, neq: ID, in: [ID!], nin: [ID!] }
input BooleanComparator { eq: Boolean, neq: Boolean }
input StringComparator {
  eq: String, neq: String, in: [String!], nin: [String!]
  eqIgnoreCase: String, neqIgnoreCase: String
  contains: String, notContains: String, containsIgnoreCase: String, notContainsIgnoreCase: String
  containsIgnoreCaseAndAccent: String
  startsWith: String, startsWithIgnoreCase: String, notStartsWith: String
  endsWith: String, notEndsWith: String
}
input NullableStringComparator {
  eq: String, neq: String, in: [String!], nin: [String!]
  eqIgnoreCase: String, neqIgnoreCase: String
  contains: String, notContains: String, containsIgnoreCase: String, notContainsIgnoreCase: String
  containsIgnoreCaseAndAccent: String
  startsWith: String, startsWithIgnoreCase: String, notStartsWith: String
  endsWith: String, notEndsWith: String
  null: Boolean
}
input NumberComparator { eq: Float, neq: Float, in: [Float!], nin: [Float!], gt: Float, gte: Float, lt: Float, lte: Float }
input NullableNumberComparator { eq: Float, neq: Float, in: [Float!], nin: [Float!], gt: Float, gte: Float, lt: Float, lte: Float, null: Boolean }
input EstimateComparator {
  eq: Float, neq: Float, in: [Float!], nin: [Float!], gt: Float, gte: Float, lt: Float, lte: Float, null: Boolean
  and: [NullableNumberComparator!], or: [NullableNumberComparator!]
}
input DateComparator {
  eq: DateTimeOrDuration, neq: DateTimeOrDuration, in: [DateTimeOrDuration!], nin: [DateTimeOrDuration!]
  gt: DateTimeOrDuration, gte: DateTimeOrDuration, lt: DateTimeOrDuration, lte: DateTimeOrDuration
}
input NullableDateComparator {
  eq: DateTimeOrDuration, neq: DateTimeOrDuration, in: [DateTimeOrDuration!], nin: [DateTimeOrDuration!]
  gt: DateTimeOrDuration, gte: DateTimeOrDuration, lt: DateTimeOrDuration, lte: DateTimeOrDuration
  null: Boolean
}

input TeamFilter {
  id: IDComparator, key: StringComparator, name: StringComparator, description: NullableStringComparator
  createdAt: DateComparator, updatedAt: DateComparator
  parent: NullableTeamFilter
  and: [TeamFilter!], or: [TeamFilter!]
}
input NullableTeamFilter {
  id: IDComparator, key: StringComparator, name: StringComparator, description: NullableStringComparator
  createdAt: DateComparator, updatedAt: DateComparator
  parent: NullableTeamFilter
  null: Boolean
  and: [NullableTeamFilter!], or: [NullableTeamFilter!]
}
input WorkflowStateFilter {
  id: IDComparator, name: StringComparator, type: StringComparator, position: NumberComparator
  description: StringComparator, createdAt: DateComparator, updatedAt: DateComparator
  team: TeamFilter
  and: [WorkflowStateFilter!], or: [WorkflowStateFilter!]
}
input UserFilter {
  id: IDComparator, name: StringComparator, displayName: StringComparator, email: StringComparator
  active: BooleanComparator, admin: BooleanComparator, app: BooleanComparator, isMe: BooleanComparator, owner: BooleanComparator
  createdAt: DateComparator, updatedAt: DateComparator
  and: [UserFilter!], or: [UserFilter!]
}
input NullableUserFilter {
  id: IDComparator, name: StringComparator, displayName: StringComparator, email: StringComparator
  active: BooleanComparator, admin: BooleanComparator, app: BooleanComparator, isMe: BooleanComparator, owner: BooleanComparator
  createdAt: DateComparator, updatedAt: DateComparator
  null: Boolean
  and: [NullableUserFilter!], or: [NullableUserFilter!]
}
input IssueLabelFilter {
  id: IDComparator, name: StringComparator, isGroup: BooleanComparator
  createdAt: DateComparator, updatedAt: DateComparator
  team: NullableTeamFilter, creator: NullableUserFilter, parent: IssueLabelFilter
  and: [IssueLabelFilter!], or: [IssueLabelFilter!]
}
input IssueLabelCollectionFilter {
  id: IDComparator, name: StringComparator, isGroup: BooleanComparator
  createdAt: DateComparator, updatedAt: DateComparator
  team: NullableTeamFilter, creator: NullableUserFilter, parent: IssueLabelFilter
  some: IssueLabelFilter, every: IssueLabelFilter, length: NumberComparator, null: Boolean
  and: [IssueLabelCollectionFilter!], or: [IssueLabelCollectionFilter!]
}
input NullableProjectFilter {
  id: IDComparator, name: StringComparator, slugId: StringComparator, state: StringComparator
  createdAt: DateComparator, updatedAt: DateComparator
  null: Boolean
  and: [NullableProjectFilter!], or: [NullableProjectFilter!]
}
input IssueFilter {
  id: IssueIDComparator, number: NumberComparator, title: StringComparator, description: NullableStringComparator
  priority: NullableNumberComparator, estimate: EstimateComparator
  createdAt: DateComparator, updatedAt: DateComparator, archivedAt: NullableDateComparator
  startedAt: NullableDateComparator, completedAt: NullableDateComparator, canceledAt: NullableDateComparator
  state: WorkflowStateFilter, team: TeamFilter, labels: IssueLabelCollectionFilter
  assignee: NullableUserFilter, delegate: NullableUserFilter, creator: NullableUserFilter
  parent: NullableIssueFilter, project: NullableProjectFilter
  and: [IssueFilter!], or: [IssueFilter!]
}
input NullableIssueFilter {
  id: IssueIDComparator, number: NumberComparator, title: StringComparator, description: NullableStringComparator
  priority: NullableNumberComparator, estimate: EstimateComparator
  createdAt: DateComparator, updatedAt: DateComparator, archivedAt: NullableDateComparator
  startedAt: NullableDateComparator, completedAt: NullableDateComparator, canceledAt: NullableDateComparator
  state: WorkflowStateFilter, team: TeamFilter, labels: IssueLabelCollectionFilter
  assignee: NullableUserFilter, delegate: NullableUserFilter, creator: NullableUserFilter
  parent: NullableIssueFilter, project: NullableProjectFilter
  null: Boolean
  and: [NullableIssueFilter!], or: [NullableIssueFilter!]
}
input CommentFilter {
  id: IDComparator, body: StringComparator, createdAt: DateComparator, updatedAt: DateComparator
  issue: NullableIssueFilter, parent: NullableCommentFilter, user: UserFilter
  and: [CommentFilter!], or: [CommentFilter!]
}
input NullableCommentFilter {
  id: IDComparator, body: StringComparator, createdAt: DateComparator, updatedAt: DateComparator
  issue: NullableIssueFilter, parent: NullableCommentFilter, user: UserFilter
  null: Boolean
  and: [NullableCommentFilter!], or: [NullableCommentFilter!]
}
input AttachmentFilter {
  id: IDComparator, title: StringComparator, subtitle: NullableStringComparator, url: StringComparator
  createdAt: DateComparator, updatedAt: DateComparator, creator: NullableUserFilter
  and: [AttachmentFilter!], or: [AttachmentFilter!]
}
input AgentActivityFilter {
  id: IDComparator, agentSessionId: StringComparator, type: StringComparator
  createdAt: DateComparator, updatedAt: DateComparator, sourceComment: NullableCommentFilter
  and: [AgentActivityFilter!], or: [AgentActivityFilter!]
}

input CreatedAtSort { nulls: PaginationNulls, order: PaginationSortOrder }
input UpdatedAtSort { nulls: PaginationNulls, order: PaginationSortOrder }
input UserNameSort { nulls: PaginationNulls, order: PaginationSortOrder }
input UserDisplayNameSort { nulls: PaginationNulls, order: PaginationSortOrder }
input IssueSortInput { createdAt: CreatedAtSort, updatedAt: UpdatedAtSort }
input UserSortInput { name: UserNameSort, displayName: UserDisplayNameSort }

input AgentActivityCreateInput {
  id: String
  agentSessionId: String!
  content: JSONObject!
  ephemeral: Boolean
  signal: AgentActivitySignal
  signalMetadata: JSONObject
  contextualMetadata: JSONObject
}
input AgentSessionExternalUrlInput { label: String!, url: String! }
input AgentSessionUpdateInput {
  externalUrls: [AgentSessionExternalUrlInput!]
  addedExternalUrls: [AgentSessionExternalUrlInput!]
  removedExternalUrls: [String!]
  externalLink: String
  plan: JSONObject
  summary: String
  dismissedAt: DateTime
}
input AgentSessionUpdateExternalUrlInput {
  externalUrls: [AgentSessionExternalUrlInput!]
  addedExternalUrls: [AgentSessionExternalUrlInput!]
  removedExternalUrls: [String!]
  externalLink: String
}
input AgentSessionCreateOnIssue { issueId: String!, externalLink: String, externalUrls: [AgentSessionExternalUrlInput!] }
input AgentSessionCreateOnComment { commentId: String!, externalLink: String, externalUrls: [AgentSessionExternalUrlInput!] }

input IssueCreateInput {
  id: String
  teamId: String!
  title: String
  description: String
  descriptionData: JSON
  stateId: String
  parentId: String
  projectId: String
  labelIds: [String!]
  assigneeId: String
  delegateId: String
  priority: Int
  estimate: Int
  dueDate: TimelessDate
  subscriberIds: [String!]
  sortOrder: Float
  prioritySortOrder: Float
  subIssueSortOrder: Float
  createAsUser: String
  displayIconUrl: String
  sourceCommentId: String
  referenceCommentId: String
  templateId: String
  useDefaultTemplate: Boolean
  createdAt: DateTime
  completedAt: DateTime
  cycleId: String
  projectMilestoneId: String
  slaType: SLADayCountType
}
input IssueUpdateInput {
  title: String
  description: String
  descriptionData: JSON
  stateId: String
  delegateId: String
  assigneeId: String
  parentId: String
  projectId: String
  teamId: String
  labelIds: [String!]
  addedLabelIds: [String!]
  removedLabelIds: [String!]
  priority: Int
  estimate: Int
  dueDate: TimelessDate
  subscriberIds: [String!]
  sortOrder: Float
  prioritySortOrder: Float
  subIssueSortOrder: Float
  trashed: Boolean
  cycleId: String
  projectMilestoneId: String
  snoozedById: String
  snoozedUntilAt: DateTime
  slaType: SLADayCountType
}
input CommentCreateInput {
  id: String
  issueId: String
  parentId: String
  body: String
  bodyData: JSON
  quotedText: String
  createAsUser: String
  displayIconUrl: String
  doNotSubscribeToIssue: Boolean
  createOnSyncedSlackThread: Boolean
  subscriberIds: [String!]
  createdAt: DateTime
}
input AttachmentCreateInput {
  id: String
  issueId: String!
  title: String!
  url: String!
  subtitle: String
  iconUrl: String
  metadata: JSONObject
  groupBySource: Boolean
  commentBody: String
  commentBodyData: JSONObject
  createAsUser: String
  displayIconUrl: String
}
input IssueRelationCreateInput {
  id: String
  issueId: String!
  relatedIssueId: String!
  type: IssueRelationType!
}
input IssueLabelCreateInput {
  id: String
  name: String!
  color: String
  description: String
  teamId: String
  parentId: String
  isGroup: Boolean
}

type Query {
  viewer: User!
  organization: Organization!
  user(id: String!): User!
  users(filter: UserFilter, includeDisabled: Boolean, sort: [UserSortInput!], ${page}): UserConnection!
  team(id: String!): Team!
  teams(filter: TeamFilter, ${page}): TeamConnection!
  workflowState(id: String!): WorkflowState!
  workflowStates(filter: WorkflowStateFilter, ${page}): WorkflowStateConnection!
  issue(id: String!): Issue!
  issues(filter: IssueFilter, sort: [IssueSortInput!], ${page}): IssueConnection!
  issueRelation(id: String!): IssueRelation!
  issueRelations(${page}): IssueRelationConnection!
  issueLabel(id: String!): IssueLabel!
  issueLabels(filter: IssueLabelFilter, ${page}): IssueLabelConnection!
  project(id: String!): Project!
  comment(id: String, hash: String): Comment!
  comments(filter: CommentFilter, ${page}): CommentConnection!
  attachment(id: String!): Attachment!
  attachmentsForURL(url: String!, ${page}): AttachmentConnection!
  agentSession(id: String!): AgentSession!
  agentSessions(${page}): AgentSessionConnection!
  agentActivity(id: String!): AgentActivity!
  agentActivities(filter: AgentActivityFilter, ${page}): AgentActivityConnection!
}

type Mutation {
  agentActivityCreate(input: AgentActivityCreateInput!): AgentActivityPayload!
  agentSessionUpdate(id: String!, input: AgentSessionUpdateInput!): AgentSessionPayload!
  agentSessionUpdateExternalUrl(id: String!, input: AgentSessionUpdateExternalUrlInput!): AgentSessionPayload!
  agentSessionCreateOnIssue(input: AgentSessionCreateOnIssue!): AgentSessionPayload!
  agentSessionCreateOnComment(input: AgentSessionCreateOnComment!): AgentSessionPayload!
  issueCreate(input: IssueCreateInput!): IssuePayload!
  issueUpdate(id: String!, input: IssueUpdateInput!): IssuePayload!
  issueRelationCreate(input: IssueRelationCreateInput!, overrideCreatedAt: DateTime): IssueRelationPayload!
  issueRelationDelete(id: String!): DeletePayload!
  issueLabelCreate(input: IssueLabelCreateInput!, replaceTeamLabels: Boolean): IssueLabelPayload!
  commentCreate(input: CommentCreateInput!): CommentPayload!
  attachmentCreate(input: AttachmentCreateInput!): AttachmentPayload!
  attachmentLinkURL(issueId: String!, url: String!, title: String, id: String, createAsUser: String, displayIconUrl: String): AttachmentPayload!
  attachmentLinkGitHubPR(issueId: String!, url: String!, title: String, id: String, linkKind: GitLinkKind, createAsUser: String, displayIconUrl: String): AttachmentPayload!
}
`;
