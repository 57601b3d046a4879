/**
 * The overview's parts, each rendered on its own: the page renders them all,
 * and the live stream sends a part again whenever what it shows has changed.
 */
import type { SetupStep } from "../../../src/domain/panel/setup";
import type { OverviewSessionRow } from "../../../src/db/queries/overview";
import { Ago, Badge, duration, percent, speedup, usd } from "../components/format";
import type { ExecutorsData, SessionsData, WeekData } from "./data";

const TOKEN_HEALTHY_MS = 5 * 60_000;

function AgentsCard({ data }: { data: ExecutorsData }) {
  const agents = data.agents?.agents ?? [];
  const online = agents.filter((a) => a.connected);
  return (
    <article>
      <header>
        <strong>Local agents</strong> <span class="muted">{online.length} online of {agents.length}</span>
        {data.agents && data.agents.queuedTasks > 0 ? <span class="badge waiting">{data.agents.queuedTasks} waiting for an agent</span> : null}
      </header>
      {data.agentsError ? <p class="notice error">Could not read the agents: {data.agentsError}</p> : null}
      {agents.length === 0 ? (
        <p class="muted">
          No agent has connected yet. <a href="/settings#agent-tokens">Create an agent token</a> and run the command it shows on a machine with your repositories.
        </p>
      ) : (
        <table class="compact" data-agents>
          <thead>
            <tr>
              <th>Machine</th>
              <th>State</th>
              <th>Repositories</th>
              <th>Free slots</th>
              <th>Last heard</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => {
              const state = !agent.connected ? "offline" : agent.runningTasks > 0 ? "working" : "online";
              return (
                <tr data-agent={agent.hostname}>
                  <td>
                    {agent.hostname} <small class="muted">v{agent.agentVersion}</small>
                  </td>
                  <td>
                    <Badge value={state} />
                  </td>
                  <td>{agent.repositories.join(", ") || "—"}</td>
                  <td>{agent.connected ? `${Math.max(0, agent.maxConcurrent - agent.runningTasks)} of ${agent.maxConcurrent}` : "—"}</td>
                  <td>
                    <Ago at={agent.connected ? agent.lastSeenAt : (agent.disconnectedAt ?? agent.lastSeenAt)} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </article>
  );
}

function CloudCard({ data }: { data: ExecutorsData }) {
  const cloud = data.cloud;
  return (
    <article>
      <header>
        <strong>Cloud (Codegen)</strong> {cloud.configured ? <Badge value={cloud.gate?.available === false ? "bad" : "ok"} label={cloud.gate?.available === false ? "unavailable" : "configured"} /> : <Badge value="warn" label="not configured" />}
      </header>
      {cloud.error ? <p class="notice error">Could not read the cloud's state: {cloud.error}</p> : null}
      {!cloud.configured ? (
        <p class="muted">
          No Codegen credentials: tasks run on local agents only. <a href="/settings#codegen">Add credentials</a>.
        </p>
      ) : (
        <dl>
          <dt>Credentials</dt>
          <dd>
            {cloud.source === "workspace" ? "this workspace's own" : "the edge's default"} (org {cloud.orgId})
          </dd>
          <dt>Circuit breaker</dt>
          <dd>
            <Badge value={cloud.gate?.state ?? null} label={cloud.gate ? `${cloud.gate.state.replace("_", "-")}${cloud.gate.failures ? ` · ${cloud.gate.failures} recent failures` : ""}` : undefined} />
          </dd>
          <dt>Rate budget in use</dt>
          <dd>
            {(cloud.gate?.usage ?? []).map((u) => (
              <div>
                <small>
                  {u.kind}: {u.used} of {u.limit} per {Math.round(u.windowMs / 1000)} s
                </small>
                <progress class="meter" value={u.used} max={u.limit}></progress>
              </div>
            ))}
          </dd>
          <dt>Runs watched</dt>
          <dd>{cloud.gate?.watchedRuns ?? 0}</dd>
        </dl>
      )}
    </article>
  );
}

function tokenHealth(w: ExecutorsData["linear"]["workspaces"][number], now: number): { value: string; label: string } {
  if (w.revokedAt) return { value: "revoked", label: "uninstalled: re-install" };
  if (w.tokenExpiresAt - now > TOKEN_HEALTHY_MS) return { value: "ok", label: "token valid" };
  if (w.hasRefreshToken) return { value: "warn", label: "token refreshing" };
  return { value: "bad", label: "token expired: re-install" };
}

function LinearCard({ data }: { data: ExecutorsData }) {
  return (
    <article>
      <header>
        <strong>Linear</strong>
      </header>
      {data.linear.workspaces.map((w) => {
        const health = tokenHealth(w, data.now);
        return (
          <p>
            {w.name} <small class="muted">({w.urlKey})</small> <Badge value={health.value} label={health.label} />
            <br />
            <small class="muted">
              installed <Ago at={w.installedAt} />; token {w.tokenExpiresAt > data.now ? "expires" : "expired"} <Ago at={w.tokenExpiresAt} />
              {w.hasRefreshToken ? ", refreshed automatically" : ""}
            </small>
          </p>
        );
      })}
    </article>
  );
}

export function ExecutorsSection({ data }: { data: ExecutorsData }) {
  return (
    <div class="grid-cards">
      <AgentsCard data={data} />
      <CloudCard data={data} />
      <LinearCard data={data} />
    </div>
  );
}

const IssueLink = ({ row }: { row: OverviewSessionRow }) => (
  <a href={`/sessions/${encodeURIComponent(row.id)}`}>
    {row.issueIdentifier ?? "session"} {row.issueTitle ? <span class="muted">{row.issueTitle}</span> : null}
  </a>
);

export function ActiveSection({ data }: { data: SessionsData }) {
  if (data.working.length === 0) return <p class="muted">Nothing is running. Delegate an issue in Linear, or start one above.</p>;
  return (
    <table class="compact" data-active-tasks>
      <thead>
        <tr>
          <th>Issue</th>
          <th>Status</th>
          <th>Executor</th>
          <th>Age</th>
          <th>Last activity</th>
        </tr>
      </thead>
      <tbody>
        {data.working.map((row) => (
          <tr data-session={row.id}>
            <td>
              <IssueLink row={row} />
            </td>
            <td>
              <Badge value={row.status} />
            </td>
            <td>{row.ranOn ?? <span class="muted">choosing</span>}</td>
            <td>
              <Ago at={row.createdAt} />
            </td>
            <td>
              {row.lastEvent ? <span>{row.lastEvent.slice(0, 140)}</span> : <span class="muted">—</span>} <small class="muted">{row.lastEventAt ? <Ago at={row.lastEventAt} /> : null}</small>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RecentSection({ data }: { data: SessionsData }) {
  if (data.ended.length === 0) return <p class="muted">No session has ended yet.</p>;
  return (
    <table class="compact" data-recent>
      <thead>
        <tr>
          <th>Issue</th>
          <th>Result</th>
          <th>Executor</th>
          <th>Duration</th>
          <th>Cost</th>
          <th>Ended</th>
        </tr>
      </thead>
      <tbody>
        {data.ended.map((row) => (
          <tr data-session={row.id}>
            <td>
              <IssueLink row={row} />
            </td>
            <td>
              <Badge value={row.status} />
              {row.error ? <small class="muted"> {row.error.slice(0, 120)}</small> : null}
            </td>
            <td>{row.ranOn ?? "—"}</td>
            <td>{duration(row.durationMs)}</td>
            <td>{usd(row.costUsd)}</td>
            <td>
              <Ago at={row.endedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const Figure = ({ value, label }: { value: string; label: string }) => (
  <div class="figure">
    <span class="value">{value}</span>
    <span class="label">{label}</span>
  </div>
);

export function WeekSection({ data }: { data: WeekData }) {
  const f = data.figures;
  const budget = data.budget;
  return (
    <div>
      <div class="figures">
        <Figure value={String(f.tasks)} label="tasks" />
        <Figure value={percent(f.successRate)} label="success rate (ended runs)" />
        <Figure value={duration(f.averageDurationMs)} label="average duration" />
        <Figure value={`${f.executors.local.tasks} / ${f.executors.cloud.tasks}`} label="local / cloud" />
        <Figure value={usd(f.costUsd)} label="total cost" />
        <Figure value={usd(f.costPerTaskUsd)} label="cost per task" />
      </div>
      {data.parallel.parents > 0 ? (
        <p data-parallel-week>
          Parallel runs: <strong>{data.parallel.parents}</strong> completed, {speedup(data.parallel.avgSpeedup)} faster on average than one after another (
          {duration(data.parallel.avgWallMs)} instead of {duration(data.parallel.avgChildMsSum)}). <a href="/analytics">Analytics</a>
        </p>
      ) : null}
      <p>
        Today's budget: <strong>{usd(budget.usedTodayUsd)}</strong> used
        {budget.maxCostPerDayUsd !== null ? (
          <>
            {" "}
            of {usd(budget.maxCostPerDayUsd)} <progress class="meter" value={Math.min(budget.usedTodayUsd, budget.maxCostPerDayUsd)} max={budget.maxCostPerDayUsd || 1}></progress>
          </>
        ) : (
          <span class="muted"> (no daily limit: set one in <a href="/settings#execution">settings</a>)</span>
        )}
      </p>
    </div>
  );
}

export function SetupChecklist({ steps, open }: { steps: SetupStep[]; open: boolean }) {
  const remaining = steps.filter((s) => !s.done).length;
  return (
    <details open={open} class="setup">
      <summary>
        <strong>Set up this edge</strong> <span class="muted">{remaining === 0 ? "all done" : `${steps.length - remaining} of ${steps.length} done`}</span>
      </summary>
      <ol class="checklist">
        {steps.map((step) => (
          <li class={step.done ? "done" : "todo"} data-step={step.key}>
            <strong>{step.title}</strong>
            <p>{step.text}</p>
            {step.links.length ? (
              <p class="actions">
                {step.links.map((link) => (
                  <a href={link.href} role="button" class={step.done ? "outline secondary small" : "small"} rel={link.href.startsWith("http") ? "noopener noreferrer" : undefined}>
                    {link.label}
                  </a>
                ))}
              </p>
            ) : null}
            {step.commands.length ? <pre class="command"><code>{step.commands.join("\n")}</code></pre> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}
