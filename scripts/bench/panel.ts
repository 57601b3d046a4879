/**
 * The control panel on a large history, on the local runtime (`wrangler dev
 * --local`): the history of the reports benchmark (scripts/bench/seed-history.ts,
 * 100,000 sessions of the installed workspace "bench-org", a tenth as many of a
 * second one) with each session's timeline, then, signed in with the admin key
 * as a browser is (POST /login, the `cyrus_session` cookie):
 *
 * 1. Time to first byte of the overview, the sessions list (first page, and
 *    filtered), the analytics page (30 days) and one session's page: BENCH_REQUESTS
 *    (200) requests one after another on one keep-alive connection, after a few
 *    warm-up requests. TTFB is measured with node's http.request, from just
 *    before the request is written to the first 'data' event of the response
 *    (its headers and first body chunk have arrived); the time to the last byte
 *    is reported beside it. Before a page is timed, its answer is checked (200
 *    and the content it must show), so the figures are of real pages.
 * 2. What a first visit transfers: every `<script src>` and stylesheet the
 *    overview's HTML names (and what the other pages add, uPlot on analytics),
 *    fetched with `Accept-Encoding: gzip, br`: the bytes wrangler dev sent and
 *    their encoding, and each file compressed here with node's zlib (gzip level
 *    9, brotli quality 11), what a browser on Cloudflare's edge would get; the
 *    goal is judged on gzip, the larger of the two. The HTML of each page too.
 *
 * GET /health is timed the same way first, as the floor of the edge and client.
 *
 * BENCH_SESSIONS and BENCH_REQUESTS change the run; BENCH_ONLY (a substring of
 * the page names) measures only some pages; BENCH_KEEP=1 keeps the seeded D1.
 */
import { randomBytes } from "node:crypto";
import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import { startLocalEdge } from "../lib/local-edge";
import { percentile, round } from "../lib/load";
import { BENCH_WORKSPACE, seedHistory, type SeedCounts } from "./seed-history";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const ONLY = process.env.BENCH_ONLY;
const WARM_UP = 5;
const API_KEY = `bench-${randomBytes(12).toString("hex")}`;
const TTFB_P99_GOAL_MS = 150;
const FIRST_VISIT_GOAL_BYTES = 150_000;
/** Nothing measured may reach the real Linear or Codegen: their URLs point at a closed loopback port. */
const NOWHERE = "http://127.0.0.1:9";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Request written → first body chunk. */
  ttfbMs: number;
  /** Request written → last body chunk. */
  totalMs: number;
}

/** One keep-alive connection, as a browser tab would reuse it; requests go one at a time. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttfbMs = Number.NaN;
    const req = request(url, { method: options.method ?? "GET", headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        if (chunks.length === 0) ttfbMs = performance.now() - t0;
        chunks.push(chunk);
      });
      res.on("end", () => {
        const totalMs = performance.now() - t0;
        // An empty body (a redirect) has no first chunk: its headers were its first byte.
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ttfbMs: Number.isNaN(ttfbMs) ? totalMs : ttfbMs, totalMs });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

let transportRetries = 0;
/** A request; sent again (at most twice) when the server closed the kept-alive socket under it. Counted, not hidden. */
async function send(url: string, options: Parameters<typeof once>[1] = {}): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(url, options);
    } catch (error) {
      if (attempt >= 3) throw error;
      transportRetries++;
    }
  }
}

