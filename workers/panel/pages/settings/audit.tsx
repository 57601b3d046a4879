/**
 * Settings → Audit log: who changed what and when, newest first, a page at a
 * time (the same keyset paging as `GET /api/audit`). Details hold names, ids
 * and which fields changed, never a secret value. The admin key also sees the
 * edge's own entries (sign-ins with the key, failed sign-ins).
 */
import type { AuditRow } from "../../../../src/db/queries/audit";
import { Ago } from "../../components/format";
import { panelHref } from "../../components/admin-form";
import type { PanelView } from "../../view";

function detailText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function Details({ details }: { details: Record<string, unknown> | null }) {
  const entries = Object.entries(details ?? {});
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <>
      {entries.map(([key, value]) => (
        <div>
          <span class="muted">{key}:</span> {detailText(value)}
        </div>
      ))}
    </>
  );
}

export function AuditSection({ view, rows, nextCursor, paged }: { view: PanelView; rows: AuditRow[]; nextCursor: string | null; paged: boolean }) {
  return (
    <article id="audit">
      <header>
        <h2>Audit log</h2>
        <p class="muted">Also at GET /api/audit.</p>
      </header>
      {rows.length === 0 ? (
        <p class="muted">{paged ? "No older entries." : "Nothing recorded yet."}</p>
      ) : (
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td>
                  <Ago at={row.createdAt} />
                </td>
                <td>{row.actor}</td>
                <td>
                  <code>{row.action}</code>
                  {row.workspaceId === null ? <span class="muted"> (edge-wide)</span> : null}
                </td>
                <td>
                  <Details details={row.details} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pagination" aria-label="Audit log pages">
        {paged ? <a href={`${panelHref(view, "/settings")}#audit`}>Newest</a> : <span></span>}
        {nextCursor ? <a href={`${panelHref(view, `/settings?auditBefore=${encodeURIComponent(nextCursor)}`)}#audit`}>Older</a> : <span></span>}
      </nav>
    </article>
  );
}
