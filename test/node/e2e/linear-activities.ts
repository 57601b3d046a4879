/** End-to-end helper: what (emulated) Linear shows of an agent session, read until it says what a test waits for. */
import type { ActivityView, LinearEmulatorControl } from "../../emulators/linear/control-client";

/** Reads the session's activities until `done` holds; fails after `timeoutMs` with what was there. */
export async function activitiesUntil(
  linear: LinearEmulatorControl,
  organizationId: string,
  agentSessionId: string,
  done: (activities: ActivityView[]) => boolean,
  timeoutMs: number,
): Promise<ActivityView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await linear.state(organizationId);
    const activities = state.agentSessions.find((s) => s.id === agentSessionId)?.activities ?? [];
    if (done(activities)) return activities;
    if (Date.now() > deadline) throw new Error(`timed out; activities so far: ${activities.map((a) => `${a.content.type}: ${a.content.body ?? a.content.action}`).join(" | ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
