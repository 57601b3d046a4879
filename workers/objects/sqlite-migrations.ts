/**
 * One way for every Durable Object's SQLite store to change its schema:
 * numbered, append-only steps, and the version each store reached recorded in
 * the object's own database (`schema_versions`, one row per store: the
 * Workspace keeps two stores in one database). A new column anywhere is a new
 * step at the end of its store's list; a step once shipped is never edited.
 *
 * `migrate` runs in each store's constructor, in one synchronous transaction:
 * a step that fails leaves the object as it was, and an object already at the
 * last step pays two statements. See docs/storage.md.
 */

/** The statements that bring a store's schema from the previous version to the next. */
export type MigrationStep = readonly string[];

export interface SchemaHistory {
  /** The store's row in `schema_versions`. */
  readonly store: string;
  /** Step n (1-based) brings the schema from version n - 1 to n. Append-only. */
  readonly steps: readonly MigrationStep[];
  /**
   * For objects created before `schema_versions` existed: the version their
   * tables already match, read once, when the store has no row yet. Without
   * it they start from 0, so the first step must adopt tables that may already
   * exist (CREATE ... IF NOT EXISTS).
   */
  readonly priorVersion?: (sql: SqlStorage) => number;
}

const VERSIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_versions (store TEXT PRIMARY KEY, version INTEGER NOT NULL)`;

/**
 * Brings the store's tables to its last step. Returns the versions before and
 * after. An object whose recorded version is past the last step (the code was
 * rolled back) is left alone: steps only add what older code can ignore.
 */
export function migrate(storage: DurableObjectStorage, history: SchemaHistory): { from: number; to: number } {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    sql.exec(VERSIONS_TABLE);
    const row = sql.exec(`SELECT version FROM schema_versions WHERE store = ?`, history.store).toArray()[0];
    const from = row ? Number(row.version) : (history.priorVersion?.(sql) ?? 0);
    const to = Math.max(from, history.steps.length);
    for (let version = from; version < history.steps.length; version++) {
      for (const statement of history.steps[version]!) sql.exec(statement);
    }
    if (!row || to !== from) {
      sql.exec(`INSERT INTO schema_versions (store, version) VALUES (?, ?) ON CONFLICT (store) DO UPDATE SET version = excluded.version`, history.store, to);
    }
    return { from, to };
  });
}

/** Whether the object's database has this table (for a `priorVersion` that must tell an old object from a new one). */
export function hasTable(sql: SqlStorage, name: string): boolean {
  return sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, name).toArray().length > 0;
}
