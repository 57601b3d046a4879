/**
 * Settings → Agent tokens: the tokens local agents connect with. A new token
 * is in the API's answer only: public/assets/settings.js puts it (with the
 * exact `npx cyrus connect` command) into the box below, once, with
 * textContent. The page itself never holds a token, so a reload shows it no
 * more. Revoking one disconnects the agents that use it.
 */
import type { AgentTokenRow } from "../../../../src/db/queries/agent-tokens";
import { AdminButton, AdminForm } from "../../components/admin-form";
import { Ago, Badge } from "../../components/format";
import type { PanelView } from "../../view";

/** What goes after `--repo`: one per repository of the workspace, with a path for the user to replace. */
export function repoArguments(names: string[]): string {
  if (names.length === 0) return "--repo <name>=<path to your checkout>";
  return names.map((name) => `--repo ${name}=/path/to/your/${name}`).join(" ");
}

function TokenOnce({ origin, repositories }: { origin: string; repositories: string[] }) {
  return (
    <div id="new-token" class="notice token-once" hidden aria-live="polite">
      <p>
        <strong>Copy this token now: it is shown once, and never again.</strong>
      </p>
      <pre class="command">
        <code id="new-token-value"></code>
      </pre>
      <p>
        <button type="button" class="small" data-copy="#new-token-value">
          Copy token
        </button>
      </p>
      <p>Start the agent on a machine with the checkouts (replace each path with yours):</p>
      <pre class="command">
        <code id="new-token-command">
          npx cyrus connect --url {origin} --token <span data-token-slot></span> {repoArguments(repositories)}
        </code>
      </pre>
      <p>
        <button type="button" class="small" data-copy="#new-token-command">
          Copy command
        </button>
      </p>
      {repositories.length === 0 ? <p class="muted">The workspace has no repository yet: add one on the Repositories page, then use its name here.</p> : null}
    </div>
  );
}

function TokenTable({ view, tokens }: { view: PanelView; tokens: AgentTokenRow[] }) {
  return (
    <table class="compact" id="agent-token-list">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">State</th>
          {view.canChange ? <th scope="col"></th> : null}
        </tr>
      </thead>
      <tbody>
        {tokens.length === 0 ? (
          <tr data-empty-row>
            <td colspan={view.canChange ? 5 : 4} class="muted">
              No agent token yet.
            </td>
          </tr>
        ) : null}
        {tokens.map((token) => (
          <tr>
            <td>{token.name}</td>
            <td>
              <Ago at={token.createdAt} />
            </td>
            <td>{token.lastUsedAt ? <Ago at={token.lastUsedAt} /> : <span class="muted">never</span>}</td>
            <td>
              {token.revokedAt ? (
                <>
                  <Badge value="revoked" /> <Ago at={token.revokedAt} />
                </>
              ) : (
                <Badge value="ok" label="live" />
              )}
            </td>
            {view.canChange ? (
              <td>
                {token.revokedAt ? null : (
                  <AdminButton
                    view={view}
                    class="small secondary outline"
                    api={`/api/agent-tokens/${encodeURIComponent(token.id)}`}
                    method="DELETE"
                    confirm={`Revoke the token "${token.name}"? Agents connected with it are disconnected at once.`}
                  >
                    Revoke
                  </AdminButton>
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AgentTokensSection({ view, tokens, repositories }: { view: PanelView; tokens: AgentTokenRow[]; repositories: string[] }) {
  return (
    <article id="agent-tokens">
      <header>
        <h2>Agent tokens</h2>
        <p class="muted">
          Local agents (<code>npx cyrus connect</code>) sign in with one. Only a hash of each is kept.
        </p>
      </header>
      <TokenTable view={view} tokens={tokens} />
      <output id="action-status" data-status hidden></output>
      {view.canChange ? (
        <>
          <AdminForm view={view} api="/api/agent-tokens" method="POST" then="show" submit="Create token" label="Create an agent token" id="create-agent-token">
            <label for="agentTokenName">
              Name
              <input id="agentTokenName" name="name" required maxlength={100} placeholder="alice-laptop" />
              <small>Which machine or person it is for, so you know what to revoke.</small>
            </label>
          </AdminForm>
          <TokenOnce origin={view.origin} repositories={repositories} />
        </>
      ) : null}
    </article>
  );
}
