/**
 * "Sign in with Linear": the person authorizes the edge's Linear app as
 * themselves (actor=user, scope=read, a single-use state and PKCE); the
 * callback learns who they are from `viewer` and lets them in when their
 * organization has installed the app (src/domain/panel/linear-sign-in.ts),
 * then sends them on to where they were going.
 * Their Linear token serves only that one question: it is revoked at Linear
 * and never stored. Every refusal is a page that says why, counts as a failed
 * sign-in (slowing the client down) and is recorded in the audit log.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "../../src/crypto/encoding";
import { randomToken } from "../../src/crypto/encoding";
import { recordAudit } from "../../src/db/queries/audit";
import { consumeOAuthState, createOAuthState } from "../../src/db/queries/oauth-states";
import { listActiveWorkspaces } from "../../src/db/queries/workspaces";
import { describeActor, safeReturnPath } from "../../src/domain/panel/access";
import { decideLinearSignIn, viewerName } from "../../src/domain/panel/linear-sign-in";
import { LinearApi, type SignedInUser } from "../../src/linear/linear-api";
import { buildSignInAuthorizeUrl, createPkcePair, exchangeAuthorizationCode, revokeToken } from "../../src/linear/oauth";
import { describeError } from "../../src/log";
import { factory, type AppBindings } from "../factory";
import { panelLayout } from "./layout";
import { claimSignInAttempt, noteSuccessfulSignIn, signInClientKey, startPanelSession } from "./sign-in";

type Ctx = Context<AppBindings, any>;

const STATE_PROBLEMS = {
  unknown: "This sign-in link is not one we issued for signing in. Start again from the sign-in page.",
  reused: "This sign-in link was already used. Start again from the sign-in page.",
  expired: "This sign-in link expired (they last 10 minutes). Start again from the sign-in page.",
} as const;

const NOT_CONFIGURED =
  "This edge has no Linear app yet: set the LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET secrets (the setup checklist says how), or sign in with the admin key.";

function SignInProblem({ title, message }: { title: string; message: string }) {
  return (
    <article class="login">
      <header>
        <h1>{title}</h1>
      </header>
      <p class="notice error" role="alert">
        {message}
      </p>
      <p>
        <a href="/login" role="button" class="secondary">
          Back to sign-in
        </a>
      </p>
    </article>
  );
}

/**
 * Where the browser goes after a successful sign-in. Not a redirect: the
 * callback is reached through Linear's redirect, so the browser treats that
 * whole navigation as cross-site and would not send our SameSite=Strict cookie
 * on a redirect from here, landing the person on /login. A refresh from this
 * page is a navigation of our own, and carries the cookie.
 */
function SignedIn({ name, next }: { name: string; next: string }) {
  return (
    <article class="login">
      <header>
        <h1>Signed in</h1>
      </header>
      <p>Signed in with Linear as {name}.</p>
      <p>
        <a href={next} role="button">
          Continue
        </a>
      </p>
    </article>
  );
}

function problemPage(c: Ctx, status: 400 | 403 | 429 | 502 | 503, title: string, message: string) {
  c.status(status);
  return c.render(<SignInProblem title={title} message={message} />, { title, nav: "login" });
}

/**
 * The sign-in's state, also kept in a cookie of the browser that began it: a
 * callback from any other browser is refused, so nobody can sign a victim in
 * as themselves with a link from their own flow. SameSite=Lax, because Linear
 * sends the browser back with a cross-site navigation.
 */
const STATE_COOKIE = "cyrus_sign_in_state";
const STATE_COOKIE_PATH = "/login/linear";

const publicOrigin = (c: Ctx) => c.var.config.PUBLIC_URL ?? new URL(c.req.url).origin;
const callbackUrl = (c: Ctx) => `${publicOrigin(c)}/login/linear/callback`;

