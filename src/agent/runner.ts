/**
 * One task, run through the Claude Agent SDK in its worktree.
 *
 * Streaming-input mode: the prompt is an async queue of user messages, so a follow-up
 * (`task.prompt`) joins the same running session and `interrupt()` works. The queue is closed
 * once a result arrives with no further turn pending; Claude Code then exits and the run ends.
 * A prompt that comes after that is refused (`prompt()` returns false): the edge runs it as a
 * new task that resumes the session.
 *
 * Cost: `total_cost_usd` is the Claude session's running total, and a resumed session starts
 * from its saved total. The run's cost is its last total minus a baseline: the larger of the
 * last total this agent recorded for the session and the one the edge sent
 * (`previousTotalCostUsd`). Results are never summed.
 *
 * Stop: `interrupt()` first, since the turn then still ends with a result and its cost; the
 * process is aborted only if the run has not ended within the grace period.
 *
 * A planning task (`outputSchema`) runs with the SDK's `outputFormat: { type: "json_schema" }`:
 * Claude Code answers through its StructuredOutput tool and the result carries
 * `structured_output`, reported as `structuredOutput`. It may read and run commands, but the
 * file-editing tools are withheld: a plan changes nothing in the worktree.
 *
 * The SDK passes Claude Code's messages through without validating them, so every field this
 * module relies on is checked with zod; a message of an unexpected shape is skipped, not trusted.
 */
import { randomUUID } from "node:crypto";
import type { Options, Query, SDKUserMessage } from "@anthropic-ai/claude-agent-sdk";
import { z } from "zod";
import type { TaskEvent, TaskResult, TaskSpec } from "../protocol/messages";
import type { PermissionMode } from "./config";
import type { AgentLog } from "./output";

// ---- what we read from the SDK ----

const SystemInitSchema = z.looseObject({ type: z.literal("system"), subtype: z.literal("init"), session_id: z.string().min(1) });

const TextBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string() });
const ToolUseBlockSchema = z.looseObject({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });
const ToolResultBlockSchema = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.unknown())]).optional(),
  is_error: z.boolean().optional(),
});

const AssistantSchema = z.looseObject({
  type: z.literal("assistant"),
  message: z.looseObject({ content: z.array(z.unknown()) }),
  parent_tool_use_id: z.string().nullable().optional(),
});
const UserSchema = z.looseObject({
  type: z.literal("user"),
  message: z.looseObject({ content: z.union([z.string(), z.array(z.unknown())]) }),
  parent_tool_use_id: z.string().nullable().optional(),
});

const count = z.number().int().nonnegative().optional();
const ResultSchema = z.looseObject({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean(),
  result: z.string().optional(),
  errors: z.array(z.string()).optional(),
  total_cost_usd: z.number().nonnegative(),
  usage: z
    .looseObject({ input_tokens: count, output_tokens: count, cache_creation_input_tokens: count, cache_read_input_tokens: count })
    .optional(),
  session_id: z.string().min(1),
  queued_turn_count: count,
  user_message_uuid: z.string().optional(),
  user_message_uuids: z.array(z.string()).optional(),
  /** With `outputFormat`: the answer, which Claude Code has already checked against the schema. */
  structured_output: z.unknown().optional(),
});
type SdkResult = z.infer<typeof ResultSchema>;

// ---- options and outcome ----

export interface RunOptions {
  spec: TaskSpec;
  /** The worktree. */
  cwd: string;
  /** `pathToClaudeCodeExecutable`; null for the Claude Code bundled with the SDK. */
  claudePath: string | null;
  permissionMode: PermissionMode;
  allowedTools: string[];
  /** Claude Code's whole environment (the SDK's `env` replaces, never merges): keep HOME and PATH. */
  env: Record<string, string | undefined>;
  /** The last running total this agent recorded for a Claude session. */
  lastTotalFor: (claudeSessionId: string) => number | undefined;
  onEvent: (event: TaskEvent) => void;
  /** As soon as Claude Code names its session (system/init). */
  onSession?: (claudeSessionId: string) => void;
  log?: AgentLog;
}

export type RunOutcome =
  | { kind: "finished"; result: TaskResult }
  /** `cancel()` was called: the lease is gone and nothing is reported. */
  | { kind: "cancelled"; claudeSessionId: string | null; totalCostUsd: number | null };

/** The tools that write files, withheld from a planning task (which only reads). */
export const PLANNING_WITHHELD_TOOLS = ["Edit", "Write", "NotebookEdit"] as const;

