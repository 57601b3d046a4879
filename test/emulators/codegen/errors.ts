/**
 * Errors as the Codegen API answers them: `{"message", "status_code"}` for
 * application errors, FastAPI's `{"detail": [...]}` for validation (422), and
 * FastAPI's `{"detail": "Not Found"}` for a path no route serves.
 */
import { type ErrorBody, MESSAGES, type ValidationErrorBody, type ValidationIssue } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: ErrorBody | ValidationErrorBody | { detail: string } = { message, status_code: status },
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unauthorized = () => new ApiError(401, MESSAGES.unauthorized);
export const forbidden = () => new ApiError(403, MESSAGES.forbidden);
export const runNotFound = () => new ApiError(404, MESSAGES.runNotFound);
export const noRepos = () => new ApiError(404, MESSAGES.noRepos);
export const allowanceReached = () => new ApiError(402, MESSAGES.allowance);
export const rateLimited = (headers: Record<string, string> = {}) => new ApiError(429, MESSAGES.rateLimited, undefined, headers);

/** A `repo_id` the organization does not have. The real message is undocumented. */
export const repoNotFound = (repoId: number) => new ApiError(404, `Repo ${repoId} not found in the organization.`);

export function validationError(detail: ValidationIssue[]): ApiError {
  return new ApiError(422, detail[0]?.msg ?? "Validation error", { detail });
}

export const routeNotFound = () => new ApiError(404, "Not Found", { detail: "Not Found" });
export const methodNotAllowed = () => new ApiError(405, "Method Not Allowed", { detail: "Method Not Allowed" });
