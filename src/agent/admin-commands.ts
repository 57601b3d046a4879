/**
 * The `cyrus` commands for people rather than machines: `status`, `stats`,
 * `cost-report`, `logs` and `codegen setup`. Each is a thin client of the
 * edge's JSON API (`Authorization: Bearer <CYRUS_API_KEY>`); `--json` prints
 * the answer as the API gave it. The edge URL, the API key and the workspace
 * come from flags, then the environment (CYRUS_URL, CYRUS_API_KEY,
 * CYRUS_WORKSPACE), then `~/.cyrus/config.json`.
 */
import { Option, type Command } from "commander";
import { ConfigError, cyrusHome, readConfigFile } from "./config";

interface AdminFlags {
  url?: string;
  apiKey?: string;
  workspace?: string;
  json?: boolean;
}

interface Admin {
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  send<T>(method: "PUT" | "POST", path: string, body?: unknown): Promise<T>;
  stream(path: string): Promise<Response>;
}

/** What the API answered with a non-2xx status: its `error` is the message for the user. */
class ApiFailure extends Error {}

function adminClient(flags: AdminFlags, env: NodeJS.ProcessEnv = process.env): Admin {
  const file = readConfigFile(cyrusHome(env));
  const url = (flags.url ?? env.CYRUS_URL ?? file.url)?.replace(/\/+$/, "");
  const apiKey = flags.apiKey ?? env.CYRUS_API_KEY ?? file.apiKey;
  const workspace = flags.workspace ?? env.CYRUS_WORKSPACE ?? file.workspace;
  const missing = [
    url ? null : "the edge URL (--url, CYRUS_URL or `cyrus config set url <url>`)",
    apiKey ? null : "the API key (--api-key, CYRUS_API_KEY or `cyrus config set apiKey <key>`)",
  ].filter(Boolean);
  if (missing.length) throw new ConfigError(`missing ${missing.join(" and ")}`);
  const address = (path: string, query: Record<string, string | undefined> = {}) => {
    const target = new URL(`${url}${path}`);
    for (const [key, value] of Object.entries({ ...query, workspace })) if (value) target.searchParams.set(key, value);
    return target;
  };
  const call = async (method: string, path: string, query?: Record<string, string | undefined>, body?: unknown, accept = "application/json") => {
    const response = await fetch(address(path, query), {
      method,
      headers: { authorization: `Bearer ${apiKey}`, accept, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok && response.status !== 204) {
      const text = await response.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new ApiFailure(`the edge answered ${response.status}: ${message}`);
    }
    return response;
  };
  return {
    get: async (path, query) => (await (await call("GET", path, query)).json()) as never,
    send: async (method, path, body) => {
      const response = await call(method, path, undefined, body);
      return (response.status === 204 ? {} : await response.json()) as never;
    },
    stream: (path) => call("GET", path, undefined, undefined, "text/event-stream"),
  };
}

const usd = (value: number | null | undefined) => (value === null || value === undefined ? "no limit" : `$${value.toFixed(2)}`);

function withAdminOptions(command: Command): Command {
  return command
    .addOption(new Option("--url <url>", "the edge's origin").env("CYRUS_URL"))
    .addOption(new Option("--api-key <key>", "the edge's CYRUS_API_KEY").env("CYRUS_API_KEY"))
    .addOption(new Option("--workspace <organizationId>", "the workspace, when the edge has several").env("CYRUS_WORKSPACE"))
    .option("--json", "print the API's answer as JSON");
}

interface Report {
  from: string;
  to: string;
  totals: { costUsd: number; tasks: number; succeeded: number; failed: number; estimatedCostUsd: number };
  byExecutor: Record<string, { costUsd: number; tasks: number }>;
  byRepository: { repository: string | null; costUsd: number; tasks: number }[];
  budget: { maxCostPerDayUsd: number | null; usedTodayUsd: number; remainingTodayUsd: number | null };
}

export function addAdminCommands(program: Command, print: (line: string) => void = (line) => console.log(line)): void {
  withAdminOptions(program.command("status").description("the edge's health, workspace and configuration")).action(async (flags: AdminFlags) => {
    const admin = adminClient(flags);
    const config = await admin.get<{ effective: { strategy: string; maxCostPerDayUsd: number | null }; codegen: { configured: boolean; source: string | null } }>("/api/config");
    const report = await admin.get<Report>("/api/cost-report");
    if (flags.json) return print(JSON.stringify({ config, budget: report.budget }, null, 2));
    print(`strategy ${config.effective.strategy}; Codegen ${config.codegen.configured ? `configured (${config.codegen.source})` : "not configured"}`);
    print(`today: ${usd(report.budget.usedTodayUsd)} used of ${usd(report.budget.maxCostPerDayUsd)}`);
  });

  withAdminOptions(program.command("stats").description("tasks, success rate, durations and cost for a period"))
    .addOption(new Option("--period <period>", "the period").choices(["day", "week", "month"]).default("week"))
    .action(async (flags: AdminFlags & { period: string }) => {
      const stats = await adminClient(flags).get<{
        current: { tasks: number; successRate: number | null; durationMs: { p50: number | null; p95: number | null }; costUsd: number; costPerTaskUsd: number | null; peakParallelism: number };
        trend: { tasks: { difference: number } };
      }>("/api/stats", { period: flags.period });
      if (flags.json) return print(JSON.stringify(stats, null, 2));
      const c = stats.current;
      const minutes = (ms: number | null) => (ms === null ? "-" : `${(ms / 60_000).toFixed(1)} min`);
      print(`${flags.period}: ${c.tasks} tasks (${stats.trend.tasks.difference >= 0 ? "+" : ""}${stats.trend.tasks.difference} on the previous ${flags.period})`);
      print(`success ${c.successRate === null ? "-" : `${Math.round(c.successRate * 100)}%`}; duration p50 ${minutes(c.durationMs.p50)}, p95 ${minutes(c.durationMs.p95)}; peak ${c.peakParallelism} at once`);
      print(`cost ${usd(c.costUsd)}${c.costPerTaskUsd === null ? "" : `, ${usd(c.costPerTaskUsd)} a task`}`);
    });

  withAdminOptions(program.command("cost-report").description("what the agents cost, by executor and repository"))
    .option("--from <date>", "first day (YYYY-MM-DD, UTC)")
    .option("--to <date>", "last day (YYYY-MM-DD, UTC)")
    .action(async (flags: AdminFlags & { from?: string; to?: string }) => {
      const report = await adminClient(flags).get<Report>("/api/cost-report", { from: flags.from, to: flags.to });
      if (flags.json) return print(JSON.stringify(report, null, 2));
      const t = report.totals;
      print(`${report.from} to ${report.to}: ${usd(t.costUsd)} over ${t.tasks} tasks (${t.succeeded} succeeded, ${t.failed} failed); ${usd(t.estimatedCostUsd)} of it estimated`);
      for (const [executor, figures] of Object.entries(report.byExecutor)) print(`  ${executor.padEnd(6)} ${usd(figures.costUsd).padStart(10)}  ${figures.tasks} tasks`);
      for (const row of report.byRepository) print(`  ${(row.repository ?? "(none)").padEnd(20)} ${usd(row.costUsd).padStart(10)}  ${row.tasks} tasks`);
      print(`today: ${usd(report.budget.usedTodayUsd)} of ${usd(report.budget.maxCostPerDayUsd)}`);
    });

  withAdminOptions(program.command("logs").description("a session's timeline; --follow streams it while it runs"))
    .argument("<session>", "the Linear agent session id")
    .option("--follow", "keep streaming new events until the session ends")
    .action(async (session: string, flags: AdminFlags & { follow?: boolean }) => {
      const admin = adminClient(flags);
      const path = `/api/sessions/${encodeURIComponent(session)}/logs`;
      if (!flags.follow) {
        const { events } = await admin.get<{ events: { at: string; kind: string; summary: string }[] }>(path);
        if (flags.json) return print(JSON.stringify(events, null, 2));
        for (const event of events) print(`${event.at}  ${event.kind.padEnd(22)} ${event.summary}`);
        return;
      }
      const response = await admin.stream(path);
      if (!response.body) return;
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
          if (!data) continue;
          const event = JSON.parse(data) as { at?: string; kind?: string; summary?: string };
          print(flags.json ? data : `${event.at ?? ""}  ${(event.kind ?? "").padEnd(22)} ${event.summary ?? ""}`);
        }
      }
    });

  const codegen = program.command("codegen").description("the workspace's Codegen connection");
  withAdminOptions(codegen.command("setup").description("store the workspace's Codegen credentials (encrypted on the edge) and check them"))
    .addOption(new Option("--org-id <id>", "the Codegen organization id").env("CODEGEN_ORG_ID"))
    .addOption(new Option("--api-token <token>", "a Codegen API token").env("CODEGEN_API_TOKEN"))
    .action(async (flags: AdminFlags & { orgId?: string; apiToken?: string }) => {
      const orgId = Number(flags.orgId);
      if (!flags.apiToken || !Number.isInteger(orgId) || orgId <= 0) {
        throw new ConfigError("missing the Codegen organization id (--org-id or CODEGEN_ORG_ID) or API token (--api-token or CODEGEN_API_TOKEN)");
      }
      const admin = adminClient(flags);
      await admin.send("PUT", "/api/config", { codegen: { orgId, apiToken: flags.apiToken } });
      let check: { ok: boolean; error?: string; runsVisible?: number };
      try {
        check = await admin.send("POST", "/api/codegen/test");
      } catch (error) {
        check = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      if (flags.json) return print(JSON.stringify(check, null, 2));
      print(check.ok ? `Codegen credentials stored and working (organization ${orgId}).` : `Codegen credentials stored, but Codegen refused them: ${check.error}`);
      if (!check.ok) process.exitCode = 1;
    });
}

export { ApiFailure };
