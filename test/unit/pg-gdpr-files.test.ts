import { randomBytes } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { eraseSubject } from '../../src/gdpr/erasure.js';
import { createPgEngine, openPgEngine, type PgEngine } from '../../src/store/pg/engine.js';
import { createPgPool } from '../../src/store/pg/pool.js';
import { leafOf, saltOf } from '../helpers/deterministic-leaf.js';
import { describePostgres, emptyDatabase, migratedDatabase, type TestDatabase } from '../helpers/postgres.js';

// Threat: personal data an erasure replaced is still recoverable from PostgreSQL's table files
// (old row versions in the heap, index entries, TOAST chunks, column statistics), by anyone who
// later reads or copies the data directory. The test reads every file of the database's
// directory, as root can; it flushes shared buffers with CHECKPOINT as the cluster's superuser
// over its unix socket (trusted for the owner of the throwaway cluster, .ci/postgres-cluster).

const EMAIL = 'ottoline.quillfeather@example.com';
const NAME = 'Ottoline Quillfeather';
const IP = '192.0.2.233';
const AGENT = 'QuillfeatherAgent/9.1';
const NEEDLES = [
  EMAIL,
  EMAIL.toUpperCase(),
  NAME,
  NAME.toLowerCase(),
  'quillfeather',
  'Quillfeather',
  IP,
  AGENT,
];

