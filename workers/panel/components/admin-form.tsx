/**
 * Forms and buttons that change settings, which only a Linear admin of the
 * workspace (or the admin key) may use. For anyone else the same fields are
 * rendered disabled, with no form around them and no button, so the page
 * still shows every value and cannot send a change. The API refuses such a
 * change anyway (src/domain/panel/access.ts); this is so nobody is offered it.
 */
import type { Child } from "hono/jsx";
import { withWorkspace } from "./format";
import type { PanelView } from "../view";

export const READ_ONLY_NOTE = "Only a Linear admin of this workspace (or the admin key) may change these; you can see them.";

export function ReadOnlyNote({ view }: { view: PanelView }) {
  return view.canChange ? null : (
    <p class="notice warn" role="note">
      {READ_ONLY_NOTE}
    </p>
  );
}

export interface AdminFormProps {
  view: PanelView;
  /** The /api path; panel.js adds the CSRF header and `?workspace=`. */
  api: string;
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  /** panel.js's data-then: "reload", "go:/path/{id}" or "show". */
  then?: string;
  /** Send only the fields changed since the page loaded (public/assets/changed-fields.js): for merges and patches. */
  changedOnly?: boolean;
  submit: string;
  confirm?: string;
  /** A label for the form, for assistive technology and for tests. */
  label: string;
  id?: string;
  class?: string;
  children: Child;
}

export function AdminForm(props: AdminFormProps) {
  if (!props.view.canChange) {
    return (
      <div class={`read-only ${props.class ?? ""}`} aria-label={props.label}>
        <fieldset disabled>{props.children}</fieldset>
      </div>
    );
  }
  return (
    <form
      id={props.id}
      class={props.class}
      aria-label={props.label}
      data-api={props.api}
      data-method={props.method}
      data-then={props.then ?? "reload"}
      data-send={props.changedOnly ? "changed" : undefined}
      data-confirm={props.confirm}
    >
      {props.children}
      <div class="actions">
        <button type="submit">{props.submit}</button>
      </div>
      <output data-status hidden></output>
    </form>
  );
}

/** A button that calls the API (panel.js), shown only to those who may change settings. */
export function AdminButton(props: {
  view: PanelView;
  api: string;
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  then?: string;
  confirm?: string;
  body?: unknown;
  done?: string;
  class?: string;
  id?: string;
  children: Child;
}) {
  if (!props.view.canChange) return null;
  return (
    <button
      type="button"
      id={props.id}
      class={props.class}
      data-api={props.api}
      data-method={props.method}
      data-then={props.then ?? "reload"}
      data-confirm={props.confirm}
      data-body={props.body === undefined ? undefined : JSON.stringify(props.body)}
      data-done={props.done}
    >
      {props.children}
    </button>
  );
}

/** What a page says when there is no workspace to show (a fresh edge, or the user's organization has not installed the app). */
export function NoWorkspace({ view, title, after }: { view: PanelView; title?: string; after?: string }) {
  return (
    <>
      {title ? <h1>{title}</h1> : null}
      <p class="notice warn">
        {view.workspaceProblem ?? "No Linear workspace is installed yet."} The <a href="/">overview</a> has the setup checklist{after ? `; ${after}` : ""}.
      </p>
    </>
  );
}

/** A panel link that keeps the admin's `?workspace=` when several are installed. */
export const panelHref = (view: PanelView, path: string): string => withWorkspace(path, view.workspace?.id, view.workspaces.length > 1);
