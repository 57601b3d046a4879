/**
 * The opaque cursor of the API's keyset-paged lists (sessions, the audit
 * log): the last row's `(createdAt, id)`, as URL-safe base64 of a JSON pair.
 */
import { z } from "zod";

export interface KeysetCursor {
  createdAt: number;
  id: string;
}

export const KeysetCursorSchema = z.string().transform((value, ctx): KeysetCursor => {
  try {
    const decoded: unknown = JSON.parse(atob(value.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(decoded) && decoded.length === 2 && Number.isSafeInteger(decoded[0]) && typeof decoded[1] === "string") {
      return { createdAt: decoded[0] as number, id: decoded[1] };
    }
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: "not a cursor from this API: pass nextCursor as it was given" });
  return z.NEVER;
});

export const encodeKeysetCursor = (cursor: KeysetCursor): string =>
  btoa(JSON.stringify([cursor.createdAt, cursor.id])).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