/** Counts the attempt against the client (src/domain/panel/sign-in-throttle.ts); a blocked client gets its page. */
async function throttled(c: Ctx, clientKey: string): Promise<Response | null> {
  const gate = await claimSignInAttempt(c, clientKey);
  if (gate.allowed) return null;
  const seconds = Math.ceil(gate.retryAfterMs / 1000);
  c.header("Retry-After", String(seconds));
  return problemPage(c, 429, "Too many failed sign-ins", `Too many failed sign-ins from here. Try again in ${seconds} s.`);
}

/** A refused sign-in (already counted against the client when it began): recorded, and explained. */
async function refuse(
  c: Ctx,
  clientKey: string,
  status: 400 | 403,
  page: { title: string; message: string },
  audit: { reason: string; workspaceId?: string; actor?: string },
): Promise<Response> {
  await recordAudit(c.var.db, {
    workspaceId: audit.workspaceId ?? null,
    actor: audit.actor ?? "someone at the sign-in page",
    action: "panel.sign_in_failed",
    details: { method: "linear", reason: audit.reason, client: clientKey.slice(0, 12) },
  });
  c.var.log.warn("panel sign-in failed", { method: "linear", reason: audit.reason });
  return problemPage(c, status, page.title, page.message);
}

/** The user's token answered our one question; end it at Linear (best effort: it is never stored either way). */
async function forgetToken(c: Ctx, accessToken: string): Promise<void> {
  try {
    const revoked = await revokeToken(c.var.config.LINEAR_API_URL, accessToken);
    if (!revoked.ok) c.var.log.warn("could not revoke the sign-in token at Linear", { status: revoked.status });
  } catch (error) {
    c.var.log.warn("could not revoke the sign-in token at Linear", { error: describeError(error) });
  }
}

