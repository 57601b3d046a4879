/**
 * What an issue asks for, read from what Linear tells us about it: the kind of
 * agent that suits it, how big it is, whether it should run away from a
 * developer's machine, whether it can run beside other work, and whether the
 * issue names an executor itself. Every conclusion leaves a human-readable
 * signal, so the reason shown in Linear can say why.
 *
 * The rules, most explicit first:
 *
 * Agent type
 *   1. Labels, through the label map (case-insensitive; the workspace's map
 *      overrides the defaults label by label). Linear does not order labels
 *      meaningfully, so when labels disagree the most specific type wins:
 *      orchestrator, then scoper, then debugger, then builder.
 *   2. Keywords in the text, read in order: the request (what the user asked
 *      of the agent just now), the title, then the description. The first of
 *      those that has any keyword decides, with the same precedence inside it.
 *      Descriptions come last because they mention errors and plans in
 *      passing far more often than titles do.
 *   3. Otherwise builder.
 *   Guidance is not read for the type: it is written once for every issue of
 *   a team or workspace, so its words say nothing about this one.
 *
 * Complexity
 *   1. The Linear estimate when there is one: 0-2 low, 3-7 medium, 8+ high
 *      (an estimate is a person's deliberate sizing; nothing here overrides it).
 *   2. A size label: `complex`, `large` → high; `small`, `quick`,
 *      `good first issue` → low (both kinds present → high: sizing up only
 *      costs a cloud run, sizing down can put real work on a laptop).
 *   3. Otherwise one score, the sum of
 *        description words      <100: 0   100-299: 1   300+: 2
 *        acceptance criteria    0-2:  0   3-5:     1   6+:   2
 *        sub-issues             0-2:  0   3-5:     2   6+:   4
 *      read as 0-1 low, 2-3 medium, 4+ high. Sub-issues weigh 2 and 4 so that
 *      3+ sub-issues alone make it at least medium and 6+ alone make it high;
 *      text alone reaches high only when it is both long and specific.
 *      A direct-chat session has no description, so its request stands in.
 *
 * Isolation: a label such as security, infra, migration or dependencies, or
 * text that mentions a database migration, credentials or production. Such
 * work belongs in a sandbox, not beside a developer's keys.
 *
 * Parallelizable: 2+ sub-issues, an orchestrator, or the label `parallel`.
 *
 * Executor override: `[executor=local]` or `[executor=cloud]`, case-insensitive,
 * in the request, else the description, else the guidance (a team can pin its
 * work). The first tag found wins; an unknown value is ignored with a signal.
 */

export const AGENT_TYPES = ["orchestrator", "builder", "debugger", "scoper"] as const;
export type AgentType = (typeof AGENT_TYPES)[number];
export type Complexity = "low" | "medium" | "high";
export type ExecutorKind = "local" | "cloud";

export interface TaskInput {
  title: string;
  description: string | null;
  labels: string[];
  /** Linear points; null when the issue has no estimate. */
  estimate: number | null;
  /** Linear priority: 0 none, 1 urgent, 2 high, 3 medium, 4 low. */
  priority: number;
  subIssueCount: number;
  /** Linear's agent guidance for the workspace and team. */
  guidance: string[];
  /** What the user asked of the agent in this session, if anything. */
  promptText: string | null;
}

export interface TaskAnalysisOptions {
  /** Label → agent type, case-insensitive; merged over {@link DEFAULT_LABEL_MAP}. */
  labelMap?: Record<string, AgentType>;
}

export interface TaskAnalysis {
  agentType: AgentType;
  complexity: Complexity;
  needsIsolation: boolean;
  parallelizable: boolean;
  executorOverride: ExecutorKind | null;
  /** Why, one short line per conclusion, e.g. "label bug → debugger". */
  signals: string[];
}

export const DEFAULT_LABEL_MAP: Readonly<Record<string, AgentType>> = {
  bug: "debugger",
  defect: "debugger",
  regression: "debugger",
  feature: "builder",
  enhancement: "builder",
  refactor: "builder",
  chore: "builder",
  epic: "orchestrator",
  orchestrate: "orchestrator",
  "multi-repo": "orchestrator",
  research: "scoper",
  spike: "scoper",
  investigation: "scoper",
  scoping: "scoper",
  design: "scoper",
};

