/**
 * Errors as Linear's API reports them: a GraphQL error whose `extensions` carry
 * the lowercase `type` that @linear/sdk maps to its error classes, an upper-case
 * `code`, the HTTP-like `statusCode` and a user-facing message.
 */
export type LinearErrorKind = "invalid input" | "authentication error" | "forbidden" | "ratelimited" | "internal error" | "graphql error";

export interface LinearErrorExtensions {
  type: LinearErrorKind;
  code: string;
  statusCode: number;
  userError: boolean;
  userPresentableMessage: string;
  [key: string]: unknown;
}

export class LinearApiError extends Error {
  readonly extensions: LinearErrorExtensions;

  constructor(message: string, extensions: Partial<LinearErrorExtensions> & { userPresentableMessage: string }) {
    super(message);
    this.name = "LinearApiError";
    this.extensions = {
      type: "invalid input",
      code: "INVALID_INPUT",
      statusCode: 400,
      userError: true,
      ...extensions,
    };
  }
}

export function notFound(entity: string): LinearApiError {
  return new LinearApiError(`Entity not found: ${entity}`, {
    code: "INPUT_ERROR",
    userPresentableMessage: `Could not find referenced ${entity}.`,
  });
}

export function invalidInput(message: string): LinearApiError {
  return new LinearApiError(`Argument Validation Error - ${message}`, { userPresentableMessage: message });
}

export function forbidden(message: string): LinearApiError {
  return new LinearApiError(message, { type: "forbidden", code: "FORBIDDEN", statusCode: 403, userPresentableMessage: message });
}

export function alreadyExists(entity: string, id: string): LinearApiError {
  const message = `${entity} with id ${id} already exists`;
  return new LinearApiError(message, { code: "CONFLICT", userPresentableMessage: `${entity} with this id already exists.` });
}

/** Linear answers an unusable token with HTTP 400 and this body; the SDK reads `type` and throws AuthenticationLinearError. */
export const AUTHENTICATION_ERROR_BODY = {
  errors: [
    {
      message: "Authentication required, not authenticated",
      extensions: {
        type: "authentication error",
        code: "AUTHENTICATION_ERROR",
        statusCode: 401,
        userError: true,
        userPresentableMessage: "You need to authenticate to access this operation.",
      },
    },
  ],
};
