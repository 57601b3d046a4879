/**
 * The emulator's scaled clock: real time × timeScale plus what tests add.
 * Run statuses and rate-limit windows follow it, so a benchmark at 60× keeps
 * the documented limits in scaled time. Each test starts its own emulator,
 * since these tests change the clock's speed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CodegenEmulatorControl } from "../../emulators/codegen/control-client";
import { type CodegenEmulator, startCodegenEmulator } from "../../emulators/codegen/server";
import { CodegenApiClient } from "../../emulators/codegen/testing";

const started: CodegenEmulator[] = [];

async function start(timeScale?: number) {
  const emulator = await startCodegenEmulator(timeScale === undefined ? {} : { timeScale });
  started.push(emulator);
  const control = new CodegenEmulatorControl(emulator.url);
  const org = await control.createOrganization();
  return { emulator, control, org, api: new CodegenApiClient(emulator.url, org.orgId, org.apiToken) };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

describe("scaled time", () => {
  it("at timeScale 60, emulator time runs 60 times faster than real time", async () => {
    const { control } = await start(60);
    const a0 = performance.now();
    const first = await control.clock();
    const a1 = performance.now();
    for (let i = 0; i < 20; i++) await control.config();
    const b0 = performance.now();
    const second = await control.clock();
    const b1 = performance.now();
    expect(first.timeScale).toBe(60);
    const elapsed = second.nowMs - first.nowMs;
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor((b0 - a1) * 60) - 1);
    expect(elapsed).toBeLessThanOrEqual(Math.ceil((b1 - a0) * 60) + 1);
    expect(elapsed).toBeGreaterThan(0);
  });

  it("timeScale 0 freezes the clock; advance moves it and is reported", async () => {
    const { control } = await start(0);
    const before = await control.clock();
    for (let i = 0; i < 5; i++) await control.config();
    expect((await control.clock()).nowMs).toBe(before.nowMs);
    const after = await control.advanceClock(90_000);
    expect(after.nowMs - before.nowMs).toBe(90_000);
    expect(after.offsetMs).toBe(90_000);
    await expect(control.advanceClock(-1)).rejects.toThrow(/HTTP 400/);
  });

  it("the default speed is real time, and runs read their status from it", async () => {
    const { control, org, api } = await start();
    expect((await control.config()).timeScale).toBe(1);
    await control.script(org.orgId, { default: { durationMs: 0 } });
    const { body: run } = await api.create();
    expect(run.status).toBe("COMPLETE");
    await control.script(org.orgId, { default: { durationMs: 3_600_000 } });
    expect((await api.create()).body.status).toBe("ACTIVE");
  });

  it("rate windows are scaled time: a full create window empties as soon as scaled time passes it", async () => {
    const { control, api } = await start(1);
    for (let i = 0; i < 10; i++) expect((await api.create()).status).toBe(200);
    expect((await api.create()).status).toBe(429);
    // At this speed every real microsecond is a second: the 60 s window has passed by the next request.
    await control.setTimeScale(1e9);
    expect((await api.create()).status).toBe(200);
    await control.setTimeScale(0);
    const clock = await control.clock();
    expect(clock.timeScale).toBe(0);
    expect(clock.nowMs).toBeGreaterThan(Date.now() + 60_000);
  });

  it("a run's status follows scaled time without anyone advancing it", async () => {
    const { api } = await start(1e9);
    const { body: run } = await api.create();
    // Created ACTIVE (or already done at this speed); a read a moment later sees the 60 s script finished.
    expect(["ACTIVE", "COMPLETE"]).toContain(run.status);
    expect((await api.get(run.id)).body.status).toBe("COMPLETE");
  });

  it("reset forgets organizations, runs, calls and the clock's advance", async () => {
    const { control, org, api } = await start(0);
    await api.create();
    await control.advanceClock(5_000);
    await control.reset();
    expect(await control.calls({ orgId: org.orgId })).toEqual([]);
    expect((await control.stats()).total).toBe(0);
    expect((await control.clock()).offsetMs).toBe(0);
    expect((await api.create()).status).toBe(401);
    await expect(control.runs(org.orgId)).rejects.toThrow(/HTTP 404/);
  });
});
