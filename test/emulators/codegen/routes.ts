/**
 * The API's routes and the endpoint family each belongs to. Path parameters
 * are kept as strings here: FastAPI validates them (422) only after the
 * request is authenticated, and so does the pipeline (api.ts).
 */
import { methodNotAllowed, routeNotFound, type ApiError } from "./errors";
import type { EndpointKind } from "./types";

export type BanAction = "ban" | "unban" | "remove-from-pr";

export interface ApiRoute {
  kind: EndpointKind;
  method: "GET" | "POST";
  pattern: RegExp;
}

const ORG = "/v1/organizations/([^/]+)";

const ROUTES: ApiRoute[] = [
  { kind: "create", method: "POST", pattern: new RegExp(`^${ORG}/agent/run$`) },
  { kind: "list", method: "GET", pattern: new RegExp(`^${ORG}/agent/runs$`) },
  { kind: "resume", method: "POST", pattern: new RegExp(`^${ORG}/agent/run/resume$`) },
  { kind: "ban", method: "POST", pattern: new RegExp(`^${ORG}/agent/run/(ban|unban|remove-from-pr)$`) },
  // The OpenAPI has the logs under /v1/alpha, the docs page without: both are served.
  { kind: "logs", method: "GET", pattern: /^\/v1(?:\/alpha)?\/organizations\/([^/]+)\/agent\/run\/([^/]+)\/logs$/ },
  { kind: "get", method: "GET", pattern: new RegExp(`^${ORG}/agent/run/([^/]+)$`) },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export type RouteMatch = { route: ApiRoute; params: string[] } | { error: ApiError; kind: EndpointKind | null; params: string[] };

/** The route for this request; FastAPI's 404 `{"detail":"Not Found"}` or 405 when there is none. */
export function matchRoute(method: string, path: string): RouteMatch {
  const matching = ROUTES.map((route) => ({ route, found: route.pattern.exec(path) })).filter((m) => m.found !== null);
  const hit = matching.find((m) => m.route.method === method);
  if (hit) return { route: hit.route, params: hit.found!.slice(1).map(decode) };
  const first = matching[0];
  if (first) return { error: methodNotAllowed(), kind: first.route.kind, params: first.found!.slice(1).map(decode) };
  return { error: routeNotFound(), kind: null, params: [] };
}
