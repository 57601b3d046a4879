import { factory } from "../../factory";
import { requireApiKey } from "../../middleware/api-auth";
import { resolveWorkspace } from "../../middleware/workspace";
import { agentTokenRoutes } from "./agent-tokens";
import { codegenRoutes } from "./codegen";
import { codegenTestRoutes, configRoutes } from "./config";
import { deadLetterRoutes } from "./dead-letters";
import { repositoryRoutes } from "./repositories";
import { reportRoutes } from "./reports";
import { sessionActionRoutes } from "./session-actions";
import { workspaceRoutes } from "./workspaces";

/** The JSON API: one bearer key, and a workspace resolved for the routes that act on one. */
const scoped = factory
  .createApp()
  .use(resolveWorkspace)
  .route("/repositories", repositoryRoutes)
  .route("/codegen/test", codegenTestRoutes)
  .route("/codegen", codegenRoutes)
  .route("/agent-tokens", agentTokenRoutes)
  .route("/config", configRoutes)
  .route("/sessions", sessionActionRoutes)
  .route("/", reportRoutes);

export const apiRoutes = factory
  .createApp()
  .use(requireApiKey)
  .route("/dead-letters", deadLetterRoutes)
  .route("/workspaces", workspaceRoutes)
  .route("/", scoped);
