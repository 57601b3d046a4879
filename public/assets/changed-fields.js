// Cyrus Edge control panel: forms marked data-send="changed" send only the
// fields the user changed since the page loaded. The settings API merges a
// change into what is stored, and a repository's PATCH changes only what it is
// given, so an untouched field stays as it is — a setting that follows the
// edge's default keeps following it, and the audit log names what changed.
// Runs in the capture phase, before panel.js (which skips fields marked
// data-skip) reads the form.
"use strict";
(function () {
  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field instanceof HTMLSelectElement) return [...field.options].some((option) => option.selected !== option.defaultSelected);
    return field.value !== field.defaultValue;
  }

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || form.dataset.send !== "changed") return;
      for (const field of form.querySelectorAll("[name]")) {
        if (changed(field)) delete field.dataset.skip;
        else field.dataset.skip = "";
      }
    },
    true,
  );
})();
