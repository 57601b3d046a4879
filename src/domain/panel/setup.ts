/**
 * The setup checklist a fresh edge shows, with the exact URLs and commands of
 * this deployment, and the link that opens Linear's "new OAuth application"
 * form already filled in for it (Linear's OAuth app manifests, URL form).
 */

export const LINEAR_NEW_APP_URL = "https://linear.app/settings/api/applications/new";

/** The webhook categories the edge uses: agent sessions start work; the rest are recorded, or end an install. */
export const LINEAR_WEBHOOK_RESOURCE_TYPES = ["AgentSessionEvent", "PermissionChange", "OAuthAuthorization", "Issue", "Comment"] as const;

export function linearCallbackUrls(origin: string): string[] {
  return [`${origin}/oauth/linear/callback`, `${origin}/login/linear/callback`];
}

/** Linear's new-app form, pre-filled for this edge: name, callback URLs, webhook URL and its categories. */
export function linearAppManifestUrl(origin: string, appName = "Cyrus"): string {
  const params = new URLSearchParams();
  params.set("distribution", "private");
  params.set("developer.name", "Cyrus Edge (self-hosted)");
  params.set("developer.url", origin);
  params.set("display.description", "Hands Linear issues to coding agents, on your machines or in cloud sandboxes.");
  params.set("oauth.client_name", appName);
  params.set("oauth.client_uri", origin);
  for (const uri of linearCallbackUrls(origin)) params.append("oauth.redirect_uris", uri);
  params.append("oauth.grant_types", "authorization_code");
  params.set("webhook.enabled", "true");
  params.set("webhook.url", `${origin}/webhooks/linear`);
  for (const type of LINEAR_WEBHOOK_RESOURCE_TYPES) params.append("webhook.resourceTypes", type);
  return `${LINEAR_NEW_APP_URL}?${params.toString()}`;
}

export interface SetupFacts {
  origin: string;
  /** LINEAR_CLIENT_ID, LINEAR_CLIENT_SECRET and LINEAR_WEBHOOK_SECRET are all set. */
  linearAppConfigured: boolean;
  workspaceInstalled: boolean;
  repositories: number;
  /** Live agent tokens, or agents connected now. */
  agentTokens: number;
  codegenConfigured: boolean;
  sessions: number;
}

export interface SetupStep {
  key: "linear-app" | "install" | "repository" | "executor" | "delegate";
  title: string;
  done: boolean;
  text: string;
  links: { label: string; href: string }[];
  commands: string[];
}

/** A loopback origin is `npm start` on a developer's machine: secrets go in .dev.vars, and Linear cannot reach it. */
export function isLocalOrigin(origin: string): boolean {
  try {
    const host = new URL(origin).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host.endsWith(".localhost");
  } catch {
    return false;
  }
}

export function setupChecklist(facts: SetupFacts): SetupStep[] {
  const { origin } = facts;
  const local = isLocalOrigin(origin);
  const secretCommands = local
    ? ["# in .dev.vars, then restart npm start:", "LINEAR_CLIENT_ID=<client id>", "LINEAR_CLIENT_SECRET=<client secret>", "LINEAR_WEBHOOK_SECRET=<webhook signing secret>"]
    : ["npx wrangler secret put LINEAR_CLIENT_ID", "npx wrangler secret put LINEAR_CLIENT_SECRET", "npx wrangler secret put LINEAR_WEBHOOK_SECRET"];
  return [
    {
      key: "linear-app",
      title: "Register the Linear app",
      done: facts.linearAppConfigured,
      text:
        `Create an OAuth application in Linear for this edge: callback URLs ${linearCallbackUrls(origin).join(" and ")}, ` +
        `webhook URL ${origin}/webhooks/linear with Agent session events. The link opens Linear's form filled in; then store its client ID, client secret and webhook signing secret.` +
        (local ? " Linear cannot reach 127.0.0.1: to receive its webhooks, expose this edge through a tunnel (and set PUBLIC_URL to it) or deploy it." : ""),
      links: [{ label: "Create the Linear app, filled in", href: linearAppManifestUrl(origin) }],
      commands: secretCommands,
    },
    {
      key: "install",
      title: "Install it into your Linear workspace",
      done: facts.workspaceInstalled,
      text: "As a Linear admin, approve the app. It then appears as a member you can delegate issues to and mention.",
      links: [{ label: "Install into Linear", href: "/oauth/linear/authorize" }],
      commands: [],
    },
    {
      key: "repository",
      title: "Add a repository",
      done: facts.repositories > 0,
      text: "Tell the edge where issues' work happens, and which issues go there (by team, label, project, or a catch-all).",
      links: [{ label: "Add a repository", href: "/repositories" }],
      commands: [
        `curl -X POST ${origin}/api/repositories -H "Authorization: Bearer $CYRUS_API_KEY" -H "Content-Type: application/json" -d '{"name":"web","gitUrl":"git@github.com:acme/web.git","teamKeys":["ENG"]}'`,
      ],
    },
    {
      key: "executor",
      title: "Connect an agent, or add Codegen credentials",
      done: facts.agentTokens > 0 || facts.codegenConfigured,
      text: "Work runs on a developer's machine (create an agent token, then run the command it shows) or in Codegen's cloud sandboxes.",
      links: [
        { label: "Create an agent token", href: "/settings#agent-tokens" },
        { label: "Add Codegen credentials", href: "/settings#codegen" },
      ],
      commands: [`npx cyrus connect --url ${origin} --token <agent token> --repo web=~/src/web`],
    },
    {
      key: "delegate",
      title: "Delegate an issue",
      done: facts.sessions > 0,
      text: "Delegate an issue to the app in Linear (or mention it), or start one here by its identifier.",
      links: [],
      commands: [],
    },
  ];
}
