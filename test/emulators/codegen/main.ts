/**
 * Runs the Codegen emulator on its own, for the local demo and benchmarks:
 *   npx tsx test/emulators/codegen/main.ts --port 4020 [--host 127.0.0.1] [--time-scale 1] [--seed]
 * `--seed` creates an organization and prints its id and API token (an
 * emulator token, worthless anywhere else).
 */
import { parseArgs } from "node:util";
import { startCodegenEmulator } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4020" },
    host: { type: "string", default: "127.0.0.1" },
    "time-scale": { type: "string", default: "1" },
    seed: { type: "boolean", default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}
const timeScale = Number(values["time-scale"]);
if (!Number.isFinite(timeScale) || timeScale < 0) {
  console.error(`--time-scale must be a non-negative number, not ${values["time-scale"]}`);
  process.exit(2);
}

const emulator = await startCodegenEmulator({ port, host: values.host, timeScale });
console.log(`Codegen emulator listening on ${emulator.url} (time scale ${timeScale})`);

if (values.seed) {
  const response = await fetch(`${emulator.url}/_emulator/organizations`, { method: "POST", body: "{}" });
  const org = (await response.json()) as { orgId: number; apiToken: string };
  console.log(`Seeded organization ${org.orgId}: CODEGEN_ORG_ID=${org.orgId} CODEGEN_API_TOKEN=${org.apiToken}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
