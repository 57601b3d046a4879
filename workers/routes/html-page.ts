/** A minimal, escaped HTML page for the browser-facing steps outside the panel (the OAuth install, errors). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** Styles come from /assets/ like the panel's: the Content-Security-Policy allows no inline style. */
export function htmlPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Cyrus Edge</title>
<link rel="stylesheet" href="/assets/vendor/pico.min.css"><link rel="stylesheet" href="/assets/panel.css">
</head><body><main class="container narrow"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Open the control panel</a></p></main></body></html>`;
}
