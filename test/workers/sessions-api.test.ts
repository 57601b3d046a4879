/**
 * GET /api/sessions, /api/sessions/:id and /api/sessions/:id/logs (JSON and
 * Server-Sent Events) against rows seeded straight into D1, in workspaces of
 * each test's own, beside a second workspace whose rows must never show.
 * Expected orders and pages are computed here from the seeded rows.
 */
import { describe, expect, it } from "vitest";
import { api, env, seededWorkspace } from "./support";

const DAY = 86_400_000;

interface Session {
  id: string;
  workspaceId: string;
  status: string;
  executor?: "local" | "cloud" | null;
  repository?: string | null;
  createdAt: number;
  endedAt?: number | null;
  updatedAt?: number;
}

interface Event {
  id: string;
  sessionId: string;
  workspaceId: string;
  kind: string;
  summary: string;
  data?: Record<string, unknown> | null;
  createdAt: number;
}


async function seedSessions(sessions: Session[]): Promise<void> {
  const insert = env.DB.prepare(
    `INSERT INTO agent_sessions (id, workspace_id, issue_id, issue_identifier, issue_title, repository_id, repository_name, status, executor, created_at, updated_at, ended_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await env.DB.batch(
    sessions.map((s) =>
      insert.bind(
        s.id,
        s.workspaceId,
        `issue-${s.id}`,
        `ENG-${s.id.slice(-4)}`,
        `Issue of ${s.id}`,
        s.repository ? `repo-${s.repository}` : null,
        s.repository === undefined ? "web" : s.repository,
        s.status,
        s.executor ?? null,
        s.createdAt,
        s.updatedAt ?? s.createdAt,
        s.endedAt ?? null,
      ),
    ),
  );
}

async function seedEvents(events: Event[]): Promise<void> {
  const insert = env.DB.prepare("INSERT INTO session_events (id, session_id, workspace_id, kind, summary, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  await env.DB.batch(events.map((e) => insert.bind(e.id, e.sessionId, e.workspaceId, e.kind, e.summary, e.data ? JSON.stringify(e.data) : null, e.createdAt)));
}

async function seedRun(run: { id: string; workspaceId: string; sessionId: string; executor: string; startedAt: number; durationMs: number; outcome: string; costUsd: number; estimated: boolean; prUrls?: string[] }) {
  await env.DB.prepare(
    `INSERT INTO execution_metrics (id, workspace_id, session_id, repository_name, executor, started_at, ended_at, duration_ms, outcome, cost_usd, cost_estimated, pr_urls)
     VALUES (?, ?, ?, 'web', ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(run.id, run.workspaceId, run.sessionId, run.executor, run.startedAt, run.startedAt + run.durationMs, run.durationMs, run.outcome, run.costUsd, run.estimated ? 1 : 0, JSON.stringify(run.prUrls ?? []))
    .run();
}

interface ListBody {
  sessions: { id: string; status: string; executor: string | null; repository: string | null; createdAt: string; costUsd: number; runs: number }[];
  nextCursor: string | null;
}

const newestFirst = (a: Session, b: Session) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** 23 sessions over ten days, three of them created in the same millisecond, and one in another workspace. */
async function manySessions() {
  const ws = await seededWorkspace("Sessions");
  const other = await seededWorkspace("Other");
  const base = Date.parse("2026-05-01T00:00:00.000Z");
  const statuses = ["complete", "error", "active", "stopped", "awaiting_input"];
  const sessions: Session[] = Array.from({ length: 20 }, (_, i) => ({
    id: `s-${crypto.randomUUID()}`,
    workspaceId: ws,
    status: statuses[i % statuses.length]!,
    executor: i % 3 === 0 ? "cloud" : i % 3 === 1 ? "local" : null,
    repository: i % 4 === 0 ? "api" : "web",
    createdAt: base + i * 12 * 3_600_000,
  }));
  const tie = base + 5 * DAY + 1;
  for (let k = 0; k < 3; k++) sessions.push({ id: `t-${k}-${crypto.randomUUID()}`, workspaceId: ws, status: "complete", executor: "local", repository: "web", createdAt: tie });
  const foreign: Session = { id: `f-${crypto.randomUUID()}`, workspaceId: other, status: "complete", executor: "cloud", repository: "web", createdAt: base + DAY };
  await seedSessions([...sessions, foreign]);
  // A session the mirror has no executor for, whose one run was in the cloud.
  const derived = sessions.find((s) => s.executor === null)!;
  await seedRun({ id: `${derived.id}:1:0`, workspaceId: ws, sessionId: derived.id, executor: "cloud", startedAt: derived.createdAt, durationMs: 1000, outcome: "succeeded", costUsd: 0.7, estimated: true });
  return { ws, other, sessions, foreign, derived, base };
}

async function allPages(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await api(`/api/sessions?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(response.status).toBe(200);
    const body: ListBody = await response.json();
    expect(body.sessions.length).toBeLessThanOrEqual(limit);
    ids.push(...body.sessions.map((s) => s.id));
    cursor = body.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { ids, pages };
}

describe("GET /api/sessions", () => {
  it("pages through every session of the workspace newest first, none twice, none missing", async () => {
    const { ws, sessions, foreign } = await manySessions();
    const expected = [...sessions].sort(newestFirst).map((s) => s.id);

    const { ids, pages } = await allPages(`workspace=${ws}`, 5);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(sessions.length);
    expect(pages).toBe(5);
    expect(ids).not.toContain(foreign.id);

    // The three sessions of one millisecond straddle a page boundary with a page of 2 and stay in order.
    expect((await allPages(`workspace=${ws}`, 2)).ids).toEqual(expected);
    const first = await (await api(`/api/sessions?workspace=${ws}`)).json<ListBody>();
    expect(first.sessions).toHaveLength(sessions.length);
    expect(first.nextCursor).toBeNull();
    expect(first.sessions[0]).toMatchObject({ id: expected[0], createdAt: new Date([...sessions].sort(newestFirst)[0]!.createdAt).toISOString() });
  });

  it("filters by status, executor, repository and creation time, alone and together, across pages", async () => {
    const { ws, sessions, derived, base } = await manySessions();
    const q = `workspace=${ws}`;
    const ids = async (query: string) => (await allPages(`${q}&${query}`, 3)).ids;
    const expectIds = (pick: (s: Session) => boolean) => sessions.filter(pick).sort(newestFirst).map((s) => s.id);

    expect(await ids("status=complete")).toEqual(expectIds((s) => s.status === "complete"));
    expect(await ids("repository=api")).toEqual(expectIds((s) => s.repository === "api"));
    const cloud = await ids("executor=cloud");
    expect(cloud).toEqual(expectIds((s) => s.executor === "cloud" || s.id === derived.id));
    expect(cloud).toContain(derived.id);
    expect(await ids("executor=local")).toEqual(expectIds((s) => s.executor === "local"));

    // Dates are whole UTC days, `to` included; date-times are exact.
    const from = base + 2 * DAY;
    const toEnd = base + 6 * DAY;
    expect(await ids("from=2026-05-03&to=2026-05-06")).toEqual(expectIds((s) => s.createdAt >= from && s.createdAt < toEnd));
    expect(await ids(`from=${new Date(base + 36 * 3_600_000).toISOString()}&to=${new Date(base + 60 * 3_600_000).toISOString()}`)).toEqual(
      expectIds((s) => s.createdAt >= base + 36 * 3_600_000 && s.createdAt <= base + 60 * 3_600_000),
    );
    const combined = await ids("status=complete&executor=local&repository=web&from=2026-05-01&to=2026-05-10");
    expect(combined).toEqual(expectIds((s) => s.status === "complete" && s.executor === "local" && s.repository === "web"));
    expect(combined.length).toBeGreaterThan(3);

    const page = await (await api(`/api/sessions?${q}&executor=cloud&limit=100`)).json<ListBody>();
    expect(page.sessions.find((s) => s.id === derived.id)).toMatchObject({ executor: "cloud", costUsd: 0.7, runs: 1 });
  });

  it.each([
    ["limit=101", "limit"],
    ["limit=0", "limit"],
    ["cursor=not-a-cursor", "cursor"],
    ["status=sleeping", "status"],
    ["executor=gpu", "executor"],
    ["from=2026-02-30", "from"],
    ["to=last-week", "to"],
  ])("answers 400 for %s", async (query, field) => {
    const ws = await seededWorkspace("Bad");
    const response = await api(`/api/sessions?workspace=${ws}&${query}`);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toContain(field);
  });
});

/** A session that went to the cloud, failed to start, fell back to a local run, and succeeded with a PR. */
async function fallbackSession() {
  const ws = await seededWorkspace("Detail");
  const other = await seededWorkspace("Detail other");
  const id = `as-${crypto.randomUUID()}`;
  const object = `${ws}:issue-${id}`;
  const t0 = Date.parse("2026-08-01T10:00:00.000Z");
  await seedSessions([
    { id, workspaceId: ws, status: "complete", executor: null, repository: "web", createdAt: t0, endedAt: t0 + 600_000, updatedAt: t0 + 600_000 },
    { id: `as-${crypto.randomUUID()}`, workspaceId: other, status: "active", createdAt: t0 },
  ]);
  const e = (seq: number, at: number, kind: string, summary: string, data?: Record<string, unknown>): Event => ({ id: `${object}:${seq}`, sessionId: id, workspaceId: ws, kind, summary, data: data ?? null, createdAt: at });
  // Seq 9 and 10 share a millisecond: as text "…:10" sorts first, as a timeline it comes after 9.
  const events = [
    e(1, t0, "session.created", "Agent session created"),
    e(8, t0 + 2_000, "session.routed", "Routed to web (team)", { repositoryId: "repo-web", rule: "team" }),
    e(9, t0 + 2_000, "session.decision", "builder work of high complexity goes to the cloud", { executor: "cloud", agentType: "builder", complexity: "high", fallback: "local", worstCaseUsd: 1.7, estimate: { costUsd: 0.9 } }),
    e(10, t0 + 2_000, "cloud.start_failed", "Codegen refused the run: 402"),
    e(11, t0 + 5_000, "session.fallback", "Fell back to local: the cloud is unavailable", { from: "cloud", to: "local", reservationOk: true }),
    e(12, t0 + 6_000, "local.accepted", "Running on laptop"),
    e(13, t0 + 600_000, "local.succeeded", "Local run succeeded, cost $0.2000", { costUsd: 0.2 }),
  ];
  // Stored out of order: the API orders them.
  await seedEvents([...events].reverse());
  await seedEvents([{ id: `${ws}:elsewhere:1`, sessionId: `as-${crypto.randomUUID()}`, workspaceId: ws, kind: "noise", summary: "another session", createdAt: t0 + 1 }]);
  await seedRun({ id: `${id}:1:0`, workspaceId: ws, sessionId: id, executor: "cloud", startedAt: t0 + 3_000, durationMs: 1_000, outcome: "failed", costUsd: 0.5, estimated: true });
  await seedRun({ id: `${id}:2:0`, workspaceId: ws, sessionId: id, executor: "local", startedAt: t0 + 6_000, durationMs: 594_000, outcome: "succeeded", costUsd: 0.2, estimated: false, prUrls: ["https://github.com/acme/web/pull/7"] });
  return { ws, other, id, events };
}

describe("GET /api/sessions/:id", () => {
  it("shows the session, its runs, its timeline in order, and what the timeline says", async () => {
    const { ws, id, events } = await fallbackSession();
    const response = await api(`/api/sessions/${id}?workspace=${ws}`);
    expect(response.status).toBe(200);
    const body = await response.json<{
      session: Record<string, unknown>;
      executions: { id: string; executor: string; outcome: string; costUsd: number; costEstimated: boolean; prUrls: string[] }[];
      timeline: { id: string; kind: string; at: string; data: unknown }[];
      summary: Record<string, any>;
    }>();
    expect(body.session).toMatchObject({ id, status: "complete", repository: "web", executor: "local", costUsd: 0.7, runs: 2, endedAt: "2026-08-01T10:10:00.000Z" });
    expect(body.executions.map((r) => [r.id, r.executor, r.outcome, r.costUsd, r.costEstimated])).toEqual([
      [`${id}:1:0`, "cloud", "failed", 0.5, true],
      [`${id}:2:0`, "local", "succeeded", 0.2, false],
    ]);
    expect(body.timeline.map((t) => t.id)).toEqual(events.map((ev) => ev.id));
    expect(body.timeline[1]).toMatchObject({ kind: "session.routed", at: "2026-08-01T10:00:02.000Z", data: { rule: "team" } });

    expect(body.summary.routing).toMatchObject({ routed: true, repository: "web", rule: "team" });
    expect(body.summary.decision).toEqual({
      executor: "cloud",
      reason: "builder work of high complexity goes to the cloud",
      at: "2026-08-01T10:00:02.000Z",
      agentType: "builder",
      complexity: "high",
      plannedFallback: "local",
      worstCaseUsd: 1.7,
      estimate: { costUsd: 0.9 },
    });
    expect(body.summary.fallbacks).toEqual([
      { at: "2026-08-01T10:00:05.000Z", kind: "session.fallback", summary: "Fell back to local: the cloud is unavailable", from: "cloud", to: "local", eventId: events[4]!.id },
    ]);
    expect(body.summary.activities.total).toBe(events.length);
    expect(body.summary.activities.byKind).toMatchObject({ "session.decision": 1, "session.fallback": 1, "local.succeeded": 1 });
    expect(body.summary.result).toMatchObject({ status: "complete", ended: true, kind: "local.succeeded", outcome: "succeeded", prUrls: ["https://github.com/acme/web/pull/7"] });
    expect(body.summary.cost).toEqual({ costUsd: 0.7, estimatedCostUsd: 0.5, estimated: true, runs: 2, durationMs: 595_000 });
  });

  it("reads fallbacks from older timelines, where a later decision named another executor", async () => {
    const ws = await seededWorkspace("Old timeline");
    const id = `as-${crypto.randomUUID()}`;
    const t0 = Date.parse("2026-07-01T10:00:00.000Z");
    await seedSessions([{ id, workspaceId: ws, status: "error", executor: "local", createdAt: t0, endedAt: t0 + 60_000, updatedAt: t0 + 60_000 }]);
    const e = (seq: number, kind: string, summary: string, data?: Record<string, unknown>): Event => ({ id: `obj:${seq}`, sessionId: id, workspaceId: ws, kind, summary, data: data ?? null, createdAt: t0 + seq });
    await seedEvents([
      e(1, "session.executor", "Cloud: needs isolation", { executor: "cloud" }),
      e(2, "cloud.start_failed", "Codegen is down"),
      e(3, "session.executor", "Local: the cloud is unavailable", { executor: "local" }),
      e(4, "local.failed", "Local run failed, cost $0.0100"),
    ]);
    const body = await (await api(`/api/sessions/${id}?workspace=${ws}`)).json<{ summary: Record<string, any> }>();
    expect(body.summary.decision).toMatchObject({ executor: "cloud", reason: "Cloud: needs isolation" });
    expect(body.summary.fallbacks).toEqual([{ at: new Date(t0 + 3).toISOString(), kind: "session.executor", summary: "Local: the cloud is unavailable", from: "cloud", to: "local", eventId: "obj:3" }]);
    expect(body.summary.result).toMatchObject({ status: "error", ended: true, kind: "local.failed", prUrls: [] });
    expect(body.summary.routing).toBeNull();
  });

  it("answers 404 for an unknown session and for another workspace's", async () => {
    const { ws, other, id } = await fallbackSession();
    expect((await api(`/api/sessions/nope?workspace=${ws}`)).status).toBe(404);
    const elsewhere = await api(`/api/sessions/${id}?workspace=${other}`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({ error: "no such session" });
    expect((await api(`/api/sessions/${id}/logs?workspace=${other}`)).status).toBe(404);
    expect((await api(`/api/sessions/${id}/logs?workspace=${other}`, { headers: { accept: "text/event-stream" } })).status).toBe(404);
  });
});

interface Frame {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE frames until `count` events (not comments) have come, the stream ends, or the time runs out. */
async function readFrames(reader: ReadableStreamDefaultReader<Uint8Array>, count: number, state: { buffer: string }, timeoutMs = 8_000): Promise<{ frames: Frame[]; done: boolean }> {
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let index: number;
    while ((index = state.buffer.indexOf("\n\n")) >= 0) {
      const raw = state.buffer.slice(0, index);
      state.buffer = state.buffer.slice(index + 2);
      const frame: Frame = {};
      for (const line of raw.split("\n")) {
        if (line.startsWith(":")) frame.comment = line.slice(1).trim();
        else {
          const [field, ...rest] = line.split(": ");
          (frame as Record<string, string>)[field!] = rest.join(": ");
        }
      }
      frames.push(frame);
      if (frames.filter((f) => f.event).length >= count) return { frames, done: false };
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { frames, done: false };
    const next = await Promise.race([reader.read(), new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), remaining))]);
    if (next === "timeout") return { frames, done: false };
    if (next.done) return { frames, done: true };
    state.buffer += decoder.decode(next.value, { stream: true });
  }
}

const sse = (path: string, lastEventId?: string) => api(path, { headers: { accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) } });

describe("GET /api/sessions/:id/logs", () => {
  it("answers the timeline as JSON, in order", async () => {
    const { ws, id, events } = await fallbackSession();
    const body = await (await api(`/api/sessions/${id}/logs?workspace=${ws}`)).json<{ events: { id: string; kind: string; summary: string; at: string }[] }>();
    expect(body.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(body.events[events.length - 1]).toMatchObject({ kind: "local.succeeded", summary: "Local run succeeded, cost $0.2000", at: "2026-08-01T10:10:00.000Z" });
  });

  it("streams what exists, then new events as D1 gets them, and resumes after Last-Event-ID", async () => {
    const ws = await seededWorkspace("Live");
    const id = `as-${crypto.randomUUID()}`;
    const now = Date.now();
    await seedSessions([{ id, workspaceId: ws, status: "active", createdAt: now - 60_000 }]);
    const ev = (seq: number, at: number): Event => ({ id: `obj-${id}:${seq}`, sessionId: id, workspaceId: ws, kind: `step.${seq}`, summary: `Step ${seq}`, createdAt: at });
    await seedEvents([ev(1, now - 50_000), ev(2, now - 40_000), ev(3, now - 30_000)]);

    const response = await sse(`/api/sessions/${id}/logs?workspace=${ws}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    const state = { buffer: "" };
    const first = await readFrames(reader, 3, state);
    const events = first.frames.filter((f) => f.event);
    expect(events.map((f) => [f.event, f.id])).toEqual([
      ["session-event", `obj-${id}:1`],
      ["session-event", `obj-${id}:2`],
      ["session-event", `obj-${id}:3`],
    ]);
    expect(JSON.parse(events[0]!.data!)).toMatchObject({ id: `obj-${id}:1`, kind: "step.1", summary: "Step 1" });

    // The mirror writes another event: the next poll sends it.
    await seedEvents([ev(4, Date.now())]);
    const live = await readFrames(reader, 1, state);
    expect(live.frames.filter((f) => f.event).map((f) => f.id)).toEqual([`obj-${id}:4`]);
    await reader.cancel();

    const resumed = await sse(`/api/sessions/${id}/logs?workspace=${ws}`, `obj-${id}:2`);
    const resumedReader = resumed.body!.getReader();
    const rest = await readFrames(resumedReader, 2, { buffer: "" });
    expect(rest.frames.filter((f) => f.event).map((f) => f.id)).toEqual([`obj-${id}:3`, `obj-${id}:4`]);
    await resumedReader.cancel();

    // An id that is not one of this session's events starts from the beginning.
    const unknown = await sse(`/api/sessions/${id}/logs?workspace=${ws}`, "someone-else:3");
    const unknownReader = unknown.body!.getReader();
    expect((await readFrames(unknownReader, 1, { buffer: "" })).frames.find((f) => f.event)?.id).toBe(`obj-${id}:1`);
    await unknownReader.cancel();
  });

  it("ends the stream of an ended, quiet session, and tells a reconnect there is nothing more", async () => {
    const { ws, id, events } = await fallbackSession();
    const response = await sse(`/api/sessions/${id}/logs?workspace=${ws}`);
    const reader = response.body!.getReader();
    const all = await readFrames(reader, events.length + 1, { buffer: "" });
    const named = all.frames.filter((f) => f.event);
    expect(named.slice(0, events.length).map((f) => f.id)).toEqual(events.map((e) => e.id));
    expect(named[events.length]).toMatchObject({ event: "end" });
    expect(JSON.parse(named[events.length]!.data!)).toMatchObject({ reason: "session ended", status: "complete" });
    expect((await readFrames(reader, 1, { buffer: "" }, 3_000)).done).toBe(true);

    const reconnect = await sse(`/api/sessions/${id}/logs?workspace=${ws}`, events[events.length - 1]!.id);
    expect(reconnect.status).toBe(204);
    const midway = await sse(`/api/sessions/${id}/logs?workspace=${ws}`, events[4]!.id);
    expect(midway.status).toBe(200);
    const tail = await readFrames(midway.body!.getReader(), 3, { buffer: "" });
    expect(tail.frames.filter((f) => f.event).map((f) => f.id ?? f.event)).toEqual([events[5]!.id, events[6]!.id, "end"]);
  });
});