/** Most specific first: when two signals of the same strength disagree, the earlier type wins. */
const TYPE_PRECEDENCE: readonly AgentType[] = ["orchestrator", "scoper", "debugger", "builder"];

const TEXT_KEYWORDS: readonly { type: AgentType; pattern: RegExp }[] = [
  {
    type: "orchestrator",
    pattern: /\b(break(?:ing)?\s+(?:it\s+|this\s+)?down|breakdown|epic|sub-?\s?issues?|across\s+(?:multiple\s+|several\s+|all\s+|the\s+)?(?:repos|repositories))\b/i,
  },
  // "out of scope" and "in scope" are template headings, not a request to scope.
  { type: "scoper", pattern: /\b(investigat\w*|research\w*|spike|(?<!\b(?:out of|in)\s)scope|scoping|plan)\b/i },
  { type: "debugger", pattern: /\b(fix(?:es|ed|ing)?|bugs?|errors?|crash(?:es|ed|ing)?|fail(?:s|ed|ing|ures?)?|broken)\b/i },
];

const HIGH_SIZE_LABELS = new Set(["complex", "large"]);
const LOW_SIZE_LABELS = new Set(["small", "quick", "good first issue"]);
const ISOLATION_LABELS = new Set(["security", "infra", "infrastructure", "migration", "migrations", "dependencies", "dependency"]);
const ISOLATION_TEXT: readonly { what: string; pattern: RegExp }[] = [
  { what: "a database migration", pattern: /\b(database|db|schema)\s+migrations?\b/i },
  { what: "credentials", pattern: /\bcredentials?\b/i },
  { what: "production", pattern: /\bproduction\b/i },
];
const OVERRIDE_TAG = /\[executor\s*=\s*([^\]\s]*)\s*\]/i;

const norm = (label: string) => label.trim().toLowerCase();

export function analyzeTask(input: TaskInput, options: TaskAnalysisOptions = {}): TaskAnalysis {
  const labelMap = resolveLabelMap(options.labelMap);
  const labels = input.labels.map(norm);
  const signals: string[] = [];
  const agentType = agentTypeOf(input, labels, labelMap, signals);
  const complexity = complexityOf(input, labels, signals);
  const needsIsolation = isolationOf(input, labels, signals);
  const parallelizable = parallelOf(input, labels, agentType, signals);
  const executorOverride = overrideOf(input, signals);
  return { agentType, complexity, needsIsolation, parallelizable, executorOverride, signals };
}

function resolveLabelMap(custom: Record<string, AgentType> | undefined): Map<string, AgentType> {
  const map = new Map<string, AgentType>(Object.entries(DEFAULT_LABEL_MAP));
  for (const [label, type] of Object.entries(custom ?? {})) {
    if (!AGENT_TYPES.includes(type)) throw new RangeError(`labelMap["${label}"] must be one of ${AGENT_TYPES.join(", ")}, got ${String(type)}`);
    map.set(norm(label), type);
  }
  return map;
}

function agentTypeOf(input: TaskInput, labels: string[], labelMap: Map<string, AgentType>, signals: string[]): AgentType {
  const byLabel = labels.flatMap((label) => {
    const type = labelMap.get(label);
    return type ? [{ label, type }] : [];
  });
  const labelled = TYPE_PRECEDENCE.map((type) => byLabel.find((l) => l.type === type)).find((l) => l !== undefined);
  if (labelled) {
    signals.push(`label ${labelled.label} → ${labelled.type}`);
    return labelled.type;
  }
  const sources: [string, string | null][] = [
    ["request", input.promptText],
    ["title", input.title],
    ["description", input.description],
  ];
  for (const [where, text] of sources) {
    if (!text) continue;
    for (const { type, pattern } of TEXT_KEYWORDS) {
      const found = text.match(pattern)?.[1];
      if (found) {
        signals.push(`${where} mentions "${found.toLowerCase()}" → ${type}`);
        return type;
      }
    }
  }
  signals.push("no type label or keyword → builder");
  return "builder";
}

