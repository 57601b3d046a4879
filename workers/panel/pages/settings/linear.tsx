/** Settings → Linear: whether the app is installed in the workspace, how its token stands, and the (re-)install button. */
import type { WorkspaceInstall } from "../../../../src/db/queries/workspace-installs";
import { linearInstallHealth } from "../../../../src/domain/panel/settings-view";
import { Ago, Badge } from "../../components/format";
import type { PanelView } from "../../view";

export interface LinearSectionData {
  /** The workspace shown, with its token's state; null when none is. */
  install: (WorkspaceInstall & { refreshFailedAt: number | null }) | null;
  /** Workspaces that uninstalled the app: the admin key sees every one, a Linear user their own. */
  revoked: WorkspaceInstall[];
  /** LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET are set, so /oauth/linear/authorize works. */
  oauthReady: boolean;
  now: number;
}

const AUTHORIZE = "/oauth/linear/authorize";

function InstallButton({ view, data, label }: { view: PanelView; data: LinearSectionData; label: string }) {
  if (!data.oauthReady) {
    return <p class="notice warn">Installing needs the LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET secrets of your Linear app on this edge.</p>;
  }
  if (!view.canChange) return <p class="muted">A Linear admin of the workspace can {label.toLowerCase()} the app from here.</p>;
  return (
    <p>
      <a role="button" href={AUTHORIZE}>
        {label}
      </a>{" "}
      <small class="muted">Linear asks an admin of the workspace to approve; you come back here.</small>
    </p>
  );
}

export function LinearSection({ view, data }: { view: PanelView; data: LinearSectionData }) {
  const install = data.install;
  const health = install ? linearInstallHealth(install, data.now) : null;
  return (
    <article id="linear">
      <header>
        <h2>Linear</h2>
      </header>
      {install && health ? (
        <>
          <dl>
            <dt>Workspace</dt>
            <dd>{install.name}</dd>
            <dt>Installed</dt>
            <dd>
              <Ago at={install.installedAt} />
            </dd>
            <dt>Token</dt>
            <dd>
              <Badge value={health.reinstall ? (health.state === "expiring" ? "warn" : "bad") : "ok"} label={health.state.replace(/_/g, " ")} /> {health.text}
            </dd>
          </dl>
          <InstallButton view={view} data={data} label={health.reinstall ? "Re-install into Linear" : "Re-install"} />
        </>
      ) : (
        <>
          <p>{data.revoked.length > 0 ? "The app is not installed in a workspace you can see." : "The app is not installed in any Linear workspace yet."}</p>
          <InstallButton view={view} data={data} label="Install into Linear" />
        </>
      )}
      {data.revoked.length > 0 ? (
        <>
          <h3>Uninstalled</h3>
          <ul>
            {data.revoked.map((w) => (
              <li>
                {w.name} <Badge value="revoked" /> <Ago at={w.revokedAt} /> — its sessions, settings and history are kept; install the app again to resume.
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </article>
  );
}
