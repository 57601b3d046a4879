// Cyrus Edge control panel, /settings: what the answers of a few API calls
// show beyond panel.js's "Done." Everything is written with textContent.
// - A new agent token is in the POST's answer only: it goes into the
//   "shown once" box and the `npx cyrus connect` command there, and a row for
//   it joins the list. Nothing keeps it: a reload shows it no more.
// - "Test connection" says what the Codegen check found.
"use strict";
(function () {
  const panel = window.cyrusPanel;

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    return td;
  }

  function addTokenRow(token) {
    const body = document.querySelector("#agent-token-list tbody");
    if (!body) return;
    body.querySelector("[data-empty-row]")?.remove();
    const row = document.createElement("tr");
    row.append(cell(token.name), cell("just now"), cell("never", "muted"));
    const state = cell("");
    const badge = document.createElement("span");
    badge.className = "badge ok";
    badge.textContent = "live";
    state.append(badge);
    row.append(state);
    const actions = cell("");
    const revoke = document.createElement("button");
    revoke.type = "button";
    revoke.className = "small secondary outline";
    revoke.dataset.api = `/api/agent-tokens/${encodeURIComponent(token.id)}`;
    revoke.dataset.method = "DELETE";
    revoke.dataset.then = "reload";
    revoke.dataset.confirm = `Revoke the token "${token.name}"? Agents connected with it are disconnected at once.`;
    revoke.textContent = "Revoke";
    actions.append(revoke);
    row.append(actions);
    body.prepend(row);
  }

  function showNewToken(token) {
    const box = document.getElementById("new-token");
    if (!box || typeof token?.token !== "string") return;
    document.getElementById("new-token-value").textContent = token.token;
    for (const slot of box.querySelectorAll("[data-token-slot]")) slot.textContent = token.token;
    for (const button of box.querySelectorAll("button[data-copy]")) button.textContent = button.dataset.copy === "#new-token-value" ? "Copy token" : "Copy command";
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
    addTokenRow(token);
  }

  document.addEventListener("cyrus:done", (event) => {
    const source = event.target;
    if (!(source instanceof Element)) return;
    if (source.id === "create-agent-token") {
      showNewToken(event.detail);
      source.reset();
      panel.show(source.querySelector("[data-status]"), `Token "${event.detail?.name ?? ""}" created: copy it below.`, "ok");
    } else if (source.id === "test-codegen") {
      const answer = event.detail || {};
      const status = source.parentElement?.querySelector("[data-status]");
      const runs = typeof answer.runsVisible === "number" ? `, ${answer.runsVisible} run(s) visible` : "";
      panel.show(status, answer.ok ? `Connection works: org ${answer.orgId} (${answer.source} credentials)${runs}.` : answer.error || "The test failed.", answer.ok ? "ok" : "error");
    }
  });
})();
