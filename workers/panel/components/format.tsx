/** Small pieces every panel page uses: money, durations, times, status badges. */

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `$${value.toFixed(value !== 0 && Math.abs(value) < 1 ? 4 : 2)}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A ratio of times, like a parallel run's speedup: "2.4×". */
export function speedup(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(1)}×`;
}

export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? "—" : `${Math.round(ratio * 1000) / 10}%`;
}

const toIso = (at: number | string) => (typeof at === "number" ? new Date(at).toISOString() : at);

/** A time shown as "3 min ago" (kept current by panel.js), with the exact time as a fallback. */
export function Ago({ at }: { at: number | string | null | undefined }) {
  if (at === null || at === undefined) return <span class="muted">—</span>;
  const iso = toIso(at);
  return (
    <time datetime={iso} data-relative>
      {iso.replace("T", " ").slice(0, 19)} UTC
    </time>
  );
}

export function Badge({ value, label }: { value: string | null | undefined; label?: string }) {
  if (!value) return <span class="muted">—</span>;
  return <span class={`badge ${value.replace(/[^a-z_-]/gi, "")}`}>{label ?? value.replace(/_/g, " ")}</span>;
}

/** Appends `?workspace=` for an admin viewing one of several workspaces, so links keep it. */
export function withWorkspace(path: string, workspaceId: string | null | undefined, several: boolean): string {
  if (!workspaceId || !several) return path;
  return `${path}${path.includes("?") ? "&" : "?"}workspace=${encodeURIComponent(workspaceId)}`;
}

/** A link to somewhere outside the panel, for URLs that agents and Codegen report: only http(s) becomes a link. */
export function ExternalLink({ href, children }: { href: string; children?: unknown }) {
  let safe = false;
  try {
    safe = ["http:", "https:"].includes(new URL(href).protocol);
  } catch {
    safe = false;
  }
  if (!safe) return <span>{children ?? href}</span>;
  return (
    <a href={href} rel="noopener noreferrer" target="_blank">
      {children ?? href}
    </a>
  );
}
