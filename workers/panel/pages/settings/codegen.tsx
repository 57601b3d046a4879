/**
 * Settings → Codegen credentials, write-only: whether credentials are
 * configured, whose (the workspace's own or the edge's default) and the org
 * id — never the token. A form sets new ones, a button clears the workspace's
 * own, and another tests the connection (public/assets/settings.js shows what
 * it found).
 */
import { AdminButton, AdminForm } from "../../components/admin-form";
import type { PanelView } from "../../view";

export type CodegenStatus =
  | { configured: true; source: "workspace" | "default"; orgId: number }
  | { configured: false }
  /** The stored token could not be decrypted (ENCRYPTION_KEY changed). */
  | { configured: "unreadable"; error: string };

export function CodegenSection({ view, status }: { view: PanelView; status: CodegenStatus }) {
  return (
    <article id="codegen">
      <header>
        <h2>Codegen credentials</h2>
        <p class="muted">For cloud runs. The API token is stored encrypted and never shown again.</p>
      </header>
      {status.configured === true ? (
        <p>
          <span class="badge ok">configured</span> Org {status.orgId}, {status.source === "workspace" ? "this workspace's own credentials" : "the edge's default (CODEGEN_ORG_ID, CODEGEN_API_TOKEN)"}.
        </p>
      ) : status.configured === false ? (
        <p>
          <span class="badge warn">not configured</span> Cloud runs are off until credentials are set here (or the edge sets CODEGEN_ORG_ID and CODEGEN_API_TOKEN).
        </p>
      ) : (
        <p class="notice error">{status.error}</p>
      )}
      {view.canChange ? (
        <div class="actions">
          {status.configured === true ? (
            <AdminButton view={view} api="/api/codegen/test" method="POST" then="show" id="test-codegen" class="secondary">
              Test connection
            </AdminButton>
          ) : null}
          {status.configured === true && status.source === "workspace" ? (
            <AdminButton
              view={view}
              class="secondary outline"
              api="/api/codegen/credentials"
              method="DELETE"
              confirm="Clear this workspace's Codegen credentials? Cloud runs fall back to the edge's default, if it has one."
            >
              Clear credentials
            </AdminButton>
          ) : null}
          <output data-status hidden></output>
        </div>
      ) : null}
      <AdminForm view={view} api="/api/codegen/credentials" method="PUT" submit="Save credentials" label="Codegen credentials" id="codegen-credentials">
        <div class="grid">
          <label for="codegenOrgId">
            Org id
            <input id="codegenOrgId" name="orgId" type="number" min={1} step={1} data-type="number" required value={status.configured === true && status.source === "workspace" ? status.orgId : ""} />
          </label>
          <label for="codegenApiToken">
            API token
            <input id="codegenApiToken" name="apiToken" type="password" required minlength={8} autocomplete="new-password" value="" placeholder={status.configured === true ? "a new token replaces the stored one" : ""} />
          </label>
        </div>
      </AdminForm>
    </article>
  );
}
