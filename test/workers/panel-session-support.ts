/**
 * Panel sign-ins for workerd tests, made the way the edge makes them: a
 * panel_sessions row (through its query function) keyed by the SHA-256 of a
 * cookie token the test chooses, and that token sent as the `cyrus_session`
 * cookie. A Linear member, a Linear admin, or the admin key signed in.
 */
import { sha256Hex } from "../../src/crypto/hash";
import { createDb } from "../../src/db/client";
import { insertPanelSession } from "../../src/db/queries/panel-sessions";
import { edgeFetch, env } from "./support";

export interface PanelUser {
  cookie: string;
  csrfToken: string;
}

export type PanelRole = { kind: "admin_key" } | { kind: "linear"; organizationId: string; admin: boolean; name?: string };

export async function signedIn(role: PanelRole): Promise<PanelUser> {
  const token = `test-session-${crypto.randomUUID()}`;
  const csrfToken = `test-csrf-${crypto.randomUUID()}`;
  const now = Date.now();
  const linear = role.kind === "linear";
  await insertPanelSession(createDb(env.DB), {
    id: await sha256Hex(token),
    kind: role.kind,
    linearUserId: linear ? `user-${crypto.randomUUID().slice(0, 8)}` : null,
    name: linear ? (role.name ?? (role.admin ? "Ada Admin" : "Mia Member")) : "admin key",
    email: null,
    organizationId: linear ? role.organizationId : null,
    linearAdmin: linear ? role.admin : false,
    csrfToken,
    createdAt: now,
    expiresAt: now + 3_600_000,
  });
  return { cookie: `cyrus_session=${token}`, csrfToken };
}

/** A page as a signed-in browser gets it. */
export async function panelPage(user: PanelUser, path: string): Promise<{ status: number; html: string; response: Response }> {
  const response = await edgeFetch(path, { headers: { cookie: user.cookie, accept: "text/html" }, redirect: "manual" });
  return { status: response.status, html: await response.text(), response };
}

/** An API call as the panel's script makes it: the cookie, and the CSRF header unless `csrf: false`. */
export async function panelApi(user: PanelUser, path: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cookie", user.cookie);
  if (init.csrf !== false) headers.set("x-csrf-token", user.csrfToken);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return edgeFetch(path, { ...init, headers });
}
