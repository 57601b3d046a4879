import { HTTPException } from "hono/http-exception";
import { ConfigurationError } from "../src/config";
import { createLogger, describeError } from "../src/log";
import { factory } from "./factory";
import { agentConnectRoutes } from "./routes/agent-connect";
import { apiRoutes } from "./routes/api";
import { healthRoutes } from "./routes/health";
import { linearWebhookRoutes } from "./routes/linear-webhook";
import { oauthRoutes } from "./routes/oauth";

export const app = factory
  .createApp()
  .route("/health", healthRoutes)
  .route("/webhooks/linear", linearWebhookRoutes)
  .route("/oauth/linear", oauthRoutes)
  .route("/api", apiRoutes)
  .route("/agent/connect", agentConnectRoutes);

app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));

/** One JSON error shape. The detail goes to the log; the caller gets a message without internals. */
app.onError((error, c) => {
  if (error instanceof HTTPException) return c.json({ error: error.message }, error.status);
  const log = createLogger("error", { path: c.req.path });
  if (error instanceof ConfigurationError) {
    log.error("configuration error", { error: error.message });
    return c.json({ error: error.message }, 500);
  }
  log.error("unhandled error", { error: describeError(error), stack: error instanceof Error ? error.stack : undefined });
  return c.json({ error: "internal error: the edge could not complete this request; it has been logged" }, 500);
});

export type AppType = typeof app;
