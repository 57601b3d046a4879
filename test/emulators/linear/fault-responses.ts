/**
 * How each fault kind answers. `before` runs ahead of the real work, `after`
 * once it is done (only `commitThenFail` answers there: the change is made,
 * the answer is lost). Returns true when the fault has taken over the response.
 */
import type { ServerResponse } from "node:http";
import { BAD_GATEWAY_HTML, type FaultRule, INTERNAL_ERROR_BODY, rateLimitResponse } from "./faults";
import { sendJson, sendText, sleep } from "./http";

export async function applyFault(rule: FaultRule, res: ServerResponse, phase: "before" | "after"): Promise<boolean> {
  if (phase === "after") {
    if (rule.kind !== "commitThenFail") return false;
    sendJson(res, 500, INTERNAL_ERROR_BODY);
    return true;
  }
  if (rule.delayMs > 0) await sleep(rule.delayMs);
  switch (rule.kind) {
    case "hang":
      // Never answer: the client times out, or the server's close() drops the socket.
      return true;
    case "http500":
      sendJson(res, 500, INTERNAL_ERROR_BODY);
      return true;
    case "http502":
      sendText(res, 502, BAD_GATEWAY_HTML, "text/html");
      return true;
    case "ratelimit429":
    case "ratelimit400": {
      // Reset times are real epoch ms: clients compare them with their own clock.
      const limited = rateLimitResponse(rule, Date.now());
      sendJson(res, limited.status, limited.body, limited.headers);
      return true;
    }
    case "slow":
    case "commitThenFail":
      return false;
  }
}
