/**
 * Who may sign in to the panel with Linear: a person whose organization has
 * installed the app (and not revoked it). Linear's own `admin` flag decides
 * whether they may change that workspace's settings; everyone else reads.
 */
import type { InstalledWorkspace } from "./access";

/** What Linear told us about the person (`viewer` with their own token). */
export interface LinearViewer {
  id: string;
  name?: string | null;
  email?: string | null;
  admin: boolean;
  organization: { id: string; name?: string | null };
}

export interface LinearPanelSession {
  kind: "linear";
  linearUserId: string;
  name: string;
  email: string | null;
  organizationId: string;
  linearAdmin: boolean;
}

export type LinearSignInDecision =
  | { ok: true; session: LinearPanelSession }
  | { ok: false; status: 403; reason: "not_installed"; message: string };

/** A name to show and to put in the audit log: Linear's name, else the email, else a placeholder. */
export function viewerName(viewer: Pick<LinearViewer, "name" | "email">): string {
  return viewer.name?.trim() || viewer.email?.trim() || "Linear user";
}

export function decideLinearSignIn(viewer: LinearViewer, installed: InstalledWorkspace[], installUrl: string): LinearSignInDecision {
  if (!installed.some((w) => w.id === viewer.organization.id)) {
    const which = viewer.organization.name?.trim() ? `“${viewer.organization.name.trim()}” ` : "";
    return {
      ok: false,
      status: 403,
      reason: "not_installed",
      message: `Your Linear workspace ${which}has not installed Cyrus Edge, so there is nothing here for you to see yet. Ask an admin of that workspace to install it at ${installUrl}, then sign in again.`,
    };
  }
  return {
    ok: true,
    session: {
      kind: "linear",
      linearUserId: viewer.id,
      name: viewerName(viewer),
      email: viewer.email?.trim() || null,
      organizationId: viewer.organization.id,
      linearAdmin: viewer.admin,
    },
  };
}
