/**
 * Relay-style connections as Linear serves them: `nodes`, `edges` and
 * `pageInfo`, cursor = entity id, 50 per page unless `first`/`last` say
 * otherwise, archived entities hidden unless `includeArchived`. Ordered by
 * `createdAt` (or `updatedAt`), oldest first, so histories read in order.
 */
import { invalidInput } from "./errors";

export interface PageArgs {
  after?: string | null;
  before?: string | null;
  first?: number | null;
  last?: number | null;
  includeArchived?: boolean | null;
  orderBy?: "createdAt" | "updatedAt" | null;
}

interface Pageable {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  archivedAt?: Date | null;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 250;

export interface Connection<T> {
  nodes: T[];
  edges: Array<{ node: T; cursor: string }>;
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
}

export function connection<T extends Pageable>(items: Iterable<T>, args: PageArgs, keep: (item: T) => boolean = () => true): Connection<T> {
  for (const size of [args.first, args.last]) {
    if (size != null && (size < 0 || size > MAX_PAGE)) throw invalidInput(`page size must be between 0 and ${MAX_PAGE}`);
  }
  const key = args.orderBy ?? "createdAt";
  const all = [...items]
    .filter((item) => (args.includeArchived ? true : !item.archivedAt) && keep(item))
    .sort((a, b) => a[key].getTime() - b[key].getTime());

  let start = 0;
  let end = all.length;
  if (args.after) {
    const at = all.findIndex((i) => i.id === args.after);
    if (at < 0) throw invalidInput("after must be a cursor from this connection");
    start = at + 1;
  }
  if (args.before) {
    const at = all.findIndex((i) => i.id === args.before);
    if (at < 0) throw invalidInput("before must be a cursor from this connection");
    end = at;
  }
  if (args.first != null) end = Math.min(end, start + args.first);
  else if (args.last != null) start = Math.max(start, end - args.last);
  else end = Math.min(end, start + DEFAULT_PAGE);

  const nodes = all.slice(start, Math.max(start, end));
  return {
    nodes,
    edges: nodes.map((node) => ({ node, cursor: node.id })),
    pageInfo: {
      startCursor: nodes[0]?.id ?? null,
      endCursor: nodes.at(-1)?.id ?? null,
      hasPreviousPage: start > 0,
      hasNextPage: end < all.length,
    },
  };
}
