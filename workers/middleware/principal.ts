/**
 * Who is asking. The JSON API takes the admin key as a bearer, or a panel
 * sign-in cookie; the panel's pages take the cookie. A state-changing request
 * made with the cookie must carry the session's CSRF token (the
 * `X-CSRF-Token` header, or a `_csrf` form field), or it is refused with 403
 * and changes nothing: the cookie is sent by the browser on its own, the token
 * only by our pages.
 */
import { getCookie } from "hono/cookie";
import type { Context } from "hono";
import { timingSafeEqual } from "../../src/crypto/encoding";
import { sha256Hex } from "../../src/crypto/hash";
import { findLivePanelSession, type PanelSessionRow } from "../../src/db/queries/panel-sessions";
import { apiPermission, describeActor, type Principal } from "../../src/domain/panel/access";
import { factory, type AppBindings } from "../factory";

export const SESSION_COOKIE = "cyrus_session";
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function principalOf(session: PanelSessionRow): Principal {
  if (session.kind === "admin_key") return { kind: "admin_key", via: "panel" };
  return {
    kind: "linear",
    userId: session.linearUserId ?? "",
    name: session.name,
    email: session.email,
    organizationId: session.organizationId ?? "",
    admin: session.linearAdmin,
  };
}

/** The live panel session the request's cookie names, if any. */
export async function panelSessionOf(c: Context<AppBindings>): Promise<PanelSessionRow | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || token.length > 200) return null;
  return (await findLivePanelSession(c.var.db, await sha256Hex(token), Date.now())) ?? null;
}

/** The CSRF token a state-changing request carries: the header, or a urlencoded/multipart form field. */
async function presentedCsrf(c: Context<AppBindings>): Promise<string | null> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const field = (await c.req.parseBody())["_csrf"];
    return typeof field === "string" ? field : null;
  }
  return null;
}

export async function csrfValid(c: Context<AppBindings>, session: PanelSessionRow): Promise<boolean> {
  if (SAFE_METHODS.has(c.req.method)) return true;
  const presented = await presentedCsrf(c);
  return presented !== null && timingSafeEqual(presented, session.csrfToken);
}

const CSRF_REFUSED = "missing or wrong CSRF token: reload the page and try again";

function setPrincipal(c: Context<AppBindings>, principal: Principal, session: PanelSessionRow | null) {
  c.set("principal", principal);
  c.set("actor", describeActor(principal));
  c.set("panelSession", session);
}

/** Every /api route: `Authorization: Bearer <CYRUS_API_KEY>`, or a panel sign-in with its CSRF token. */
export const authenticateApi = factory.createMiddleware(async (c, next) => {
  const apiKey = c.env.CYRUS_API_KEY;
  const header = c.req.header("authorization");
  if (header !== undefined) {
    if (!apiKey) {
      c.var.log.error("CYRUS_API_KEY is not set: the API is closed");
      return c.json({ error: "the API is not configured: set the CYRUS_API_KEY secret" }, 503);
    }
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match || !timingSafeEqual(match[1]!, apiKey)) {
      return c.json({ error: "missing or wrong API key: send Authorization: Bearer <CYRUS_API_KEY>" }, 401, {
        "WWW-Authenticate": 'Bearer realm="cyrus-edge"',
      });
    }
    setPrincipal(c, { kind: "admin_key", via: "bearer" }, null);
  } else {
    const session = await panelSessionOf(c);
    if (!session) {
      return c.json({ error: "missing or wrong API key: send Authorization: Bearer <CYRUS_API_KEY>, or sign in to the panel" }, 401, {
        "WWW-Authenticate": 'Bearer realm="cyrus-edge"',
      });
    }
    if (!(await csrfValid(c, session))) return c.json({ error: CSRF_REFUSED }, 403);
    setPrincipal(c, principalOf(session), session);
  }
  const permission = apiPermission(c.var.principal, c.req.method, c.req.path);
  if (!permission.ok) return c.json({ error: permission.error }, 403);
  await next();
});

/**
 * The panel's pages: signed out, a page redirects to /login and remembers
 * where the user was going; a state-changing form needs its CSRF token.
 */
export const requirePanelSignIn = factory.createMiddleware(async (c, next) => {
  const session = await panelSessionOf(c);
  if (!session) {
    if (!SAFE_METHODS.has(c.req.method)) return c.text("signed out: sign in again", 401);
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  if (!(await csrfValid(c, session))) return c.text(CSRF_REFUSED, 403);
  setPrincipal(c, principalOf(session), session);
  await next();
});
