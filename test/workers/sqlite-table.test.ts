/**
 * The typed table helper on real DO storage: each codec's round trip and what
 * it refuses, and a table's reads, inserts, upserts and partial updates.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { boolean, integer, json, oneOf, real, Table, text, type Column } from "../../workers/objects/sqlite-table";
import { env } from "./support";

function withStorage<T>(run: (sql: SqlStorage) => T | Promise<T>): Promise<T> {
  const stub = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`test:sqlite-table:${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => run(state.storage.sql));
}

describe("codecs", () => {
  // `any`: one table of cases holds columns of every type.
  const cases: { name: string; column: Column<any>; record: unknown; row: SqlStorageValue }[] = [
    { name: "text", column: text("c"), record: "hello", row: "hello" },
    { name: "integer", column: integer("c"), record: 42, row: 42 },
    { name: "real", column: real("c"), record: 1.25, row: 1.25 },
    { name: "boolean true", column: boolean("c"), record: true, row: 1 },
    { name: "boolean false", column: boolean("c"), record: false, row: 0 },
    { name: "json", column: json<{ a: number[] }>("c"), record: { a: [1, 2] }, row: `{"a":[1,2]}` },
    { name: "oneOf", column: oneOf("c", ["queued", "done"]), record: "done", row: "done" },
    { name: "nullable, null", column: text("c").nullable(), record: null, row: null },
    { name: "nullable, value", column: integer("c").nullable(), record: 7, row: 7 },
    { name: "integer holding a fraction, read as it is", column: integer("c"), record: 1.5, row: 1.5 },
  ];
  for (const c of cases) {
    it(`${c.name}: record -> row -> record`, () => {
      expect(c.column.encode(c.record)).toEqual(c.row);
      expect(c.column.decode(c.row)).toEqual(c.record);
    });
  }

  const refused: { name: string; column: Column<any>; row: SqlStorageValue | undefined; error: RegExp }[] = [
    { name: "text given a number", column: text("c"), row: 3, error: /column c: expected text, found number/ },
    { name: "text given NULL", column: text("c"), row: null, error: /column c: expected text, found NULL/ },
    { name: "a column missing from the row", column: text("c"), row: undefined, error: /no such column in the row/ },
    { name: "nullable text, column missing", column: text("c").nullable(), row: undefined, error: /no such column in the row/ },
    { name: "integer given text", column: integer("c"), row: "1", error: /expected integer, found string/ },
    { name: "boolean given 2", column: boolean("c"), row: 2, error: /expected 0 or 1/ },
    { name: "oneOf given another value", column: oneOf("c", ["queued", "done"]), row: "lost", error: /expected queued \| done/ },
    { name: "json given a number", column: json("c"), row: 5, error: /expected JSON text/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      expect(() => c.column.decode(c.row as SqlStorageValue)).toThrow(c.error);
    });
  }

  it("json with a parser validates what it reads", () => {
    const column = json("c", (value) => {
      if (!Array.isArray(value)) throw new Error("not a list");
      return value.map(String);
    });
    expect(column.decode(`[1,"b"]`)).toEqual(["1", "b"]);
    expect(() => column.decode(`{"a":1}`)).toThrow(/not a list/);
  });
});

interface Item {
  id: string;
  state: "open" | "closed";
  count: number;
  tags: string[];
  note: string | null;
  flagged: boolean;
}

const items = new Table<Item, { audit: number[] | null }>(
  "items",
  {
    id: text("id"),
    state: oneOf("state", ["open", "closed"]),
    count: integer("count"),
    tags: json<string[]>("tags"),
    note: text("note").nullable(),
    flagged: boolean("flagged"),
  },
  { audit: json<number[]>("audit").nullable() },
);

const CREATE = `CREATE TABLE items (
  id TEXT PRIMARY KEY, state TEXT NOT NULL DEFAULT 'open', count INTEGER NOT NULL DEFAULT 0, tags TEXT NOT NULL DEFAULT '[]',
  note TEXT, flagged INTEGER NOT NULL DEFAULT 0, audit TEXT, version INTEGER NOT NULL DEFAULT 1)`;

describe("Table", () => {
  it("inserts a record and reads it back, with SQL defaults for the fields left out", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      expect(items.insert(sql, { id: "a", state: "open", count: 2, tags: ["x"], note: null, flagged: true })).toBeGreaterThan(0);
      items.insert(sql, { id: "b" });
      expect(items.all(sql, `SELECT * FROM items ORDER BY id`)).toEqual([
        { id: "a", state: "open", count: 2, tags: ["x"], note: null, flagged: true },
        { id: "b", state: "open", count: 0, tags: [], note: null, flagged: false },
      ]);
      expect(sql.exec(`SELECT tags, flagged FROM items WHERE id = 'a'`).one()).toEqual({ tags: `["x"]`, flagged: 1 });
      expect(items.first(sql, `SELECT * FROM items WHERE id = ?`, "zzz")).toBeNull();
    });
  });

  it("ignores a conflicting insert when told to, and refuses it otherwise", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      items.insert(sql, { id: "a", count: 1 });
      expect(items.insert(sql, { id: "a", count: 9 }, "ignore")).toBe(0);
      expect(items.first(sql, `SELECT * FROM items WHERE id = 'a'`)?.count).toBe(1);
      expect(() => items.insert(sql, { id: "a", count: 9 })).toThrow(/UNIQUE/);
    });
  });

  it("upserts: on conflict only the named fields and the extra assignments change", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      items.insert(sql, { id: "a", count: 1, note: "first" });
      items.insert(sql, { id: "a", count: 5, note: "second" }, { target: ["id"], update: ["count"], also: "version = version + 1" });
      expect(items.first(sql, `SELECT * FROM items WHERE id = 'a'`)).toMatchObject({ count: 5, note: "first" });
      expect(sql.exec(`SELECT version FROM items WHERE id = 'a'`).one().version).toBe(2);
    });
  });

  it("updates only the fields given (undefined ones left alone), with extra assignments and their parameters first", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      items.insert(sql, { id: "a", count: 1, note: "kept", tags: ["x"] });
      items.insert(sql, { id: "b", count: 1 });
      const written = items.update(sql, { state: "closed", note: undefined, tags: ["y", "z"] }, { also: "count = count + ?", where: "id = ?" }, 10, "a");
      expect(written).toBeGreaterThan(0);
      expect(items.all(sql, `SELECT * FROM items ORDER BY id`)).toEqual([
        { id: "a", state: "closed", count: 11, tags: ["y", "z"], note: "kept", flagged: false },
        { id: "b", state: "open", count: 1, tags: [], note: null, flagged: false },
      ]);
    });
  });

  it("does nothing, not even the extra assignments, when no field is given", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      items.insert(sql, { id: "a", count: 1 });
      expect(items.update(sql, {}, { also: "count = count + 1", where: "id = ?" }, "a")).toBe(0);
      expect(items.first(sql, `SELECT * FROM items WHERE id = 'a'`)?.count).toBe(1);
    });
  });

  it("writes a write-only column without reading it back into the record", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      items.insert(sql, { id: "a" });
      items.update(sql, { audit: [3, 4] }, { where: "id = ?" }, "a");
      expect(sql.exec(`SELECT audit FROM items`).one().audit).toBe("[3,4]");
      expect(items.first(sql, `SELECT * FROM items`)).not.toHaveProperty("audit");
    });
  });

  it("leaves out fields the table does not store", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      const wider = { id: "a", count: 3, somethingElse: "not a column" };
      items.insert(sql, wider);
      expect(items.first(sql, `SELECT * FROM items`)?.count).toBe(3);
    });
  });

  it("refuses a row that does not hold what the record says", async () => {
    await withStorage((sql) => {
      sql.exec(CREATE);
      sql.exec(`INSERT INTO items (id, state) VALUES ('a', 'archived')`);
      expect(() => items.all(sql, `SELECT * FROM items`)).toThrow(/column state: expected open \| closed/);
      expect(() => items.first(sql, `SELECT id FROM items`)).toThrow(/no such column in the row/);
    });
  });
});