/** The cookies a browser would keep (name=value only; the bench is same-origin and short). */
class CookieJar {
  private cookies = new Map<string, string>();
  take(headers: IncomingHttpHeaders) {
    for (const line of headers["set-cookie"] ?? []) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  has(name: string) {
    return Boolean(this.cookies.get(name));
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

interface PageSpec {
  path: string;
  /** Why the answer is not the page it should be, or null. */
  check(html: string): string | null;
}

const lacks = (html: string, ...needles: string[]) => {
  const missing = needles.filter((needle) => !html.includes(needle));
  return missing.length ? `lacks ${missing.map((m) => JSON.stringify(m)).join(", ")}` : null;
};
/** Links to distinct sessions of the seeded history: the rows of a sessions table. */
const sessionLinks = (html: string) => new Set(html.match(/\/sessions\/bench-session-\d+/g) ?? []).size;
const showsRows = (html: string, at_least: number) => {
  const rows = sessionLinks(html);
  return rows >= at_least ? null : `shows ${rows} session links, expected at least ${at_least}`;
};

function pages(seeded: SeedCounts, detailId: string): Record<string, PageSpec> {
  const index = detailId.replace("bench-session-", "");
  return {
    overview: { path: "/", check: (html) => lacks(html, "Last 7 days", "Recent results", "Where work runs") ?? showsRows(html, 5) },
    sessions: { path: "/sessions", check: (html) => showsRows(html, 25) },
    "sessions, status=complete&executor=cloud": { path: "/sessions?status=complete&executor=cloud", check: (html) => showsRows(html, 25) },
    // The summary's task count is the runs seeded in these 30 days: the figures are of the whole history.
    "analytics, 30 days": { path: "/analytics?days=30", check: (html) => lacks(html, "Cost per day", "Cost by repository", `>${seeded.metricsLast30Days}<`) },
    "session detail": { path: `/sessions/${detailId}`, check: (html) => lacks(html, `ENG-${index}`, `Bench issue ${index}`, "Fell back to local") },
  };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1]!) };
}

const gzip = (data: Buffer) => gzipSync(data, { level: 9 }).length;
const brotli = (data: Buffer) =>
  brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }).length;

interface Asset {
  path: string;
  type: "js" | "css";
}

/** The scripts and stylesheets a page's HTML names, in order. */
function assetsOf(html: string): Asset[] {
  const found: Asset[] = [];
  const attributes = (tag: string) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  for (const [tag] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const a = attributes(tag);
    if (tag.toLowerCase().startsWith("<script") && a.src) found.push({ path: a.src, type: "js" });
    else if (a.rel?.split(/\s+/).includes("stylesheet") && a.href) found.push({ path: a.href, type: "css" });
  }
  return found;
}

interface AssetFigures extends Asset {
  status: number;
  rawBytes: number;
  /** What wrangler dev put on the wire, and with which Content-Encoding ("identity": none). */
  servedBytes: number;
  servedEncoding: string;
  gzipBytes: number;
  brotliBytes: number;
}

async function measureAsset(origin: string, asset: Asset): Promise<AssetFigures> {
  const answer = await send(`${origin}${asset.path}`, { headers: { "accept-encoding": "gzip, br" } });
  if (answer.status !== 200) throw new Error(`${asset.path}: HTTP ${answer.status} (are the vendor assets copied? npm run assets)`);
  const encoding = String(answer.headers["content-encoding"] ?? "identity");
  const raw = encoding === "gzip" ? gunzipSync(answer.body) : encoding === "br" ? brotliDecompressSync(answer.body) : answer.body;
  return { ...asset, status: answer.status, rawBytes: raw.length, servedBytes: answer.body.length, servedEncoding: encoding, gzipBytes: gzip(raw), brotliBytes: brotli(raw) };
}

const sum = (files: AssetFigures[], key: "rawBytes" | "servedBytes" | "gzipBytes" | "brotliBytes") => files.reduce((total, f) => total + f[key], 0);

