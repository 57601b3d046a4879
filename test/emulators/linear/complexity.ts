/**
 * A query's complexity as Linear's rate-limiting page describes the scoring:
 * each property 0.1 point, each object 1 point, a connection multiplies what it
 * holds by its page size (`first` or `last`, default 50), rounded up; one query
 * may cost at most 10 000. Linear's exact weights are not published, so this is
 * an estimate with the documented shape: good for comparing our own documents
 * and for catching one that would be refused, not a promise of Linear's figure.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNamedType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  valueFromASTUntyped,
} from "graphql";

export const MAX_QUERY_COMPLEXITY = 10_000;
const DEFAULT_PAGE = 50;

/** The answer Linear gives a query over the limit (seen in the wild: contentful-labs/gqli.rb#23). */
export function tooComplexBody(complexity: number) {
  return {
    errors: [
      {
        message: "Query too complex",
        extensions: {
          code: "INPUT_ERROR",
          type: "invalid input",
          userError: true,
          userPresentableMessage: `The query is too complex. Complexity: ${complexity}. Maximum allowed complexity: ${MAX_QUERY_COMPLEXITY}.`,
          meta: {},
        },
      },
    ],
  };
}

export function queryComplexity(schema: GraphQLSchema, doc: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const pageSize = (args: readonly { name: { value: string }; value: Parameters<typeof valueFromASTUntyped>[0] }[] | undefined): number => {
    for (const name of ["first", "last"]) {
      const arg = args?.find((a) => a.name.value === name);
      const value = arg ? valueFromASTUntyped(arg.value, variables) : undefined;
      if (typeof value === "number") return value;
    }
    return DEFAULT_PAGE;
  };

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, seen: Set<string>): number => {
    let points = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        points += walk(sel.selectionSet, type ?? undefined, seen);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(sel.name.value);
        if (!fragment || seen.has(sel.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        points += walk(fragment.selectionSet, type ?? undefined, new Set([...seen, sel.name.value]));
        continue;
      }
      if (sel.name.value.startsWith("__")) continue;
      const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
      // Fields outside the emulator's subset are skipped at execution; count them as properties.
      if (!field) {
        points += sel.selectionSet ? 1 + walk(sel.selectionSet, undefined, seen) : 0.1;
        continue;
      }
      const type = getNamedType(field.type);
      if (isLeafType(type) || !sel.selectionSet) points += 0.1;
      else if (type.name.endsWith("Connection")) points += pageSize(sel.arguments) * walk(sel.selectionSet, type, seen);
      else points += 1 + walk(sel.selectionSet, type, seen);
    }
    return points;
  };

  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  // Round off float noise (0.1 steps) before rounding up.
  return Math.ceil(Math.round(walk(operation.selectionSet, root ?? undefined, new Set()) * 1000) / 1000);
}
