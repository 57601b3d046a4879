import { createFactory } from "hono/factory";
import { readConfig, type EdgeConfig } from "../src/config";
import { createDb, type Db } from "../src/db/client";
import { createLogger, type Logger } from "../src/log";
import type { AppEnv } from "./env";

export interface AppVariables {
  config: EdgeConfig;
  db: Db;
  log: Logger;
  /** The Linear organization an /api request acts on (see middleware/workspace.ts). */
  workspaceId: string;
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
