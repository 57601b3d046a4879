import { describe, expect, it } from "vitest";
import { CodegenError } from "../../../src/codegen/client";
import { CLOCK_SKEW_MARGIN_MS, findRunByAttemptKey } from "../../../src/codegen/find-run";
import { clientWith, json, ORG_ID, rejectionOf } from "./codegen-wire";

const INTENT_AT = Date.parse("2025-10-01T12:00:00Z");
const KEY = "sess-1:attempt-1";

interface StoredRun {
  id: number;
  created_at: string | null;
  metadata: Record<string, unknown> | null;
}

/**
 * `count` runs, newest first: run i was created `startOffsetMs - i * stepMs` after the
 * intent. Ids decrease with age, as Codegen's do.
 */
function runs(count: number, options: { startOffsetMs?: number; stepMs?: number } = {}): StoredRun[] {
  const { startOffsetMs = 10 * 60_000, stepMs = 5_000 } = options;
  return Array.from({ length: count }, (_, i) => ({
    id: 10_000 - i,
    created_at: new Date(INTENT_AT + startOffsetMs - i * stepMs).toISOString(),
    metadata: { linear_session_id: "other", cyrus_attempt_key: `other-${i}` },
  }));
}

function tag(list: StoredRun[], index: number, key = KEY): StoredRun {
  list[index] = { ...list[index]!, metadata: { linear_session_id: "sess-1", cyrus_attempt_key: key } };
  return list[index]!;
}

/** Codegen's list endpoint over `list` (newest first), paged by skip and limit like fastapi-pagination. */
function codegenListing(list: () => StoredRun[]) {
  return clientWith((request) => {
    expect(request.method).toBe("GET");
    expect(request.url.pathname).toBe(`/v1/organizations/${ORG_ID}/agent/runs`);
    const skip = Number(request.url.searchParams.get("skip") ?? 0);
    const limit = Number(request.url.searchParams.get("limit") ?? 100);
    const all = list().filter(() => request.url.searchParams.get("source_type") === "API");
    const items = all.slice(skip, skip + limit).map((r) => ({ ...r, organization_id: ORG_ID, status: "ACTIVE", source_type: "API" }));
    return json(200, { items, total: all.length, page: Math.floor(skip / limit) + 1, size: limit, pages: Math.ceil(all.length / limit) });
  });
}

