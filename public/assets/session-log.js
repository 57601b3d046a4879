// Cyrus Edge control panel, the session page (/sessions/:id):
// - follows the session's timeline live: an EventSource on /api/sessions/:id/logs
//   that starts after the last entry the page already shows (?after=) and appends
//   each new entry, built with textContent (event text is never parsed as HTML);
// - keeps the status badge and the Stop/Retry buttons current when the timeline
//   says something changed, and says when the session has ended;
// - gives every message sent from the page a fresh id, so a resend is one message.
// Needs panel.js (loaded first): window.cyrusApi, window.cyrusPanel.
"use strict";
(function () {
  const log = document.querySelector("[data-session-log]");
  if (!log) return;
  const sessionId = log.dataset.sessionId;
  const workspace = log.dataset.workspace;
  const status = document.querySelector("[data-log-status]");
  const empty = document.querySelector("[data-log-empty]");
  const show = (text, kind) => window.cyrusPanel?.show(status, text, kind);

  /** Kinds after which the session's status may have changed: worth asking the API. */
  const STATUS_CHANGING = /^(session\.|budget\.)|\.(started|resumed|succeeded|failed|stopped|timed_out|queued|assigned)$/;
  /** Kinds that end the work (the same rule as the API's summary). */
  const ENDING = /\.(succeeded|failed|stopped|timed_out)$|^budget\.refused$|^session\.no_executor$/;

  function logsUrl() {
    const url = new URL(`/api/sessions/${encodeURIComponent(sessionId)}/logs`, location.origin);
    if (workspace) url.searchParams.set("workspace", workspace);
    if (log.dataset.after) url.searchParams.set("after", log.dataset.after);
    return url.toString();
  }

  const formatTime = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : "—");

  function append(event) {
    if (!event || typeof event.id !== "string") return;
    for (const li of log.children) if (li.dataset.eventId === event.id) return;
    const li = document.createElement("li");
    li.className = "new";
    li.dataset.eventId = event.id;
    const time = document.createElement("time");
    if (event.at) time.setAttribute("datetime", event.at);
    time.textContent = formatTime(event.at);
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = String(event.kind ?? "");
    li.append(time, " ", kind, document.createElement("br"), String(event.summary ?? ""));
    log.append(li);
    log.dataset.after = event.id;
    if (empty) empty.hidden = true;
  }

  let refreshTimer = null;
  /** Reads the session's status from the API and shows it: the badge, the right action, the "ended" notice. */
  async function refreshStatus() {
    refreshTimer = null;
    try {
      const workspaceQuery = workspace ? `?workspace=${encodeURIComponent(workspace)}` : "";
      const detail = await window.cyrusApi("GET", `/api/sessions/${encodeURIComponent(sessionId)}${workspaceQuery}`);
      const current = detail.session.status;
      const ended = detail.summary.result.ended;
      for (const holder of document.querySelectorAll("[data-session-status]")) {
        const badge = document.createElement("span");
        badge.className = `badge ${String(current).replace(/[^a-z_-]/gi, "")}`;
        badge.textContent = String(current).replace(/_/g, " ");
        holder.replaceChildren(badge);
      }
      const stop = document.querySelector('[data-session-action="stop"]');
      const retry = document.querySelector('[data-session-action="retry"]');
      if (stop) stop.hidden = ended;
      if (retry) retry.hidden = !ended;
      const notice = document.querySelector("[data-session-ended-notice]");
      if (notice) notice.hidden = !ended;
    } catch (error) {
      show(`could not read the session's status: ${error.message}`, "error");
    }
  }
  function scheduleRefresh(delayMs) {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshStatus, delayMs);
  }

  let stream = null;
  function follow() {
    if (stream) return;
    stream = new EventSource(logsUrl());
    stream.addEventListener("open", () => show("live", "ok"));
    stream.addEventListener("session-event", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      append(event);
      if (STATUS_CHANGING.test(event.kind) || ENDING.test(event.kind)) scheduleRefresh(ENDING.test(event.kind) ? 0 : 1000);
    });
    stream.addEventListener("end", (message) => {
      let reason = "";
      try {
        reason = JSON.parse(message.data).reason ?? "";
      } catch {
        // an end without a reason is still an end
      }
      stream.close();
      stream = null;
      if (reason === "session ended") {
        show("the session has ended", "ok");
        scheduleRefresh(0);
      } else if (reason === "session not found") {
        show("this session is gone", "error");
      } else {
        // The server closes a stream after a while (or after an error): pick up where the page is.
        follow();
      }
    });
    stream.addEventListener("error", () => {
      // EventSource reconnects on its own (sending Last-Event-ID); CLOSED means it gave up, or the server said there is nothing more.
      if (stream && stream.readyState === EventSource.CLOSED) {
        stream = null;
        show("not live: reload the page to follow the log", "error");
      } else {
        show("reconnecting…", "error");
      }
    });
  }

  if (log.dataset.live === "true") follow();

  // After a stop or a retry, the timeline will say what happened: make sure the page is listening.
  for (const button of document.querySelectorAll("[data-session-action]")) {
    button.addEventListener("cyrus:done", () => {
      follow();
      scheduleRefresh(1000);
    });
  }

  // Each send gets a fresh id (the API delivers one id once), set before panel.js reads the form.
  const form = document.querySelector("form[data-message-form]");
  if (form) {
    const idField = form.querySelector('input[name="id"]');
    form.addEventListener("submit", () => {
      if (idField) idField.value = uuid();
    });
    form.addEventListener("cyrus:done", () => {
      const body = form.querySelector("textarea[name=body]");
      if (body) body.value = "";
      follow();
    });
  }

  /** A version-4 UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
  function uuid() {
    if (window.crypto?.randomUUID && window.isSecureContext) return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
})();