export const linearSignInRoutes = factory
  .createApp()
  .use("/login/linear/*", panelLayout)
  .get("/login/linear", async (c) => {
    if (!c.env.LINEAR_CLIENT_ID || !c.env.LINEAR_CLIENT_SECRET) return problemPage(c, 503, "Sign in with Linear is not set up", NOT_CONFIGURED);
    const blocked = await throttled(c, await signInClientKey(c));
    if (blocked) return blocked;
    const now = Date.now();
    const state = randomToken(24);
    const pkce = await createPkcePair();
    await createOAuthState(c.var.db, { state, codeVerifier: pkce.verifier, purpose: "sign_in", returnTo: safeReturnPath(c.req.query("next")), now });
    setCookie(c, STATE_COOKIE, state, { httpOnly: true, sameSite: "Lax", path: STATE_COOKIE_PATH, secure: new URL(c.req.url).protocol === "https:", maxAge: 600 });
    const url = buildSignInAuthorizeUrl({
      authorizeUrl: c.var.config.LINEAR_AUTHORIZE_URL,
      clientId: c.env.LINEAR_CLIENT_ID,
      redirectUri: callbackUrl(c),
      state,
      codeChallenge: pkce.challenge,
    });
    return c.redirect(url, 302);
  })
  .get("/login/linear/callback", async (c) => {
    const { db, config, log } = c.var;
    const clientKey = await signInClientKey(c);
    const blocked = await throttled(c, clientKey);
    if (blocked) return blocked;

    const error = c.req.query("error");
    if (error) {
      const description = (c.req.query("error_description") ?? "no description").slice(0, 300);
      const state = c.req.query("state");
      // The state Linear sends back with its error is spent too.
      if (state) await consumeOAuthState(db, state, "sign_in", Date.now());
      return refuse(c, clientKey, 400, { title: "Linear did not sign you in", message: `Linear answered "${error.slice(0, 100)}": ${description}` }, { reason: `linear: ${error.slice(0, 100)}` });
    }
    const code = c.req.query("code");
    const state = c.req.query("state");
    if (!code || !state) {
      return refuse(c, clientKey, 400, { title: "Incomplete sign-in", message: "Linear's answer needs both a code and a state. Start again from the sign-in page." }, { reason: "incomplete callback" });
    }
    const begunHere = getCookie(c, STATE_COOKIE);
    deleteCookie(c, STATE_COOKIE, { path: STATE_COOKIE_PATH, secure: new URL(c.req.url).protocol === "https:" });
    if (!begunHere || !timingSafeEqual(begunHere, state)) {
      return refuse(
        c,
        clientKey,
        400,
        { title: "Sign-in link not valid", message: "This sign-in was begun in another browser (or its cookie expired). Start again from the sign-in page, in this browser." },
        { reason: "state not begun in this browser" },
      );
    }
    const claimed = await consumeOAuthState(db, state, "sign_in", Date.now());
    if (!claimed.ok) return refuse(c, clientKey, 400, { title: "Sign-in link not valid", message: STATE_PROBLEMS[claimed.reason] }, { reason: `state ${claimed.reason}` });
    if (!c.env.LINEAR_CLIENT_ID || !c.env.LINEAR_CLIENT_SECRET) return problemPage(c, 503, "Sign in with Linear is not set up", NOT_CONFIGURED);

    let accessToken: string;
    try {
      const tokens = await exchangeAuthorizationCode(
        { apiUrl: config.LINEAR_API_URL, clientId: c.env.LINEAR_CLIENT_ID, clientSecret: c.env.LINEAR_CLIENT_SECRET },
        { code, redirectUri: callbackUrl(c), codeVerifier: claimed.codeVerifier },
      );
      accessToken = tokens.accessToken;
    } catch (err) {
      return refuse(c, clientKey, 400, { title: "Linear did not sign you in", message: `${describeError(err)}. Start again from the sign-in page.` }, { reason: "code exchange refused" });
    }

    let viewer: SignedInUser;
    try {
      viewer = await new LinearApi({ apiUrl: config.LINEAR_API_URL, accessToken }).signedInUser();
    } catch (err) {
      log.error("could not read who signed in with Linear", { error: describeError(err) });
      await recordAudit(db, { workspaceId: null, actor: "someone at the sign-in page", action: "panel.sign_in_failed", details: { method: "linear", reason: "viewer unreadable" } });
      return problemPage(c, 502, "Linear did not answer", `Linear did not tell us who you are (${describeError(err)}). Try again in a moment.`);
    } finally {
      await forgetToken(c, accessToken);
    }

    const installed = await listActiveWorkspaces(db);
    const decision = decideLinearSignIn(viewer, installed, `${publicOrigin(c)}/oauth/linear/authorize`);
    const who = `${viewerName(viewer)} (Linear user ${viewer.id})`;
    if (!decision.ok) {
      return refuse(c, clientKey, decision.status, { title: "Your workspace has not installed Cyrus Edge", message: decision.message }, {
        reason: decision.reason,
        workspaceId: viewer.organization.id,
        actor: who,
      });
    }

    await noteSuccessfulSignIn(c, clientKey);
    const { session } = decision;
    await startPanelSession(c, session);
    const actor = describeActor({ kind: "linear", userId: session.linearUserId, name: session.name, email: session.email, organizationId: session.organizationId, admin: session.linearAdmin });
    await recordAudit(db, { workspaceId: session.organizationId, actor, action: "panel.signed_in", details: { method: "linear", linearAdmin: session.linearAdmin } });
    // Percent-encoded, so the header holds only ASCII whatever the path; checked again after the URL parser
    // normalized it ("/.//elsewhere" becomes "//elsewhere", which would leave this origin).
    const target = new URL(safeReturnPath(claimed.returnTo), publicOrigin(c));
    const next = safeReturnPath(`${target.pathname}${target.search}${target.hash}`);
    c.header("Refresh", `0; url=${next}`);
    c.header("Cache-Control", "no-store");
    return c.render(<SignedIn name={session.name} next={next} />, { title: "Signed in", nav: "login" });
  });
