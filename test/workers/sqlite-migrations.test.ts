/**
 * The one migration mechanism of the Durable Objects' SQLite stores, on real
 * DO storage: steps run once and in order, in one transaction, a store's
 * version is kept apart from another's in the same database, and an object
 * created before versions were kept is adopted without losing a row.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate, type SchemaHistory } from "../../workers/objects/sqlite-migrations";
import { env } from "./support";

/** A scratch database: a CodegenGate of its own, whose storage the test uses for its own tables. */
function withStorage<T>(run: (storage: DurableObjectStorage) => T | Promise<T>): Promise<T> {
  const stub = env.CODEGEN_GATE.get(env.CODEGEN_GATE.idFromName(`test:sqlite-migrations:${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => run(state.storage));
}

function columnsOf(storage: DurableObjectStorage, table: string): string[] {
  return storage.sql
    .exec(`SELECT name FROM pragma_table_info(?)`, table)
    .toArray()
    .map((row) => String(row.name));
}

function versionOf(storage: DurableObjectStorage, store: string): number | null {
  const row = storage.sql.exec(`SELECT version FROM schema_versions WHERE store = ?`, store).toArray()[0];
  return row ? Number(row.version) : null;
}

// Each step fails if run twice (CREATE TABLE and ADD COLUMN without IF NOT EXISTS).
const STEP_1 = [`CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)`];
const STEP_2 = [`ALTER TABLE notes ADD COLUMN author TEXT`];
const STEP_3 = [`ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0`];

describe("migrate", () => {
  it("runs every step on a new object, in order, and records the version reached", async () => {
    await withStorage((storage) => {
      expect(migrate(storage, { store: "notes", steps: [STEP_1, STEP_2] })).toEqual({ from: 0, to: 2 });
      expect(columnsOf(storage, "notes")).toEqual(["id", "body", "author"]);
      expect(versionOf(storage, "notes")).toBe(2);
    });
  });

  it("runs nothing on an object already at the last step, and only the new step once one is appended", async () => {
    await withStorage((storage) => {
      migrate(storage, { store: "notes", steps: [STEP_1, STEP_2] });
      storage.sql.exec(`INSERT INTO notes (id, body, author) VALUES ('n1', 'kept', 'ada')`);
      expect(migrate(storage, { store: "notes", steps: [STEP_1, STEP_2] })).toEqual({ from: 2, to: 2 });
      expect(migrate(storage, { store: "notes", steps: [STEP_1, STEP_2, STEP_3] })).toEqual({ from: 2, to: 3 });
      expect(storage.sql.exec(`SELECT id, body, author, pinned FROM notes`).toArray()).toEqual([{ id: "n1", body: "kept", author: "ada", pinned: 0 }]);
      expect(versionOf(storage, "notes")).toBe(3);
    });
  });

  it("leaves the object as it was when a step fails: no table from an earlier step of the same run, no version", async () => {
    await withStorage((storage) => {
      const broken: SchemaHistory = { store: "notes", steps: [STEP_1, [`ALTER TABLE no_such_table ADD COLUMN x TEXT`]] };
      expect(() => migrate(storage, broken)).toThrow(/no_such_table/);
      expect(columnsOf(storage, "notes")).toEqual([]);
      expect(versionOf(storage, "notes")).toBeNull();
      // Fixed, it runs from the start.
      expect(migrate(storage, { store: "notes", steps: [STEP_1, STEP_2] })).toEqual({ from: 0, to: 2 });
    });
  });

  it("keeps each store's version apart in one database", async () => {
    await withStorage((storage) => {
      migrate(storage, { store: "notes", steps: [STEP_1, STEP_2, STEP_3] });
      migrate(storage, { store: "tags", steps: [[`CREATE TABLE tags (name TEXT PRIMARY KEY)`]] });
      expect(versionOf(storage, "notes")).toBe(3);
      expect(versionOf(storage, "tags")).toBe(1);
      expect(migrate(storage, { store: "tags", steps: [[`CREATE TABLE tags (name TEXT PRIMARY KEY)`], [`ALTER TABLE tags ADD COLUMN color TEXT`]] })).toEqual({
        from: 1,
        to: 2,
      });
      expect(versionOf(storage, "notes")).toBe(3);
    });
  });

  it("adopts the version an object recorded before versions were kept, once, and continues from it", async () => {
    await withStorage((storage) => {
      // An object made by the old code: steps 1 and 2 applied, their version in a table of its own.
      storage.sql.exec(`CREATE TABLE old_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
      for (const statement of [...STEP_1, ...STEP_2]) storage.sql.exec(statement);
      storage.sql.exec(`INSERT INTO old_meta (key, value) VALUES ('schema_version', '2')`);
      storage.sql.exec(`INSERT INTO notes (id, body, author) VALUES ('n1', 'from before', 'ada')`);
      let reads = 0;
      const history: SchemaHistory = {
        store: "notes",
        steps: [STEP_1, STEP_2, STEP_3],
        priorVersion: (sql) => {
          reads++;
          return Number(sql.exec(`SELECT value FROM old_meta WHERE key = 'schema_version'`).one().value);
        },
      };
      expect(migrate(storage, history)).toEqual({ from: 2, to: 3 });
      expect(migrate(storage, history)).toEqual({ from: 3, to: 3 });
      expect(reads).toBe(1);
      expect(storage.sql.exec(`SELECT id, body, author, pinned FROM notes`).toArray()).toEqual([{ id: "n1", body: "from before", author: "ada", pinned: 0 }]);
    });
  });

  it("records the adopted version even when no step is left to run", async () => {
    await withStorage((storage) => {
      for (const statement of STEP_1) storage.sql.exec(statement);
      expect(migrate(storage, { store: "notes", steps: [STEP_1], priorVersion: () => 1 })).toEqual({ from: 1, to: 1 });
      expect(versionOf(storage, "notes")).toBe(1);
    });
  });

  it("leaves alone an object whose version is past the last step it knows (code rolled back)", async () => {
    await withStorage((storage) => {
      migrate(storage, { store: "notes", steps: [STEP_1, STEP_2, STEP_3] });
      expect(migrate(storage, { store: "notes", steps: [STEP_1, STEP_2] })).toEqual({ from: 3, to: 3 });
      expect(versionOf(storage, "notes")).toBe(3);
    });
  });
});
