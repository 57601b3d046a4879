/**
 * The panel's one layout (Hono's jsxRenderer): navigation, the workspace
 * switcher, who is signed in, and the page. Scripts and styles come from
 * /assets/ only; the CSP forbids anything inline. The page's CSRF token and
 * workspace ride in <meta> tags, where /assets/panel.js reads them.
 */
import { jsxRenderer } from "hono/jsx-renderer";
import type { Child } from "hono/jsx";
import type { PanelView } from "./view";

export type NavKey = "overview" | "sessions" | "analytics" | "repositories" | "settings" | "login";

declare module "hono" {
  interface ContextRenderer {
    (content: Child, props: { title: string; nav: NavKey; scripts?: string[]; styles?: string[] }): Response | Promise<Response>;
  }
}

const NAV: { key: NavKey; href: string; label: string }[] = [
  { key: "overview", href: "/", label: "Overview" },
  { key: "sessions", href: "/sessions", label: "Sessions" },
  { key: "analytics", href: "/analytics", label: "Analytics" },
  { key: "repositories", href: "/repositories", label: "Repositories" },
  { key: "settings", href: "/settings", label: "Settings" },
];

function WorkspaceSwitcher({ view }: { view: PanelView }) {
  if (view.workspaces.length < 2 || !view.workspace) return view.workspace ? <span class="workspace-name">{view.workspace.name}</span> : null;
  return (
    <form method="get" action="" class="workspace-switcher" data-autosubmit>
      <label>
        <span class="visually-hidden">Workspace</span>
        <select name="workspace" aria-label="Workspace">
          {view.workspaces.map((w) => (
            <option value={w.id} selected={w.id === view.workspace?.id}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      <noscript>
        <button type="submit">Switch</button>
      </noscript>
    </form>
  );
}

function whoIs(view: PanelView): string {
  const p = view.principal;
  if (p.kind === "admin_key") return "Admin (API key)";
  return `${p.name}${p.admin ? " · Linear admin" : ""}`;
}

export const panelLayout = jsxRenderer(({ children, title, nav, scripts, styles }, c) => {
  const view = (c.var as { panelView?: PanelView }).panelView;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {view ? <meta name="csrf-token" content={view.csrfToken} /> : null}
        {view?.workspace ? <meta name="cyrus-workspace" content={view.workspace.id} /> : null}
        <title>{`${title} · Cyrus Edge`}</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/vendor/pico.min.css" />
        {(styles ?? []).map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <link rel="stylesheet" href="/assets/panel.css" />
        <script src="/assets/panel.js" defer></script>
        {(scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body>
        <header class="container-fluid site-header">
          <nav>
            <ul>
              <li>
                <a href="/" class="brand">
                  <strong>Cyrus Edge</strong>
                </a>
              </li>
              {view ? (
                <li>
                  <WorkspaceSwitcher view={view} />
                </li>
              ) : null}
            </ul>
            {view ? (
              <ul>
                {NAV.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.key === nav ? "page" : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
                <li>
                  <form method="post" action="/logout" class="logout">
                    <input type="hidden" name="_csrf" value={view.csrfToken} />
                    <span class="who">{whoIs(view)}</span> <button type="submit" class="outline secondary small">Sign out</button>
                  </form>
                </li>
              </ul>
            ) : null}
          </nav>
        </header>
        <main class="container">{children}</main>
      </body>
    </html>
  );
});
