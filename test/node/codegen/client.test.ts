import { describe, expect, it } from "vitest";
import { CodegenClient, CodegenError, isRetryable } from "../../../src/codegen/client";
import { BASE_URL, clientWith, codegenWire, json, ORG_ID, rejectionOf, run, TOKEN } from "./codegen-wire";

const ORG = `${BASE_URL}/v1/organizations/${ORG_ID}`;

/** The contract's own example of an agent run. */
const CONTRACT_RUN = {
  id: 789,
  organization_id: 123,
  status: "COMPLETE",
  created_at: "2025-10-01T12:00:00Z",
  web_url: "https://app.codegen.com/agent/trace/789",
  result: "…markdown…",
  summary: "…",
  source_type: "API",
  metadata: { linear_session_id: "sess-uuid" },
  github_pull_requests: [
    {
      id: 55,
      title: "Fix ENG-123",
      url: "https://github.com/acme/app/pull/42",
      created_at: "2025-10-01T12:20:00Z",
      head_branch_name: "codegen/eng-123",
    },
  ],
};

async function codegenError(promise: Promise<unknown>): Promise<CodegenError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(CodegenError);
  return error as CodegenError;
}

function expectAuthorised(headers: Headers) {
  expect(headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  expect(headers.get("accept")).toBe("application/json");
}

describe("CodegenClient: what goes on the wire", () => {
  it("createRun POSTs the prompt with snake_case fields and returns the run", async () => {
    const { client, requests } = clientWith(() => json(200, CONTRACT_RUN));
    const created = await client.createRun({
      prompt: "Fix ENG-123",
      metadata: { linear_session_id: "sess-uuid", cyrus_attempt_key: "k1" },
      repoId: 7,
      agentType: "claude_code",
      model: "claude-sonnet",
    });
    expect(created).toEqual(CONTRACT_RUN);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe("POST");
    expect(request!.url.href).toBe(`${ORG}/agent/run`);
    expectAuthorised(request!.headers);
    expect(request!.headers.get("content-type")).toBe("application/json");
    expect(request!.body).toEqual({
      prompt: "Fix ENG-123",
      metadata: { linear_session_id: "sess-uuid", cyrus_attempt_key: "k1" },
      repo_id: 7,
      agent_type: "claude_code",
      model: "claude-sonnet",
    });
  });

  it("createRun sends only the prompt when nothing else is given", async () => {
    const { client, requests } = clientWith(() => json(200, run(1)));
    await client.createRun({ prompt: "p" });
    expect(requests[0]!.body).toEqual({ prompt: "p" });
  });

  it("getRun GETs the run by id, with no body", async () => {
    const { client, requests } = clientWith(() => json(200, run(789, { status: "RUNNING" })));
    const got = await client.getRun(789);
    expect(got).toMatchObject({ id: 789, status: "RUNNING" });
    expect(requests[0]!.method).toBe("GET");
    expect(requests[0]!.url.href).toBe(`${ORG}/agent/run/789`);
    expect(requests[0]!.body).toBeUndefined();
    expect(requests[0]!.headers.get("content-type")).toBeNull();
    expectAuthorised(requests[0]!.headers);
  });

  it("listRuns GETs the runs page with source_type, skip and limit", async () => {
    const page = { items: [run(2), run(1)], total: 2, page: 1, size: 100, pages: 1 };
    const { client, requests } = clientWith(() => json(200, page));
    expect(await client.listRuns({ sourceType: "API", skip: 100, limit: 100 })).toEqual(page);
    const url = requests[0]!.url;
    expect(url.origin + url.pathname).toBe(`${ORG}/agent/runs`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ source_type: "API", skip: "100", limit: "100" });
    expect(requests[0]!.method).toBe("GET");
    expectAuthorised(requests[0]!.headers);
  });

  it("listRuns with no arguments sends no query", async () => {
    const { client, requests } = clientWith(() => json(200, { items: [], total: 0, page: 1, size: 100, pages: 0 }));
    await client.listRuns();
    expect(requests[0]!.url.search).toBe("");
  });

  it.each([0, 101, 1.5, -1])("listRuns refuses limit %s before sending anything", async (limit) => {
    const { client, requests } = clientWith(() => json(200, { items: [] }));
    await expect(client.listRuns({ limit })).rejects.toThrow(RangeError);
    expect(requests).toHaveLength(0);
  });

  it("resumeRun POSTs agent_run_id and prompt to /agent/run/resume", async () => {
    const { client, requests } = clientWith(() => json(200, run(789, { status: "ACTIVE" })));
    const resumed = await client.resumeRun({ agentRunId: 789, prompt: "Also update the docs" });
    expect(resumed.id).toBe(789);
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.url.href).toBe(`${ORG}/agent/run/resume`);
    expect(requests[0]!.body).toEqual({ agent_run_id: 789, prompt: "Also update the docs" });
    expect(requests[0]!.headers.get("content-type")).toBe("application/json");
    expectAuthorised(requests[0]!.headers);
  });

  it("getLogs GETs the alpha logs path with skip and limit, and validates the entries", async () => {
    const logs = {
      ...run(789),
      web_url: "https://app.codegen.com/agent/trace/789",
      result: null,
      logs: [
        { agent_run_id: 789, created_at: "2025-10-01T12:01:00Z", tool_name: "ripgrep", message_type: "ACTION", thought: "Search", observation: { matches: 3 }, tool_input: { q: "x" }, tool_output: "3 matches" },
        { agent_run_id: 789, created_at: "2025-10-01T12:02:00Z", message_type: "FINAL_ANSWER", thought: null, observation: "done", future_field: true },
      ],
      total_logs: 2,
      page: 1,
      size: 50,
      pages: 1,
    };
    const { client, requests } = clientWith(() => json(200, logs));
    const got = await client.getLogs(789, { skip: 0, limit: 50 });
    expect(got.logs).toHaveLength(2);
    expect(got.logs[1]).toMatchObject({ message_type: "FINAL_ANSWER", future_field: true });
    const url = requests[0]!.url;
    expect(url.origin + url.pathname).toBe(`${BASE_URL}/v1/alpha/organizations/${ORG_ID}/agent/run/789/logs`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ skip: "0", limit: "50" });
    expect(requests[0]!.method).toBe("GET");
    expectAuthorised(requests[0]!.headers);
  });

  it.each([
    ["removeFromPr", "remove-from-pr"],
    ["ban", "ban"],
  ] as const)("%s POSTs {agent_run_id} to /agent/run/%s", async (method, path) => {
    const { client, requests } = clientWith(() => json(200, {}));
    await expect(client[method](789)).resolves.toBeUndefined();
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.url.href).toBe(`${ORG}/agent/run/${path}`);
    expect(requests[0]!.body).toEqual({ agent_run_id: 789 });
    expectAuthorised(requests[0]!.headers);
  });

  it("ban accepts an empty 200 body: the answer is untyped", async () => {
    const { client } = clientWith(() => new Response(null, { status: 200 }));
    await expect(client.ban(789)).resolves.toBeUndefined();
  });

  it("keeps a path prefix in baseUrl and drops its trailing slash", async () => {
    const { client, requests } = clientWith(() => json(200, run(5)), { baseUrl: "https://proxy.test/codegen/" });
    await client.getRun(5);
    expect(requests[0]!.url.href).toBe(`https://proxy.test/codegen/v1/organizations/${ORG_ID}/agent/run/5`);
  });

  it("gives every request its own live timeout signal", async () => {
    const { client, requests } = clientWith(() => json(200, run(5)));
    await client.getRun(5);
    await client.getRun(5);
    const [first, second] = requests.map((r) => r.signal);
    expect(first).toBeInstanceOf(AbortSignal);
    expect(second).toBeInstanceOf(AbortSignal);
    expect(first).not.toBe(second);
    expect(first!.aborted).toBe(false);
  });

  it.each([0, -3, 1.5, Number.NaN])("refuses run id %s before sending anything", async (id) => {
    const { client, requests } = clientWith(() => json(200, run(1)));
    await expect(client.getRun(id)).rejects.toThrow(RangeError);
    await expect(client.ban(id)).rejects.toThrow(RangeError);
    expect(requests).toHaveLength(0);
  });

  it("validates its options eagerly", () => {
    const { fetch } = codegenWire(() => json(200, {}));
    const ok = { baseUrl: BASE_URL, apiToken: TOKEN, orgId: ORG_ID, fetch };
    expect(() => new CodegenClient(ok)).not.toThrow();
    expect(() => new CodegenClient({ ...ok, baseUrl: "not a url" })).toThrow(TypeError);
    expect(() => new CodegenClient({ ...ok, baseUrl: "ftp://x.test" })).toThrow(TypeError);
    expect(() => new CodegenClient({ ...ok, apiToken: " " })).toThrow(TypeError);
    expect(() => new CodegenClient({ ...ok, orgId: 0 })).toThrow(RangeError);
    expect(() => new CodegenClient({ ...ok, orgId: 1.5 })).toThrow(RangeError);
    expect(() => new CodegenClient({ ...ok, timeoutMs: 0 })).toThrow(RangeError);
  });
});

