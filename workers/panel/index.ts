/**
 * The control panel, served by the Worker at the root of its origin:
 * server-rendered pages (Hono JSX), live parts over Server-Sent Events, and
 * its scripts and styles as static assets under /assets/. Signed out, a page
 * redirects to /login. The pages read the same query functions as the JSON
 * API; actions go through the API itself (with the session's CSRF token).
 */
import { factory } from "../factory";
import { requirePanelSignIn } from "../middleware/principal";
import { panelLayout } from "./layout";
import { linearSignInRoutes } from "./linear-sign-in";
import { loginRoutes } from "./login";
import { analyticsPages } from "./pages/analytics";
import { livePages } from "./pages/live";
import { overviewPages } from "./pages/overview";
import { repositoryPages } from "./pages/repositories";
import { sessionPages } from "./pages/sessions";
import { settingsPages } from "./pages/settings";
import { loadPanelView } from "./view";

/** Exact "/" and each section with everything under it ("/x/*" matches "/x" too). */
const SIGNED_IN_PATHS = ["/", "/sessions/*", "/analytics/*", "/repositories/*", "/settings/*", "/live/*"];

const app = factory.createApp().route("/", loginRoutes).route("/", linearSignInRoutes);
for (const path of SIGNED_IN_PATHS) app.use(path, requirePanelSignIn, loadPanelView, panelLayout);

export const panelRoutes = app
  .route("/", overviewPages)
  .route("/sessions", sessionPages)
  .route("/analytics", analyticsPages)
  .route("/repositories", repositoryPages)
  .route("/settings", settingsPages)
  .route("/live", livePages);
