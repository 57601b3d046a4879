/**
 * Shows what happens in (emulated) Linear as it happens: every agent activity
 * of every session in an organization, and every issue that changes state,
 * each line prefixed by the issue's identifier. It reads the emulator's state
 * a few times a second; `until` waits (bounded) for a condition on that state,
 * `follow` keeps printing until stopped (for `npm run demo -- --keep`, where
 * issues are delegated from the panel).
 */
import type { ActivityView, LinearEmulatorControl, OrganizationStateView } from "../../test/emulators/linear/control-client";

export type Say = (head: string, body?: string) => void;

/** The first line's time stamp and head, then the body; a multi-line body's further lines are indented under its first. */
export function timedLog(started = Date.now()): Say {
  return (head, body) => {
    const prefix = `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${head}${body === undefined ? "" : " "}`;
    const lines = (body ?? "").split("\n");
    console.log([prefix + lines[0], ...lines.slice(1).map((line) => " ".repeat(prefix.length) + line)].join("\n").trimEnd());
  };
}

const POLL_MS = 250;

export class LinearWatch {
  readonly #seen = new Set<string>();
  readonly #states = new Map<string, string>();
  #following = false;

  constructor(
    readonly linear: LinearEmulatorControl,
    readonly organizationId: string,
    readonly say: Say,
  ) {}

  /** Reads the organization once and prints what is new since the last read. */
  async poll(): Promise<OrganizationStateView> {
    const state = await this.linear.state(this.organizationId);
    const identifiers = new Map(state.issues.map((issue) => [issue.id, issue.identifier]));
    for (const issue of state.issues) {
      const before = this.#states.get(issue.id);
      // The first sight of an issue is its creation, which the caller announces itself.
      if (before !== undefined && before !== issue.state.name) this.say(issue.identifier.padEnd(6), `moved to "${issue.state.name}"`);
      this.#states.set(issue.id, issue.state.name);
    }
    const fresh = state.agentSessions
      .flatMap((session) => session.activities.map((activity) => ({ activity, identifier: identifiers.get(session.issueId ?? "") ?? "?" })))
      .filter(({ activity }) => !this.#seen.has(activity.id))
      .sort((a, b) => a.activity.createdAt.localeCompare(b.activity.createdAt));
    for (const { activity, identifier } of fresh) {
      this.#seen.add(activity.id);
      this.say(`${identifier.padEnd(6)} ${activity.content.type === "prompt" ? "user " : "agent"} ${activity.content.type.padEnd(8)}`, describe(activity));
    }
    return state;
  }

  /** Polls until `done` holds for the state read; throws `what` after `timeoutMs`. */
  async until(what: string, done: (state: OrganizationStateView) => boolean | Promise<boolean>, timeoutMs: number): Promise<OrganizationStateView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.poll();
      if (await done(state)) return state;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Prints what happens until `stop()`; a failed read is reported and retried, not fatal. */
  async follow(): Promise<void> {
    this.#following = true;
    while (this.#following) {
      try {
        await this.poll();
      } catch (error) {
        this.say("(could not read the Linear emulator:", `${error instanceof Error ? error.message : String(error)})`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS * 2));
    }
  }

  stop(): void {
    this.#following = false;
  }
}

function describe(activity: ActivityView): string {
  const { body, action, parameter, result } = activity.content;
  if (body !== undefined) return body;
  return [action, parameter, result ? `→ ${result}` : undefined].filter(Boolean).join(" ");
}

/** The activities of the agent sessions on one issue, oldest first. */
export function activitiesOn(state: OrganizationStateView, issueId: string): ActivityView[] {
  return state.agentSessions
    .filter((session) => session.issueId === issueId)
    .flatMap((session) => session.activities)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** How the agent's work on an issue ended, if it has: its last response or error. */
export function endingOn(state: OrganizationStateView, issueId: string): ActivityView | undefined {
  return activitiesOn(state, issueId).findLast((a) => a.content.type === "response" || a.content.type === "error");
}
