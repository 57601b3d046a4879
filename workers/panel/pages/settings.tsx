/**
 * `/settings`: the workspace's Linear install, execution settings, alerts,
 * Codegen credentials, agent tokens and audit log, one section each
 * (workers/panel/pages/settings/*.tsx). Everything is read here from the same
 * query functions the API uses; every change goes through the JSON API
 * (public/assets/panel.js, settings.js). A Linear member sees it all
 * read-only; a Linear admin or the admin key may change it.
 */
import { listAgentTokens } from "../../../src/db/queries/agent-tokens";
import { listAlerts } from "../../../src/db/queries/alerts";
import { lastTokenRefreshFailure, listAuditPage } from "../../../src/db/queries/audit";
import { listRepositories } from "../../../src/db/queries/repositories";
import { loadWorkspaceSettings } from "../../../src/db/queries/settings";
import { findWorkspaceInstall, listRevokedInstalls, type WorkspaceInstall } from "../../../src/db/queries/workspace-installs";
import { workspaceSettingsWithSources } from "../../../src/domain/panel/settings-view";
import { describeError } from "../../../src/log";
import { resolveCodegenCredential } from "../../codegen-credentials";
import { factory } from "../../factory";
import { AuditQuerySchema, seesEdgeWideAudit } from "../../routes/api/audit";
import { encodeKeysetCursor } from "../../keyset-cursor";
import { NoWorkspace, ReadOnlyNote } from "../components/admin-form";
import { AgentTokensSection } from "./settings/agent-tokens";
import { AlertsSection } from "./settings/alerts";
import { AuditSection } from "./settings/audit";
import { CodegenSection, type CodegenStatus } from "./settings/codegen";
import { ExecutionSection } from "./settings/execution";
import { LinearSection, type LinearSectionData } from "./settings/linear";

const TITLE = "Settings";
const RENDER = { title: TITLE, nav: "settings" as const, scripts: ["/assets/changed-fields.js", "/assets/settings.js"] };
const AUDIT_PAGE = 25;
const RECENT_ALERTS = 10;

export const settingsPages = factory.createApp().get("/", async (c) => {
  const view = c.var.panelView;
  const { db, config } = c.var;
  const now = Date.now();
  const principal = view.principal;

  // Uninstalled workspaces: the admin key sees all of them, a Linear user only their own.
  const revoked: WorkspaceInstall[] =
    principal.kind === "admin_key"
      ? await listRevokedInstalls(db)
      : await findWorkspaceInstall(db, principal.organizationId).then((w) => (w?.revokedAt ? [w] : []));
  const oauthReady = Boolean(c.env.LINEAR_CLIENT_ID && c.env.LINEAR_CLIENT_SECRET);

  if (!view.workspace) {
    return c.render(
      <>
        <h1>{TITLE}</h1>
        <NoWorkspace view={view} />
        <LinearSection view={view} data={{ install: null, revoked, oauthReady, now }} />
      </>,
      RENDER,
    );
  }

  const workspaceId = view.workspace.id;
  const audit = AuditQuerySchema.safeParse({ limit: AUDIT_PAGE, before: c.req.query("auditBefore") || undefined });
  const auditQuery = audit.success ? audit.data : { limit: AUDIT_PAGE, before: undefined };
  const [install, stored, alerts, tokens, repositories, auditPage, codegen] = await Promise.all([
    findWorkspaceInstall(db, workspaceId),
    loadWorkspaceSettings(db, workspaceId),
    listAlerts(db, workspaceId, RECENT_ALERTS),
    listAgentTokens(db, workspaceId),
    listRepositories(db, workspaceId),
    listAuditPage(db, { workspaceId, includeEdgeWide: seesEdgeWideAudit(principal), before: auditQuery.before, limit: auditQuery.limit }),
    codegenStatus(c.env, db, workspaceId),
  ]);
  const linear: LinearSectionData = {
    install: install ? { ...install, refreshFailedAt: await lastTokenRefreshFailure(db, workspaceId, install.updatedAt) } : null,
    revoked,
    oauthReady,
    now,
  };
  const settings = workspaceSettingsWithSources(config, stored);

  return c.render(
    <>
      <h1>{TITLE}</h1>
      <ReadOnlyNote view={view} />
      <nav aria-label="Sections">
        <ul>
          <li>
            <a href="#linear">Linear</a>
          </li>
          <li>
            <a href="#execution">Execution</a>
          </li>
          <li>
            <a href="#alerts">Alerts</a>
          </li>
          <li>
            <a href="#codegen">Codegen</a>
          </li>
          <li>
            <a href="#agent-tokens">Agent tokens</a>
          </li>
          <li>
            <a href="#audit">Audit log</a>
          </li>
        </ul>
      </nav>
      <LinearSection view={view} data={linear} />
      <ExecutionSection view={view} settings={settings} />
      <AlertsSection view={view} settings={settings} alerts={alerts} />
      <CodegenSection view={view} status={codegen} />
      <AgentTokensSection view={view} tokens={tokens} repositories={repositories.map((r) => r.name)} />
      {audit.success ? null : <p class="notice error">That audit page link is not valid; showing the newest entries.</p>}
      <AuditSection view={view} rows={auditPage.rows} nextCursor={auditPage.next ? encodeKeysetCursor(auditPage.next) : null} paged={Boolean(auditQuery.before)} />
    </>,
    RENDER,
  );
});

/** Whose Codegen credentials the workspace's cloud runs use: never the token itself. */
async function codegenStatus(env: Parameters<typeof resolveCodegenCredential>[0], db: Parameters<typeof resolveCodegenCredential>[1], workspaceId: string): Promise<CodegenStatus> {
  try {
    const credential = await resolveCodegenCredential(env, db, workspaceId);
    return credential ? { configured: true, source: credential.ref.source, orgId: credential.orgId } : { configured: false };
  } catch (error) {
    return { configured: "unreadable", error: `The stored Codegen token cannot be read (was ENCRYPTION_KEY changed?): set the credentials again. ${describeError(error)}` };
  }
}
