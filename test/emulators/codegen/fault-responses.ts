/**
 * What each fault kind answers in place of the real work. `slow`,
 * `lowercaseStatus` and `createdThenLost` do not answer here: the request is
 * served (after the delay, in lowercase, or served then lost; see api.ts).
 */
import { type EndpointKind, type FaultRule, MESSAGES, type ValidationIssue } from "./types";

export interface CannedAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** What a gateway in front of an API answers when the origin is down: HTML, not JSON. */
export const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

const JSON_TYPE = { "Content-Type": "application/json" };

function json(status: number, body: unknown, headers: Record<string, string> = {}): CannedAnswer {
  return { status, body: JSON.stringify(body), headers: { ...JSON_TYPE, ...headers } };
}

function error(rule: FaultRule, status: number, message: string, headers: Record<string, string> = {}): CannedAnswer {
  return json(status, { message: rule.message ?? message, status_code: status }, headers);
}

/** A plausible FastAPI validation failure for the endpoint. */
function validationIssue(kind: EndpointKind): ValidationIssue {
  switch (kind) {
    case "create":
    case "resume":
      return { loc: ["body", "prompt"], msg: "Field required", type: "missing" };
    case "ban":
      return { loc: ["body", "agent_run_id"], msg: "Field required", type: "missing" };
    case "list":
      return { loc: ["query", "limit"], msg: "Input should be less than or equal to 100", type: "less_than_equal" };
    case "get":
    case "logs":
      return { loc: ["path", "agent_run_id"], msg: "Input should be a valid integer, unable to parse string as an integer", type: "int_parsing" };
  }
}

export const INTERNAL_ERROR_BODY = { message: MESSAGES.internal, status_code: 500 };

/** The answer a fault gives instead of serving the request; null when the request is served. */
export function cannedAnswer(rule: FaultRule, kind: EndpointKind): CannedAnswer | null {
  switch (rule.kind) {
    case "http500":
      return error(rule, 500, MESSAGES.internal);
    case "http502":
      return { status: 502, body: BAD_GATEWAY_HTML, headers: { "Content-Type": "text/html" } };
    case "rateLimit429":
      return error(rule, 429, MESSAGES.rateLimited, rule.retryAfterSeconds === null ? {} : { "Retry-After": String(Math.ceil(rule.retryAfterSeconds)) });
    case "http401":
      return error(rule, 401, MESSAGES.unauthorized);
    case "http402":
      return error(rule, 402, MESSAGES.allowance);
    case "http403":
      return error(rule, 403, MESSAGES.forbidden);
    case "http404":
      return error(rule, 404, kind === "create" ? MESSAGES.noRepos : MESSAGES.runNotFound);
    case "http422":
      return json(422, { detail: [validationIssue(kind)] });
    case "hang":
    case "slow":
    case "lowercaseStatus":
    case "createdThenLost":
      return null;
  }
}
