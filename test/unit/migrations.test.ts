import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { schemaSnapshot } from '../helpers/schema-snapshot.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/migrations/${name}`, import.meta.url), 'utf8');

describe('the schema', () => {
  it('of a new database is the one the pre-release migration chain made (committed snapshot)', () => {
    const db = openDatabase(':memory:');
    try {
      expect(schemaSnapshot(db)).toBe(fixture('pre-squash-schema.txt'));
    } finally {
      db.close();
    }
  });
});
