/**
 * Who may see and do what, in the control panel and the JSON API. The admin
 * key (CYRUS_API_KEY, as a bearer or a panel sign-in) sees every workspace and
 * may change anything. A Linear user sees only their own organization's
 * workspace; they may start, steer, stop and retry work there (as they can in
 * Linear), and change its settings only when Linear says they are an admin.
 */

export type Principal =
  | { kind: "admin_key"; via: "bearer" | "panel" }
  | { kind: "linear"; userId: string; name: string; email: string | null; organizationId: string; admin: boolean };

/** The workspace a principal asked for, or why it cannot have it. */
export type WorkspaceChoice =
  | { ok: true; workspaceId: string }
  | { ok: false; status: 400 | 404 | 409; error: string };

export interface InstalledWorkspace {
  id: string;
  name: string;
}

/**
 * Resolves the workspace a request acts on. A Linear user's is always their
 * own: naming another one answers as if it did not exist, so nothing of one
 * workspace ever shows under another. The admin key takes `requested`, else
 * `remembered` (the panel's last choice), else the only one installed.
 */
export function chooseWorkspace(
  principal: Principal,
  installed: InstalledWorkspace[],
  requested: string | undefined,
  remembered?: string | undefined,
): WorkspaceChoice {
  if (principal.kind === "linear") {
    if (requested && requested !== principal.organizationId) return { ok: false, status: 404, error: `no workspace ${requested} is installed` };
    if (!installed.some((w) => w.id === principal.organizationId)) {
      return { ok: false, status: 404, error: "your Linear workspace has not installed the app (or uninstalled it)" };
    }
    return { ok: true, workspaceId: principal.organizationId };
  }
  if (requested) {
    return installed.some((w) => w.id === requested)
      ? { ok: true, workspaceId: requested }
      : { ok: false, status: 404, error: `no workspace ${requested} is installed` };
  }
  if (remembered && installed.some((w) => w.id === remembered)) return { ok: true, workspaceId: remembered };
  if (installed.length === 0) {
    return { ok: false, status: 409, error: "no Linear workspace is installed yet: open /oauth/linear/authorize to install the app" };
  }
  if (installed.length > 1 && principal.via === "bearer") {
    const ids = installed.map((w) => `${w.id} (${w.name})`).join(", ");
    return { ok: false, status: 400, error: `several workspaces are installed: add ?workspace=<organizationId>, one of ${ids}` };
  }
  // In the panel the admin sees the first (by name) and switches between them.
  return { ok: true, workspaceId: [...installed].sort((a, b) => a.name.localeCompare(b.name))[0]!.id };
}

/** The workspaces a principal may switch between. */
export function visibleWorkspaces<W extends InstalledWorkspace>(principal: Principal, installed: W[]): W[] {
  return principal.kind === "admin_key" ? installed : installed.filter((w) => w.id === principal.organizationId);
}

/**
 * API routes whose effect is work on an issue, which any member of the
 * workspace may ask for, as they could in Linear. Everything else that
 * changes state is a setting.
 */
const WORK_ACTIONS: RegExp[] = [
  /^\/api\/sessions\/[^/]+\/(stop|retry|messages)$/,
  /^\/api\/issues\/[^/]+\/delegate$/,
];

/** Routes that are not any one workspace's, so only the admin key reads them. */
const EDGE_WIDE: RegExp[] = [/^\/api\/dead-letters(\/|$)/];

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type Permission = { ok: true } | { ok: false; error: string };

/** May `principal` make this API request (once its workspace has been resolved)? */
export function apiPermission(principal: Principal, method: string, path: string): Permission {
  if (principal.kind === "admin_key") return { ok: true };
  if (EDGE_WIDE.some((route) => route.test(path))) return { ok: false, error: "only the admin key may read this: it spans every workspace" };
  if (READ_METHODS.has(method.toUpperCase())) return { ok: true };
  if (WORK_ACTIONS.some((route) => route.test(path))) return { ok: true };
  if (principal.admin) return { ok: true };
  return { ok: false, error: "only a Linear admin of this workspace may change its settings" };
}

/** Whether the panel shows the settings' forms, or reads them only. */
export function canChangeSettings(principal: Principal): boolean {
  return principal.kind === "admin_key" || principal.admin;
}

/** Who did it, as the audit log says it (never a secret). */
export function describeActor(principal: Principal): string {
  if (principal.kind === "admin_key") return principal.via === "bearer" ? "api key" : "admin key (panel)";
  return `${principal.name} (Linear user ${principal.userId})`;
}

/**
 * Where to go after signing in: a path on this origin only, so a crafted
 * `next` cannot send a user elsewhere. Judged after the URL parser has had its
 * say (it turns "/.//evil.test" into "//evil.test"), and answered normalized.
 */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith("/") || raw.length > 500 || /[\u0000-\u001f\\]/.test(raw)) return "/";
  const base = "http://panel.invalid";
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return "/";
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== base || path.startsWith("//")) return "/";
  if (url.pathname === "/login" || url.pathname.startsWith("/login/") || url.pathname === "/logout") return "/";
  return path;
}

/**
 * How long a panel sign-in lasts. The admin key's, 7 days. A Linear user's is
 * shorter: whether they are still a member, and still an admin, is learned
 * only when they sign in (their Linear token is not kept), so a demoted admin
 * or a departed member keeps their rights for at most this long.
 */
export function signInLifetimeMs(kind: Principal["kind"]): number {
  return kind === "admin_key" ? 7 * 24 * 60 * 60_000 : 12 * 60 * 60_000;
}
