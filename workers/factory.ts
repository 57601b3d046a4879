import { createFactory } from "hono/factory";
import { readConfig, type EdgeConfig } from "../src/config";
import { createDb, type Db } from "../src/db/client";
import { createLogger, type Logger } from "../src/log";
import type { PanelSessionRow } from "../src/db/queries/panel-sessions";
import type { Principal } from "../src/domain/panel/access";
import type { AppEnv } from "./env";
import type { PanelView } from "./panel/panel-view";

export interface AppVariables {
  config: EdgeConfig;
  db: Db;
  log: Logger;
  /** The Linear organization an /api request acts on (see middleware/workspace.ts). */
  workspaceId: string;
  /** Who is asking (see middleware/principal.ts), and how the audit log names them. */
  principal: Principal;
  actor: string;
  /** Set when the request came with a panel sign-in cookie rather than a bearer. */
  panelSession: PanelSessionRow | null;
  /** On the panel's pages: the signed-in user, their workspaces and the one shown (see panel/view.ts). */
  panelView: PanelView;
}

export type AppBindings = { Bindings: AppEnv; Variables: AppVariables };

/** Every route file builds its app here, so bindings and per-request helpers are typed once. */
export const factory = createFactory<AppBindings>({
  initApp: (app) => {
    app.use(async (c, next) => {
      const config = readConfig(c.env as unknown as Record<string, unknown>);
      c.set("config", config);
      c.set("db", createDb(c.env.DB));
      c.set("log", createLogger(config.LOG_LEVEL, { path: c.req.path }));
      await next();
    });
  },
});
