/**
 * Builds the executable schema: the SDL subset, Linear's custom scalars and the
 * resolvers. `JSON` is serialized as a string (Linear's "stringified JSON",
 * which the SDK `JSON.parse`s); `JSONObject` is embedded as is.
 */
import {
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLScalarType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  Kind,
  type ValueNode,
  buildSchema,
  isObjectType,
  isScalarType,
  isUnionType,
  valueFromASTUntyped,
} from "graphql";
import { LINEAR_SDL } from "./sdl";

/** A relative date in a filter (`-P2W1D`), resolved against the emulator's clock when compared. */
export interface RelativeDate {
  durationMs: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const DURATION = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}: expected an ISO 8601 date`);
  }
  return new Date(value);
}

function parseDateOrDuration(value: unknown): Date | RelativeDate {
  if (typeof value === "string") {
    const m = DURATION.exec(value);
    if (m && value !== "P" && value !== "-P") {
      const [, sign, w, d, h, min, s] = m;
      const ms = ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
      return { durationMs: sign ? -ms : ms };
    }
  }
  return parseDateTime(value);
}

function literal(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  return valueFromASTUntyped(ast, variables);
}

function configureScalars(schema: GraphQLSchema): void {
  const scalar = (name: string) => {
    const type = schema.getType(name);
    if (!type || !isScalarType(type)) throw new Error(`scalar ${name} missing from the SDL`);
    return type as GraphQLScalarType;
  };

  Object.assign(scalar("DateTime"), {
    serialize: (value: unknown) => (value instanceof Date ? value.toISOString() : value),
    parseValue: parseDateTime,
    parseLiteral: (ast: ValueNode) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
  });
  Object.assign(scalar("DateTimeOrDuration"), {
    serialize: (value: unknown) => (value instanceof Date ? value.toISOString() : value),
    parseValue: parseDateOrDuration,
    parseLiteral: (ast: ValueNode) => parseDateOrDuration(ast.kind === Kind.STRING ? ast.value : undefined),
  });
  Object.assign(scalar("TimelessDate"), {
    serialize: (value: unknown) => value,
    parseValue: (value: unknown) => {
      if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new GraphQLError(`TimelessDate cannot represent ${JSON.stringify(value)}`);
      return value;
    },
    parseLiteral: (ast: ValueNode) => (ast.kind === Kind.STRING ? ast.value : undefined),
  });
  Object.assign(scalar("JSON"), {
    serialize: (value: unknown) => JSON.stringify(value),
    parseValue: (value: unknown) => value,
    parseLiteral: literal,
  });
  Object.assign(scalar("JSONObject"), {
    serialize: (value: unknown) => value,
    parseValue: (value: unknown) => {
      // Linear's own docs pass arrays (a session plan) where the schema says JSONObject.
      if (typeof value !== "object" || value === null) throw new GraphQLError(`JSONObject cannot represent non-object value: ${JSON.stringify(value)}`);
      return value;
    },
    parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => {
      if (ast.kind !== Kind.OBJECT && ast.kind !== Kind.LIST) throw new GraphQLError("JSONObject cannot represent a non-object literal");
      return literal(ast, variables);
    },
  });
}

export type ResolverMap = Record<string, Record<string, GraphQLFieldResolver<any, any, any>>>;
export type TypeResolverMap = Record<string, GraphQLTypeResolver<any, any>>;

export function buildLinearSchema(resolvers: ResolverMap, typeResolvers: TypeResolverMap): GraphQLSchema {
  const schema = buildSchema(LINEAR_SDL);
  configureScalars(schema);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) throw new Error(`resolvers for unknown type ${typeName}`);
    const defined = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = defined[fieldName];
      if (!field) throw new Error(`resolver for unknown field ${typeName}.${fieldName}`);
      field.resolve = resolve;
    }
  }
  for (const [typeName, resolveType] of Object.entries(typeResolvers)) {
    const type = schema.getType(typeName);
    if (!type || !isUnionType(type)) throw new Error(`type resolver for unknown union ${typeName}`);
    type.resolveType = resolveType;
  }
  return schema;
}
