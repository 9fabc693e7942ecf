import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { EventFieldColumn } from '../../src/store/event-columns.js';
import { eventKeysOf, jsonObjectSql, valuesToObject } from '../../src/store/event-rows.js';

// The row decoder and the JSON SQLite builds are both made from the column list; a list that
// one of them reads differently would send a different event by the list API than by the
// export, the stream or a webhook.
const SPEC: readonly EventFieldColumn[] = [
  { name: 'id', type: 'TEXT', notNull: true, field: 'id' },
  { name: 'actor_seen', type: 'INTEGER', notNull: false, part: 'actor', field: 'seen', encoding: 'time' },
  { name: 'actor_extra', type: 'TEXT', notNull: false, part: 'actor', field: 'extra', encoding: 'json' },
  { name: 'target_id', type: 'TEXT', notNull: false, part: 'target', field: 'id' },
];

function bothPaths(spec: readonly EventFieldColumn[], values: unknown[]) {
  const keys = eventKeysOf(spec);
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE TABLE t (${spec.map((column) => `${column.name} ${column.type}`).join(', ')})`);
    db.prepare(`INSERT INTO t VALUES (${spec.map(() => '?').join(', ')})`).run(...values);
    const json = db
      .prepare(`SELECT ${jsonObjectSql(keys)} FROM t`)
      .pluck()
      .get() as string;
    return { decoded: valuesToObject(keys, values), sqlite: JSON.parse(json) as unknown };
  } finally {
    db.close();
  }
}

describe('the event column list read by the row decoder and by SQLite', () => {
  it('a time or json field inside a part is decoded the same by both paths (no raw milliseconds or JSON text)', () => {
    const { decoded, sqlite } = bothPaths(SPEC, ['e1', Date.UTC(2026, 0, 2, 3, 4, 5, 6), '{"a":[1]}', null]);
    expect(decoded).toEqual({
      id: 'e1',
      actor: { seen: '2026-01-02T03:04:05.006Z', extra: { a: [1] } },
      target: null,
    });
    expect(sqlite).toEqual(decoded);
  });

  it('a part of a single field is built by SQLite too (no coalesce of one argument)', () => {
    expect(bothPaths(SPEC, ['e2', null, null, 't1'])).toEqual({
      decoded: { id: 'e2', actor: null, target: { id: 't1' } },
      sqlite: { id: 'e2', actor: null, target: { id: 't1' } },
    });
  });

  it('a part whose fields are not adjacent is refused at load instead of silently becoming two keys', () => {
    const split: readonly EventFieldColumn[] = [SPEC[1], SPEC[0], SPEC[2]] as EventFieldColumn[];
    expect(() => eventKeysOf(split)).toThrow(/part "actor".*not adjacent|adjacent/);
  });
});
