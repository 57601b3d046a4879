/**
 * Headers on every HTML page the edge serves (the panel, sign-in, the OAuth
 * steps): a strict Content-Security-Policy — scripts and styles from this
 * origin only, never inline, nothing from another origin, no framing — and
 * the usual hardening. Pico's icons are data: URIs, hence `img-src data:`.
 */
import { factory } from "../factory";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const HTML_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

export const securityHeaders = factory.createMiddleware(async (c, next) => {
  await next();
  // A WebSocket upgrade's response is the platform's own: leave it alone.
  if (c.res.status === 101) return;
  c.header("X-Content-Type-Options", "nosniff");
  if ((c.res.headers.get("content-type") ?? "").startsWith("text/html")) {
    for (const [name, value] of Object.entries(HTML_HEADERS)) c.header(name, value);
    c.header("Cache-Control", "no-store");
  }
});