describe("findRunByAttemptKey", () => {
  it("finds the run on page 2, reading newest first with source_type=API, limit 100 and increasing skip", async () => {
    const list = runs(400);
    const wanted = tag(list, 150);
    const { client, requests } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found.run?.id).toBe(wanted.id);
    expect(found.twins).toEqual([]);
    expect(found.pagesRead).toBe(2);
    expect(requests.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { source_type: "API", limit: "100", skip: "0" },
      { source_type: "API", limit: "100", skip: "100" },
    ]);
  });

  it("adopts the oldest run with the key and reports the others as twins", async () => {
    const list = runs(250);
    const newer = tag(list, 20);
    const oldest = tag(list, 130);
    const middle = tag(list, 90);
    const { client } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found.run?.id).toBe(oldest.id);
    expect(found.twins.map((r) => r.id)).toEqual([middle.id, newer.id]);
  });

  it("orders by created_at, not by position or id", async () => {
    const list = runs(10);
    tag(list, 2);
    tag(list, 5);
    // Codegen's list and clock disagree: the run listed newer was created earlier.
    list[2] = { ...list[2]!, created_at: new Date(INTENT_AT - 60_000).toISOString() };
    const { client } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found.run?.id).toBe(list[2]!.id);
    expect(found.twins.map((r) => r.id)).toEqual([list[5]!.id]);
  });

  it("stops once a page reaches more than 5 minutes before the intent, even if older pages hold the key", async () => {
    // Page 1 spans +10 min .. +1 min 45 s; page 2 reaches -6 min 35 s, past the horizon; page 3 is never read.
    const list = runs(400);
    tag(list, 250);
    const { client, requests } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found).toEqual({ run: null, twins: [], pagesRead: 2 });
    expect(requests).toHaveLength(2);
  });

  it("keeps reading while every run on a page is within the clock-skew margin", async () => {
    // Every run is within 5 minutes before the intent: the horizon is never crossed.
    const list = runs(300, { startOffsetMs: 0, stepMs: Math.floor(CLOCK_SKEW_MARGIN_MS / 300) });
    const wanted = tag(list, 299);
    const { client } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found.run?.id).toBe(wanted.id);
    expect(found.pagesRead).toBe(3);
  });

  it("without a total, a full last page costs one more read, of an empty page", async () => {
    const list = runs(200, { startOffsetMs: 0, stepMs: 0 });
    const { client, requests } = clientWith((request) => {
      const skip = Number(request.url.searchParams.get("skip"));
      return json(200, { items: list.slice(skip, skip + 100).map((r) => ({ ...r, organization_id: ORG_ID })), total: null });
    });
    expect(await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT })).toEqual({ run: null, twins: [], pagesRead: 3 });
    expect(requests.map((r) => r.url.searchParams.get("skip"))).toEqual(["0", "100", "200"]);
  });

  it("reads no more than maxPages", async () => {
    const list = runs(1_000, { startOffsetMs: 0, stepMs: 0 });
    tag(list, 450);
    const { client, requests } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT, maxPages: 3 });
    expect(found).toEqual({ run: null, twins: [], pagesRead: 3 });
    expect(requests).toHaveLength(3);
  });

  it("defaults to 5 pages", async () => {
    const list = runs(1_000, { startOffsetMs: 0, stepMs: 0 });
    const { client, requests } = codegenListing(() => list);
    expect((await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT })).pagesRead).toBe(5);
    expect(requests).toHaveLength(5);
  });

  it("finds nothing: { run: null, twins: [] }, after the last, short page", async () => {
    const list = runs(30);
    const { client } = codegenListing(() => list);
    expect(await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT })).toEqual({ run: null, twins: [], pagesRead: 1 });
  });

  it("an empty organisation: one read, nothing found", async () => {
    const { client } = codegenListing(() => []);
    expect(await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT })).toEqual({ run: null, twins: [], pagesRead: 1 });
  });

  it("does not match a similar key, a key under another name, or a run without metadata", async () => {
    const list = runs(5);
    tag(list, 0, `${KEY} `);
    list[1] = { ...list[1]!, metadata: { attempt_key: KEY } };
    list[2] = { ...list[2]!, metadata: null };
    list[3] = { ...list[3]!, metadata: { cyrus_attempt_key: [KEY] } };
    const { client } = codegenListing(() => list);
    expect((await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT })).run).toBeNull();
  });

  it("a run listed twice because a new run shifted the pages is one run, not its own twin", async () => {
    let list = runs(150, { startOffsetMs: 0, stepMs: 1_000 });
    const wanted = tag(list, 99); // last on page 1
    let reads = 0;
    const { client } = codegenListing(() => {
      reads += 1;
      // A run created between our two reads pushes everything one place down.
      if (reads === 2) list = [{ id: 20_000, created_at: new Date(INTENT_AT + 1_000).toISOString(), metadata: null }, ...list];
      return list;
    });
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found.pagesRead).toBe(2);
    expect(found.run?.id).toBe(wanted.id);
    expect(found.twins).toEqual([]);
  });

  it("a page whose runs have no created_at does not stop the search", async () => {
    const list = runs(150).map((r) => ({ ...r, created_at: null }));
    const wanted = tag(list, 120);
    const { client } = codegenListing(() => list);
    const found = await findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT });
    expect(found.run?.id).toBe(wanted.id);
    expect(found.pagesRead).toBe(2);
  });

  it("a failed read is the client's CodegenError, not a silent 'not found'", async () => {
    let reads = 0;
    const list = runs(300, { startOffsetMs: 0, stepMs: 0 });
    const { client } = clientWith((request) => {
      reads += 1;
      if (reads === 2) return json(503, { message: "maintenance" });
      const skip = Number(request.url.searchParams.get("skip"));
      return json(200, { items: list.slice(skip, skip + 100).map((r) => ({ ...r, organization_id: ORG_ID })) });
    });
    const error = await rejectionOf(findRunByAttemptKey(client, { attemptKey: KEY, intentAt: INTENT_AT }));
    expect(error).toBeInstanceOf(CodegenError);
    expect(error).toMatchObject({ kind: "retryable", status: 503 });
  });

  it.each([
    [{ attemptKey: "", intentAt: INTENT_AT }],
    [{ attemptKey: KEY, intentAt: Number.NaN }],
    [{ attemptKey: KEY, intentAt: INTENT_AT, maxPages: 0 }],
    [{ attemptKey: KEY, intentAt: INTENT_AT, maxPages: 1.5 }],
  ])("refuses %j before reading anything", async (options) => {
    const { client, requests } = codegenListing(() => runs(5));
    await expect(findRunByAttemptKey(client, options)).rejects.toThrow(RangeError);
    expect(requests).toHaveLength(0);
  });
});
