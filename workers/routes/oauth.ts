/**
 * The Linear OAuth install: /oauth/linear/authorize sends the admin to Linear
 * with a single-use `state` (and a PKCE challenge); /oauth/linear/callback
 * exchanges the code, reads who the app is in that workspace, and hands the
 * tokens to the workspace's Durable Object, which encrypts and stores them.
 */
import { randomToken } from "../../src/crypto/encoding";
import { consumeOAuthState, createOAuthState } from "../../src/db/queries/oauth-states";
import { LinearApi } from "../../src/linear/linear-api";
import { buildAuthorizeUrl, createPkcePair, exchangeAuthorizationCode } from "../../src/linear/oauth";
import { describeError } from "../../src/log";
import { factory } from "../factory";
import { htmlPage } from "./html-page";
import { workspaceStub } from "../objects/stubs";

const STATE_PROBLEMS = {
  unknown: "This install link is not one we issued. Start again from /oauth/linear/authorize.",
  reused: "This install link was already used. Start again from /oauth/linear/authorize.",
  expired: "This install link expired (they last 10 minutes). Start again from /oauth/linear/authorize.",
} as const;

function callbackUrl(publicUrl: string | undefined, requestUrl: string): string {
  return `${publicUrl ?? new URL(requestUrl).origin}/oauth/linear/callback`;
}

export const oauthRoutes = factory
  .createApp()
  .get("/authorize", async (c) => {
    if (!c.env.LINEAR_CLIENT_ID || !c.env.LINEAR_CLIENT_SECRET) {
      return c.html(htmlPage("Not configured", "Set the LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET secrets, then try again."), 503);
    }
    const now = Date.now();
    const state = randomToken(24);
    const pkce = await createPkcePair();
    await createOAuthState(c.var.db, { state, codeVerifier: pkce.verifier, purpose: "install", now });
    const url = buildAuthorizeUrl({
      authorizeUrl: c.var.config.LINEAR_AUTHORIZE_URL,
      clientId: c.env.LINEAR_CLIENT_ID,
      redirectUri: callbackUrl(c.var.config.PUBLIC_URL, c.req.url),
      state,
      codeChallenge: pkce.challenge,
    });
    return c.redirect(url, 302);
  })
  .get("/callback", async (c) => {
    const { log, db, config } = c.var;
    const error = c.req.query("error");
    if (error) {
      const description = c.req.query("error_description") ?? "no description";
      log.warn("linear oauth returned an error", { error, description });
      return c.html(htmlPage("Linear did not authorize the app", `Linear answered "${error}": ${description}`), 400);
    }
    const code = c.req.query("code");
    const state = c.req.query("state");
    if (!code || !state) return c.html(htmlPage("Incomplete callback", "The callback needs both `code` and `state`."), 400);
    const claimed = await consumeOAuthState(db, state, "install", Date.now());
    if (!claimed.ok) return c.html(htmlPage("Install link not valid", STATE_PROBLEMS[claimed.reason]), 400);
    if (!c.env.LINEAR_CLIENT_ID || !c.env.LINEAR_CLIENT_SECRET) {
      return c.html(htmlPage("Not configured", "Set the LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET secrets, then try again."), 503);
    }

    let tokens;
    try {
      tokens = await exchangeAuthorizationCode(
        { apiUrl: config.LINEAR_API_URL, clientId: c.env.LINEAR_CLIENT_ID, clientSecret: c.env.LINEAR_CLIENT_SECRET },
        { code, redirectUri: callbackUrl(config.PUBLIC_URL, c.req.url), codeVerifier: claimed.codeVerifier },
      );
    } catch (err) {
      log.warn("linear code exchange failed", { error: describeError(err) });
      return c.html(htmlPage("Could not finish the install", describeError(err)), 400);
    }
    let viewer;
    try {
      viewer = await new LinearApi({ apiUrl: config.LINEAR_API_URL, accessToken: tokens.accessToken }).viewer();
    } catch (err) {
      log.error("could not read the app's identity after install", { error: describeError(err) });
      return c.html(htmlPage("Could not finish the install", `Linear did not tell us who the app is: ${describeError(err)}`), 502);
    }
    const organization = viewer.organization;
    const workspace = workspaceStub(c.env, organization.id);
    await workspace.install({
      organizationId: organization.id,
      name: organization.name,
      urlKey: organization.urlKey,
      appUserId: viewer.id,
      tokens,
      installedBy: "oauth",
    });
    return c.html(
      htmlPage("Cyrus is installed", `Cyrus Edge is now installed in ${organization.name}. Delegate an issue to the app, or mention it in a comment, to start.`),
      200,
    );
  });
