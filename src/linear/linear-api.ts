/**
 * The calls the edge makes to Linear, through the real @linear/sdk at a
 * configurable origin. Mutations use the SDK's own operations; reads use one
 * purpose-built query each through the SDK's GraphQL client, because the SDK's
 * models load related objects lazily, one request per relation.
 */
import { type IssueRelationType, LinearClient } from "@linear/sdk";
import { z } from "zod";
import { classifyLinearError } from "./errors";

/** Linear answers within a few hundred ms; past this a request is treated as lost and retried. */
const REQUEST_TIMEOUT_MS = 15_000;

export type AgentActivityContent =
  | { type: "thought"; body: string }
  | { type: "elicitation"; body: string }
  | { type: "response"; body: string }
  | { type: "error"; body: string }
  | { type: "action"; action: string; parameter: string; result?: string };

export interface AgentActivityInput {
  id: string;
  agentSessionId: string;
  content: AgentActivityContent;
  ephemeral?: boolean;
}

export interface AgentSessionUpdate {
  externalUrls?: { label: string; url: string }[];
  addedExternalUrls?: { label: string; url: string }[];
  plan?: { content: string; status: "pending" | "inProgress" | "completed" | "canceled" }[];
}

import { IssueDetailsSchema, type IssueDetails, type WorkflowState } from "./issue-details";
export type { IssueDetails, WorkflowState };

/**
 * Page sizes of the issue read. Linear multiplies a connection's cost by its
 * page size (50 when unset), so the sub-issue part is bounded: a plan takes at
 * most 15 sub-tasks (`pageInfo.hasNextPage` says there are more), and 15
 * relations each way covers one sub-task blocking, or blocked by, all the others.
 */
export const SUB_ISSUE_PAGE = 15;
export const RELATION_PAGE = 15;

/** One query for everything a session needs about its issue; its estimated complexity is measured in test/node/linear/linear-api.test.ts. */
export const ISSUE_DETAILS_QUERY = /* GraphQL */ `
  query cyrusIssueDetails($id: String!) {
    issue(id: $id) {
      id identifier title description url priority estimate
      team { id key name states { nodes { id name type position } } }
      state { id name type }
      labels { nodes { id name } }
      project { id name slugId }
      delegate { id }
      parent { id identifier parent { id } }
      children(first: ${SUB_ISSUE_PAGE}) {
        nodes {
          id identifier title description
          state { id name type }
          delegate { id }
          relations(first: ${RELATION_PAGE}) { nodes { type relatedIssue { id } } }
          inverseRelations(first: ${RELATION_PAGE}) { nodes { type issue { id } } }
        }
        pageInfo { hasNextPage }
      }
    }
  }
`;

const CreatedIssueSchema = z.object({ id: z.string(), identifier: z.string() });
export type CreatedIssue = z.infer<typeof CreatedIssueSchema>;

/** A raw mutation rather than the SDK's, whose payload loads `issue` lazily: one request answers the identifier too. */
const CREATE_ISSUE_MUTATION = /* GraphQL */ `
  mutation cyrusCreateIssue($input: IssueCreateInput!) {
    issueCreate(input: $input) { success issue { id identifier } }
  }
`;

export interface NewIssue {
  /** Our own UUID, so a replayed create cannot make the issue twice. */
  id: string;
  teamId: string;
  title: string;
  description?: string | null;
  /** Makes it a sub-issue of this issue. */
  parentId?: string | null;
  /** The app user: Linear then starts an agent session on it and sends the `created` webhook. */
  delegateId?: string | null;
}

export interface NewIssueRelation {
  /** Our own UUID, so a replayed create cannot relate the issues twice. */
  id: string;
  /** With `blocks`: this issue blocks `relatedIssueId`. */
  issueId: string;
  relatedIssueId: string;
  type: "blocks";
}

const ViewerSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  organization: z.object({ id: z.string(), name: z.string(), urlKey: z.string() }),
});
export type Viewer = z.infer<typeof ViewerSchema>;

const VIEWER_QUERY = /* GraphQL */ `
  query cyrusViewer { viewer { id name organization { id name urlKey } } }
`;

/** The person behind an actor=user token ("Sign in with Linear"), and whether Linear counts them a workspace admin. */
const SignedInUserSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  admin: z.boolean(),
  organization: z.object({ id: z.string(), name: z.string().nullish() }),
});
export type SignedInUser = z.infer<typeof SignedInUserSchema>;

