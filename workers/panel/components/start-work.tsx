/**
 * "Start work": delegate an existing Linear issue by its identifier (ENG-123).
 * The identifier is part of the API path, so public/assets/start-work.js (not
 * panel.js's fixed-URL data-api) sends `POST /api/issues/:identifier/delegate`
 * with the page's CSRF token and shows "Started: <link to the session>".
 * Any member may use it (src/domain/panel/access.ts), so it is never disabled
 * for a read-only user. Pages that show it add START_WORK_SCRIPT to `scripts`.
 */

export const START_WORK_SCRIPT = "/assets/start-work.js";

export function StartWorkForm({ id = "start-work" }: { id?: string }) {
  const input = `${id}-identifier`;
  return (
    <form data-start-work class="start-work" aria-label="Start work">
      <label for={input}>Start work on a Linear issue</label>
      <fieldset role="group">
        <input
          id={input}
          name="identifier"
          type="text"
          required
          maxlength={300}
          placeholder="ENG-123"
          autocomplete="off"
          spellcheck={false}
          aria-describedby={`${id}-help`}
        />
        <button type="submit">Start work</button>
      </fieldset>
      <small id={`${id}-help`}>
        The issue's identifier, or its Linear link. The edge starts an agent session on it in Linear, and it runs like any delegation.
      </small>
      <output data-status hidden></output>
    </form>
  );
}
