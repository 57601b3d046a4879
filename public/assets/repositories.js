// Cyrus Edge control panel, /repositories/:id: sends the repository's
// overrides of the workspace settings. They are stored under the repository's
// name, which may hold a '.', so the body is built here rather than from
// dotted field names (panel.js reads a '.' as nesting). A blank field means
// "as the workspace": it is left out, and the override object replaces the
// previous one whole.
"use strict";
(function () {
  const form = document.querySelector("form[data-override-for]");
  if (!form) return;
  const status = form.querySelector("[data-status]");
  const show = (text, kind) => window.cyrusPanel.show(status, text, kind);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const override = {};
    const strategy = form.elements.namedItem("strategy").value;
    if (strategy) override.strategy = strategy;
    for (const name of ["maxCostPerTaskUsd", "maxCostPerDayUsd"]) {
      const raw = form.elements.namedItem(name).value.trim();
      if (raw === "") continue;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) return show(`${name}: not an amount in dollars`, "error");
      override[name] = value;
    }
    const submit = form.querySelector("[type=submit]");
    submit.setAttribute("aria-busy", "true");
    show("", null);
    try {
      await window.cyrusApi("PUT", "/api/config", { repositories: { [form.dataset.overrideFor]: override } });
      location.reload();
    } catch (error) {
      show(error.message, "error");
    } finally {
      submit.removeAttribute("aria-busy");
    }
  });
})();
