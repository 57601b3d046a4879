/**
 * `POST /graphql`. Documents are parsed with graphql-js and executed against the
 * SDL subset without full validation: the SDK's generated documents select many
 * fields the subset leaves out, and execution skips those. What Linear would
 * refuse outright is still refused: an unknown root field, a malformed
 * document, variables that do not fit the input types, a bad token.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  ExecutableDefinitionsRule,
  KnownFragmentNamesRule,
  LoneAnonymousOperationRule,
  NoFragmentCyclesRule,
  NoUndefinedVariablesRule,
  UniqueOperationNamesRule,
  UniqueVariableNamesRule,
  execute,
  getOperationAST,
  parse,
  validate,
} from "graphql";
import { MAX_QUERY_COMPLEXITY, queryComplexity, tooComplexBody } from "./complexity";
import type { Emulator } from "./emulator";
import { AUTHENTICATION_ERROR_BODY, LinearApiError } from "./errors";
import { applyFault } from "./fault-responses";
import type { FaultRule } from "./faults";
import { HttpError, readBody, sendJson } from "./http";
import type { GraphQLContext } from "./resolvers";
import type { GraphQLCall } from "./recorder";

/** Rules that hold whatever fields the schema subset defines. */
const SAFE_RULES = [
  ExecutableDefinitionsRule,
  LoneAnonymousOperationRule,
  UniqueOperationNamesRule,
  UniqueVariableNamesRule,
  KnownFragmentNamesRule,
  NoFragmentCyclesRule,
  NoUndefinedVariablesRule,
];

const INTROSPECTION_ROOTS = new Set(["__typename", "__schema", "__type"]);

function graphqlError(message: string, code: string, statusCode = 400) {
  return {
    message,
    extensions: { type: "graphql error", code, statusCode, userError: true, userPresentableMessage: message },
  };
}

