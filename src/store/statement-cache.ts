import type { Db } from './database.js';

export type Statement = ReturnType<Db['prepare']>;

/**
 * Prepared statements by SQL text, least recently used dropped past `max`. Queries are built
 * from the filters a caller sends, so their texts are many (a list of 37 actions is a text of its
 * own); unbounded, 20,000 distinct list requests took the server from 125 to 402 MB. A dropped
 * statement is finalized by better-sqlite3 when it is collected.
 */
export function createStatementCache(
  db: Db,
  max: number,
  prepare: (sql: string) => Statement = (sql) => db.prepare(sql),
) {
  const statements = new Map<string, Statement>();
  return {
    get(sql: string): Statement {
      let statement = statements.get(sql);
      if (statement) {
        // Map keeps insertion order: moving the entry to the end makes the first the least recent.
        statements.delete(sql);
      } else {
        statement = prepare(sql);
        if (statements.size >= max) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
    get size(): number {
      return statements.size;
    },
  };
}
