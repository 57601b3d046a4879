/**
 * A hybrid-parallel run's I/O: the parent creates a proposed plan's
 * sub-issues, delegates (or retries, or stops) its children and plans its
 * validation task; a child reports to its parent. Each job calls Linear or
 * another object and hands what it learned to `step`; what happens next is
 * decided there (src/domain/session/parallel.ts, child.ts).
 */
import { checkMayDelegate } from "../../../src/domain/parallel/caps";
import { parseIssueSnapshot } from "../../../src/domain/issue-snapshot";
import type { JobContext, JobOutcome } from "./job-context";
import type { JobOf } from "./store";
import { applyEvent, loadParallel } from "./apply-step";
import { planHelperTask } from "./helper-task";
import { withLinear } from "./linear-job";
import { issueSessionName, issueSessionStub } from "../stubs";


/** A UUID that is the same for the same text: a relation's client id, so a replayed create meets its first attempt. */
async function stableUuid(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).slice(0, 16);
  digest[6] = (digest[6]! & 0x0f) | 0x80; // version 8: a custom, name-based UUID
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Creates the proposed plan's sub-issues and their `blocks` relations: idempotent by the ids the plan gave them. */
export async function createSubIssues(job: JobOf<"parallel.create-sub-issues">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId } = job.payload;
  const run = loadParallel(ctx, agentSessionId);
  const session = ctx.store.getAgentSession(agentSessionId);
  const issue = parseIssueSnapshot(ctx.store.getMeta("issue"));
  if (!run?.plan || run.status !== "creating" || !session?.issueId) return { kind: "done" };
  if (!issue) return { kind: "failed", error: "the issue read when the session was prepared is missing or unreadable" };
  const plan = run.plan;
  return withLinear(ctx, async (api) => {
    const identifiers: Record<string, string> = {};
    for (const item of plan.items) {
      const body = [item.description, item.acceptanceCriteria.length ? `Acceptance criteria:\n${item.acceptanceCriteria.map((c) => `- ${c}`).join("\n")}` : ""].filter(Boolean).join("\n\n");
      const created = await api.createIssue({ id: item.issueId!, teamId: issue.team.id, title: item.title, description: body, parentId: session.issueId });
      identifiers[item.key] = created.identifier;
    }
    for (const item of plan.items) {
      for (const key of item.dependsOn) {
        const blocker = plan.items.find((candidate) => candidate.key === key);
        if (!blocker?.issueId) continue;
        await api.createIssueRelation({ id: await stableUuid(`${blocker.issueId} blocks ${item.issueId}`), issueId: blocker.issueId, relatedIssueId: item.issueId!, type: "blocks" });
      }
    }
    applyEvent(ctx, agentSessionId, "latest", { type: "parallel.sub-issues-created", identifiers });
    return { kind: "done" };
  });
}

/** Delegates a child's sub-issue to the app (Linear then sends its `created` webhook), or retries its session. */
export async function startChild(job: JobOf<"parallel.start-child">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, attempt, childIssueId, childSessionId } = job.payload;
  const session = ctx.store.getAgentSession(agentSessionId);
  const issue = parseIssueSnapshot(ctx.store.getMeta("issue"));
  if (!session?.issueId || !issue) return { kind: "done" };
  if (attempt > 1 && childSessionId) {
    const retried = await issueSessionStub(ctx.env, issueSessionName(ctx.organizationId, childIssueId)).retrySession(childSessionId);
    if (!retried.ok) ctx.log.warn("could not retry a child", { childSessionId, reason: retried.message });
    return { kind: "done" };
  }
  const allowed = checkMayDelegate(
    { id: session.issueId, parent: issue.parent ? { id: issue.parent.id, parent: issue.parent.parent ?? null } : null },
    { id: childIssueId, parentId: session.issueId },
  );
  if (!allowed.ok) return { kind: "failed", error: allowed.reason };
  return withLinear(ctx, async (api, appUserId) => {
    await api.updateIssue(childIssueId, { delegateId: appUserId });
    return { kind: "done" };
  });
}

export async function stopChild(job: JobOf<"parallel.stop-child">, ctx: JobContext): Promise<JobOutcome> {
  const { childIssueId, childSessionId } = job.payload;
  await issueSessionStub(ctx.env, issueSessionName(ctx.organizationId, childIssueId)).stopSession(childSessionId);
  return { kind: "done" };
}

/** Every child is done: where the validation task runs, and its worst case reserved. */
export async function planValidation(job: JobOf<"parallel.validate">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId } = job.payload;
  const run = loadParallel(ctx, agentSessionId);
  const session = ctx.store.getAgentSession(agentSessionId);
  if (!run || run.status !== "validating" || run.validation?.attemptKey || !session) return { kind: "done" };
  if (!session.repositoryName) {
    applyEvent(ctx, agentSessionId, "latest", { type: "parallel.validation-planned", plan: null, reason: "the session has no repository" });
    return { kind: "done" };
  }
  const plan = await planHelperTask(ctx, session, session.repositoryName, "validation");
  applyEvent(ctx, agentSessionId, "latest", { type: "parallel.validation-planned", plan, reason: null });
  return { kind: "done" };
}

/** A child tells its parent's IssueSession that it started or ended. */
export async function reportToParent(job: JobOf<"parallel.report">, ctx: JobContext): Promise<JobOutcome> {
  const { agentSessionId, parentIssueId, ...report } = job.payload;
  const issueId = ctx.store.getAgentSession(agentSessionId)?.issueId;
  if (!issueId) return { kind: "done" };
  const answer = await issueSessionStub(ctx.env, issueSessionName(ctx.organizationId, parentIssueId)).onChildReport({ ...report, childIssueId: issueId, childSessionId: agentSessionId });
  if (!answer.known) ctx.log.info("the parent no longer runs a plan with this child", { agentSessionId, parentIssueId });
  return { kind: "done" };
}