function complexityOf(input: TaskInput, labels: string[], signals: string[]): Complexity {
  const { estimate } = input;
  if (estimate !== null && Number.isFinite(estimate) && estimate >= 0) {
    const level: Complexity = estimate <= 2 ? "low" : estimate < 8 ? "medium" : "high";
    signals.push(`estimate ${estimate} → ${level}`);
    return level;
  }
  const high = labels.find((l) => HIGH_SIZE_LABELS.has(l));
  if (high) {
    signals.push(`label ${high} → high`);
    return "high";
  }
  const low = labels.find((l) => LOW_SIZE_LABELS.has(l));
  if (low) {
    signals.push(`label ${low} → low`);
    return "low";
  }
  const text = input.description?.trim() ? input.description : (input.promptText ?? "");
  // Markdown punctuation ("-", "[ ]", "##") is not a word.
  const words = text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
  const criteria = countAcceptanceCriteria(text);
  const subIssues = Math.max(0, input.subIssueCount);
  const wordPoints = words >= 300 ? 2 : words >= 100 ? 1 : 0;
  const criteriaPoints = criteria >= 6 ? 2 : criteria >= 3 ? 1 : 0;
  const subIssuePoints = subIssues >= 6 ? 4 : subIssues >= 3 ? 2 : 0;
  const score = wordPoints + criteriaPoints + subIssuePoints;
  const level: Complexity = score >= 4 ? "high" : score >= 2 ? "medium" : "low";
  signals.push(
    `${words} words (+${wordPoints}), ${criteria} acceptance criteria (+${criteriaPoints}), ${subIssues} sub-issues (+${subIssuePoints}): score ${score} → ${level}`,
  );
  return level;
}

const CHECKBOX = /^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s+\S/;
const BULLET = /^\s*(?:[-*+]|\d+[.)])\s+\S/;
/** A markdown heading, a line that is only bold text, or a label of up to four words ending in a colon. */
const HEADING = /^\s*(?:#{1,6}\s+(.+?)\s*#*\s*$|\*\*(.+?)\*\*:?\s*$|__(.+?)__:?\s*$|([A-Za-z][\w/-]*(?:[ \t]+[\w/-]+){0,3}):\s*$)/;

/**
 * Acceptance criteria in a description: every markdown checkbox, plus every
 * bullet under an "Acceptance criteria" heading (up to the next heading).
 * A checkbox under that heading counts once.
 */
export function countAcceptanceCriteria(text: string | null): number {
  if (!text) return 0;
  let count = 0;
  let inSection = false;
  for (const line of text.split(/\r?\n/)) {
    const heading = BULLET.test(line) ? null : line.match(HEADING);
    if (heading) {
      const title = heading.slice(1).find((t) => t !== undefined) ?? "";
      inSection = /acceptance\s+criteri(?:a|on)/i.test(title);
      continue;
    }
    if (CHECKBOX.test(line) || (inSection && BULLET.test(line))) count++;
  }
  return count;
}

function isolationOf(input: TaskInput, labels: string[], signals: string[]): boolean {
  const label = labels.find((l) => ISOLATION_LABELS.has(l));
  if (label) {
    signals.push(`label ${label} → needs isolation`);
    return true;
  }
  const text = [input.title, input.description, input.promptText].filter(Boolean).join("\n");
  const mention = ISOLATION_TEXT.find(({ pattern }) => pattern.test(text));
  if (mention) {
    signals.push(`text mentions ${mention.what} → needs isolation`);
    return true;
  }
  return false;
}

function parallelOf(input: TaskInput, labels: string[], agentType: AgentType, signals: string[]): boolean {
  if (input.subIssueCount >= 2) {
    signals.push(`${input.subIssueCount} sub-issues → parallelizable`);
    return true;
  }
  if (agentType === "orchestrator") {
    signals.push("orchestrator → parallelizable");
    return true;
  }
  if (labels.includes("parallel")) {
    signals.push("label parallel → parallelizable");
    return true;
  }
  return false;
}

function overrideOf(input: TaskInput, signals: string[]): ExecutorKind | null {
  const sources: [string, string | null][] = [
    ["request", input.promptText],
    ["description", input.description],
    ...input.guidance.map((g): [string, string] => ["guidance", g]),
  ];
  for (const [where, text] of sources) {
    const value = text?.match(OVERRIDE_TAG)?.[1]?.toLowerCase();
    if (value === undefined) continue;
    if (value === "local" || value === "cloud") {
      signals.push(`${where} says [executor=${value}] → ${value}`);
      return value;
    }
    signals.push(`${where} names an unknown executor [executor=${value}]: ignored`);
  }
  return null;
}
