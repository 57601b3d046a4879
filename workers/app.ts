import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ConfigurationError } from "../src/config";
import { createLogger, describeError } from "../src/log";
import { factory } from "./factory";
import { agentConnectRoutes } from "./routes/agent-connect";
import { apiRoutes } from "./routes/api";
import { healthRoutes } from "./routes/health";
import { linearWebhookRoutes } from "./routes/linear-webhook";
import { oauthRoutes } from "./routes/oauth";
import { securityHeaders } from "./middleware/security-headers";
import { panelRoutes } from "./panel";
import { htmlPage } from "./routes/html-page";

export const app = factory
  .createApp()
  .use(securityHeaders)
  .route("/health", healthRoutes)
  .route("/webhooks/linear", linearWebhookRoutes)
  .route("/oauth/linear", oauthRoutes)
  .route("/api", apiRoutes)
  .route("/agent/connect", agentConnectRoutes)
  // Browsers ask for it on every page that is not HTML (a JSON answer, a plain error).
  .get("/favicon.ico", (c) => c.redirect("/assets/favicon.svg", 301))
  .route("/", panelRoutes);

/** A browser asking for a page gets a page; everything else the JSON error shape. */
const wantsHtml = (c: { req: { path: string; header(name: string): string | undefined } }) =>
  !c.req.path.startsWith("/api/") && (c.req.header("accept") ?? "").includes("text/html");

app.notFound((c) =>
  wantsHtml(c)
    ? c.html(htmlPage("Not found", `There is no page at ${c.req.path}. The control panel starts at /.`), 404)
    : c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404),
);

/** One error shape (JSON, or a page for a browser). The detail goes to the log; the caller gets a message without internals. */
app.onError((error, c) => {
  const answer = (message: string, status: ContentfulStatusCode) =>
    wantsHtml(c) ? c.html(htmlPage(status >= 500 ? "Something went wrong" : "Not possible", message), status) : c.json({ error: message }, status);
  if (error instanceof HTTPException) return answer(error.message, error.status);
  const log = createLogger("error", { path: c.req.path });
  if (error instanceof ConfigurationError) {
    log.error("configuration error", { error: error.message });
    return answer(error.message, 500);
  }
  log.error("unhandled error", { error: describeError(error), stack: error instanceof Error ? error.stack : undefined });
  return answer("internal error: the edge could not complete this request; it has been logged", 500);
});

export type AppType = typeof app;
