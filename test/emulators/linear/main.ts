/**
 * Runs the Linear emulator on its own, for the local demo:
 *   npx tsx test/emulators/linear/main.ts --port 4010 [--host 127.0.0.1]
 *     [--webhook-url http://127.0.0.1:8787/webhooks/linear --webhook-secret …]
 *     [--client-id … --client-secret …] [--seed]
 * `--seed` creates an organization with one issue; its id is printed, its tokens
 * are not (read them with POST /_emulator/organizations/<id>/tokens).
 */
import { parseArgs } from "node:util";
import { startLinearEmulator } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    "webhook-url": { type: "string" },
    "webhook-secret": { type: "string" },
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    seed: { type: "boolean", default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}

const emulator = await startLinearEmulator({
  port,
  host: values.host,
  webhookUrl: values["webhook-url"],
  webhookSecret: values["webhook-secret"],
  clientId: values["client-id"],
  clientSecret: values["client-secret"],
});
console.log(`Linear emulator listening on ${emulator.url}`);

if (values.seed) {
  const response = await fetch(`${emulator.url}/_emulator/organizations`, { method: "POST", body: JSON.stringify({ name: "Acme" }) });
  const org = (await response.json()) as { organizationId: string; urlKey: string };
  await fetch(`${emulator.url}/_emulator/organizations/${org.organizationId}/issues`, {
    method: "POST",
    body: JSON.stringify({ title: "Make the checkout button work on mobile", description: "Tapping it does nothing on iOS Safari.", labels: ["bug"] }),
  });
  console.log(`Seeded organization ${org.organizationId} (${org.urlKey}) with issue ENG-1`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