const SIGNED_IN_USER_QUERY = /* GraphQL */ `
  query cyrusSignedInUser { viewer { id name email admin organization { id name } } }
`;

const IssueRefSchema = z.object({ id: z.string(), identifier: z.string(), title: z.string() });
export type IssueRef = z.infer<typeof IssueRefSchema>;

const ISSUE_REF_QUERY = /* GraphQL */ `
  query cyrusIssueRef($id: String!) { issue(id: $id) { id identifier title } }
`;

const ACTIVITY_QUERY = /* GraphQL */ `
  query cyrusAgentActivity($id: String!) { agentActivity(id: $id) { id } }
`;

const COMMENT_QUERY = /* GraphQL */ `
  query cyrusComment($id: String!) { comment(id: $id) { id } }
`;

export interface CommentInput {
  /** Our own UUID, so a retried create cannot post twice. */
  id: string;
  issueId: string;
  /** A reply in this thread (its root comment); without it the comment is on the issue. */
  parentId?: string | null;
  body: string;
  /** The name shown as the author: Linear allows it for actor=app tokens (shown "via" the app). */
  createAsUser?: string | null;
}

export class LinearResponseError extends Error {
  constructor(what: string, detail: string) {
    super(`Linear's answer to ${what} was not what we expected: ${detail}`);
    this.name = "LinearResponseError";
  }
}

export class LinearApi {
  readonly #apiUrl: string;
  readonly #accessToken: string;

  constructor(options: { apiUrl: string; accessToken: string }) {
    this.#apiUrl = `${options.apiUrl.replace(/\/+$/, "")}/graphql`;
    this.#accessToken = options.accessToken;
  }

