import { describe, expect, it } from 'vitest';
import { loadMigrations, type Migration, migrationChecksum } from '../../src/store/migrations.js';
import { loadPostgresMigrations } from '../../src/store/pg/migrate.js';

/**
 * The SHA-256 of every shipped migration, as the ledger (schema_migrations) records it. A
 * database that ran a file refuses to start when the file changes under it, so a shipped file
 * never changes: a schema change is a new numbered file, pinned here once written.
 */
const SHIPPED: Record<'sqlite' | 'postgres', Record<string, string>> = {
  sqlite: {
    '0001-initial.sql': '38e19b72b1a00f34da2211e18a4a84819013f5d82dcaca81b909ca1b5e410ad5',
    '0002-merkle-tree.sql': '86deec2acf059d954631fa3b609407e0818666519e751c65cbdf2df0f7784b97',
    '0003-event-counts.sql': 'cef574ec3f54a308b6a9dee71a121eb4d49a888cfae42b63f2b62c4f4827331b',
    '0004-events-by-position.sql': '71a1f6cdb6f69b4621d061e49fda377a4626a4c43913327c2eeb709b8831145c',
    '0005-search-tokens.sql': '5b01c42c31c1aef21653aa1d78d570ffc167d98aa6c51f5fb31f2b654883505d',
  },
  postgres: {
    '0001-initial.sql': '4ee62624d0e65c6e3afced3f80b13ddedc97e6ca23b4bee869d9df95208f67a3',
    '0002-webhooks.sql': 'f8470325d2b5bc76cee869829d46dc9337af686f109fc62ad70f03114b758823',
    '0003-review.sql': 'd9bf72d98469f3892a1d686c7393c382dd7a2aa20ce2bc6ded41353f64ab7093',
  },
};

/** What is wrong with the files against their pins, one line each, saying what to do instead. */
function pinProblems(engine: keyof typeof SHIPPED, dir: string, migrations: Migration[]): string[] {
  const pins = SHIPPED[engine];
  const problems = migrations.flatMap((migration) => {
    const pinned = pins[migration.name];
    const actual = migrationChecksum(migration);
    if (pinned === undefined)
      return [
        `${dir}${migration.name} is new: pin its SHA-256 ${actual} in test/unit/migration-pins.test.ts`,
      ];
    if (pinned !== actual)
      return [
        `${dir}${migration.name} has shipped and must not change (databases that ran it refuse to start): ` +
          `restore it and add the change as a new numbered file instead`,
      ];
    return [];
  });
  const names = new Set(migrations.map((migration) => migration.name));
  for (const name of Object.keys(pins))
    if (!names.has(name)) problems.push(`${dir}${name} has shipped and must not be removed or renamed`);
  return problems;
}

describe('shipped migrations are immutable', () => {
  it('every SQLite migration file has the SHA-256 it shipped with', () => {
    expect(pinProblems('sqlite', 'migrations/', loadMigrations())).toEqual([]);
  });

  it('every PostgreSQL migration file has the SHA-256 it shipped with', () => {
    expect(pinProblems('postgres', 'migrations/postgres/', loadPostgresMigrations())).toEqual([]);
  });

  it('names the file and says to add a new numbered file when a shipped one changes', () => {
    const [first, ...rest] = loadMigrations();
    const edited = { ...(first as Migration), sql: `${(first as Migration).sql}\n-- edited` };
    expect(pinProblems('sqlite', 'migrations/', [edited, ...rest])).toEqual([
      'migrations/0001-initial.sql has shipped and must not change (databases that ran it refuse to start): ' +
        'restore it and add the change as a new numbered file instead',
    ]);
    expect(pinProblems('sqlite', 'migrations/', rest)).toEqual([
      'migrations/0001-initial.sql has shipped and must not be removed or renamed',
    ]);
  });
});
