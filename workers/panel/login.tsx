/**
 * Signing in and out of the panel. `/login` offers the admin key and Sign in
 * with Linear (workers/panel/linear-sign-in.tsx); a failed attempt is recorded
 * and slows the client down (src/domain/panel/sign-in-throttle.ts).
 */
import { timingSafeEqual } from "../../src/crypto/encoding";
import { recordAudit } from "../../src/db/queries/audit";
import { describeActor, safeReturnPath } from "../../src/domain/panel/access";
import type { Context } from "hono";
import { factory, type AppBindings } from "../factory";
import { csrfValid, panelSessionOf, principalOf } from "../middleware/principal";
import { panelLayout } from "./layout";
import { claimSignInAttempt, endPanelSession, noteSuccessfulSignIn, signInClientKey, startPanelSession } from "./sign-in";

function LoginPage({ next, error, linearReady, apiKeySet }: { next: string; error?: string; linearReady: boolean; apiKeySet: boolean }) {
  return (
    <article class="login">
      <header>
        <h1>Sign in to Cyrus Edge</h1>
      </header>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      <form method="post" action="/login">
        <input type="hidden" name="next" value={next} />
        <label>
          Admin key
          <input type="password" name="key" autocomplete="current-password" required placeholder="CYRUS_API_KEY" disabled={!apiKeySet} />
          <small>{apiKeySet ? "The CYRUS_API_KEY secret of this edge (`npm start` prints it; it is in .dev.vars)." : "CYRUS_API_KEY is not set on this edge: set it with `wrangler secret put CYRUS_API_KEY`."}</small>
        </label>
        <button type="submit" disabled={!apiKeySet}>
          Sign in with the admin key
        </button>
      </form>
      <hr />
      {linearReady ? (
        <a role="button" class="secondary" href={`/login/linear?next=${encodeURIComponent(next)}`}>
          Sign in with Linear
        </a>
      ) : (
        <p>
          <small>Sign in with Linear needs the LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET secrets of your Linear app.</small>
        </p>
      )}
    </article>
  );
}

const renderLogin = (c: Context<AppBindings, any>, next: string, error?: string) =>
  c.render(<LoginPage next={next} error={error} linearReady={Boolean(c.env.LINEAR_CLIENT_ID && c.env.LINEAR_CLIENT_SECRET)} apiKeySet={Boolean(c.env.CYRUS_API_KEY)} />, {
    title: "Sign in",
    nav: "login",
  });

export const loginRoutes = factory
  .createApp()
  .use("/login", panelLayout)
  .get("/login", async (c) => {
    const next = safeReturnPath(c.req.query("next"));
    if (await panelSessionOf(c)) return c.redirect(next, 303);
    return renderLogin(c, next);
  })
  .post("/login", async (c) => {
    const form = await c.req.parseBody();
    const next = safeReturnPath(typeof form.next === "string" ? form.next : null);
    const key = typeof form.key === "string" ? form.key : "";
    const clientKey = await signInClientKey(c);
    // Counted before the key is compared, so parallel guesses cannot outrun the throttle.
    const gate = await claimSignInAttempt(c, clientKey);
    if (!gate.allowed) {
      const seconds = Math.ceil(gate.retryAfterMs / 1000);
      c.header("Retry-After", String(seconds));
      c.status(429);
      return renderLogin(c, next, `Too many failed sign-ins from here. Try again in ${seconds} s.`);
    }
    const apiKey = c.env.CYRUS_API_KEY;
    if (!apiKey || !key || !timingSafeEqual(key, apiKey)) {
      await recordAudit(c.var.db, { workspaceId: null, actor: "someone at the sign-in page", action: "panel.sign_in_failed", details: { method: "admin key", client: clientKey.slice(0, 12) } });
      c.var.log.warn("panel sign-in failed", { method: "admin key" });
      c.status(401);
      return renderLogin(c, next, "That is not this edge's admin key.");
    }
    await noteSuccessfulSignIn(c, clientKey);
    await startPanelSession(c, { kind: "admin_key", linearUserId: null, name: "Admin", email: null, organizationId: null, linearAdmin: true });
    await recordAudit(c.var.db, { workspaceId: null, actor: "admin key (panel)", action: "panel.signed_in", details: { method: "admin key" } });
    return c.redirect(next, 303);
  })
  .post("/logout", async (c) => {
    const session = await panelSessionOf(c);
    if (session) {
      if (!(await csrfValid(c, session))) return c.text("missing or wrong CSRF token: reload the page and try again", 403);
      await endPanelSession(c, session);
      await recordAudit(c.var.db, { workspaceId: session.organizationId, actor: describeActor(principalOf(session)), action: "panel.signed_out" });
    }
    return c.redirect("/login", 303);
  });
