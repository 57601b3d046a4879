/**
 * Typed rows for the Durable Objects' SQLite stores. A table is declared once,
 * as a column (SQLite name and codec) for each field of its record; the table
 * then turns rows into records and records (or parts of them) into rows.
 *
 * Queries stay plain SQL written by the store (their WHERE, ORDER and
 * aggregates are the store's business); only the mapping lives here. Nothing is
 * built per query beyond the column list of a write, so a store pays
 * microseconds, not a query builder's tens of them, on the webhook's hot path.
 *
 * A codec checks what it reads: a row that does not hold what the record says
 * (a schema step forgotten, a column misnamed) throws instead of spreading a
 * wrong value.
 */

type Value = SqlStorageValue;
type Row = Record<string, Value>;

/** One column: its SQLite name and how its value crosses between a row and a record. */
export class Column<T> {
  constructor(
    readonly name: string,
    /** Given undefined when the row has no such column, which every codec refuses. */
    readonly decode: (value: Value | undefined) => T,
    readonly encode: (value: T) => Value,
  ) {}

  /** The same column, allowing NULL. */
  nullable(): Column<T | null> {
    const { decode, encode } = this;
    return new Column<T | null>(
      this.name,
      (value) => (value === null ? null : decode(value)),
      (value) => (value === null ? null : encode(value)),
    );
  }
}

function mismatch(name: string, expected: string, value: Value | undefined): Error {
  const seen = value === undefined ? "no such column in the row" : value === null ? "NULL" : typeof value;
  return new TypeError(`column ${name}: expected ${expected}, found ${seen}`);
}

export function text(name: string): Column<string> {
  return new Column(
    name,
    (value) => {
      if (typeof value !== "string") throw mismatch(name, "text", value);
      return value;
    },
    (value) => value,
  );
}

/** A text column holding one of a fixed set of values (a state, a kind). */
export function oneOf<const T extends string>(name: string, values: readonly T[]): Column<T> {
  const allowed: ReadonlySet<string> = new Set(values);
  return new Column<T>(
    name,
    (value) => {
      if (typeof value !== "string" || !allowed.has(value)) throw mismatch(name, values.join(" | "), value);
      return value as T; // checked against `values` just above
    },
    (value) => value,
  );
}

/**
 * A text column of a string type, read back unchecked: for values whose list a
 * later version may shrink (a job kind retired while a job of it is still
 * stored), where refusing the row would stop everything queued behind it. The
 * reader must expect a value it does not know.
 */
export function textOf<T extends string>(name: string): Column<T> {
  return new Column<T>(
    name,
    (value) => {
      if (typeof value !== "string") throw mismatch(name, "text", value);
      return value as T; // written from a T by this store; see above for why it is not checked
    },
    (value) => value,
  );
}

function numeric(name: string, expected: string): Column<number> {
  return new Column(
    name,
    (value) => {
      if (typeof value !== "number") throw mismatch(name, expected, value);
      return value;
    },
    (value) => value,
  );
}

/**
 * An INTEGER column. A fraction that reached one (SQLite keeps 1.5 as 1.5 even
 * there) reads as it is, as it always did: refusing it would stop the object.
 */
export function integer(name: string): Column<number> {
  return numeric(name, "integer");
}

export function real(name: string): Column<number> {
  return numeric(name, "real");
}

/** Stored as INTEGER 0 or 1. */
export function boolean(name: string): Column<boolean> {
  return new Column(
    name,
    (value) => {
      if (value !== 0 && value !== 1) throw mismatch(name, "0 or 1", value);
      return value === 1;
    },
    (value) => (value ? 1 : 0),
  );
}

/**
 * JSON text. With `parse` (a zod schema's `parse`, say) what is read is
 * validated; without it, the value is taken to be what this store wrote, since
 * no one else writes the object's storage.
 */
export function json<T>(name: string, parse?: (value: unknown) => T): Column<T> {
  return new Column<T>(
    name,
    (value) => {
      if (typeof value !== "string") throw mismatch(name, "JSON text", value);
      const parsed: unknown = JSON.parse(value);
      return parse ? parse(parsed) : (parsed as T); // the one place a stored JSON value takes its type
    },
    (value) => JSON.stringify(value),
  );
}

/** A column for every field of the record, each decoding to exactly that field's type. */
export type Columns<R> = { readonly [K in keyof R]-?: Column<R[K]> };

