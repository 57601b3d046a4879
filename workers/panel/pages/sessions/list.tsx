/**
 * `/sessions`: the workspace's agent sessions, newest first, with the filters
 * of `GET /api/sessions` as a GET form and its keyset cursor for the next page.
 * The query is the API's own schema (workers/session-history/list-query.ts);
 * filters that do not parse are said on the page, with the form to fix them.
 */
import type { SessionListRow } from "../../../../src/db/queries/session-history";
import { EXECUTORS } from "../../../../src/db/queries/reports";
import { SESSION_STATUSES } from "../../../session-history/list-query";
import { Ago, Badge, usd, withWorkspace } from "../../components/format";

/** The form's fields as the user left them, to fill the form again. */
export interface FilterValues {
  status: string;
  executor: string;
  repository: string;
  from: string;
  to: string;
}

export const FILTER_FIELDS = ["status", "executor", "repository", "from", "to"] as const;

export interface SessionsListProps {
  filters: FilterValues;
  repositories: string[];
  /** Why the filters were refused; the table is not shown then. */
  problems: string[];
  rows: SessionListRow[];
  nextCursor: string | null;
  /** Whether this page was reached through a cursor (so "first page" makes sense). */
  paged: boolean;
  workspaceId: string;
  /** Several workspaces are visible: links carry `?workspace=`. */
  several: boolean;
}

/** The list's URL with these filters (blank ones left out) and, for a next page, its cursor. */
export function listHref(filters: FilterValues, extra: { cursor?: string }, workspaceId: string, several: boolean): string {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) if (filters[field]) params.set(field, filters[field]);
  if (extra.cursor) params.set("cursor", extra.cursor);
  const query = params.toString();
  return withWorkspace(`/sessions${query ? `?${query}` : ""}`, workspaceId, several);
}

const label = (value: string) => value.replace(/_/g, " ");

function Filters({ filters, repositories, workspaceId, several }: Pick<SessionsListProps, "filters" | "repositories" | "workspaceId" | "several">) {
  // A repository filter that names one no longer listed (deleted) stays selectable, so the form shows what is applied.
  const names = filters.repository && !repositories.includes(filters.repository) ? [...repositories, filters.repository] : repositories;
  return (
    <form method="get" action="/sessions" class="filters" aria-label="Filter sessions">
      {several ? <input type="hidden" name="workspace" value={workspaceId} /> : null}
      <label>
        Status
        <select name="status">
          <option value="">any</option>
          {SESSION_STATUSES.map((status) => (
            <option value={status} selected={filters.status === status}>
              {label(status)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Executor
        <select name="executor">
          <option value="">any</option>
          {EXECUTORS.map((executor) => (
            <option value={executor} selected={filters.executor === executor}>
              {executor}
            </option>
          ))}
        </select>
      </label>
      <label>
        Repository
        <select name="repository">
          <option value="">any</option>
          {names.map((name) => (
            <option value={name} selected={filters.repository === name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="date" name="from" value={filters.from} />
      </label>
      <label>
        To
        <input type="date" name="to" value={filters.to} />
      </label>
      <div class="actions">
        <button type="submit">Filter</button>
        <a href={withWorkspace("/sessions", workspaceId, several)} role="button" class="secondary outline">
          Clear
        </a>
      </div>
    </form>
  );
}

function SessionRow({ row, workspaceId, several }: { row: SessionListRow; workspaceId: string; several: boolean }) {
  const href = withWorkspace(`/sessions/${encodeURIComponent(row.id)}`, workspaceId, several);
  return (
    <tr>
      <td>
        <a href={href}>{row.issueIdentifier ?? "(no issue)"}</a>
        {row.issueTitle ? (
          <>
            <br />
            <small>{row.issueTitle}</small>
          </>
        ) : null}
      </td>
      <td>
        <Badge value={row.status} />
      </td>
      <td>{row.ranOn ?? <span class="muted">—</span>}</td>
      <td>{row.repositoryName ?? <span class="muted">—</span>}</td>
      <td>{row.agentType ?? <span class="muted">—</span>}</td>
      <td>{usd(row.costUsd)}</td>
      <td>{row.runs}</td>
      <td>
        <Ago at={row.createdAt} />
      </td>
      <td>
        <Ago at={row.endedAt} />
      </td>
    </tr>
  );
}

export function SessionsList(props: SessionsListProps) {
  const { filters, problems, rows, nextCursor, paged, workspaceId, several } = props;
  const filtered = FILTER_FIELDS.some((field) => filters[field]);
  return (
    <>
      <h1>Sessions</h1>
      <Filters {...props} />
      {problems.length > 0 ? (
        <div class="notice error" role="alert">
          <p>These filters cannot be applied:</p>
          <ul>
            {problems.map((problem) => (
              <li>{problem}</li>
            ))}
          </ul>
        </div>
      ) : rows.length === 0 ? (
        <p class="muted">
          {filtered || paged
            ? "No session matches these filters."
            : "No sessions yet. Delegate a Linear issue to the agent (or start one from the overview) and it appears here."}
        </p>
      ) : (
        <>
          <figure>
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">Issue</th>
                  <th scope="col">Status</th>
                  <th scope="col">Executor</th>
                  <th scope="col">Repository</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Runs</th>
                  <th scope="col">Created</th>
                  <th scope="col">Ended</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <SessionRow row={row} workspaceId={workspaceId} several={several} />
                ))}
              </tbody>
            </table>
          </figure>
        </>
      )}
      {problems.length === 0 && (paged || nextCursor) ? (
        <nav class="pagination" aria-label="Pages">
          <span>{paged ? <a href={listHref(filters, {}, workspaceId, several)}>First page</a> : null}</span>
          <span>{nextCursor ? <a href={listHref(filters, { cursor: nextCursor }, workspaceId, several)} rel="next">Next page</a> : null}</span>
        </nav>
      ) : null}
    </>
  );
}
