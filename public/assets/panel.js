// Cyrus Edge control panel: the little the pages need beyond HTML.
// - forms and buttons marked data-api send JSON to the edge's /api with the
//   page's CSRF token, and show the answer or the error in place;
// - elements marked data-live="<event>" inside [data-live-source] are replaced
//   by the HTML fragments the page's Server-Sent Events stream sends;
// - small conveniences: copy buttons, the workspace switcher, relative times.
// No inline script anywhere: the Content-Security-Policy forbids it.
"use strict";
(function () {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? null;
  const csrfToken = meta("csrf-token");
  const workspace = meta("cyrus-workspace");

  /** Adds ?workspace= for /api calls, so an admin acts on the workspace the page shows. */
  function apiUrl(path) {
    const url = new URL(path, location.origin);
    if (workspace && url.pathname.startsWith("/api/") && !url.searchParams.has("workspace")) url.searchParams.set("workspace", workspace);
    return url.toString();
  }

  async function callApi(method, path, body) {
    const headers = { accept: "application/json" };
    if (csrfToken) headers["x-csrf-token"] = csrfToken;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(apiUrl(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    let data = null;
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = { error: text };
      }
    }
    if (!response.ok) {
      const error = new Error((data && data.error) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }
  window.cyrusApi = callApi;

  /** A field's value as JSON: data-type says how (number, list, bool, json; text by default). */
  function fieldValue(field) {
    const type = field.dataset.type || "text";
    if (type === "bool") return field.checked;
    const raw = field.value.trim();
    if (raw === "") return field.dataset.empty === "omit" ? undefined : null;
    if (type === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`${field.labels?.[0]?.textContent?.trim() || field.name}: not a number`);
      return n;
    }
    if (type === "list") return raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
    if (type === "json") {
      try {
        return JSON.parse(raw);
      } catch {
        throw new Error(`${field.labels?.[0]?.textContent?.trim() || field.name}: not valid JSON`);
      }
    }
    return raw;
  }

  /** name="a.b" builds { a: { b } }; fields with data-empty="omit" left blank are not sent. */
  function formBody(form) {
    const body = {};
    for (const field of form.querySelectorAll("[name]")) {
      if (field.disabled || field.name === "_csrf" || field.dataset.skip !== undefined) continue;
      if (field.type === "radio" && !field.checked) continue;
      const value = fieldValue(field);
      if (value === undefined) continue;
      const path = field.name.split(".");
      let target = body;
      for (const key of path.slice(0, -1)) target = target[key] ??= {};
      target[path[path.length - 1]] = value;
    }
    return body;
  }

  function show(el, text, kind) {
    if (!el) return;
    el.textContent = text;
    el.hidden = !text;
    el.classList.toggle("error", kind === "error");
    el.classList.toggle("ok", kind === "ok");
  }

  /** What to do after a successful call: data-then="reload" | "go:<url>" | "show" (the answer's message). */
  function afterSuccess(el, data, status) {
    const then = el.dataset.then || "reload";
    if (then === "reload") return location.reload();
    if (then.startsWith("go:")) {
      const target = then.slice(3).replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data?.[key] ?? ""));
      return location.assign(target);
    }
    const message = (data && (data.message || data.summary)) || el.dataset.done || "Done.";
    show(status, message, data && data.ok === false ? "error" : "ok");
    el.dispatchEvent(new CustomEvent("cyrus:done", { detail: data, bubbles: true }));
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.api) return;
    event.preventDefault();
    const status = form.querySelector("[data-status]");
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) return;
    const submit = form.querySelector("[type=submit]");
    try {
      if (submit) submit.setAttribute("aria-busy", "true");
      show(status, "", null);
      const data = await callApi(form.dataset.method || "POST", form.dataset.api, formBody(form));
      afterSuccess(form, data, status);
    } catch (error) {
      show(status, error.message, "error");
    } finally {
      if (submit) submit.removeAttribute("aria-busy");
    }
  });

  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-api]") : null;
    if (button) {
      event.preventDefault();
      if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
      const status = button.parentElement?.querySelector("[data-status]") ?? document.querySelector(button.dataset.statusFor || "#action-status");
      try {
        button.setAttribute("aria-busy", "true");
        const data = await callApi(button.dataset.method || "POST", button.dataset.api, button.dataset.body ? JSON.parse(button.dataset.body) : undefined);
        afterSuccess(button, data, status);
      } catch (error) {
        show(status, error.message, "error");
      } finally {
        button.removeAttribute("aria-busy");
      }
      return;
    }
    const copy = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (copy) {
      const source = document.querySelector(copy.dataset.copy);
      const text = source ? source.textContent : "";
      try {
        await navigator.clipboard.writeText(text);
        copy.textContent = "Copied";
      } catch {
        // Without clipboard access (plain http), select the text so the user can copy it.
        const range = document.createRange();
        range.selectNodeContents(source);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        copy.textContent = "Selected: press Ctrl+C";
      }
    }
  });

  // The workspace switcher submits itself when a workspace is picked.
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    form.addEventListener("change", () => form.requestSubmit());
  }

  /** "3 min ago" for every <time data-relative>, kept current. */
  const units = [
    ["day", 86_400_000],
    ["h", 3_600_000],
    ["min", 60_000],
    ["s", 1_000],
  ];
  function relative(ms) {
    const abs = Math.abs(ms);
    for (const [unit, size] of units) if (abs >= size || unit === "s") return `${Math.floor(abs / size)} ${unit}${unit === "day" && Math.floor(abs / size) !== 1 ? "s" : ""}`;
  }
  function refreshTimes(root) {
    for (const el of (root || document).querySelectorAll("time[data-relative]")) {
      const at = Date.parse(el.getAttribute("datetime"));
      if (Number.isNaN(at)) continue;
      const diff = Date.now() - at;
      el.textContent = diff >= 0 ? `${relative(diff)} ago` : `in ${relative(diff)}`;
      el.title = new Date(at).toLocaleString();
    }
  }
  refreshTimes();
  setInterval(refreshTimes, 15_000);

  // Live regions: <div data-live-source="/live/overview"> holds [data-live="agents"] ...; each SSE
  // event of that name carries the region's new HTML, rendered (and escaped) by the edge; `end` closes the stream.
  for (const source of document.querySelectorAll("[data-live-source]")) {
    const stream = new EventSource(source.dataset.liveSource);
    const status = source.querySelector("[data-live-status]");
    const regions = new Map([...source.querySelectorAll("[data-live]")].map((el) => [el.dataset.live, el]));
    for (const [name, el] of regions) {
      stream.addEventListener(name, (event) => {
        el.innerHTML = event.data;
        refreshTimes(el);
      });
    }
    stream.addEventListener("open", () => show(status, "live", "ok"));
    // `end`: what the region shows is final (a parallel run that ended); closing stops the EventSource's reconnects.
    stream.addEventListener("end", () => {
      stream.close();
      show(status, "", "ok");
    });
    stream.addEventListener("error", () => show(status, stream.readyState === EventSource.CLOSED ? "disconnected: reload to resume" : "reconnecting…", "error"));
  }

  // A page waiting for something to appear (a session just started) looks again after a moment.
  for (const el of document.querySelectorAll("[data-reload-to]")) {
    setTimeout(() => location.assign(el.dataset.reloadTo), Number(el.dataset.reloadAfter) || 2000);
  }

  window.cyrusPanel = { refreshTimes, show };
})();