const clusterDir = process.env.AUDIT_TEST_PG_DIR;
/** The cluster's superuser over its unix socket (.ci/postgres-cluster prints where it is). */
const superuserSocket = process.env.AUDIT_TEST_PG_SOCKET;
const filesReadable = (() => {
  try {
    if (!clusterDir || !superuserSocket) return false;
    accessSync(join(clusterDir, 'data', 'base'), constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** What a test that reads the files says when it cannot. */
const filesSkipped = filesReadable
  ? ''
  : ' (skipped: it reads the cluster files as root, with AUDIT_TEST_PG_DIR and AUDIT_TEST_PG_SOCKET from .ci/postgres-cluster)';

/** Events of which a third are the subject's (so her email is a most common value), some past a TOAST threshold. */
function inputs(count: number): EventInput[] {
  return Array.from({ length: count }, (_, index) => {
    const hers = index % 3 === 0;
    return {
      id: `f${index}`,
      action: 'user.login',
      // This month and 1999 (the default partition): two partitions to scrub.
      timestamp: new Date(
        index % 5 === 0 ? Date.UTC(1999, 1, 1) + index : Date.now() - index * 1000,
      ).toISOString(),
      actor: hers
        ? { id: 'user_oq', name: NAME, email: EMAIL, type: 'user' }
        : {
            id: `user_${index}`,
            name: `Someone ${index}`,
            email: `someone${index}@example.com`,
            type: 'user',
          },
      context: hers ? { ip_address: IP, user_agent: AGENT } : { ip_address: '198.51.100.7' },
      description: index % 7 === 0 ? `reviewed together with ${NAME}` : 'nothing personal',
      // Random text does not compress: stored out of line, in TOAST.
      metadata:
        index % 50 === 0
          ? { notes: `${randomBytes(3000).toString('hex')} ${EMAIL} ${randomBytes(2000).toString('hex')}` }
          : null,
    };
  });
}

describePostgres('GDPR erasure on PostgreSQL leaves no readable copy in the table files', () => {
  let database: TestDatabase;
  let engine: PgEngine;
  let superuser: pg.Client | undefined;
  const asSuperuser = (): pg.Client => {
    if (!superuser) throw new Error('AUDIT_TEST_PG_SOCKET is not set: no superuser connection');
    return superuser;
  };
  let org: number;
  let databaseDir: string;
  let erasedSalts: Buffer[];

  /** Where each needle is found in the files of the database's directory, after the buffers are written out. */
  async function filesHolding(needles: readonly (string | Buffer)[]): Promise<string[]> {
    await asSuperuser().query('CHECKPOINT');
    const hits: string[] = [];
    for (const file of readdirSync(databaseDir)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(databaseDir, file));
      } catch {
        continue; // unlinked meanwhile (a relation's old file goes at the checkpoint)
      }
      const found = needles.filter((needle) => bytes.includes(needle));
      if (found.length === 0) continue;
      // Named by its relation, when the file still is one: what a failure has to say.
      const filenode = Number(file.split(/[._]/)[0]);
      const { rows } = await asSuperuser().query<{ name: string | null }>(
        'SELECT pg_filenode_relation(0, $1)::regclass::text AS name',
        [Number.isSafeInteger(filenode) ? filenode : 0],
      );
      for (const needle of found)
        hits.push(
          `${typeof needle === 'string' ? needle : 'a salt'} in ${file} (${rows[0]?.name ?? 'no relation'})`,
        );
    }
    return [...new Set(hits)];
  }

  /** The subject's data, and the salts of her events' leaves, wherever they are. */
  const residue = () => filesHolding([...NEEDLES, ...erasedSalts]);

  beforeAll(async () => {
    database = await migratedDatabase();
    engine = await openPgEngine(database.url, {
      allowUnsafe: true,
      poolSize: 4,
      secretsKey: randomBytes(32),
    });
    if (superuserSocket) {
      superuser = new pg.Client({
        host: superuserSocket,
        port: Number(process.env.AUDIT_TEST_PG_PORT),
        user: 'postgres',
        database: database.name,
      });
      await superuser.connect();
    }
    const { rows } = await engine.pool.query<{ oid: number }>(
      'SELECT oid FROM pg_database WHERE datname = current_database()',
    );
    if (clusterDir) databaseDir = join(clusterDir, 'data', 'base', String(rows[0]?.oid));
    const { directory, recorder, events } = engine.stores;
    org = (await directory.ensureOrganization('acme')).organization.id;
    const { user } = await directory.upsertUser(org, {
      email: EMAIL,
      name: NAME,
      role: 'member',
      teamName: `${NAME}'s team`,
    });
    await directory.createToken(user.id, 'read', `laptop of ${EMAIL}`);
    await recorder.record(org, inputs(3000));
    const stored = await events.readFrom(org, 0, 5000);
    await engine.write(async (tx) => tx.merkle.append(stored.map((event) => leafOf(org, event))));
    erasedSalts = stored
      .filter((event) => JSON.stringify(event.event).includes('uillfeather'))
      .map((event) => saltOf(event.event.id));
    // Column statistics as autovacuum would make them: her email a most common value.
    await engine.pool.query('ANALYZE');
  }, 120_000);
  afterAll(async () => {
    await superuser?.end();
    await engine?.close();
    await database?.drop();
  });

  it.skipIf(!filesReadable)(
    `finds the needles before, and none in any file of the database after erasure and scrub${filesSkipped}`,
    async () => {
      const before = await residue();
      // The heap, its indexes, TOAST, the directory's tables, the statistics: all held them.
      expect(before.length).toBeGreaterThan(10);
      expect(before.some((hit) => hit.startsWith('a salt'))).toBe(true);

      const report = await engine.write((tx) =>
        eraseSubject(tx.gdpr, org, { user: EMAIL, names: [NAME] }, Date.now()),
      );
      expect(report.eventsChanged).toBe(erasedSalts.length);
      // Without the scrub, the old row versions are still there.
      expect((await residue()).length).toBeGreaterThan(0);
      expect(await engine.scrub(10_000)).toBe(true);
      expect(await residue()).toEqual([]);
      expect(await engine.stores.gdpr.scrubPending()).toBe(false);
    },
    120_000,
  );

  it('a scrub kept back by an open REPEATABLE READ reader answers false within its wait, and succeeds after', async () => {
    await engine.stores.recorder.record(org, [
      {
        id: 'late',
        action: 'user.login',
        actor: { id: 'user_late', email: 'late.quillfeather@example.com' },
      },
    ]);
    const reader = await engine.pool.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM events');
      await engine.write((tx) =>
        eraseSubject(tx.gdpr, org, { user: 'late.quillfeather@example.com' }, Date.now()),
      );
      const started = Date.now();
      expect(await engine.scrub(300)).toBe(false);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(300);
      expect(took).toBeLessThan(2_000);
      expect(await engine.stores.gdpr.scrubPending()).toBe(true);
    } finally {
      await reader.query('ROLLBACK');
      reader.release();
    }
    expect(await engine.scrub(5_000)).toBe(true);
    expect(await engine.stores.gdpr.scrubPending()).toBe(false);
    if (filesReadable) expect(await filesHolding(['late.quillfeather@example.com'])).toEqual([]);
  }, 60_000);

  it('a reader whose snapshot predates the erasure, though it locks no erased table, also keeps the scrub back', async () => {
    await engine.stores.recorder.record(org, [
      {
        id: 'later',
        action: 'user.login',
        actor: { id: 'user_later', email: 'later.quillfeather@example.com' },
      },
    ]);
    const reader = await engine.pool.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT 1 FROM organizations LIMIT 1');
      await engine.write((tx) =>
        eraseSubject(tx.gdpr, org, { user: 'later.quillfeather@example.com' }, Date.now()),
      );
      expect(await engine.scrub(200)).toBe(false);
    } finally {
      await reader.query('ROLLBACK');
      reader.release();
    }
    expect(await engine.scrub(5_000)).toBe(true);
    // VACUUM FULL copies the row versions an open snapshot may see (measured): hence the wait.
    if (filesReadable) expect(await filesHolding(['later.quillfeather@example.com'])).toEqual([]);
  }, 60_000);

  it('a transaction in another database of the cluster that began before the erasure keeps the scrub back (threat: the scrub says clean while VACUUM FULL copied the old rows)', async () => {
    await engine.stores.recorder.record(org, [
      {
        id: 'elsewhere',
        action: 'user.login',
        actor: { id: 'user_else', email: 'else.quillfeather@example.com' },
      },
    ]);
    // Another application's database, and a long transaction of it that holds an xid.
    const other = await emptyDatabase();
    const elsewhere = new pg.Client({ connectionString: other.url });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      await engine.write((tx) =>
        eraseSubject(tx.gdpr, org, { user: 'else.quillfeather@example.com' }, Date.now()),
      );
      expect(await engine.scrub(200)).toBe(false);
      await elsewhere.query('COMMIT');
    } finally {
      await elsewhere.end();
      await other.drop();
    }
    expect(await engine.scrub(5_000)).toBe(true);
    if (filesReadable) expect(await filesHolding(['else.quillfeather@example.com'])).toEqual([]);
  }, 60_000);

  it.skipIf(!filesReadable)(
    `forgetOverwritten: a webhook's old URL leaves the files, and a reader's lock makes it give up at once${filesSkipped}`,
    async () => {
      const oldUrl = 'https://hooks.example.net/T0KEN-8d1e5c-old';
      const { rows } = await engine.pool.query<{ id: number }>(
        `INSERT INTO webhooks (public_id, org_id, url, format, secret, created_at, updated_at)
         VALUES ('wh_forget', $1, $2, 'json', 'sealed:x', 0, 0) RETURNING id`,
        [org, oldUrl],
      );
      await engine.pool.query("UPDATE webhooks SET url = 'https://hooks.example.net/new' WHERE id = $1", [
        rows[0]?.id,
      ]);
      expect(await filesHolding([oldUrl])).toHaveLength(1);

      const reader = await engine.pool.connect();
      try {
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM webhooks');
        const started = Date.now();
        await engine.forgetOverwritten();
        expect(Date.now() - started).toBeLessThan(1_000);
      } finally {
        await reader.query('ROLLBACK');
        reader.release();
      }
      await engine.forgetOverwritten();
      expect(await filesHolding([oldUrl])).toEqual([]);
    },
    60_000,
  );

  it("one scrub at a time across instances: another's scrub in progress is waited for, within the wait", async () => {
    await engine.stores.recorder.record(org, [
      {
        id: 'latest',
        action: 'user.login',
        actor: { id: 'user_latest', email: 'latest.quillfeather@example.com' },
      },
    ]);
    await engine.write((tx) =>
      eraseSubject(tx.gdpr, org, { user: 'latest.quillfeather@example.com' }, Date.now()),
    );
    const other = await engine.pool.connect();
    try {
      // What another instance's scrub holds while it works (scrub.ts).
      await other.query("SELECT pg_advisory_lock(hashtext('audit.gdpr_scrub'))");
      expect(await engine.scrub(200)).toBe(false);
      setTimeout(() => void other.query("SELECT pg_advisory_unlock(hashtext('audit.gdpr_scrub'))"), 300);
      expect(await engine.scrub(5_000)).toBe(true);
    } finally {
      other.release(true); // its session lock, if a failure left it held, goes with it
    }
    expect(await engine.stores.gdpr.scrubPending()).toBe(false);
  }, 60_000);

  it.skipIf(!superuserSocket)(
    superuserSocket
      ? 'a role that may not VACUUM the marked tables gets an error naming why, never a false success'
      : 'a role that may not VACUUM … (skipped: AUDIT_TEST_PG_SOCKET is not set, no superuser to make the role)',
    async () => {
      await engine.stores.recorder.record(org, [
        {
          id: 'last',
          action: 'user.login',
          actor: { id: 'user_last', email: 'last.quillfeather@example.com' },
        },
      ]);
      await engine.write((tx) =>
        eraseSubject(tx.gdpr, org, { user: 'last.quillfeather@example.com' }, Date.now()),
      );
      // A role that owns neither the tables nor the database (PostgreSQL would skip them with a warning).
      const role = `t_reader_${randomBytes(4).toString('hex')}`;
      const password = randomBytes(12).toString('hex');
      await asSuperuser().query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await asSuperuser().query(
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
      );
      const url = new URL(database.url);
      url.username = role;
      url.password = password;
      const pool = createPgPool(url.toString(), { max: 1 });
      try {
        await expect(createPgEngine(pool).scrub(1_000)).rejects.toThrow(/may not VACUUM .*owns the tables/);
      } finally {
        await pool.end();
        await asSuperuser().query(`DROP OWNED BY ${role}`);
        await asSuperuser().query(`DROP ROLE ${role}`);
      }
      expect(await engine.stores.gdpr.scrubPending()).toBe(true);
      expect(await engine.scrub(5_000)).toBe(true);
    },
    60_000,
  );
});
