/**
 * `/sessions/:agentSessionId`: one session as `GET /api/sessions/:id` sees it
 * (workers/session-history/present.ts): who and where, what the timeline says
 * (routing, the orchestrator's choice, fallbacks, the result, the cost), its
 * runs, and the whole timeline. While it runs, /assets/session-log.js appends
 * new timeline entries from the logs' Server-Sent Events and keeps the status
 * current. Stop, retry and a message to the agent go through the API.
 * A hybrid-parallel parent shows its plan as a tree (parallel-plan.tsx, kept
 * current by its own live stream); a child links to its parent.
 */
import type { Child } from "hono/jsx";
import { MESSAGE_MAX_CHARS } from "../../../../src/domain/session-message";
import type { PresentedEvent, PresentedExecution, SessionDetail } from "../../../session-history/present";
import { Ago, Badge, duration, usd, withWorkspace, ExternalLink } from "../../components/format";
import { ParallelPlan, ParentLink } from "./parallel-plan";

export interface SessionPageProps {
  detail: SessionDetail;
  workspaceId: string;
  several: boolean;
  /** Whether the page should follow the log live (a running session, or one that ended moments ago). */
  live: boolean;
}

/** A time as the log shows it: the UTC date and time to the second (session-log.js writes new entries the same way). */
export function LogTime({ at }: { at: string | null }) {
  if (!at) return <span class="muted">—</span>;
  return <time datetime={at}>{`${at.slice(0, 10)} ${at.slice(11, 19)}`}</time>;
}

const dash = <span class="muted">—</span>;
const text = (value: string | null | undefined): Child => (value ? value : dash);
const tokens = (value: number | null | undefined): string => (value === null || value === undefined ? "—" : value.toLocaleString("en-US"));

function Fact({ label, children }: { label: string; children: Child }) {
  return (
    <div class="figure">
      <span class="value">{children}</span>
      <span class="label">{label}</span>
    </div>
  );
}

