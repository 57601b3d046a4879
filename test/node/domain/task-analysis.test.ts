import { describe, expect, it } from "vitest";
import { analyzeTask, countAcceptanceCriteria, DEFAULT_LABEL_MAP, type AgentType, type TaskInput } from "../../../src/domain/task-analysis";

function input(overrides: Partial<TaskInput> = {}): TaskInput {
  return {
    title: "Add a settings page",
    description: null,
    labels: [],
    estimate: null,
    priority: 0,
    subIssueCount: 0,
    guidance: [],
    promptText: null,
    ...overrides,
  };
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");
const checkboxes = (n: number) => Array.from({ length: n }, (_, i) => `- [ ] criterion ${i}`).join("\n");

describe("analyzeTask: agent type", () => {
  const cases: { name: string; input: TaskInput; labelMap?: Record<string, AgentType>; type: AgentType; signal: string }[] = [
    { name: "a type label", input: input({ labels: ["bug"] }), type: "debugger", signal: "label bug → debugger" },
    { name: "labels are case-insensitive and trimmed", input: input({ labels: [" Bug "] }), type: "debugger", signal: "label bug → debugger" },
    { name: "orchestrator beats debugger among labels", input: input({ labels: ["bug", "epic"] }), type: "orchestrator", signal: "label epic → orchestrator" },
    { name: "scoper beats builder among labels", input: input({ labels: ["feature", "research"] }), type: "scoper", signal: "label research → scoper" },
    { name: "debugger beats builder among labels", input: input({ labels: ["feature", "bug"] }), type: "debugger", signal: "label bug → debugger" },
    { name: "scoper beats debugger among labels", input: input({ labels: ["regression", "spike"] }), type: "scoper", signal: "label spike → scoper" },
    { name: "an unmapped label is skipped", input: input({ labels: ["frontend", "chore"] }), type: "builder", signal: "label chore → builder" },
    {
      name: "a label beats the text",
      input: input({ labels: ["feature"], title: "Fix the crash", promptText: "investigate" }),
      type: "builder",
      signal: "label feature → builder",
    },
    {
      name: "a custom label",
      input: input({ labels: ["hotfix"] }),
      labelMap: { HotFix: "debugger" },
      type: "debugger",
      signal: "label hotfix → debugger",
    },
    {
      name: "a custom label overrides a default",
      input: input({ labels: ["bug"], title: "Fix it" }),
      labelMap: { bug: "scoper" },
      type: "scoper",
      signal: "label bug → scoper",
    },
    {
      name: "defaults survive a custom map",
      input: input({ labels: ["epic"] }),
      labelMap: { hotfix: "debugger" },
      type: "orchestrator",
      signal: "label epic → orchestrator",
    },
    { name: "title keyword fix", input: input({ title: "Fix login redirect" }), type: "debugger", signal: 'title mentions "fix" → debugger' },
    { name: "title keyword crash", input: input({ title: "App crashes on start" }), type: "debugger", signal: 'title mentions "crashes" → debugger' },
    { name: "title keyword failing", input: input({ title: "Failing test in CI" }), type: "debugger", signal: 'title mentions "failing" → debugger' },
    { name: "title keyword error", input: input({ title: "500 error on export" }), type: "debugger", signal: 'title mentions "error" → debugger' },
    { name: "title keyword bug", input: input({ title: "Bug in totals" }), type: "debugger", signal: 'title mentions "bug" → debugger' },
    { name: "title keyword investigate", input: input({ title: "Investigate slow queries" }), type: "scoper", signal: 'title mentions "investigate" → scoper' },
    { name: "title keyword research", input: input({ title: "Research payment providers" }), type: "scoper", signal: 'title mentions "research" → scoper' },
    { name: "title keyword spike", input: input({ title: "Spike: websockets" }), type: "scoper", signal: 'title mentions "spike" → scoper' },
    { name: "title keyword scope", input: input({ title: "Scope the new importer" }), type: "scoper", signal: 'title mentions "scope" → scoper' },
    { name: "title keyword plan", input: input({ title: "Plan the migration to v2" }), type: "scoper", signal: 'title mentions "plan" → scoper' },
    { name: "break down", input: input({ title: "Break down the billing work" }), type: "orchestrator", signal: 'title mentions "break down" → orchestrator' },
    { name: "epic in the text", input: input({ title: "Checkout epic" }), type: "orchestrator", signal: 'title mentions "epic" → orchestrator' },
    { name: "sub-issues in the text", input: input({ title: "Create sub-issues for search" }), type: "orchestrator", signal: 'title mentions "sub-issues" → orchestrator' },
    { name: "across repos", input: input({ title: "Rename the API across repos" }), type: "orchestrator", signal: 'title mentions "across repos" → orchestrator' },
    {
      name: "orchestrator beats scoper and debugger in one text",
      input: input({ title: "Plan and break down the fix" }),
      type: "orchestrator",
      signal: 'title mentions "break down" → orchestrator',
    },
    { name: "scoper beats debugger in one text", input: input({ title: "Plan the fix for the crash" }), type: "scoper", signal: 'title mentions "plan" → scoper' },
    {
      name: "the request is read before the title",
      input: input({ title: "Fix the crash", promptText: "Please research what causes this first" }),
      type: "scoper",
      signal: 'request mentions "research" → scoper',
    },
    {
      name: "the title is read before the description",
      input: input({ title: "Fix the export", description: "We should research options later" }),
      type: "debugger",
      signal: 'title mentions "fix" → debugger',
    },
    {
      name: "the description when the request and title say nothing",
      input: input({ title: "Export to CSV", promptText: "please take a look", description: "It fails for large files" }),
      type: "debugger",
      signal: 'description mentions "fails" → debugger',
    },
    {
      name: "words that only contain a keyword do not count",
      input: input({ title: "Update prefix handling on the planet page", description: "Errorless debugging tools" }),
      type: "builder",
      signal: "no type label or keyword → builder",
    },
    {
      name: '"out of scope" and "in scope" are not a request to scope',
      input: input({ description: "Out of scope: mobile.\nIn scope: web only." }),
      type: "builder",
      signal: "no type label or keyword → builder",
    },
    {
      name: "guidance is not read for the type",
      input: input({ guidance: ["Always fix lint errors and investigate failing tests"] }),
      type: "builder",
      signal: "no type label or keyword → builder",
    },
    { name: "builder by default", input: input(), type: "builder", signal: "no type label or keyword → builder" },
  ];

  it.each(cases)("$name", ({ input: task, labelMap, type, signal }) => {
    const analysis = analyzeTask(task, labelMap ? { labelMap } : undefined);
    expect(analysis.agentType).toBe(type);
    expect(analysis.signals).toContain(signal);
  });

  it.each(Object.entries(DEFAULT_LABEL_MAP))("default label %s → %s", (label, type) => {
    expect(analyzeTask(input({ labels: [label] })).agentType).toBe(type);
  });

  it("has the documented defaults", () => {
    expect(DEFAULT_LABEL_MAP).toEqual({
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
    });
  });

  it("rejects a label map with an unknown type eagerly", () => {
    expect(() => analyzeTask(input(), { labelMap: { x: "reviewer" as AgentType } })).toThrow(RangeError);
  });
});

describe("analyzeTask: complexity", () => {
  const cases: { name: string; input: TaskInput; complexity: "low" | "medium" | "high"; signal?: string }[] = [
    { name: "estimate 0", input: input({ estimate: 0 }), complexity: "low", signal: "estimate 0 → low" },
    { name: "estimate 1", input: input({ estimate: 1 }), complexity: "low", signal: "estimate 1 → low" },
    { name: "estimate 2", input: input({ estimate: 2 }), complexity: "low", signal: "estimate 2 → low" },
    { name: "estimate 3", input: input({ estimate: 3 }), complexity: "medium", signal: "estimate 3 → medium" },
    { name: "estimate 5", input: input({ estimate: 5 }), complexity: "medium", signal: "estimate 5 → medium" },
    { name: "estimate 7", input: input({ estimate: 7 }), complexity: "medium", signal: "estimate 7 → medium" },
    { name: "estimate 8", input: input({ estimate: 8 }), complexity: "high", signal: "estimate 8 → high" },
    { name: "estimate 21", input: input({ estimate: 21 }), complexity: "high", signal: "estimate 21 → high" },
    {
      name: "the estimate beats a size label and sub-issues",
      input: input({ estimate: 1, labels: ["large"], subIssueCount: 10 }),
      complexity: "low",
      signal: "estimate 1 → low",
    },
    {
      name: "the estimate beats a long description",
      input: input({ estimate: 2, description: `${words(400)}\n${checkboxes(8)}` }),
      complexity: "low",
      signal: "estimate 2 → low",
    },
    { name: "a negative estimate is ignored", input: input({ estimate: -1 }), complexity: "low", signal: "0 words (+0), 0 acceptance criteria (+0), 0 sub-issues (+0): score 0 → low" },
    { name: "a NaN estimate is ignored", input: input({ estimate: Number.NaN, subIssueCount: 6 }), complexity: "high" },
    { name: "label large", input: input({ labels: ["Large"] }), complexity: "high", signal: "label large → high" },
    { name: "label complex", input: input({ labels: ["complex"] }), complexity: "high", signal: "label complex → high" },
    { name: "label small", input: input({ labels: ["small"] }), complexity: "low", signal: "label small → low" },
    { name: "label quick", input: input({ labels: ["quick"] }), complexity: "low", signal: "label quick → low" },
    { name: "label good first issue", input: input({ labels: ["Good First Issue"] }), complexity: "low", signal: "label good first issue → low" },
    { name: "high and low size labels: high", input: input({ labels: ["small", "complex"] }), complexity: "high", signal: "label complex → high" },
    { name: "a small label beats many sub-issues", input: input({ labels: ["small"], subIssueCount: 9 }), complexity: "low", signal: "label small → low" },
    {
      name: "a large label beats a short description",
      input: input({ labels: ["large"], description: "tiny" }),
      complexity: "high",
      signal: "label large → high",
    },
    { name: "nothing at all", input: input(), complexity: "low", signal: "0 words (+0), 0 acceptance criteria (+0), 0 sub-issues (+0): score 0 → low" },
    { name: "markdown punctuation is not a word", input: input({ description: "## - [ ] * > --- |" }), complexity: "low", signal: "0 words (+0), 0 acceptance criteria (+0), 0 sub-issues (+0): score 0 → low" },
    { name: "99 words", input: input({ description: words(99) }), complexity: "low", signal: "99 words (+0), 0 acceptance criteria (+0), 0 sub-issues (+0): score 0 → low" },
    { name: "100 words alone", input: input({ description: words(100) }), complexity: "low", signal: "100 words (+1), 0 acceptance criteria (+0), 0 sub-issues (+0): score 1 → low" },
    { name: "300 words alone", input: input({ description: words(300) }), complexity: "medium", signal: "300 words (+2), 0 acceptance criteria (+0), 0 sub-issues (+0): score 2 → medium" },
    { name: "2 criteria", input: input({ description: checkboxes(2) }), complexity: "low" },
    { name: "3 criteria alone", input: input({ description: checkboxes(3) }), complexity: "low" },
    { name: "6 criteria alone", input: input({ description: checkboxes(6) }), complexity: "medium" },
    {
      name: "100 words and 3 criteria",
      input: input({ description: `${words(100)}\n${checkboxes(3)}` }),
      complexity: "medium",
      signal: "106 words (+1), 3 acceptance criteria (+1), 0 sub-issues (+0): score 2 → medium",
    },
    {
      name: "300 words and 6 criteria",
      input: input({ description: `${words(300)}\n${checkboxes(6)}` }),
      complexity: "high",
      signal: "312 words (+2), 6 acceptance criteria (+2), 0 sub-issues (+0): score 4 → high",
    },
    { name: "2 sub-issues", input: input({ subIssueCount: 2 }), complexity: "low" },
    { name: "3 sub-issues: at least medium", input: input({ subIssueCount: 3 }), complexity: "medium", signal: "0 words (+0), 0 acceptance criteria (+0), 3 sub-issues (+2): score 2 → medium" },
    { name: "5 sub-issues", input: input({ subIssueCount: 5 }), complexity: "medium" },
    { name: "6 sub-issues: high", input: input({ subIssueCount: 6 }), complexity: "high", signal: "0 words (+0), 0 acceptance criteria (+0), 6 sub-issues (+4): score 4 → high" },
    { name: "3 sub-issues and 100 words", input: input({ subIssueCount: 3, description: words(100) }), complexity: "medium" },
    { name: "3 sub-issues and 300 words", input: input({ subIssueCount: 3, description: words(300) }), complexity: "high" },
    { name: "a direct chat's request stands in for the description", input: input({ promptText: words(300) }), complexity: "medium" },
    { name: "a description beats the request for size", input: input({ description: "short", promptText: words(300) }), complexity: "low" },
  ];

  it.each(cases)("$name", ({ input: task, complexity, signal }) => {
    const analysis = analyzeTask(task);
    expect(analysis.complexity).toBe(complexity);
    if (signal) expect(analysis.signals).toContain(signal);
  });
});

describe("countAcceptanceCriteria", () => {
  it.each([
    ["no text", null, 0],
    ["plain text", "Just do it.\nNo lists here.", 0],
    ["checkboxes of every kind", "- [ ] one\n* [x] two\n+ [X] three\n1. [ ] four\n2) [ ] five", 5],
    ["a checkbox without text is not a criterion", "- [ ]\n- [ ] real", 1],
    ["bullets outside a criteria section do not count", "## Context\n- a\n- b\n- c", 0],
    ["bullets under a markdown heading", "## Acceptance criteria\n- a\n- b\n1. c\n\n## Notes\n- not this", 3],
    ["bullets under a bold heading", "**Acceptance Criteria:**\n- a\n- b", 2],
    ["bullets under a plain label", "Acceptance criteria:\n* a\n* b\n* c\nNotes:\n* d", 3],
    ["a checkbox under the heading counts once", "## Acceptance criteria\n- [ ] a\n- b", 2],
    ["a long sentence ending in a colon does not end the section", "## Acceptance criteria\nThe endpoint must do all of the following:\n- a\n- b", 2],
    ["a bullet ending in a colon is still a bullet", "## Acceptance criteria\n- Given:\n- When:", 2],
    ["checkboxes anywhere, bullets only in the section", "## Acceptance criteria\n- a\n## Tasks\n- [ ] b\n- c", 2],
    ["CRLF line endings", "## Acceptance criteria\r\n- a\r\n- b\r\n", 2],
  ] as const)("%s", (_name, text, expected) => {
    expect(countAcceptanceCriteria(text)).toBe(expected);
  });
});

describe("analyzeTask: isolation", () => {
  it.each([
    ["label security", input({ labels: ["Security"] }), true, "label security → needs isolation"],
    ["label infra", input({ labels: ["infra"] }), true, "label infra → needs isolation"],
    ["label migration", input({ labels: ["migration"] }), true, "label migration → needs isolation"],
    ["label dependencies", input({ labels: ["dependencies"] }), true, "label dependencies → needs isolation"],
    ["a database migration in the description", input({ description: "Needs a database migration for the new column" }), true, "text mentions a database migration → needs isolation"],
    ["DB migrations in the title", input({ title: "Squash DB migrations" }), true, "text mentions a database migration → needs isolation"],
    ["credentials in the request", input({ promptText: "rotate the credentials" }), true, "text mentions credentials → needs isolation"],
    ["production", input({ description: "Only happens in Production" }), true, "text mentions production → needs isolation"],
    ["reproduction is not production", input({ description: "Reproduction steps: click twice" }), false, null],
    ["a migration that is not a database one", input({ description: "Finish the migration to the new design tokens" }), false, null],
    ["guidance does not count", input({ guidance: ["Never touch production"] }), false, null],
    ["nothing", input(), false, null],
  ] as const)("%s", (_name, task, expected, signal) => {
    const analysis = analyzeTask(task);
    expect(analysis.needsIsolation).toBe(expected);
    if (signal) expect(analysis.signals).toContain(signal);
    else expect(analysis.signals.filter((s) => s.includes("isolation"))).toEqual([]);
  });
});

describe("analyzeTask: parallelizable", () => {
  it.each([
    ["2 sub-issues", input({ subIssueCount: 2 }), true, "2 sub-issues → parallelizable"],
    ["1 sub-issue", input({ subIssueCount: 1 }), false, null],
    ["an orchestrator", input({ labels: ["epic"] }), true, "orchestrator → parallelizable"],
    ["label parallel", input({ labels: ["Parallel"] }), true, "label parallel → parallelizable"],
    ["none of these", input({ labels: ["bug"] }), false, null],
  ] as const)("%s", (_name, task, expected, signal) => {
    const analysis = analyzeTask(task);
    expect(analysis.parallelizable).toBe(expected);
    if (signal) expect(analysis.signals).toContain(signal);
    else expect(analysis.signals.filter((s) => s.includes("parallelizable"))).toEqual([]);
  });
});

describe("analyzeTask: executor override", () => {
  it.each([
    ["[executor=cloud] in the description", input({ description: "Do it.\n[executor=cloud]" }), "cloud", "description says [executor=cloud] → cloud"],
    ["case-insensitive", input({ description: "[EXECUTOR=Local]" }), "local", "description says [executor=local] → local"],
    ["spaces around =", input({ description: "[executor = cloud]" }), "cloud", "description says [executor=cloud] → cloud"],
    ["in the request", input({ promptText: "@cyrus [executor=local] please" }), "local", "request says [executor=local] → local"],
    ["the request beats the description", input({ promptText: "[executor=local]", description: "[executor=cloud]" }), "local", "request says [executor=local] → local"],
    ["in the guidance", input({ guidance: ["Be brief.", "[executor=cloud]"] }), "cloud", "guidance says [executor=cloud] → cloud"],
    ["the description beats the guidance", input({ description: "[executor=local]", guidance: ["[executor=cloud]"] }), "local", "description says [executor=local] → local"],
    ["an unknown value is ignored", input({ description: "[executor=gpu]" }), null, "description names an unknown executor [executor=gpu]: ignored"],
    ["an unknown value gives way to a later valid one", input({ promptText: "[executor=fast]", description: "[executor=cloud]" }), "cloud", "request names an unknown executor [executor=fast]: ignored"],
    ["the title is not read", input({ title: "[executor=cloud] fix" }), null, null],
    ["none", input({ description: "executor=cloud but not a tag" }), null, null],
  ] as const)("%s", (_name, task, expected, signal) => {
    const analysis = analyzeTask(task);
    expect(analysis.executorOverride).toBe(expected);
    if (signal) expect(analysis.signals).toContain(signal);
    else expect(analysis.signals.filter((s) => s.includes("executor"))).toEqual([]);
  });
});

describe("analyzeTask: the whole answer", () => {
  it("combines every conclusion with its signals, in order", () => {
    const analysis = analyzeTask(
      input({
        title: "Payments fail in production",
        description: "Customers see an error.\n[executor=cloud]",
        labels: ["bug", "security"],
        estimate: 8,
        subIssueCount: 2,
      }),
    );
    expect(analysis).toEqual({
      agentType: "debugger",
      complexity: "high",
      needsIsolation: true,
      parallelizable: true,
      executorOverride: "cloud",
      signals: [
        "label bug → debugger",
        "estimate 8 → high",
        "label security → needs isolation",
        "2 sub-issues → parallelizable",
        "description says [executor=cloud] → cloud",
      ],
    });
  });

  it("does not mutate its input", () => {
    const task = input({ labels: ["Bug", "Large"], guidance: ["x"] });
    const copy = structuredClone(task);
    analyzeTask(task, { labelMap: { Bug: "builder" } });
    expect(task).toEqual(copy);
  });
});