function rootFieldNames(doc: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) names.push(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const fragment = fragments.get(sel.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return [...new Set(names)];
}

/** Linear's rate-limit headers, on every answer: a per-organization hourly budget. */
class RequestBudget {
  static readonly LIMIT = 5_000;
  #windows = new Map<string, { resetAt: number; used: number }>();

  headers(orgId: string): Record<string, string> {
    const now = Date.now();
    let window = this.#windows.get(orgId);
    if (!window || window.resetAt <= now) {
      window = { resetAt: now + 3_600_000, used: 0 };
      this.#windows.set(orgId, window);
    }
    window.used += 1;
    return {
      "X-RateLimit-Requests-Limit": String(RequestBudget.LIMIT),
      "X-RateLimit-Requests-Remaining": String(Math.max(0, RequestBudget.LIMIT - window.used)),
      "X-RateLimit-Requests-Reset": String(window.resetAt),
    };
  }
}

function formatErrors(result: ExecutionResult): { errors: unknown[]; internal: boolean } {
  let internal = false;
  const errors = (result.errors ?? []).map((error: GraphQLError) => {
    const original = error.originalError;
    const base = { message: error.message, ...(error.path ? { path: error.path } : {}), ...(error.locations ? { locations: error.locations } : {}) };
    if (original instanceof LinearApiError) return { ...base, extensions: original.extensions };
    if (original && !(original instanceof GraphQLError)) {
      internal = true;
      return { ...base, extensions: { type: "internal error", code: "INTERNAL_SERVER_ERROR", statusCode: 500, userError: false, userPresentableMessage: "Internal error" } };
    }
    return { ...base, extensions: graphqlError(error.message, "GRAPHQL_VALIDATION_FAILED").extensions };
  });
  return { errors, internal };
}

export class GraphQLEndpoint {
  readonly #emulator: Emulator;
  readonly #schema: GraphQLSchema;
  readonly #budget = new RequestBudget();

  constructor(emulator: Emulator, schema: GraphQLSchema) {
    this.#emulator = emulator;
    this.#schema = schema;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") throw new HttpError(405, "POST a GraphQL request");
    const call: GraphQLCall = { at: new Date().toISOString(), organizationId: null, operationName: null, rootFields: [], variables: {}, status: 0 };
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}, error?: string) => {
      call.status = status;
      if (error) call.error = error;
      this.#emulator.recorder.recordGraphQL(call);
      sendJson(res, status, body, headers);
    };

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return answer(400, { errors: [graphqlError("Request body is not valid JSON", "BAD_REQUEST")] }, {}, "bad JSON");
    }
    const variables = (body?.variables ?? {}) as Record<string, unknown>;
    call.variables = variables;
    call.operationName = typeof body?.operationName === "string" ? body.operationName : null;

    let doc: DocumentNode | null = null;
    let syntaxError: GraphQLError | null = null;
    if (typeof body?.query !== "string") syntaxError = new GraphQLError("Must provide query string.");
    else {
      try {
        doc = parse(body.query);
      } catch (error) {
        syntaxError = error as GraphQLError;
      }
    }
    const operation = doc ? getOperationAST(doc, call.operationName) : null;
    if (doc && operation) {
      call.operationName = operation.name?.value ?? call.operationName;
      call.rootFields = rootFieldNames(doc, operation);
    }

    const auth = this.#authenticate(req);
    if (!auth) return answer(400, AUTHENTICATION_ERROR_BODY, {}, "authentication error");
    call.organizationId = auth.org.id;
    const rateHeaders = this.#budget.headers(auth.org.id);

    const fault = this.#emulator.faults.take({ organizationId: auth.org.id, rootFields: call.rootFields, path: "/graphql" });
    if (fault) call.fault = fault.kind;
    if (fault && (await applyFault(fault, res, "before"))) return this.#recordFault(call, res, fault);

    if (syntaxError || !doc) return answer(400, { errors: [graphqlError(syntaxError!.message, "GRAPHQL_PARSE_FAILED")] }, rateHeaders, syntaxError!.message);
    if (!operation) {
      const message = call.operationName ? `Unknown operation named "${call.operationName}".` : "Must provide operation name if query contains multiple operations.";
      return answer(400, { errors: [graphqlError(message, "GRAPHQL_VALIDATION_FAILED")] }, rateHeaders, message);
    }
    const problems = [...validate(this.#schema, doc, SAFE_RULES), ...this.#unknownRootFields(operation, call.rootFields)];
    if (problems.length > 0) {
      return answer(400, { errors: problems.map((p) => graphqlError(p.message, "GRAPHQL_VALIDATION_FAILED")) }, rateHeaders, problems[0]!.message);
    }
    call.complexity = queryComplexity(this.#schema, doc, operation, variables);
    rateHeaders["X-Complexity"] = String(call.complexity);
    if (call.complexity > MAX_QUERY_COMPLEXITY) return answer(400, tooComplexBody(call.complexity), rateHeaders, "Query too complex");

    const contextValue: GraphQLContext = { emulator: this.#emulator, ...auth };
    const result = (await execute({ schema: this.#schema, document: doc, variableValues: variables, operationName: call.operationName, contextValue })) as ExecutionResult;
    if (fault && (await applyFault(fault, res, "after"))) return this.#recordFault(call, res, fault);

    const { errors, internal } = formatErrors(result);
    const responseBody: Record<string, unknown> = {};
    if ("data" in result) responseBody.data = result.data;
    if (errors.length > 0) responseBody.errors = errors;
    // Partial data is still a 200; a request that produced nothing is refused with 400 (500 for an emulator bug).
    const status = errors.length === 0 || (result.data && Object.values(result.data).some((v) => v !== null)) ? 200 : internal ? 500 : 400;
    return answer(status, responseBody, rateHeaders, errors.length ? (errors[0] as { message: string }).message : undefined);
  }

  #recordFault(call: GraphQLCall, res: ServerResponse, fault: FaultRule): void {
    call.status = fault.kind === "hang" ? 0 : res.statusCode;
    call.error = `fault: ${fault.kind}`;
    this.#emulator.recorder.recordGraphQL(call);
  }

  #unknownRootFields(operation: OperationDefinitionNode, names: string[]): GraphQLError[] {
    const root = operation.operation === "mutation" ? this.#schema.getMutationType() : operation.operation === "query" ? this.#schema.getQueryType() : null;
    if (!root) return [new GraphQLError(`Schema is not configured to execute ${operation.operation} operation.`)];
    const fields = root.getFields();
    return names
      .filter((name) => !fields[name] && !(root.name === "Query" ? INTROSPECTION_ROOTS.has(name) : name === "__typename"))
      .map((name) => new GraphQLError(`Cannot query field "${name}" on type "${root.name}".`));
  }

  /** `Authorization: Bearer <OAuth access token>`; anything else is unauthenticated. */
  #authenticate(req: IncomingMessage): Omit<GraphQLContext, "emulator"> | null {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return null;
    const grant = this.#emulator.tokens.authenticate(match[1]!);
    if (!grant) return null;
    const org = this.#emulator.store.orgs.get(grant.orgId);
    if (!org) return null;
    // An app token acts as the app user; a user token as the person who consented (older grants: the first member).
    const viewer = org.users.get(grant.actor === "app" ? org.appUserId : (grant.userId ?? org.humanUserId));
    if (!viewer) return null;
    return { org, viewer, grant };
  }
}