describe("CodegenClient: answers checked against the schema", () => {
  it("accepts the contract's example and keeps unknown fields, at the top and inside pull requests", async () => {
    const answer = {
      ...CONTRACT_RUN,
      brand_new_field: { nested: 1 },
      github_pull_requests: [{ ...CONTRACT_RUN.github_pull_requests[0], state: "open", merged: false, draft: true }],
    };
    const { client } = clientWith(() => json(200, answer));
    const got = await client.getRun(789);
    expect(got).toEqual(answer);
    expect(got.github_pull_requests?.[0]).toMatchObject({ state: "open", merged: false, draft: true });
  });

  it("accepts a run with only id and organization_id, and with every nullable field null", async () => {
    const nulls = { status: null, created_at: null, web_url: null, result: null, summary: null, source_type: null, metadata: null, github_pull_requests: null };
    const { client } = clientWith((r) => json(200, r.url.pathname.endsWith("/1") ? { id: 1, organization_id: 123 } : { id: 2, organization_id: 123, ...nulls }));
    expect(await client.getRun(1)).toEqual({ id: 1, organization_id: 123 });
    expect(await client.getRun(2)).toEqual({ id: 2, organization_id: 123, ...nulls });
  });

  it.each([
    ["an id that is a string", { ...run(789), id: "789" }],
    ["no organization_id", { id: 789 }],
    ["a fractional id", { ...run(789), id: 789.5 }],
    ["a pull request without a url", { ...run(789), github_pull_requests: [{ id: 1, title: "t" }] }],
    ["metadata that is a list", { ...run(789), metadata: ["x"] }],
    ["null", null],
  ])("a 200 with %s is a final error saying the answer was malformed", async (_, body) => {
    const { client } = clientWith(() => json(200, body));
    const error = await codegenError(client.getRun(789));
    expect(error.kind).toBe("final");
    expect(error.status).toBe(200);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.message).toMatch(/^Codegen's answer when we tried to read run 789 was malformed: /);
  });

  it("a 200 that is not JSON is malformed", async () => {
    const { client } = clientWith(() => new Response("<html>maintenance</html>", { status: 200 }));
    const error = await codegenError(client.getRun(789));
    expect(error).toMatchObject({ kind: "final", status: 200, message: "Codegen's answer when we tried to read run 789 was malformed: the body is not JSON" });
  });

  it("a malformed 200 on create is final but outcomeUnknown: a run was made and we cannot tell which", async () => {
    const { client } = clientWith(() => json(200, { ok: true }));
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error.kind).toBe("final");
    expect(error.outcomeUnknown).toBe(true);
    expect(error.message).toContain("malformed");
  });

  it("a list whose items are malformed is malformed", async () => {
    const { client } = clientWith(() => json(200, { items: [{ id: 1 }], total: 1, page: 1, size: 100, pages: 1 }));
    const error = await codegenError(client.listRuns());
    expect(error).toMatchObject({ kind: "final" });
    expect(error.message).toContain("malformed");
  });

  it("logs without a logs array are malformed", async () => {
    const { client } = clientWith(() => json(200, run(789)));
    const error = await codegenError(client.getLogs(789));
    expect(error.kind).toBe("final");
    expect(error.message).toMatch(/^Codegen's answer when we tried to read the logs of run 789 was malformed/);
  });
});

