/**
 * A repository's overrides of the workspace settings are kept under its name
 * (`settings.repositories[name]`), which the routing and the ledger look up
 * by the name a task carries. When the repository is renamed they follow it;
 * when it is deleted they go with it, so a later repository of the old name
 * does not inherit them.
 */
import type { WorkspaceSettings } from "./workspace-settings";

/** The settings with `from`'s override moved to `to` (or dropped when `to` is null); null when there is nothing to move. */
export function moveRepositoryOverride(settings: WorkspaceSettings, from: string, to: string | null): WorkspaceSettings | null {
  const overrides = settings.repositories;
  if (!overrides || !Object.hasOwn(overrides, from) || from === to) return null;
  const { [from]: moved, ...rest } = overrides;
  return { ...settings, repositories: to === null ? rest : { ...rest, [to]: moved! } };
}