export async function benchPanel() {
  const now = Date.now();
  const history = await seedHistory({ label: "panel", sessions: SESSIONS, now, timelines: true });
  const { seeded } = history;
  try {
    const edge = await startLocalEdge(
      {
        CYRUS_API_KEY: API_KEY,
        ENCRYPTION_KEY: randomBytes(32).toString("base64"),
        // A configured Linear app, as on a real edge (the setup checklist reads these), reaching nowhere.
        LINEAR_CLIENT_ID: "bench-client",
        LINEAR_CLIENT_SECRET: "bench-secret",
        LINEAR_WEBHOOK_SECRET: "bench-webhook-secret",
        LINEAR_API_URL: NOWHERE,
        LINEAR_AUTHORIZE_URL: `${NOWHERE}/oauth/authorize`,
        CODEGEN_API_URL: NOWHERE,
        // A default Codegen credential, so the overview asks its CodegenGate for the cloud's health as a real edge's does.
        CODEGEN_API_TOKEN: "bench-codegen-token",
        CODEGEN_ORG_ID: "1",
        MAX_COST_PER_DAY_USD: "50",
        LOG_LEVEL: "warn",
      },
      { persistTo: history.persistTo, quiet: true },
    );
    try {
      const jar = new CookieJar();
      const signIn = await send(`${edge.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: edge.url },
        body: new URLSearchParams({ key: API_KEY, next: "/" }).toString(),
      });
      jar.take(signIn.headers);
      if (signIn.status !== 303 || !jar.has("cyrus_session")) throw new Error(`sign-in failed: HTTP ${signIn.status} ${signIn.body.toString().slice(0, 300)}`);
      const get = (path: string, headers: Record<string, string> = {}) => send(`${edge.url}${path}`, { headers: { cookie: jar.header(), accept: "text/html", ...headers } });

      // The admin sees the first workspace by name; choosing the benchmark's once sets the cookie that keeps it.
      const choose = await get(`/?workspace=${BENCH_WORKSPACE}`);
      jar.take(choose.headers);
      if (choose.status !== 200) throw new Error(`overview: HTTP ${choose.status} ${choose.body.toString().slice(0, 300)}`);
      const detailId = seeded.fallbackSessionId ?? "bench-session-0";

      // The floor: the same client and edge, a route that reads nothing (the machines are shared, so this moves too).
      const floor: number[] = [];
      for (let i = 0; i < WARM_UP; i++) await get("/health");
      for (let i = 0; i < REQUESTS; i++) floor.push((await get("/health")).ttfbMs);
      const baseline = { path: "/health", ...stats(floor) };
      console.log(`baseline /health: TTFB p50 ${baseline.p50} ms, p99 ${baseline.p99} ms`);

      const measured: Record<string, Record<string, unknown>> = {};
      const problems: string[] = [];
      const html: Record<string, string> = {};
      for (const [name, spec] of Object.entries(pages(seeded, detailId))) {
        if (ONLY && !name.includes(ONLY)) continue;
        const first = await get(spec.path);
        const body = first.body.toString();
        const problem = first.status !== 200 ? `HTTP ${first.status}: ${body.replace(/\s+/g, " ").slice(0, 200)}` : spec.check(body);
        if (problem) {
          problems.push(`${name} (${spec.path}): ${problem}`);
          measured[name] = { path: spec.path, problem };
          console.log(`${name}: not measured: ${problem}`);
          continue;
        }
        html[name] = body;
        for (let i = 0; i < WARM_UP; i++) await get(spec.path);
        const ttfb: number[] = [];
        const total: number[] = [];
        const statuses: Record<number, number> = {};
        for (let i = 0; i < REQUESTS; i++) {
          const answer = await get(spec.path);
          ttfb.push(answer.ttfbMs);
          total.push(answer.totalMs);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        }
        const raw = first.body;
        const t = stats(ttfb);
        const whole = stats(total);
        measured[name] = {
          path: spec.path,
          ...t,
          lastByteP50: whole.p50,
          lastByteP99: whole.p99,
          statuses,
          htmlBytes: raw.length,
          htmlGzipBytes: gzip(raw),
          htmlBrotliBytes: brotli(raw),
        };
        if (statuses[200] !== REQUESTS) problems.push(`${name}: not every answer was 200: ${JSON.stringify(statuses)}`);
        console.log(`${name}: TTFB p50 ${t.p50} ms, p95 ${t.p95} ms, p99 ${t.p99} ms, max ${t.max} ms; ${raw.length} bytes of HTML`);
      }

      // What the first visit (the overview) loads, then what each other page adds to it.
      const overviewHtml = html.overview ?? (await get("/")).body.toString();
      const firstVisitFiles = await Promise.all(assetsOf(overviewHtml).map((asset) => measureAsset(edge.url, asset)));
      const loaded = new Set(firstVisitFiles.map((f) => f.path));
      const addedByPage: Record<string, AssetFigures[]> = {};
      for (const [name, body] of Object.entries(html)) {
        const added = assetsOf(body).filter((asset) => !loaded.has(asset.path));
        if (!added.length) continue;
        addedByPage[name] = [];
        for (const asset of added) {
          loaded.add(asset.path);
          addedByPage[name].push(await measureAsset(edge.url, asset));
        }
      }
      const everyFile = [...firstVisitFiles, ...Object.values(addedByPage).flat()];
      const encodings = [...new Set(everyFile.map((f) => f.servedEncoding))].join(", ");
      const served = encodings === "identity" ? "served uncompressed by wrangler dev" : `served by wrangler dev with Content-Encoding ${encodings}`;
      const firstVisitGzip = sum(firstVisitFiles, "gzipBytes");
      const everyGzip = sum(everyFile, "gzipBytes");
      const firstVisit = {
        note: `JS and CSS ${served}; gzipBytes/brotliBytes are node's zlib (gzip level 9, brotli quality 11), what a browser on Cloudflare would transfer; the goal is judged on gzip, the larger.`,
        files: firstVisitFiles,
        addedByPage,
        jsCssRawBytes: sum(firstVisitFiles, "rawBytes"),
        jsCssServedBytes: sum(firstVisitFiles, "servedBytes"),
        jsCssCompressedBytes: firstVisitGzip,
        jsCssBrotliBytes: sum(firstVisitFiles, "brotliBytes"),
        /** The first visit and every other page's additions (uPlot on analytics): all the JS and CSS the panel ever loads. */
        withEveryPageCompressedBytes: everyGzip,
        withEveryPageBrotliBytes: sum(everyFile, "brotliBytes"),
      };
      for (const f of everyFile) console.log(`${f.path}: ${f.rawBytes} bytes, served ${f.servedBytes} (${f.servedEncoding}), gzip ${f.gzipBytes}, brotli ${f.brotliBytes}`);

      const timed = Object.values(measured).filter((page) => typeof page.p99 === "number");
      const ttfbMet = problems.length === 0 && timed.length > 0 && timed.every((page) => (page.p99 as number) < TTFB_P99_GOAL_MS);
      return {
        sessions: seeded.sessions,
        sessionsInBenchWorkspace: SESSIONS,
        executionMetricsRows: seeded.metrics,
        sessionEventsRows: seeded.events,
        seedSqlMb: history.seedSqlMb,
        seedApplySeconds: history.seedApplySeconds,
        requests: REQUESTS,
        warmUpRequests: WARM_UP,
        ttfbMethod: "node http.request on one keep-alive connection, one request at a time: from writing the request to the response's first 'data' event (ms)",
        baseline,
        pages: measured,
        transportRetries,
        firstVisit,
        problems,
        goals: {
          ttfbP99UnderMs: TTFB_P99_GOAL_MS,
          ttfbMet,
          firstVisitUnderBytes: FIRST_VISIT_GOAL_BYTES,
          // Judged on every page's JS and CSS, so opening analytics after the overview stays within it too.
          firstVisitMet: everyGzip < FIRST_VISIT_GOAL_BYTES && firstVisitGzip < FIRST_VISIT_GOAL_BYTES,
        },
      };
    } finally {
      await edge.stop();
    }
  } finally {
    agent.destroy();
    // BENCH_KEEP=1 leaves the seeded D1 for EXPLAIN QUERY PLAN: `wrangler d1 execute DB --local --persist-to <dir> --command …`.
    if (process.env.BENCH_KEEP) console.log(`kept the seeded state in ${history.persistTo}`);
    else history.remove();
  }
}