describe("CodegenClient: status classes", () => {
  it.each([
    [400, "final"],
    [401, "final"],
    [402, "final"],
    [403, "final"],
    [404, "final"],
    [409, "final"],
    [422, "final"],
    [408, "retryable"],
    [429, "retryable"],
    [500, "retryable"],
    [502, "retryable"],
    [503, "retryable"],
    [504, "retryable"],
  ] as const)("HTTP %i on a read is %s, never outcomeUnknown", async (status, kind) => {
    const { client } = clientWith(() => json(status, { message: "something", status_code: status }));
    const error = await codegenError(client.getRun(789));
    expect(error.kind).toBe(kind);
    expect(isRetryable(error)).toBe(kind === "retryable");
    expect(error.status).toBe(status);
    expect(error.outcomeUnknown).toBe(false);
  });

  it.each([
    [402, "create", "Alloted agent runs for the current billing plan have been reached. Please upgrade your plan to continue.", "Codegen refused to create the run (402): "],
    [403, "create", "You do not have access to this organization.", "Codegen refused to create the run (403): "],
    [404, "create", "No repos found in the organization. Please add some repos and try again.", "Codegen refused to create the run (404): "],
    [401, "get", "Unauthorized - Invalid or missing API token", "Codegen refused to read run 789 (401): "],
    [404, "get", "Agent run not found.", "Codegen refused to read run 789 (404): "],
    [404, "resume", "Agent run not found.", "Codegen refused to resume run 789 (404): "],
    [404, "logs", "Agent run not found.", "Codegen refused to read the logs of run 789 (404): "],
    [400, "ban", "Bad request", "Codegen refused to ban run 789 (400): "],
  ] as const)("HTTP %i on %s is final and keeps Codegen's message", async (status, call, message, prefix) => {
    const { client } = clientWith(() => json(status, { message, status_code: status }));
    const calls = {
      create: () => client.createRun({ prompt: "p" }),
      get: () => client.getRun(789),
      resume: () => client.resumeRun({ agentRunId: 789, prompt: "p" }),
      logs: () => client.getLogs(789),
      ban: () => client.ban(789),
    };
    const error = await codegenError(calls[call]());
    expect(error.kind).toBe("final");
    expect(error.status).toBe(status);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.message).toBe(prefix + message);
  });

  it("HTTP 422 keeps FastAPI's detail: where and what", async () => {
    const detail = [
      { loc: ["body", "prompt"], msg: "Field required", type: "missing" },
      { loc: ["body", "repo_id"], msg: "Input should be a valid integer", type: "int_parsing" },
    ];
    const { client } = clientWith(() => json(422, { detail }));
    const error = await codegenError(client.createRun({ prompt: "" }));
    expect(error).toMatchObject({ kind: "final", status: 422, outcomeUnknown: false });
    expect(error.message).toBe("Codegen refused to create the run (422): body.prompt: Field required; body.repo_id: Input should be a valid integer");
  });

  it("HTTP 429 in the older {detail} shape keeps the detail", async () => {
    const { client } = clientWith(() => json(429, { detail: "Rate limit exceeded", status_code: 429 }));
    const error = await codegenError(client.getRun(789));
    expect(error.message).toBe("Codegen refused to read run 789 (429): Rate limit exceeded");
  });

  it("an HTML 502 from a proxy is reported by its status text, not its markup", async () => {
    const { client } = clientWith(() => new Response("<html><body>Bad gateway</body></html>", { status: 502, statusText: "Bad Gateway" }));
    const error = await codegenError(client.getRun(789));
    expect(error).toMatchObject({ kind: "retryable", status: 502, message: "Codegen failed to read run 789 (502): Bad Gateway" });
  });

  it("a plain-text 500 is quoted, shortened when long", async () => {
    const { client } = clientWith(() => new Response(`Internal   error\n${"x".repeat(1000)}`, { status: 500 }));
    const error = await codegenError(client.getRun(789));
    expect(error.message.startsWith("Codegen failed to read run 789 (500): Internal error xxx")).toBe(true);
    expect(error.message.length).toBeLessThan(400);
  });

  it("an error with no body and no status text still says which status", async () => {
    const { client } = clientWith(() => new Response(null, { status: 503 }));
    const error = await codegenError(client.getRun(789));
    expect(error.message).toBe("Codegen failed to read run 789 (503): no details given");
  });
});

