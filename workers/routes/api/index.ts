import { factory } from "../../factory";
import { authenticateApi } from "../../middleware/principal";
import { resolveWorkspace } from "../../middleware/workspace";
import { agentTokenRoutes } from "./agent-tokens";
import { alertRoutes } from "./alerts";
import { auditRoutes } from "./audit";
import { codegenRoutes } from "./codegen";
import { codegenTestRoutes, configRoutes } from "./config";
import { deadLetterRoutes } from "./dead-letters";
import { issueRoutes } from "./issues";
import { repositoryRoutes } from "./repositories";
import { reportRoutes } from "./reports";
import { sessionRoutes } from "./sessions";
import { workspaceRoutes } from "./workspaces";

/** The JSON API: the admin key as a bearer (or a panel sign-in), and a workspace resolved for the routes that act on one. */
const scoped = factory
  .createApp()
  .use(resolveWorkspace)
  .route("/repositories", repositoryRoutes)
  .route("/codegen/test", codegenTestRoutes)
  .route("/codegen", codegenRoutes)
  .route("/agent-tokens", agentTokenRoutes)
  .route("/config", configRoutes)
  .route("/audit", auditRoutes)
  .route("/alerts", alertRoutes)
  .route("/sessions", sessionRoutes)
  .route("/issues", issueRoutes)
  .route("/", reportRoutes);

export const apiRoutes = factory
  .createApp()
  .use(authenticateApi)
  .route("/dead-letters", deadLetterRoutes)
  .route("/workspaces", workspaceRoutes)
  .route("/", scoped);