  /**
   * A client per request: the SDK spreads its options into every fetch, so a
   * timeout signal given once would be shared, and after it fired every later
   * request would abort at once. Construction is cheap (methods live on the prototype).
   */
  get #client(): LinearClient {
    return new LinearClient({ accessToken: this.#accessToken, apiUrl: this.#apiUrl, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  async createAgentActivity(input: AgentActivityInput): Promise<void> {
    const payload = await this.#client.createAgentActivity({
      id: input.id,
      agentSessionId: input.agentSessionId,
      content: input.content,
      ...(input.ephemeral ? { ephemeral: true } : {}),
    });
    if (!payload.success) throw new LinearResponseError("agentActivityCreate", "success was false");
  }

  /** Whether an activity with this id exists: the check before re-sending a create whose answer was lost. */
  async agentActivityExists(id: string): Promise<boolean> {
    try {
      const result = await this.#client.client.rawRequest<{ agentActivity: { id: string } | null }, { id: string }>(ACTIVITY_QUERY, { id });
      return result.data?.agentActivity?.id === id;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async createComment(input: CommentInput): Promise<void> {
    const payload = await this.#client.createComment({
      id: input.id,
      issueId: input.issueId,
      body: input.body,
      ...(input.parentId ? { parentId: input.parentId } : {}),
      ...(input.createAsUser ? { createAsUser: input.createAsUser } : {}),
    });
    if (!payload.success) throw new LinearResponseError("commentCreate", "success was false");
  }

  /** Whether a comment with this id exists: the check before re-sending a create whose answer was lost. */
  async commentExists(id: string): Promise<boolean> {
    try {
      const result = await this.#client.client.rawRequest<{ comment: { id: string } | null }, { id: string }>(COMMENT_QUERY, { id });
      return result.data?.comment?.id === id;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async updateAgentSession(id: string, input: AgentSessionUpdate): Promise<void> {
    const payload = await this.#client.updateAgentSession(id, input as Parameters<LinearClient["updateAgentSession"]>[1]);
    if (!payload.success) throw new LinearResponseError("agentSessionUpdate", "success was false");
  }

  async issueDetails(id: string): Promise<IssueDetails> {
    const result = await this.#client.client.rawRequest<{ issue: unknown }, { id: string }>(ISSUE_DETAILS_QUERY, { id });
    const parsed = IssueDetailsSchema.safeParse(result.data?.issue);
    if (!parsed.success) throw new LinearResponseError("issue", z.prettifyError(parsed.error));
    return parsed.data;
  }

  /**
   * Creates an issue (a sub-issue with `parentId`), idempotent by our `id`: when
   * Linear says it already exists, an earlier attempt made it (its answer was
   * lost), and that issue is the answer.
   */
  async createIssue(input: NewIssue): Promise<CreatedIssue> {
    const variables = {
      input: {
        id: input.id,
        teamId: input.teamId,
        title: input.title,
        ...(input.description != null ? { description: input.description } : {}),
        ...(input.parentId ? { parentId: input.parentId } : {}),
        ...(input.delegateId ? { delegateId: input.delegateId } : {}),
      },
    };
    let result;
    try {
      result = await this.#client.client.rawRequest<{ issueCreate: { success: boolean; issue: unknown } | null }, typeof variables>(CREATE_ISSUE_MUTATION, variables);
    } catch (error) {
      if (classifyLinearError(error).kind !== "already_exists") throw error;
      const existing = await this.findIssue(input.id);
      if (!existing) throw error;
      return { id: existing.id, identifier: existing.identifier };
    }
    if (!result.data?.issueCreate?.success) throw new LinearResponseError("issueCreate", "success was false");
    const parsed = CreatedIssueSchema.safeParse(result.data.issueCreate.issue);
    if (!parsed.success) throw new LinearResponseError("issueCreate", z.prettifyError(parsed.error));
    return parsed.data;
  }

  /** Relates two issues (`blocks`: the first blocks the second), idempotent by our `id` like `createIssue`. */
  async createIssueRelation(input: NewIssueRelation): Promise<void> {
    try {
      const payload = await this.#client.createIssueRelation({
        id: input.id,
        issueId: input.issueId,
        relatedIssueId: input.relatedIssueId,
        type: input.type as IssueRelationType,
      });
      if (!payload.success) throw new LinearResponseError("issueRelationCreate", "success was false");
    } catch (error) {
      // The relation with our id exists: an earlier attempt made it.
      if (classifyLinearError(error).kind === "already_exists") return;
      throw error;
    }
  }

  /** `delegateId` = the app user delegates the issue: Linear starts an agent session and sends `created`; `null` undelegates. */
  async updateIssue(id: string, input: { stateId?: string; delegateId?: string | null }): Promise<void> {
    const payload = await this.#client.updateIssue(id, input);
    if (!payload.success) throw new LinearResponseError("issueUpdate", "success was false");
  }

  /** Links a URL (a pull request) to the issue; Linear updates an existing link to the same URL rather than adding one. */
  async linkUrl(issueId: string, url: string, title: string): Promise<void> {
    const payload = await this.#client.attachmentLinkURL(issueId, url, { title });
    if (!payload.success) throw new LinearResponseError("attachmentLinkURL", "success was false");
  }

  /** Who an actor=user token belongs to (the app's own token would answer with the app user). */
  async signedInUser(): Promise<SignedInUser> {
    const result = await this.#client.client.rawRequest<{ viewer: unknown }, Record<string, never>>(SIGNED_IN_USER_QUERY, {});
    const parsed = SignedInUserSchema.safeParse(result.data?.viewer);
    if (!parsed.success) throw new LinearResponseError("viewer", z.prettifyError(parsed.error));
    return parsed.data;
  }

  /** An issue by UUID or identifier (ENG-123), or null when this workspace has no such issue. */
  async findIssue(idOrIdentifier: string): Promise<IssueRef | null> {
    let result;
    try {
      result = await this.#client.client.rawRequest<{ issue: unknown }, { id: string }>(ISSUE_REF_QUERY, { id: idOrIdentifier });
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    if (result.data?.issue == null) return null;
    const parsed = IssueRefSchema.safeParse(result.data.issue);
    if (!parsed.success) throw new LinearResponseError("issue", z.prettifyError(parsed.error));
    return parsed.data;
  }

  /**
   * Starts an agent session on an issue, as the app. Linear then sends the
   * `created` AgentSessionEvent for it, so it flows like any delegation.
   */
  async createAgentSessionOnIssue(issueId: string): Promise<string> {
    const payload = await this.#client.agentSessionCreateOnIssue({ issueId });
    if (!payload.success || !payload.agentSessionId) throw new LinearResponseError("agentSessionCreateOnIssue", "no agent session in the answer");
    return payload.agentSessionId;
  }

  async viewer(): Promise<Viewer> {
    const result = await this.#client.client.rawRequest<{ viewer: unknown }, Record<string, never>>(VIEWER_QUERY, {});
    const parsed = ViewerSchema.safeParse(result.data?.viewer);
    if (!parsed.success) throw new LinearResponseError("viewer", z.prettifyError(parsed.error));
    return parsed.data;
  }
}

function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return /not found|could not find|entity not found/i.test(message);
}