describe("CodegenClient: Retry-After", () => {
  const NOW = 1_760_000_000_000; // a whole second, as HTTP dates are

  it("429 with Retry-After in seconds: retryable with retryAfterMs", async () => {
    const { client } = clientWith(() => json(429, { message: "Rate limit exceeded. Please try again later.", status_code: 429 }, { "retry-after": "12" }), { now: () => NOW });
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error).toMatchObject({ kind: "retryable", status: 429, retryAfterMs: 12_000, outcomeUnknown: false });
    expect(error.message).toBe("Codegen refused to create the run (429): Rate limit exceeded. Please try again later.");
  });

  it("429 with Retry-After as an HTTP date: retryAfterMs is the time until then", async () => {
    const at = new Date(NOW + 90_000).toUTCString();
    const { client } = clientWith(() => json(429, { message: "slow down" }, { "retry-after": at }), { now: () => NOW });
    const error = await codegenError(client.getRun(789));
    expect(error).toMatchObject({ kind: "retryable", retryAfterMs: 90_000 });
  });

  it("a Retry-After date already past means retry now (0)", async () => {
    const at = new Date(NOW - 60_000).toUTCString();
    const { client } = clientWith(() => json(429, { message: "slow down" }, { "retry-after": at }), { now: () => NOW });
    expect(await codegenError(client.getRun(789))).toMatchObject({ retryAfterMs: 0 });
  });

  it.each(["soon", "", "-5", "1e3"])("an unreadable Retry-After %j is ignored", async (value) => {
    const { client } = clientWith(() => json(429, { message: "slow down" }, { "retry-after": value }), { now: () => NOW });
    const error = await codegenError(client.getRun(789));
    expect(error.kind).toBe("retryable");
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("503 with Retry-After carries it too", async () => {
    const { client } = clientWith(() => json(503, { message: "maintenance" }, { "retry-after": "30" }));
    expect(await codegenError(client.getRun(789))).toMatchObject({ kind: "retryable", retryAfterMs: 30_000 });
  });

  it("a final 400 ignores Retry-After", async () => {
    const { client } = clientWith(() => json(400, { message: "bad" }, { "retry-after": "30" }));
    const error = await codegenError(client.getRun(789));
    expect(error.kind).toBe("final");
    expect(error.retryAfterMs).toBeUndefined();
  });
});

describe("CodegenClient: no answer, and answers that do not say what happened", () => {
  it("a TypeError from fetch on create is retryable and outcomeUnknown, with the cause in the message", async () => {
    const { client } = clientWith(() => {
      throw new TypeError("fetch failed", { cause: new Error("read ECONNRESET") });
    });
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    expect(error.status).toBeUndefined();
    expect(error.message).toBe("Could not reach Codegen to create the run: TypeError: fetch failed (read ECONNRESET)");
  });

  it("an AbortError from fetch on create is retryable and outcomeUnknown", async () => {
    const { client } = clientWith(() => {
      throw new DOMException("The operation was aborted.", "AbortError");
    });
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    expect(error.message).toContain("AbortError");
  });

  it("the request timeout fires: retryable, outcomeUnknown on create, and says how long we waited", async () => {
    const { client, requests } = clientWith(
      (request) =>
        new Promise<Response>((_, reject) => {
          request.signal!.addEventListener("abort", () => reject(request.signal!.reason));
        }),
      { timeoutMs: 20 },
    );
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(requests[0]!.signal!.aborted).toBe(true);
    expect(error).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    expect(error.message).toBe("Codegen did not answer within 0.02 s when we tried to create the run");
  });

  it("a body lost after a 200 on create is retryable and outcomeUnknown: the run exists", async () => {
    const { client } = clientWith(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.error(new TypeError("terminated"));
            },
          }),
          { status: 200 },
        ),
    );
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error).toMatchObject({ kind: "retryable", outcomeUnknown: true });
  });

  it.each([500, 502, 503, 504])("HTTP %i on create is retryable and outcomeUnknown", async (status) => {
    const { client } = clientWith(() => json(status, { message: "upstream", status_code: status }));
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error).toMatchObject({ kind: "retryable", status, outcomeUnknown: true });
    expect(error.message).toBe(`Codegen failed to create the run (${status}): upstream`);
  });

  it("HTTP 502 on resume and ban is outcomeUnknown too: both change something", async () => {
    const { client } = clientWith(() => json(502, { message: "upstream" }));
    expect(await codegenError(client.resumeRun({ agentRunId: 789, prompt: "p" }))).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    expect(await codegenError(client.ban(789))).toMatchObject({ kind: "retryable", outcomeUnknown: true });
  });

  it("HTTP 502 on get, list and logs is retryable, not outcomeUnknown: a read changes nothing", async () => {
    const { client } = clientWith(() => json(502, { message: "upstream" }));
    for (const call of [() => client.getRun(789), () => client.listRuns(), () => client.getLogs(789)]) {
      expect(await codegenError(call())).toMatchObject({ kind: "retryable", status: 502, outcomeUnknown: false });
    }
  });

  it("a network failure on get is retryable, not outcomeUnknown", async () => {
    const { client } = clientWith(() => {
      throw new TypeError("fetch failed");
    });
    expect(await codegenError(client.getRun(789))).toMatchObject({ kind: "retryable", outcomeUnknown: false });
  });

  it("429 on create is not outcomeUnknown: the rate limiter answers before anything is created", async () => {
    const { client } = clientWith(() => json(429, { message: "Rate limit exceeded. Please try again later." }));
    expect(await codegenError(client.createRun({ prompt: "p" }))).toMatchObject({ kind: "retryable", outcomeUnknown: false });
  });
});