/** What to do when an insert meets an existing key. */
export type OnConflict<W> =
  | "ignore"
  | {
      /** The conflicting key's column(s). */
      target: readonly (keyof W & string)[];
      /** The fields the new row overwrites. */
      update: readonly (keyof W & string)[];
      /** More SQL assignments, without parameters (e.g. `disconnected_at = NULL`). */
      also?: string;
    };

/**
 * A table whose rows read as `R`. `W` names columns that are written but never
 * read back into the record (kept for inspection only).
 */
export class Table<R, W = object> {
  // Read as three parallel arrays: the webhook path reads a few rows per delivery, and this loop is all a read adds to `sql.exec`.
  readonly #keys: readonly string[];
  readonly #names: readonly string[];
  readonly #decoders: readonly ((value: Value | undefined) => unknown)[];
  readonly #writable: ReadonlyMap<string, Column<unknown>>;

  constructor(
    readonly name: string,
    columns: Columns<R>,
    writeOnly?: Columns<W>,
  ) {
    const readable = Object.entries(columns as Record<string, Column<unknown>>);
    this.#keys = readable.map(([key]) => key);
    this.#names = readable.map(([, column]) => column.name);
    this.#decoders = readable.map(([, column]) => column.decode);
    this.#writable = new Map([...readable, ...Object.entries((writeOnly ?? {}) as Record<string, Column<unknown>>)]);
  }

  /** A row (from `SELECT *` or any query naming every column) as a record. */
  read(row: Row): R {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < this.#keys.length; i++) record[this.#keys[i]!] = this.#decoders[i]!(row[this.#names[i]!]);
    return record as R; // every key of R was set by its own column's decoder
  }

  /** The first row of a query's result as a record, or null. */
  first(sql: SqlStorage, query: string, ...params: Value[]): R | null {
    const row = sql.exec(query, ...params).toArray()[0];
    return row ? this.read(row) : null;
  }

  /** Every row of a query's result as records. */
  all(sql: SqlStorage, query: string, ...params: Value[]): R[] {
    return sql
      .exec(query, ...params)
      .toArray()
      .map((row) => this.read(row));
  }

  /** The fields present in `record` (undefined ones left out) as column names and SQLite values, in the record's order. */
  columnsOf(record: Partial<R & W>): { names: string[]; values: Value[] } {
    const names: string[] = [];
    const values: Value[] = [];
    const fields = record as Record<string, unknown>; // read field by field, each through its own column's encoder
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      const column = this.#writable.get(key);
      if (!column) continue; // a field the table does not store (the caller's type allows more than the row holds)
      names.push(column.name);
      values.push(column.encode(value));
    }
    return { names, values };
  }

  #name(key: string): string {
    const column = this.#writable.get(key);
    if (!column) throw new Error(`${this.name}: no column for ${key}`);
    return column.name;
  }

  /**
   * Inserts the record's fields (the others take their SQL defaults). Returns
   * what the storage counts as rows written (index entries included): 0 when
   * nothing was.
   */
  insert(sql: SqlStorage, record: Partial<R & W>, onConflict?: OnConflict<R & W>): number {
    const { names, values } = this.columnsOf(record);
    const verb = onConflict === "ignore" ? "INSERT OR IGNORE" : "INSERT";
    let statement = `${verb} INTO ${this.name} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`;
    if (onConflict !== undefined && onConflict !== "ignore") {
      const sets = onConflict.update.map((key) => `${this.#name(key)} = excluded.${this.#name(key)}`);
      if (onConflict.also) sets.push(onConflict.also);
      statement += ` ON CONFLICT (${onConflict.target.map((key) => this.#name(key)).join(", ")}) DO UPDATE SET ${sets.join(", ")}`;
    }
    return sql.exec(statement, ...values).rowsWritten;
  }

  /**
   * Sets the fields present in `changes` on the rows `where` selects, plus
   * `also` (more assignments, whose parameters come first in `params`, before
   * the WHERE clause's). Nothing happens, not even `also`, when no field is
   * given. Returns the rows written as `insert` counts them.
   */
  update(sql: SqlStorage, changes: Partial<R & W>, where: { also?: string; where: string }, ...params: Value[]): number {
    const { names, values } = this.columnsOf(changes);
    if (names.length === 0) return 0;
    const sets = names.map((name) => `${name} = ?`);
    if (where.also) sets.push(where.also);
    return sql.exec(`UPDATE ${this.name} SET ${sets.join(", ")} WHERE ${where.where}`, ...values, ...params).rowsWritten;
  }
}