const MAX_TEXT = 50_000;
const MAX_TOOL_INPUT = 2_000;
const MAX_TOOL_RESULT = 4_000;
const PR_URL = /https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/pull\/\d+/g;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text);
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;

/** The run's share of a session's running total. A total below the baseline means the session's count restarted. */
export function runCost(totalUsd: number, baselineUsd: number): number {
  return round(totalUsd >= baselineUsd ? totalUsd - baselineUsd : totalUsd);
}

/** A queue of user messages that the SDK reads as the prompt; ending it lets Claude Code exit. */
class PromptQueue implements AsyncIterable<SDKUserMessage> {
  #items: SDKUserMessage[] = [];
  #closed = false;
  #wake: (() => void) | null = null;

  get closed(): boolean {
    return this.#closed;
  }

  push(text: string, uuid: string): boolean {
    if (this.#closed) return false;
    this.#items.push({ type: "user", message: { role: "user", content: text }, parent_tool_use_id: null, uuid: uuid as SDKUserMessage["uuid"] });
    this.#wake?.();
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SDKUserMessage> {
    for (;;) {
      const next = this.#items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }
}

export class TaskRun {
  readonly spec: TaskSpec;
  readonly #options: RunOptions;
  readonly #prompts = new PromptQueue();
  readonly #abort = new AbortController();
  #query: Query | null = null;
  #outcome: Promise<RunOutcome> | null = null;
  #ended = false;

  #sessionId: string | null = null;
  #startedSent = false;
  #unanswered: string[] = [];
  #results: SdkResult[] = [];
  #lastText = "";
  #pendingTools = new Map<string, { name: string; input: string }>();
  #prUrls = new Set<string>();

  #stopRequested = false;
  #cancelled = false;
  #graceTimer: NodeJS.Timeout | null = null;
  #stderr = "";

  constructor(options: RunOptions) {
    this.spec = options.spec;
    this.#options = options;
    const uuid = randomUUID();
    this.#prompts.push(options.spec.prompt, uuid);
    this.#unanswered.push(uuid);
  }

  get claudeSessionId(): string | null {
    return this.#sessionId;
  }

  /** Starts Claude Code with the task's prompt (and any follow-ups pushed before). Never rejects. */
  start(): Promise<RunOutcome> {
    this.#outcome ??= this.#run();
    return this.#outcome;
  }

  /** A follow-up into the running session; false once the session has ended (or is ending). */
  prompt(text: string): boolean {
    if (this.#ended || this.#stopRequested) return false;
    const uuid = randomUUID();
    if (!this.#prompts.push(text, uuid)) return false;
    this.#unanswered.push(uuid);
    return true;
  }

  /** Interrupts the turn (its result still comes, with its cost); aborts if the run has not ended after `graceMs`. */
  stop(graceMs: number): void {
    if (this.#ended || this.#stopRequested) return;
    this.#stopRequested = true;
    this.#prompts.close();
    if (this.#query) {
      this.#query.interrupt().catch((error: unknown) => this.#options.log?.warn(`interrupting task ${this.spec.taskId}: ${describe(error)}`));
    }
    this.#graceTimer = setTimeout(() => {
      if (!this.#ended) {
        this.#options.log?.warn(`task ${this.spec.taskId} did not stop within ${graceMs} ms: aborting Claude Code`);
        this.#abort.abort();
      }
    }, graceMs);
  }

  /** The lease is gone: kill Claude Code now; the outcome is `cancelled`. */
  cancel(): void {
    if (this.#ended) return;
    this.#cancelled = true;
    this.#prompts.close();
    this.#abort.abort();
  }

  async #run(): Promise<RunOutcome> {
    const { spec, log } = this.#options;
    const startedAt = Date.now();
    let thrown: unknown = null;
    try {
      // Stopped or cancelled before it began (during the worktree set-up): Claude Code never starts.
      // The SDK is loaded with the first task: an idle agent does not carry its ~30 MB.
      if (!this.#stopRequested && !this.#cancelled) {
        const { query } = await import("@anthropic-ai/claude-agent-sdk");
        if (!this.#stopRequested && !this.#cancelled) this.#query = query({ prompt: this.#prompts, options: this.#sdkOptions() });
      }
      if (this.#query) for await (const message of this.#query) this.#onMessage(message);
    } catch (error) {
      thrown = error;
    } finally {
      this.#ended = true;
      this.#prompts.close();
      if (this.#graceTimer) clearTimeout(this.#graceTimer);
    }
    this.#flushTools();
    const last = this.#results.at(-1) ?? null;
    const totalCostUsd = last ? last.total_cost_usd : null;
    if (this.#cancelled) return { kind: "cancelled", claudeSessionId: this.#sessionId, totalCostUsd };
    if (thrown && last && !last.is_error) log?.warn(`task ${spec.taskId}: Claude Code ended with an error after its result: ${describe(thrown)}`);
    return { kind: "finished", result: this.#result(last, thrown, Date.now() - startedAt) };
  }

  #sdkOptions(): Options {
    const { spec, cwd, claudePath, permissionMode, allowedTools, env } = this.#options;
    const options: Options = {
      cwd,
      systemPrompt: spec.systemPromptAppend
        ? { type: "preset", preset: "claude_code", append: spec.systemPromptAppend }
        : { type: "preset", preset: "claude_code" },
      permissionMode,
      allowedTools,
      settingSources: [],
      env,
      abortController: this.#abort,
      stderr: (data: string) => {
        this.#stderr = (this.#stderr + data).slice(-4_000);
      },
    };
    if (permissionMode === "bypassPermissions") options.allowDangerouslySkipPermissions = true;
    if (spec.maxBudgetUsd !== null) options.maxBudgetUsd = spec.maxBudgetUsd;
    if (spec.resumeClaudeSessionId) options.resume = spec.resumeClaudeSessionId;
    if (claudePath) options.pathToClaudeCodeExecutable = claudePath;
    if (spec.outputSchema) {
      options.outputFormat = { type: "json_schema", schema: spec.outputSchema };
      options.disallowedTools = [...PLANNING_WITHHELD_TOOLS];
    }
    return options;
  }

  #onMessage(raw: unknown): void {
    const type = (raw as { type?: unknown } | null)?.type;
    if (type === "system") {
      const init = SystemInitSchema.safeParse(raw);
      if (init.success) this.#onInit(init.data.session_id);
    } else if (type === "assistant") {
      const parsed = AssistantSchema.safeParse(raw);
      if (parsed.success) this.#onAssistant(parsed.data.message.content, parsed.data.parent_tool_use_id ?? null);
      else this.#skip(type, parsed.error);
    } else if (type === "user") {
      const parsed = UserSchema.safeParse(raw);
      if (parsed.success && Array.isArray(parsed.data.message.content)) this.#onToolResults(parsed.data.message.content);
    } else if (type === "result") {
      const parsed = ResultSchema.safeParse(raw);
      if (parsed.success) this.#onResult(parsed.data);
      else this.#skip(type, parsed.error);
    }
  }

  #onInit(sessionId: string): void {
    this.#sessionId = sessionId;
    if (this.#startedSent) return;
    this.#startedSent = true;
    this.#options.onSession?.(sessionId);
    this.#options.onEvent({ kind: "started", worktreePath: this.#options.cwd, claudeSessionId: sessionId });
  }

  #onAssistant(content: unknown[], parentToolUseId: string | null): void {
    for (const block of content) {
      const text = TextBlockSchema.safeParse(block);
      if (text.success) {
        this.#collectPrUrls(text.data.text);
        if (parentToolUseId) continue; // a subagent's chatter: only its tool result is reported
        if (text.data.text.trim()) {
          this.#lastText = text.data.text;
          this.#options.onEvent({ kind: "text", text: clip(text.data.text, MAX_TEXT) });
        }
        continue;
      }
      const tool = ToolUseBlockSchema.safeParse(block);
      if (tool.success && !parentToolUseId) {
        this.#pendingTools.set(tool.data.id, { name: tool.data.name, input: clip(stringify(tool.data.input), MAX_TOOL_INPUT) });
      }
    }
  }

  #onToolResults(content: unknown[]): void {
    for (const block of content) {
      const parsed = ToolResultBlockSchema.safeParse(block);
      if (!parsed.success) continue;
      const output = toolResultText(parsed.data.content);
      this.#collectPrUrls(output);
      const tool = this.#pendingTools.get(parsed.data.tool_use_id);
      if (!tool) continue;
      this.#pendingTools.delete(parsed.data.tool_use_id);
      const result = parsed.data.is_error ? `error: ${output}` : output;
      this.#options.onEvent({ kind: "tool", tool: tool.name, input: tool.input, result: clip(result, MAX_TOOL_RESULT) });
    }
  }

  #onResult(result: SdkResult): void {
    this.#flushTools();
    this.#results.push(result);
    this.#sessionId = result.session_id;
    if (result.result) this.#collectPrUrls(result.result);
    const answered = result.user_message_uuids ?? (result.user_message_uuid ? [result.user_message_uuid] : []);
    if (answered.length > 0) this.#unanswered = this.#unanswered.filter((u) => !answered.includes(u));
    else this.#unanswered.shift();
    // Keep the session open only while a turn is known to be coming; a follow-up already written
    // to Claude Code's stdin is still read before it sees the end of its input.
    const more = result.queued_turn_count !== undefined ? result.queued_turn_count > 0 : this.#unanswered.length > 0;
    if (this.#stopRequested || !more) this.#prompts.close();
  }

  /** Tools whose result never came (the turn was interrupted): reported without one. */
  #flushTools(): void {
    for (const tool of this.#pendingTools.values()) this.#options.onEvent({ kind: "tool", tool: tool.name, input: tool.input, result: null });
    this.#pendingTools.clear();
  }

  #collectPrUrls(text: string): void {
    for (const match of text.matchAll(PR_URL)) this.#prUrls.add(match[0]);
  }

  #skip(type: string, error: z.ZodError): void {
    this.#options.log?.warn(`task ${this.spec.taskId}: skipped a ${type} message of an unexpected shape: ${error.issues[0]?.message ?? "invalid"}`);
  }

  #result(last: SdkResult | null, thrown: unknown, durationMs: number): TaskResult {
    const { spec } = this.#options;
    const totalCostUsd = last ? last.total_cost_usd : null;
    let costUsd: number | null = null;
    if (last) {
      const baselines = [spec.resumeClaudeSessionId ? this.#options.lastTotalFor(spec.resumeClaudeSessionId) : undefined];
      if (spec.resumeClaudeSessionId) baselines.push(spec.previousTotalCostUsd ?? undefined);
      if (last.session_id !== spec.resumeClaudeSessionId) baselines.push(this.#options.lastTotalFor(last.session_id));
      costUsd = runCost(last.total_cost_usd, Math.max(0, ...baselines.filter((b): b is number => b !== undefined)));
    }
    const usage = this.#results.map((r) => r.usage);
    const inputTokens = last ? usage.reduce((sum, u) => sum + (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0), 0) : null;
    const outputTokens = last ? usage.reduce((sum, u) => sum + (u?.output_tokens ?? 0), 0) : null;
    // The agent fills in which follow-ups went in (it knows their message ids).
    const structuredOutput = last?.structured_output ?? null;
    const common = { claudeSessionId: this.#sessionId, totalCostUsd, costUsd, inputTokens, outputTokens, durationMs, prUrls: [...this.#prUrls], promptIds: [], structuredOutput };

    if (this.#stopRequested) {
      const text = last?.result || this.#lastText || "Stopped before Claude Code produced a result.";
      const error = last
        ? null
        : this.#query
          ? "stopped: Claude Code did not end the turn within the grace period and was aborted"
          : "stopped before Claude Code started";
      return { status: "stopped", text, error, ...common };
    }
    if (last && !last.is_error && last.subtype === "success") {
      if (spec.outputSchema && structuredOutput === null) {
        // Claude Code always attaches it to a successful structured turn; without it the plan is lost.
        const error = "Claude Code ended without the structured output the task asked for";
        return { status: "failed", text: last.result || error, error, ...common };
      }
      return { status: "succeeded", text: last.result ?? this.#lastText, error: null, ...common };
    }
    const error = last ? resultError(last) : thrown ? describe(thrown) : `Claude Code exited without a result${this.#stderr ? `: ${this.#stderr.trim().slice(-1_000)}` : ""}`;
    return { status: "failed", text: last?.result || error, error, ...common };
  }
}

function resultError(result: SdkResult): string {
  const detail = result.errors?.length ? result.errors.join("; ") : result.result || null;
  switch (result.subtype) {
    case "error_max_budget_usd":
      return `the run reached its budget${detail ? `: ${detail}` : ""}`;
    case "error_max_structured_output_retries":
      return `Claude Code could not produce output that fits the task's schema${detail ? `: ${detail}` : ""}`;
    case "error_max_turns":
      return `the run reached its maximum number of turns${detail ? `: ${detail}` : ""}`;
    default:
      return detail ?? `Claude Code ended with ${result.subtype}`;
  }
}

function toolResultText(content: string | unknown[] | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      const text = TextBlockSchema.safeParse(block);
      return text.success ? text.data.text : `[${(block as { type?: string } | null)?.type ?? "content"}]`;
    })
    .join("\n");
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return String(value);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