describe("CodegenClient: the token stays secret", () => {
  const scenarios: [string, () => Response | Promise<Response>][] = [
    ["402", () => json(402, { message: "Alloted agent runs…", status_code: 402 })],
    ["401 echoing the token", () => json(401, { message: `Invalid token ${TOKEN}`, status_code: 401 })],
    ["422 echoing the header", () => json(422, { detail: [{ loc: ["header", "authorization"], msg: `Bearer ${TOKEN} is invalid`, type: "value_error" }] })],
    ["500 in plain text", () => new Response(`boom Authorization: Bearer ${TOKEN}`, { status: 500 })],
    ["malformed 200", () => json(200, { id: TOKEN, organization_id: 1 })],
    [
      "a fetch error quoting the header",
      () => {
        throw new TypeError(`Headers.append: "Bearer ${TOKEN}" is an invalid header value.`, { cause: new Error(TOKEN) });
      },
    ],
  ];

  it.each(scenarios)("%s: not in String(error), message, stack or JSON", async (_, answer) => {
    const { client } = clientWith(answer);
    const error = await codegenError(client.createRun({ prompt: "p" }));
    expect(error.message.length).toBeGreaterThan(0);
    for (const text of [String(error), error.message, error.stack ?? "", JSON.stringify(error)]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(JSON.stringify(error)).toContain(`"kind":"${error.kind}"`);
  });

  it("a timeout: not in the error either", async () => {
    const { client } = clientWith(
      (request) => new Promise<Response>((_, reject) => request.signal!.addEventListener("abort", () => reject(request.signal!.reason))),
      { timeoutMs: 10 },
    );
    const error = await codegenError(client.getRun(1));
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(TOKEN);
  });

  it("the client itself does not serialise the token", () => {
    const { client } = clientWith(() => json(200, {}));
    expect(JSON.stringify(client)).not.toContain(TOKEN);
    expect(String(client)).not.toContain(TOKEN);
    expect(Object.values(client)).not.toContain(TOKEN);
  });
});

describe("isRetryable", () => {
  it("is true only for a retryable CodegenError", () => {
    expect(isRetryable(new CodegenError({ kind: "retryable", message: "x" }))).toBe(true);
    expect(isRetryable(new CodegenError({ kind: "final", message: "x" }))).toBe(false);
    expect(isRetryable(new TypeError("fetch failed"))).toBe(false);
    expect(isRetryable({ kind: "retryable" })).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});
