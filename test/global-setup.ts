/**
 * Starts the emulators of the services we cannot reach (Linear now; Codegen
 * later) as real HTTP servers on 127.0.0.1, for the tests that run inside
 * workerd. Their URLs reach the Worker's bindings through `provide`/`inject`.
 */
import type { TestProject } from "vitest/node";
import { startLinearEmulator } from "./emulators/linear/server";

export default async function setup(project: TestProject) {
  const linear = await startLinearEmulator();
  project.provide("linearEmulatorUrl", linear.url);
  return async () => {
    await linear.close();
  };
}
