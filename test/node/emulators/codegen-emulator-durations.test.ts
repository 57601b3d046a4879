/**
 * Per-run durations in the Codegen emulator: a queued script with `match` is
 * taken only by a run whose prompt or metadata fits, whatever order the runs
 * are created in (children of one parent start in any order), and `repeat`
 * keeps it for every run that fits. The clock is frozen (`timeScale: 0`), so
 * each run's end is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CreatedOrganization, CodegenEmulatorControl } from "../../emulators/codegen/control-client";
import { type CodegenEmulator, startCodegenEmulator } from "../../emulators/codegen/server";
import { CodegenApiClient } from "../../emulators/codegen/testing";

let emulator: CodegenEmulator;
let control: CodegenEmulatorControl;

beforeAll(async () => {
  emulator = await startCodegenEmulator({ timeScale: 0 });
  control = new CodegenEmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

async function setup(): Promise<{ org: CreatedOrganization; api: CodegenApiClient }> {
  const org = await control.createOrganization({});
  return { org, api: new CodegenApiClient(emulator.url, org.orgId, org.apiToken) };
}

/** The status of each run after the clock moved to `atMs` since they were created. */
async function statusesAt(api: CodegenApiClient, ids: number[], advanceMs: number): Promise<string[]> {
  await control.advanceClock(advanceMs);
  return Promise.all(ids.map(async (id) => (await api.get(id)).body.status as string));
}

describe("per-run durations", () => {
  it("each run takes the duration scripted for its prompt or metadata, whatever order the runs start in", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, {
      scripts: [
        { match: { promptContains: "ENG-2" }, durationMs: 30_000 },
        { match: { metadata: { linear_issue: "ENG-3" } }, durationMs: 30_000 },
        { match: { promptContains: "ENG-4" }, durationMs: 20_000 },
      ],
      default: { durationMs: 90_000 },
    });
    const e4 = (await api.create({ prompt: "Work on ENG-4" })).body.id;
    const e3 = (await api.create({ prompt: "Work on the UI", metadata: { linear_issue: "ENG-3", attempt: 1 } })).body.id;
    const e2 = (await api.create({ prompt: "Work on ENG-2" })).body.id;
    const other = (await api.create({ prompt: "Something else" })).body.id;
    const ids = [e2, e3, e4, other];

    expect(await statusesAt(api, ids, 19_999)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]);
    expect(await statusesAt(api, ids, 1)).toEqual(["ACTIVE", "ACTIVE", "COMPLETE", "ACTIVE"]);
    expect(await statusesAt(api, ids, 10_000)).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "ACTIVE"]);
    expect(await statusesAt(api, ids, 60_000)).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "COMPLETE"]);
    expect((await control.scripts(org.orgId)).queue).toEqual([]);
    const runs = await control.runs(org.orgId);
    expect(runs.map((r) => [r.prompt, r.segments[0]!.script.durationMs])).toEqual([
      ["Work on ENG-4", 20_000],
      ["Work on the UI", 30_000],
      ["Work on ENG-2", 30_000],
      ["Something else", 90_000],
    ]);
  });

  it("a run no queued script fits leaves them queued for the runs they are for", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ match: { promptContains: "ENG-9" }, durationMs: 5_000, finalStatus: "FAILED" }], default: { durationMs: 1_000 } });
    const unrelated = (await api.create({ prompt: "ENG-8" })).body.id;
    expect((await control.scripts(org.orgId)).queue).toHaveLength(1);
    const target = (await api.create({ prompt: "ENG-9" })).body.id;
    expect(await statusesAt(api, [unrelated, target], 5_000)).toEqual(["COMPLETE", "FAILED"]);
  });

  it("matches every given condition; metadata values must be equal, not merely present", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ match: { promptContains: "ENG-5", metadata: { attempt: 2 } }, durationMs: 2_000 }], default: { durationMs: 50_000 } });
    const first = (await api.create({ prompt: "ENG-5", metadata: { attempt: 1 } })).body.id;
    const noMetadata = (await api.create({ prompt: "ENG-5" })).body.id;
    const second = (await api.create({ prompt: "ENG-5", metadata: { attempt: 2 } })).body.id;
    expect(await statusesAt(api, [first, noMetadata, second], 2_000)).toEqual(["ACTIVE", "ACTIVE", "COMPLETE"]);
  });

  it("a retried child can fail first, then succeed: two matched scripts are taken in order", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, {
      scripts: [
        { match: { promptContains: "ENG-7" }, durationMs: 1_000, finalStatus: "FAILED" },
        { match: { promptContains: "ENG-7" }, durationMs: 3_000 },
      ],
    });
    const attempt1 = (await api.create({ prompt: "ENG-7 attempt 1" })).body.id;
    const attempt2 = (await api.create({ prompt: "ENG-7 attempt 2" })).body.id;
    expect(await statusesAt(api, [attempt1, attempt2], 3_000)).toEqual(["FAILED", "COMPLETE"]);
  });

  it("repeat keeps a matched script for every run that fits; a resume is matched on its prompt and the run's metadata", async () => {
    const { org, api } = await setup();
    await control.script(org.orgId, { scripts: [{ match: { metadata: { issue: "ENG-6" } }, durationMs: 4_000, repeat: true }], default: { durationMs: 40_000 } });
    const a = (await api.create({ prompt: "one", metadata: { issue: "ENG-6" } })).body.id;
    const b = (await api.create({ prompt: "two", metadata: { issue: "ENG-6" } })).body.id;
    expect((await control.scripts(org.orgId)).queue).toHaveLength(1);
    expect(await statusesAt(api, [a, b], 4_000)).toEqual(["COMPLETE", "COMPLETE"]);
    await api.resume({ agent_run_id: a, prompt: "also add tests" });
    expect(await statusesAt(api, [a], 4_000)).toEqual(["COMPLETE"]);
  });

  it("refuses a malformed match", async () => {
    const { org } = await setup();
    await expect(control.script(org.orgId, { scripts: [{ match: { promptContains: "" } }] })).rejects.toThrow(/promptContains must be a non-empty string/);
    await expect(control.script(org.orgId, { scripts: [{ match: { metadata: { nested: { a: 1 } } } as never }] })).rejects.toThrow(/metadata must map keys/);
    await expect(control.script(org.orgId, { scripts: [{ match: { title: "x" } as never }] })).rejects.toThrow(/unknown fields: title/);
  });
});
