import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { createAdmin } from '../../src/server/admin.js';
import { type AppOptions, buildApp } from '../../src/server/app.js';
import { SYSTEM_ACTOR } from '../../src/server/server-actor.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from './admin.js';
import { type Answer, type Contract, contractOf } from './openapi-contract.js';
import { tempDir } from './temp-dir.js';

export interface Tokens {
  owner: string;
  admin: string;
  teamAdmin: string;
  member: string;
  ingest: string;
  otherOrg: string;
}

export interface Fixture {
  app: FastifyInstance;
  db: Db;
  dir: string;
  dbFile: string;
  tokens: Tokens;
  /** An authenticated request with the owner's token unless another is given. */
  request(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  ingest(events: EventInput[], token?: string): Promise<{ id: string }[]>;
  close(): Promise<void>;
}

/**
 * A real app on a real SQLite file in a temp dir, with one user of every role:
 * owner alice, org admin olga, team admin tom (team Platform), member mia (team Platform),
 * an ingest-scope token of the owner, and the owner of a second organization.
 */
export async function createFixture(options: Partial<AppOptions> = {}): Promise<Fixture> {
  if (fixtureEngine() === 'postgres') return createPgFixture(options);
  const dir = tempDir('test');
  const dbFile = join(dir, 'audit.db');
  const db = openDatabase(dbFile);
  const admin = adminOf(createStores(db, options.now), SYSTEM_ACTOR);
  const tokens = await seedFixtureUsers(admin);
  const app = await buildApp({ db, ...options });
  return fixtureOver(app, tokens, {
    db,
    dir,
    dbFile,
    close: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/**
 * The engine fixtures run on: SQLite, unless AUDIT_TEST_ENGINE=postgres (the contract suite's
 * second run, test/vitest.postgres.config.ts), which runs the same tests on PostgreSQL.
 */
export function fixtureEngine(): 'sqlite' | 'postgres' {
  return process.env.AUDIT_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * A test that reaches into the SQLite file itself (to plant a row, break a trigger, read what is
 * stored): it runs on SQLite only, and the PostgreSQL run lists it as skipped, saying why.
 */
export function itOnSqlite(name: string, body: () => Promise<void> | void, timeout?: number): void {
  const onPostgres = fixtureEngine() === 'postgres';
  it.skipIf(onPostgres)(
    onPostgres ? `${name} (SQLite only: it reaches into the database file)` : name,
    body,
    timeout,
  );
}

/** The same fixture on a new PostgreSQL database, through the server's own shared-database open. */
async function createPgFixture(options: Partial<AppOptions>): Promise<Fixture> {
  const { migratedDatabase } = await import('./postgres.js');
  const { openPgServerDatabase } = await import('../../src/store/pg/server-database.js');
  const database = await migratedDatabase();
  const dir = tempDir('test');
  const shared = await openPgServerDatabase(database.url, {
    secretsKey: randomBytes(32),
    now: options.now,
    poolSize: 4,
  });
  const tokens = await seedFixtureUsers(createAdmin(shared.engine, SYSTEM_ACTOR));
  const app = await buildApp({ shared, ...options });
  const noSqlite = () => {
    throw new Error('this fixture runs on PostgreSQL (AUDIT_TEST_ENGINE=postgres): it has no SQLite file');
  };
  return fixtureOver(app, tokens, {
    get db(): Db {
      return noSqlite();
    },
    dir,
    get dbFile(): string {
      return noSqlite();
    },
    close: async () => {
      await shared.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

type Admin = ReturnType<typeof createAdmin>;

/** One user of every role (see createFixture), each with a token. */
async function seedFixtureUsers(admin: Admin): Promise<Tokens> {
  const addUser = async (
    org: string,
    email: string,
    name: string,
    role: 'owner' | 'admin' | 'member',
    team?: string,
  ) => {
    await admin.addUser(org, { email, name, role, team });
    return (await admin.createToken(org, email, 'read')).token;
  };
  return {
    owner: await addUser('default', 'alice@example.com', 'Alice Chen', 'owner'),
    admin: await addUser('default', 'olga@example.com', 'Olga Admin', 'admin'),
    teamAdmin: await addUser('default', 'tom@example.com', 'Tom Lead', 'admin', 'Platform'),
    member: await addUser('default', 'mia@example.com', 'Mia Member', 'member', 'Platform'),
    ingest: (await admin.createToken('default', 'alice@example.com', 'ingest', 'pipeline')).token,
    otherOrg: await addUser('other', 'oscar@other.example', 'Oscar Other', 'owner'),
  };
}

/** The fixture's requests and helpers over a built app; `database.close` runs after the app's. */
function fixtureOver(
  app: FastifyInstance,
  tokens: Tokens,
  database: { db: Db; dir: string; dbFile: string; close: () => Promise<void> },
): Fixture {
  const contract = holdAnswersToContract(app);
  const request: Fixture['request'] = ({ token, headers, ...rest }) =>
    app.inject({ ...rest, headers: { authorization: `Bearer ${token ?? tokens.owner}`, ...headers } });
  return {
    app,
    get db() {
      return database.db;
    },
    dir: database.dir,
    get dbFile() {
      return database.dbFile;
    },
    tokens,
    request,
    async ingest(events, token) {
      const response = await request({
        method: 'POST',
        url: '/api/v1/organizations/default/audit-logs',
        payload: { events },
        token: token ?? tokens.owner,
      });
      if (response.statusCode !== 201)
        throw new Error(`ingest failed: ${response.statusCode} ${response.body}`);
      return response.json().data;
    },
    async close() {
      await app.close();
      await database.close();
      contract.assertSocketAnswersKept();
    },
  };
}

/**
 * Every answer the app gives is held against the server's own /openapi.json: an undeclared
 * status, media type, header or body fails the test that received it, so the document cannot
 * drift from what the server sends. An answer through `app.inject` (and so `fixture.request`)
 * fails its request at once; one served over a socket (a listening fixture: fetch, the client,
 * the SSE client) is checked as it is sent and fails `assertSocketAnswersKept` (the fixture's
 * `close`). Not checked: the body of an event stream, which is written to the raw socket.
 */
export function holdAnswersToContract(app: FastifyInstance): { assertSocketAnswersKept(): void } {
  let contract: Contract | undefined;
  const check = (answer: Answer) => {
    contract ??= contractOf(JSON.stringify(app.swagger()));
    return contract.check(answer) ?? [];
  };
  const inject = app.inject.bind(app);
  const checked = async (options: InjectOptions | string) => {
    const response = await inject(options);
    const request = typeof options === 'string' ? { method: 'GET', url: options } : options;
    const problems = check({
      method: String(request.method ?? 'GET'),
      url: pathOf(request.url ?? request.path),
      status: response.statusCode,
      headers: response.headers,
      body: request.payloadAsStream ? undefined : response.body,
    });
    if (problems.length) throw new Error(`the answer breaks /openapi.json:\n${problems.join('\n')}`);
    return response;
  };
  app.inject = checked as FastifyInstance['inject'];

  const socketProblems: string[] = [];
  app.addHook('onSend', async (request, reply, payload) => {
    // Injected answers are checked above, with the test's own request.
    if ('_lightMyRequest' in request.raw) return payload;
    socketProblems.push(
      ...check({
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        headers: reply.getHeaders(),
        body:
          typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : undefined,
      }),
    );
    return payload;
  });
  return {
    assertSocketAnswersKept() {
      if (socketProblems.length)
        throw new Error(`answers served over a socket break /openapi.json:\n${socketProblems.join('\n')}`);
    },
  };
}

function pathOf(url: InjectOptions['url']): string {
  return typeof url === 'object' ? String(url.pathname ?? '/') : String(url ?? '/');
}
