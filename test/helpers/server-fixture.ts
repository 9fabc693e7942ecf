import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { EventInput } from '../../src/domain/event.js';
import { createAdmin } from '../../src/server/admin.js';
import { type AppOptions, buildApp } from '../../src/server/app.js';
import { SYSTEM_ACTOR } from '../../src/server/server-actor.js';
import { createStores } from '../../src/server/services.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { type Contract, contractOf } from './openapi-contract.js';
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
  const dir = tempDir('test');
  const dbFile = join(dir, 'audit.db');
  const db = openDatabase(dbFile);
  const admin = createAdmin(createStores(db, options.now), SYSTEM_ACTOR);
  const addUser = (
    org: string,
    email: string,
    name: string,
    role: 'owner' | 'admin' | 'member',
    team?: string,
  ) => {
    admin.addUser(org, { email, name, role, team });
    return admin.createToken(org, email, 'read').token;
  };
  const tokens: Tokens = {
    owner: addUser('default', 'alice@example.com', 'Alice Chen', 'owner'),
    admin: addUser('default', 'olga@example.com', 'Olga Admin', 'admin'),
    teamAdmin: addUser('default', 'tom@example.com', 'Tom Lead', 'admin', 'Platform'),
    member: addUser('default', 'mia@example.com', 'Mia Member', 'member', 'Platform'),
    ingest: admin.createToken('default', 'alice@example.com', 'ingest', 'pipeline').token,
    otherOrg: addUser('other', 'oscar@other.example', 'Oscar Other', 'owner'),
  };
  const app = await buildApp({ db, ...options });
  holdAnswersToContract(app);
  const request: Fixture['request'] = ({ token, headers, ...rest }) =>
    app.inject({ ...rest, headers: { authorization: `Bearer ${token ?? tokens.owner}`, ...headers } });
  return {
    app,
    db,
    dir,
    dbFile,
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
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Every answer the tests get through `app.inject` (and so `fixture.request`) is held against the
 * server's own /openapi.json: an undeclared status, media type, header or body fails the test
 * that received it, so the document cannot drift from what the server sends.
 */
function holdAnswersToContract(app: FastifyInstance): void {
  const inject = app.inject.bind(app);
  let contract: Contract | undefined;
  const checked = async (options: InjectOptions | string) => {
    const response = await inject(options);
    contract ??= contractOf(JSON.stringify(app.swagger()));
    const request = typeof options === 'string' ? { method: 'GET', url: options } : options;
    const problems = contract.check({
      method: String(request.method ?? 'GET'),
      url: pathOf(request.url ?? request.path),
      status: response.statusCode,
      headers: response.headers,
      body: request.payloadAsStream ? undefined : response.body,
    });
    if (problems?.length) throw new Error(`the answer breaks /openapi.json:\n${problems.join('\n')}`);
    return response;
  };
  app.inject = checked as FastifyInstance['inject'];
}

function pathOf(url: InjectOptions['url']): string {
  return typeof url === 'object' ? String(url.pathname ?? '/') : String(url ?? '/');
}
