import { timingSafeEqual } from "../../src/crypto/encoding";
import { factory } from "../factory";

/** `Authorization: Bearer <CYRUS_API_KEY>` on every /api route. */
export const requireApiKey = factory.createMiddleware(async (c, next) => {
  const apiKey = c.env.CYRUS_API_KEY;
  if (!apiKey) {
    c.var.log.error("CYRUS_API_KEY is not set: the API is closed");
    return c.json({ error: "the API is not configured: set the CYRUS_API_KEY secret" }, 503);
  }
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match || !timingSafeEqual(match[1]!, apiKey)) {
    return c.json({ error: "missing or wrong API key: send Authorization: Bearer <CYRUS_API_KEY>" }, 401, {
      "WWW-Authenticate": 'Bearer realm="cyrus-edge"',
    });
  }
  await next();
});
