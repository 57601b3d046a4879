/**
 * A run's log, generated from its segments and the clock: the prompt as a
 * USER_MESSAGE, then an entry every `logEvery` ms while it works (cycling
 * through plausible steps), then FINAL_ANSWER or ERROR when it ends.
 */
import type { RunRecord, Segment } from "./model";
import { CANCELLED, scriptedResult, segmentEnd, visiblePrs } from "./runs";
import { isSuccess } from "./scripts";
import type { AgentRunLog } from "./types";

/** Bounds a tiny `logEvery` on a run that never ends. */
const MAX_STEPS_PER_SEGMENT = 10_000;

type Step = Omit<AgentRunLog, "agent_run_id" | "created_at">;

const STEPS: Step[] = [
  {
    message_type: "PLAN_EVALUATION",
    tool_name: null,
    thought: "Reading the task and the repository layout to plan the change.",
    observation: null,
    tool_input: null,
    tool_output: null,
  },
  {
    message_type: "ACTION",
    tool_name: "ripgrep_search",
    thought: "Looking for where this behaviour is implemented.",
    observation: "Found 4 matches in 2 files.",
    tool_input: { query: "handleCheckout", file_extensions: [".ts"] },
    tool_output: "src/checkout/button.tsx:12\nsrc/checkout/button.tsx:48\nsrc/checkout/api.ts:7\nsrc/checkout/api.ts:31",
  },
  {
    message_type: "ACTION",
    tool_name: "view_file",
    thought: "Reading the component before editing it.",
    observation: "Viewed 120 lines.",
    tool_input: { filepath: "src/checkout/button.tsx" },
    tool_output: "export function CheckoutButton() { … }",
  },
  {
    message_type: "ACTION",
    tool_name: "edit_file",
    thought: "Applying the fix.",
    observation: "Edited src/checkout/button.tsx (+6 -2).",
    tool_input: { filepath: "src/checkout/button.tsx", edit: "onClick → onPointerUp" },
    tool_output: "ok",
  },
  {
    message_type: "ACTION",
    tool_name: "run_command",
    thought: "Running the tests.",
    observation: "Tests passed.",
    tool_input: { command: "npm test" },
    tool_output: "Test Files  12 passed (12)\n     Tests  86 passed (86)",
  },
  {
    message_type: "PLAN_EVALUATION",
    tool_name: null,
    thought: "The change works; checking what is left of the plan.",
    observation: null,
    tool_input: null,
    tool_output: null,
  },
];

function entry(run: RunRecord, atMs: number, step: Step): AgentRunLog {
  return {
    agent_run_id: run.id,
    created_at: new Date(atMs).toISOString(),
    tool_name: step.tool_name,
    message_type: step.message_type,
    thought: step.thought,
    observation: step.observation,
    tool_input: step.tool_input,
    tool_output: step.tool_output,
  };
}

function segmentLogs(run: RunRecord, segment: Segment, nowMs: number): AgentRunLog[] {
  const logs = [
    entry(run, segment.startedAtMs, { message_type: "USER_MESSAGE", tool_name: null, thought: null, observation: segment.prompt, tool_input: null, tool_output: null }),
  ];
  const end = segmentEnd(segment);
  const until = Math.min(nowMs, end);
  const every = segment.script.logEvery;
  if (every > 0) {
    for (let k = 1; k <= MAX_STEPS_PER_SEGMENT; k += 1) {
      const at = segment.startedAtMs + k * every;
      if (at > until || at >= end) break;
      logs.push(entry(run, at, STEPS[(k - 1) % STEPS.length]!));
    }
  }
  if (nowMs >= end && segment.cut?.reason !== "resumed") {
    const status = segment.cut ? CANCELLED : segment.script.finalStatus;
    logs.push(
      isSuccess(status)
        ? entry(run, end, { message_type: "FINAL_ANSWER", tool_name: null, thought: scriptedResult(segment, visiblePrs(run, end)), observation: null, tool_input: null, tool_output: null })
        : entry(run, end, { message_type: "ERROR", tool_name: null, thought: null, observation: `The agent run ended with status ${status}.`, tool_input: null, tool_output: null }),
    );
  }
  return logs;
}

/** Every entry so far, oldest first. */
export function runLogs(run: RunRecord, nowMs: number): AgentRunLog[] {
  return run.segments.flatMap((segment) => segmentLogs(run, segment, nowMs));
}
