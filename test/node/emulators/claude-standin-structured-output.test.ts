/**
 * The stand-in Claude Code driven by the real Claude Agent SDK with
 * `outputFormat: { type: "json_schema", schema }`: the SDK passes the schema as
 * `--json-schema`, and the stand-in answers as the CLI does, through the
 * StructuredOutput tool with `structured_output` on the result, or with the
 * CLI's retry-exhausted error when the scripted output does not fit.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SDKMessage, query } from "@anthropic-ai/claude-agent-sdk";
import { afterEach, describe, expect, it } from "vitest";

const STANDIN = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/claude-standin/claude-standin");

const PLAN_SCHEMA = {
  type: "object",
  required: ["subtasks"],
  additionalProperties: false,
  properties: {
    subtasks: {
      type: "array",
      maxItems: 15,
      items: {
        type: "object",
        required: ["key", "title", "dependsOn"],
        properties: { key: { type: "string", minLength: 1 }, title: { type: "string" }, dependsOn: { type: "array", items: { type: "string" } } },
      },
    },
  },
};

const PLAN = {
  subtasks: [
    { key: "api", title: "API", dependsOn: [] },
    { key: "ui", title: "UI", dependsOn: [] },
    { key: "e2e", title: "E2E", dependsOn: ["api", "ui"] },
  ],
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "standin-structured-")));
  dirs.push(dir);
  return dir;
}

async function run(prompt: string, options: { schema?: object; env?: Record<string, string> } = {}) {
  const dir = stateDir();
  const messages: SDKMessage[] = [];
  let thrown: unknown = null;
  try {
    for await (const message of query({
      prompt,
      options: {
        pathToClaudeCodeExecutable: STANDIN,
        cwd: dir,
        settingSources: [],
        env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`, CLAUDE_STANDIN_STATE_DIR: dir, ...options.env },
        ...(options.schema ? { outputFormat: { type: "json_schema" as const, schema: options.schema as Record<string, unknown> } } : {}),
      },
    })) {
      messages.push(message);
    }
  } catch (error) {
    thrown = error;
  }
  const result = messages.find((m) => m.type === "result") as (SDKMessage & { type: "result" } & Record<string, unknown>) | undefined;
  const sessionId = result?.session_id as string | undefined;
  const launch = sessionId ? (JSON.parse(readFileSync(join(dir, `${sessionId}.launch.json`), "utf8")) as { argv: string[]; jsonSchema: unknown }) : null;
  return { messages, result, launch, thrown };
}

const scenario = (value: object) => `Plan the work.\nSTANDIN_SCENARIO: ${JSON.stringify(value)}`;

describe("the stand-in Claude with --json-schema", () => {
  it("receives the schema from the SDK and answers the scripted structured_output through the StructuredOutput tool", async () => {
    const { messages, result, launch, thrown } = await run(scenario({ steps: [{ text: "Splitting into three parts." }, { cost: 0.02 }], structuredOutput: PLAN }), { schema: PLAN_SCHEMA });
    expect(thrown).toBeNull();
    expect(launch!.argv).toContain(`--json-schema=${JSON.stringify(PLAN_SCHEMA)}`);
    expect(launch!.jsonSchema).toEqual(PLAN_SCHEMA);
    expect(result).toMatchObject({ subtype: "success", is_error: false, structured_output: PLAN, total_cost_usd: 0.02 });
    const toolUse = messages.flatMap((m) => (m.type === "assistant" ? m.message.content : [])).find((b) => b.type === "tool_use");
    expect(toolUse).toMatchObject({ name: "StructuredOutput", input: PLAN });
  });

  it("takes the scripted answer from CLAUDE_STANDIN_SCENARIO too, like its other behaviours", async () => {
    const { result } = await run("Plan the work.", { schema: PLAN_SCHEMA, env: { CLAUDE_STANDIN_SCENARIO: JSON.stringify({ steps: [], structuredOutput: { subtasks: [] } }) } });
    expect(result).toMatchObject({ subtype: "success", structured_output: { subtasks: [] } });
  });

  it("ends as the CLI does when the scripted output does not fit the schema: error_max_structured_output_retries", async () => {
    const bad = { subtasks: [{ key: "api", title: "API" }] };
    const { result, thrown } = await run(scenario({ steps: [], structuredOutput: bad }), { schema: PLAN_SCHEMA });
    expect(result).toMatchObject({ subtype: "error_max_structured_output_retries", is_error: true });
    expect(String(result!.result)).toContain("$.subtasks[0].dependsOn is required");
    expect(result!.structured_output).toBeUndefined();
    expect(thrown).not.toBeNull();
  });

  it("ends the same way when no structured output was scripted", async () => {
    const { result } = await run(scenario({ steps: [{ text: "I would rather not split this." }] }), { schema: PLAN_SCHEMA });
    expect(result).toMatchObject({ subtype: "error_max_structured_output_retries", is_error: true });
  });

  it("without --json-schema, a scripted structuredOutput is ignored and the result carries none", async () => {
    const { result, launch } = await run(scenario({ steps: [{ text: "done" }], structuredOutput: PLAN }));
    expect(launch!.jsonSchema).toBeNull();
    expect(result).toMatchObject({ subtype: "success", result: "done" });
    expect(result!.structured_output).toBeUndefined();
  });
});
