/**
 * What every panel page knows before it renders (set by loadPanelView in
 * view.ts). Its own module, so the factory can name it without importing the
 * middleware that builds it.
 */
import type { WorkspaceRow } from "../../src/db/queries/workspaces";
import type { Principal } from "../../src/domain/panel/access";

export interface PanelView {
  principal: Principal;
  workspaces: Pick<WorkspaceRow, "id" | "name" | "urlKey">[];
  /** The workspace shown; null when none is installed (or the user's organization has not installed the app). */
  workspace: Pick<WorkspaceRow, "id" | "name" | "urlKey" | "installedAt" | "tokenExpiresAt" | "appUserId"> | null;
  /** Why there is no workspace, for the page to say. */
  workspaceProblem: string | null;
  csrfToken: string;
  canChange: boolean;
  /** The origin users and Linear reach this edge at. */
  origin: string;
}
