import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Three projects:
 * - `workers`: the Worker and its Durable Objects inside workerd, on real D1 and DO storage.
 *   The emulators run in Node (test/global-setup.ts) and are reached on 127.0.0.1.
 * - `node`: the emulators themselves, the local agent and the CLI, end-to-end runs.
 * - `browser`: the control panel in headless Chromium against `wrangler dev --local` (test/browser/README.md).
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  LINEAR_API_URL: inject("linearEmulatorUrl"),
                  LINEAR_AUTHORIZE_URL: `${inject("linearEmulatorUrl")}/oauth/authorize`,
                  CODEGEN_API_URL: inject("codegenEmulatorUrl"),
                  LINEAR_WEBHOOK_SECRET: "test-webhook-secret",
                  LINEAR_CLIENT_ID: "test-client-id",
                  LINEAR_CLIENT_SECRET: "test-client-secret",
                  ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
                  CYRUS_API_KEY: "test-api-key",
                  PUBLIC_URL: "https://edge.test",
                  RETRY_BASE_MS: "60000",
                  PARALLEL_MAX_CHILDREN: "3",
                  LOG_LEVEL: "error",
                },
              },
            })),
          ],
          test: {
            name: "workers",
            testTimeout: 30_000,
            include: ["test/workers/**/*.test.ts"],
            globalSetup: ["./test/global-setup.ts"],
            setupFiles: ["./test/workers/setup.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["test/node/**/*.test.ts"],
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            // Each file starts its own `wrangler dev` and Chromium: one file at a time, after the other projects, so two cores are enough.
            fileParallelism: false,
            sequence: { groupOrder: 1 },
            hookTimeout: 120_000,
            testTimeout: 60_000,
          },
        },
      ],
    },
  };
});
