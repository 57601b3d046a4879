/**
 * Zod schemas of the Linear webhooks the edge acts on. They require what the
 * product uses and let every other field through: Linear adds fields over time,
 * and a new field must never turn a delivery into a rejection.
 * Field names follow Linear's webhook payload types (see shared/contracts).
 */
import { z } from "zod";

const id = z.string().min(1);
const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();

const envelope = {
  organizationId: id,
  webhookTimestamp: z.number(),
  // The webhook's configuration id: the same on every delivery, so never a dedupe key.
  webhookId: z.string().optional(),
  createdAt: z.string().optional(),
};

export const TeamRefSchema = z.looseObject({ id, key: z.string(), name: z.string().optional() });

export const IssueRefSchema = z.looseObject({
  id,
  identifier: z.string(),
  title: z.string(),
  description: nullish(z.string()),
  url: nullish(z.string()),
  teamId: nullish(z.string()),
  team: nullish(TeamRefSchema),
});
export type IssueRef = z.infer<typeof IssueRefSchema>;

const UserRefSchema = z.looseObject({ id, name: nullish(z.string()), email: nullish(z.string()) });

const CommentRefSchema = z.looseObject({ id, body: z.string(), userId: nullish(z.string()) });

export const AgentSessionSchema = z.looseObject({
  id,
  // Optional in Linear's schema: a direct-chat session has no issue, and automation has no creator.
  issueId: nullish(z.string()),
  issue: nullish(IssueRefSchema),
  creatorId: nullish(z.string()),
  creator: nullish(UserRefSchema),
  commentId: nullish(z.string()),
  comment: nullish(CommentRefSchema),
  url: nullish(z.string()),
  status: nullish(z.string()),
});
export type AgentSession = z.infer<typeof AgentSessionSchema>;

export const AgentActivitySchema = z.looseObject({
  id,
  // Linear's schema has `content: JSONObject`; the docs also mention a top-level `body`.
  content: nullish(z.looseObject({ type: z.string().optional(), body: nullish(z.string()) })),
  body: nullish(z.string()),
  signal: nullish(z.string()),
  signalMetadata: nullish(z.unknown()),
  userId: nullish(z.string()),
  user: nullish(UserRefSchema),
  sourceCommentId: nullish(z.string()),
});
export type AgentActivity = z.infer<typeof AgentActivitySchema>;

const GuidanceSchema = z.looseObject({ body: z.string() });

export const AgentSessionEventSchema = z.looseObject({
  ...envelope,
  type: z.literal("AgentSessionEvent"),
  action: z.enum(["created", "prompted"]),
  appUserId: id,
  oauthClientId: z.string().optional(),
  agentSession: AgentSessionSchema,
  agentActivity: nullish(AgentActivitySchema),
  promptContext: nullish(z.string()),
  guidance: nullish(z.array(GuidanceSchema)),
  previousComments: nullish(z.array(CommentRefSchema)),
}).refine((event) => event.action !== "prompted" || event.agentActivity, {
  message: "a prompted event must carry agentActivity",
  path: ["agentActivity"],
});
export type AgentSessionEvent = z.infer<typeof AgentSessionEventSchema>;

const StateRefSchema = z.looseObject({ id, name: z.string().optional(), type: z.string().optional() });

export const IssueWebhookSchema = z.looseObject({
  ...envelope,
  type: z.literal("Issue"),
  action: z.enum(["create", "update", "remove"]),
  url: nullish(z.string()),
  data: z.looseObject({
    id,
    identifier: z.string().optional(),
    title: z.string().optional(),
    description: nullish(z.string()),
    teamId: nullish(z.string()),
    stateId: nullish(z.string()),
    state: nullish(StateRefSchema),
    assigneeId: nullish(z.string()),
    delegateId: nullish(z.string()),
  }),
  updatedFrom: nullish(z.record(z.string(), z.unknown())),
});
export type IssueWebhook = z.infer<typeof IssueWebhookSchema>;

export const CommentWebhookSchema = z.looseObject({
  ...envelope,
  type: z.literal("Comment"),
  action: z.enum(["create", "update", "remove"]),
  data: z.looseObject({
    id,
    body: z.string(),
    issueId: nullish(z.string()),
    userId: nullish(z.string()),
    parentId: nullish(z.string()),
  }),
});
export type CommentWebhook = z.infer<typeof CommentWebhookSchema>;

export const AppUserNotificationSchema = z.looseObject({
  ...envelope,
  type: z.literal("AppUserNotification"),
  action: z.string(),
  appUserId: id,
  notification: z.looseObject({
    id,
    type: z.string(),
    issueId: nullish(z.string()),
    commentId: nullish(z.string()),
  }),
});
export type AppUserNotification = z.infer<typeof AppUserNotificationSchema>;

export const OAuthAppWebhookSchema = z.looseObject({
  ...envelope,
  type: z.literal("OAuthApp"),
  action: z.string(),
  oauthClientId: z.string().optional(),
});
export type OAuthAppWebhook = z.infer<typeof OAuthAppWebhookSchema>;

export const PermissionChangeSchema = z.looseObject({
  ...envelope,
  type: z.literal("PermissionChange"),
  action: z.string(),
  addedTeamIds: z.array(z.string()).default([]),
  removedTeamIds: z.array(z.string()).default([]),
  canAccessAllPublicTeams: z.boolean().optional(),
});
export type PermissionChange = z.infer<typeof PermissionChangeSchema>;

/** The webhook types the edge understands, by the body's `type`. */
export const WEBHOOK_SCHEMAS = {
  AgentSessionEvent: AgentSessionEventSchema,
  Issue: IssueWebhookSchema,
  Comment: CommentWebhookSchema,
  AppUserNotification: AppUserNotificationSchema,
  OAuthApp: OAuthAppWebhookSchema,
  PermissionChange: PermissionChangeSchema,
} as const;

export type LinearWebhook =
  | AgentSessionEvent
  | IssueWebhook
  | CommentWebhook
  | AppUserNotification
  | OAuthAppWebhook
  | PermissionChange;

export type ParsedWebhook =
  | { kind: "event"; event: LinearWebhook }
  | { kind: "unhandled"; type: string }
  | { kind: "invalid"; error: string; type?: string; organizationId?: string };

/** Parses a raw body into a typed webhook, a type we do not handle, or an explanation of what is wrong. */
export function parseLinearWebhook(rawBody: string): ParsedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { kind: "invalid", error: "body is not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { kind: "invalid", error: "body is not a JSON object" };
  }
  const { type, organizationId } = json as { type?: unknown; organizationId?: unknown };
  const org = typeof organizationId === "string" ? organizationId : undefined;
  if (typeof type !== "string") return { kind: "invalid", error: "body has no string `type`", organizationId: org };
  // Own properties only: a `type` of "constructor" must not find Object.prototype's.
  if (!Object.hasOwn(WEBHOOK_SCHEMAS, type)) return { kind: "unhandled", type };
  const schema = WEBHOOK_SCHEMAS[type as keyof typeof WEBHOOK_SCHEMAS];
  const result = schema.safeParse(json);
  if (!result.success) {
    return { kind: "invalid", type, organizationId: org, error: `${type} payload does not match its schema: ${z.prettifyError(result.error)}` };
  }
  return { kind: "event", event: result.data as LinearWebhook };
}
