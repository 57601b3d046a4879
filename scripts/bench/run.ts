/**
 * `npm run bench [name…]`: runs the benchmarks (all by default), prints their
 * figures and writes each to .bench/<name>.json. Loopback only; every loop is
 * bounded. Figures are for ratios within one run: the machines are shared.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { benchCloudPolling } from "./cloud-polling";
import { benchEstimates } from "./estimates";
import { benchLocalDispatch } from "./local-dispatch";
import { benchWebhookIngestion } from "./webhook-ingestion";

const BENCHMARKS: Record<string, () => Promise<unknown>> = {
  "webhook-ingestion": benchWebhookIngestion,
  "cloud-polling": benchCloudPolling,
  "local-dispatch": benchLocalDispatch,
  reports: async () => (await import("./reports")).benchReports(),
  panel: async () => (await import("./panel")).benchPanel(),
  estimates: benchEstimates,
  parallel: async () => (await import("./parallel")).benchParallel(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}

mkdirSync(".bench", { recursive: true });
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  console.log(`\n== ${name}`);
  const result = await BENCHMARKS[name]!();
  writeFileSync(`.bench/${name}.json`, `${JSON.stringify({ at: new Date().toISOString(), ...(result as object) }, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
