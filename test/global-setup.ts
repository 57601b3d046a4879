/**
 * Starts the emulators of the services we cannot reach (Linear and Codegen) as
 * real HTTP servers on 127.0.0.1, for the tests that run inside workerd. Their
 * URLs reach the Worker's bindings through `provide`/`inject`.
 */
import type { TestProject } from "vitest/node";
import { startCodegenEmulator } from "./emulators/codegen/server";
import { startLinearEmulator } from "./emulators/linear/server";

export default async function setup(project: TestProject) {
  const linear = await startLinearEmulator();
  const codegen = await startCodegenEmulator();
  project.provide("linearEmulatorUrl", linear.url);
  project.provide("codegenEmulatorUrl", codegen.url);
  return async () => {
    await Promise.all([linear.close(), codegen.close()]);
  };
}
