// Start work from the panel (workers/panel/components/start-work.tsx): the
// identifier typed (or a pasted Linear issue link) becomes the API path,
// POST /api/issues/:identifier/delegate, sent through panel.js's cyrusApi
// (CSRF header and ?workspace= included). The answer links to the session.
"use strict";
(function () {
  /** "eng-123", " ENG-123 " or https://linear.app/acme/issue/ENG-123/some-title → "ENG-123". */
  function identifierFrom(raw) {
    const text = raw.trim();
    const fromLink = /\/issue\/([A-Za-z0-9]+-\d+)(?:[/?#]|$)/.exec(text);
    return (fromLink ? fromLink[1] : text).toUpperCase();
  }

  function show(status, kind, ...nodes) {
    status.replaceChildren(...nodes);
    status.hidden = nodes.length === 0;
    status.classList.toggle("error", kind === "error");
    status.classList.toggle("ok", kind === "ok");
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.startWork === undefined) return;
    event.preventDefault();
    const input = form.querySelector("input[name=identifier]");
    const status = form.querySelector("[data-status]");
    const submit = form.querySelector("[type=submit]");
    const identifier = identifierFrom(input.value);
    if (!identifier) return show(status, "error", "Type the issue's identifier, like ENG-123.");
    if (typeof window.cyrusApi !== "function") return show(status, "error", "The panel's script did not load: reload the page.");
    submit.setAttribute("aria-busy", "true");
    submit.disabled = true;
    show(status, null);
    try {
      const data = await window.cyrusApi("POST", `/api/issues/${encodeURIComponent(identifier)}/delegate`);
      const link = document.createElement("a");
      // The session reaches the panel's records a few seconds after Linear's webhook: its page waits for it.
      link.href = `/sessions/${encodeURIComponent(data.agentSessionId)}?starting=1`;
      link.textContent = `${data.issue.identifier} · ${data.issue.title}`;
      show(status, "ok", "Started: ", link);
      input.value = "";
      form.dispatchEvent(new CustomEvent("cyrus:done", { detail: data, bubbles: true }));
    } catch (error) {
      show(status, "error", error.message);
    } finally {
      submit.removeAttribute("aria-busy");
      submit.disabled = false;
    }
  });
})();
