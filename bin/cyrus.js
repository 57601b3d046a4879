#!/usr/bin/env node
// The `cyrus` CLI: TypeScript run through tsx, no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/agent/cli.ts");
process.exit(await main());