function PrLinks({ urls }: { urls: string[] }) {
  if (urls.length === 0) return dash;
  return (
    <>
      {urls.map((url, i) => (
        <>
          {i > 0 ? ", " : null}
          <ExternalLink href={url}>{url.replace(/^https?:\/\/(www\.)?github\.com\//, "")}</ExternalLink>
        </>
      ))}
    </>
  );
}

function Header({ detail, live, workspaceId, several }: { detail: SessionDetail; live: boolean; workspaceId: string; several: boolean }) {
  const s = detail.session;
  return (
    <header>
      <hgroup>
        <h1>{s.issueIdentifier ? `${s.issueIdentifier}: ${s.issueTitle ?? ""}` : "Session without an issue"}</h1>
        <p>
          Agent session <code>{s.id}</code>, created <Ago at={s.createdAt} />
          {s.endedAt ? (
            <>
              , ended <Ago at={s.endedAt} />
            </>
          ) : null}
        </p>
      </hgroup>
      {s.parentSessionId ? <ParentLink parentSessionId={s.parentSessionId} parent={detail.parent} workspaceId={workspaceId} several={several} /> : null}
      <div class="figures">
        <Fact label="Status">
          <span data-session-status>
            <Badge value={s.status} />
          </span>
        </Fact>
        <Fact label="Executor">{text(s.executor)}</Fact>
        <Fact label="Repository">{text(s.repository)}</Fact>
        <Fact label="Agent type">{text(s.agentType)}</Fact>
        <Fact label="Complexity">{text(s.complexity)}</Fact>
        <Fact label="Cost">{usd(s.costUsd)}</Fact>
      </div>
      <p class="notice ok" data-session-ended-notice hidden={!(live && detail.summary.result.ended)}>
        The session has ended. <a href="">Reload</a> for its final summary.
      </p>
      {s.error ? <p class="notice error">{s.error}</p> : null}
    </header>
  );
}

function Actions({ detail, workspaceId }: { detail: SessionDetail; workspaceId: string }) {
  const s = detail.session;
  const ended = detail.summary.result.ended;
  const id = encodeURIComponent(s.id);
  const name = s.issueIdentifier ?? "this session";
  return (
    <section aria-label="Actions">
      <div class="actions">
        <button type="button" class="secondary" data-session-action="stop" data-api={`/api/sessions/${id}/stop`} data-method="POST" data-then="show" data-confirm={`Stop the agent's work on ${name}?`} hidden={ended}>
          Stop
        </button>
        <button type="button" data-session-action="retry" data-api={`/api/sessions/${id}/retry`} data-method="POST" data-then="show" data-confirm={`Start ${name} again?`} hidden={!ended}>
          Retry
        </button>
        <p id="action-status" data-status hidden></p>
      </div>
      {s.issueId ? (
        <form data-api={`/api/sessions/${id}/messages`} data-method="POST" data-then="show" data-message-form data-workspace={workspaceId}>
          <label>
            Send a message to the agent
            <textarea name="body" rows={3} required maxlength={MESSAGE_MAX_CHARS} placeholder="Also cover the cart page…"></textarea>
            <small>Delivered like a follow-up you write in Linear, and posted in the issue's thread in your name.</small>
          </label>
          {/* session-log.js sets a fresh id for every send: the API delivers one id once. */}
          <input type="hidden" name="id" data-empty="omit" />
          <button type="submit">Send</button>
          <output data-status hidden></output>
        </form>
      ) : null}
    </section>
  );
}

function Summary({ detail }: { detail: SessionDetail }) {
  const { routing, decision, fallbacks, result, cost, tokens: used } = detail.summary;
  const estimate = decision?.executor && decision.estimate && typeof decision.estimate === "object" ? (decision.estimate as Record<string, unknown>)[`${decision.executor}Usd`] : null;
  return (
    <section>
      <h2>What happened</h2>
      <dl class="summary">
        <dt>Routing</dt>
        <dd>
          {routing ? (
            <>
              {routing.routed ? <strong>{routing.repository ?? "routed"}</strong> : <strong>not routed</strong>} — {routing.summary}
            </>
          ) : (
            <span class="muted">not routed yet</span>
          )}
        </dd>
        <dt>Executor decision</dt>
        <dd>
          {decision ? (
            <>
              <strong>{decision.executor ?? "none"}</strong> — {decision.reason}
              <br />
              <small>
                {[
                  `${decision.agentType ?? "unknown"} work, ${decision.complexity ?? "unknown"} complexity`,
                  typeof estimate === "number" ? `estimate ${usd(estimate)}` : null,
                  decision.worstCaseUsd !== null ? `worst case ${usd(decision.worstCaseUsd)} reserved` : null,
                  decision.plannedFallback ? `falls back to ${decision.plannedFallback}` : null,
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </small>
            </>
          ) : (
            <span class="muted">not decided yet</span>
          )}
        </dd>
        <dt>Fallbacks</dt>
        <dd>
          {fallbacks.length === 0 ? (
            <span class="muted">none</span>
          ) : (
            <ul>
              {fallbacks.map((f) => (
                <li>
                  <LogTime at={f.at} /> {f.from ?? "?"} → {f.to ?? "?"}: {f.summary}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Result</dt>
        <dd>
          <Badge value={result.outcome ?? result.status} /> {result.summary ?? (result.ended ? null : <span class="muted">still running</span>)}
          {result.error ? <p class="notice error">{result.error}</p> : null}
          <br />
          <small>
            Pull requests: <PrLinks urls={result.prUrls} />
          </small>
        </dd>
        <dt>Cost, tokens and time</dt>
        <dd>
          {usd(cost.costUsd)}
          {cost.estimated ? <small class="muted"> ({usd(cost.estimatedCostUsd)} of it estimated from the price model)</small> : null} over {cost.runs} run
          {cost.runs === 1 ? "" : "s"} · {used.input === null && used.output === null ? "no token counts reported" : `${tokens(used.input)} input / ${tokens(used.output)} output tokens`} ·{" "}
          {duration(cost.durationMs)}
        </dd>
      </dl>
    </section>
  );
}

function ExecutionRow({ run }: { run: PresentedExecution }) {
  return (
    <tr>
      <td>{run.executor}</td>
      <td>
        <LogTime at={run.startedAt} />
      </td>
      <td>{duration(run.durationMs)}</td>
      <td>
        <Badge value={run.outcome} />
      </td>
      <td>
        {usd(run.costUsd)}
        {run.costEstimated ? <small class="muted"> estimated</small> : null}
      </td>
      <td>{tokens(run.inputTokens)}</td>
      <td>{tokens(run.outputTokens)}</td>
      <td>
        <PrLinks urls={run.prUrls} />
      </td>
      <td>
        {run.codegenRunId !== null ? <code>run {run.codegenRunId}</code> : run.localTaskId ? <code>task {run.localTaskId}</code> : dash}
      </td>
    </tr>
  );
}

function Executions({ runs }: { runs: PresentedExecution[] }) {
  return (
    <section>
      <h2>Runs</h2>
      {runs.length === 0 ? (
        <p class="muted">No run has started yet.</p>
      ) : (
        <figure>
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">Executor</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Outcome</th>
                <th scope="col">Cost</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Pull requests</th>
                <th scope="col">Codegen run / local task</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <ExecutionRow run={run} />
              ))}
            </tbody>
          </table>
        </figure>
      )}
    </section>
  );
}

function TimelineEntry({ event }: { event: PresentedEvent }) {
  return (
    <li data-event-id={event.id}>
      <LogTime at={event.at} /> <span class="kind">{event.kind}</span>
      <br />
      {event.summary}
    </li>
  );
}

function Timeline({ detail, live, workspaceId }: { detail: SessionDetail; live: boolean; workspaceId: string }) {
  const events = detail.timeline;
  const last = events[events.length - 1];
  return (
    <section>
      <h2>
        Timeline <small class="live-status muted" data-log-status hidden></small>
      </h2>
      <p class="muted" data-log-empty hidden={events.length > 0}>
        Nothing recorded yet: the timeline reaches this page a few seconds after it happens.
      </p>
      <ol
        class="timeline"
        data-session-log
        data-session-id={detail.session.id}
        data-workspace={workspaceId}
        data-after={last?.id ?? ""}
        data-live={live ? "true" : "false"}
      >
        {events.map((event) => (
          <TimelineEntry event={event} />
        ))}
      </ol>
    </section>
  );
}

export function SessionPage({ detail, workspaceId, several, live }: SessionPageProps) {
  return (
    <>
      <nav aria-label="breadcrumb">
        <ul>
          <li>
            <a href={withWorkspace("/sessions", workspaceId, several)}>Sessions</a>
          </li>
          <li>{detail.session.issueIdentifier ?? detail.session.id}</li>
        </ul>
      </nav>
      <Header detail={detail} live={live} workspaceId={workspaceId} several={several} />
      <Actions detail={detail} workspaceId={workspaceId} />
      {detail.parallel ? <ParallelPlan run={detail.parallel} sessionId={detail.session.id} workspaceId={workspaceId} several={several} now={Date.now()} /> : null}
      <Summary detail={detail} />
      <Executions runs={detail.executions} />
      <Timeline detail={detail} live={live} workspaceId={workspaceId} />
    </>
  );
}

/**
 * A session started from the panel reaches D1 a few seconds after Linear's
 * webhook (the mirror trails the IssueSession): its link carries `?starting=N`,
 * and until it shows up the page says so and looks again (panel.js follows
 * `data-reload-to`), for about half a minute.
 */
export const STARTING_RETRIES = 15;

export function SessionStarting({ id, attempt }: { id: string; attempt: number }) {
  return (
    <article aria-busy="true">
      <h1>Starting…</h1>
      <p>The agent session was created in Linear; this page shows it as soon as the edge has recorded it, usually within seconds.</p>
      <p class="muted">
        Session <code>{id}</code>
      </p>
      <span data-reload-to={`/sessions/${encodeURIComponent(id)}?starting=${attempt + 1}`} data-reload-after="2000" hidden></span>
    </article>
  );
}

export function SessionNotFound({ workspaceId, several }: { workspaceId: string; several: boolean }) {
  return (
    <article>
      <h1>No such session</h1>
      <p>This workspace has no agent session with that id. It may belong to another workspace, or the link may be wrong.</p>
      <p>
        <a href={withWorkspace("/sessions", workspaceId, several)}>All sessions</a>
      </p>
    </article>
  );
}
