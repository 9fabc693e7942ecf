import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { generateToken } from '../../src/domain/token.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { openDatabase } from '../../src/store/database.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf } from '../helpers/admin.js';
import { tempHome } from '../helpers/cli.js';
import { type InProcessResult, runInProcess } from './in-process-cli.js';

// Canaries: if any of these shows up anywhere outside the request that carried it, a secret leaked.
const PASSWORD = 'Hunter2-canary-pw-7f3a91';
const AUDIT_TOKEN = generateToken();
const BEARER = 'canaryBearerCredential9x8y7z';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5';
// Issue 17: secrets as keys, and the shapes that were stored in clear.
const KEY_TOKEN = generateToken();
const KEY_JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXljYW5hcnkifQ.a2V5Y2FuYXJ5c2ln';
const BASIC = Buffer.from('ci-user:BasicCanaryPw55').toString('base64');
const CONNECTION_PASSWORD = 'ConnCanaryPw66';
const QUERY_TOKEN = 'QueryCanaryTok77';
const PEM_BODY = 'MIIEcanaryPemBody88q3n5';
const SHORT_KEY_PASSWORD = 'PwdCanary99';
const CANARIES = [
  PASSWORD,
  AUDIT_TOKEN,
  AUDIT_TOKEN.slice(4, 30),
  BEARER,
  JWT,
  KEY_TOKEN.slice(4, 30),
  KEY_JWT,
  BASIC,
  CONNECTION_PASSWORD,
  QUERY_TOKEN,
  PEM_BODY,
  SHORT_KEY_PASSWORD,
];
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`;

const EVENTS: EventInput[] = [
  {
    action: 'user.password_changed',
    actor: { id: 'user_canary', email: 'canary@example.com', name: 'Canary' },
    metadata: { password: PASSWORD, nested: [{ api_key: PASSWORD }], note: `token ${AUDIT_TOKEN} rotated` },
    changes: { secret: { old: PASSWORD, new: `${PASSWORD}-2` }, role: { old: 'member', new: 'admin' } },
    context: { user_agent: `curl -H 'Authorization: Bearer ${BEARER}'` },
  },
  {
    action: 'security.api_token_created',
    description: `created ${AUDIT_TOKEN} for the pipeline`,
    actor: { id: 'user_canary', name: `session ${JWT}` },
    target: { type: 'token', name: `Bearer ${BEARER}` },
    metadata: {
      Cookie: `session=${PASSWORD}`,
      'X-Api-Key': PASSWORD,
      userPassword: PASSWORD,
      'private-key': PASSWORD,
      credentials: { user: 'ci', pass: PASSWORD },
      headers: { Authorization: `Bearer ${BEARER}` },
      deep: { a: { b: { c: { d: [{ client_secret: PASSWORD }, `Bearer ${BEARER}`, JWT] } } } },
    },
  },
  {
    action: 'settings.integration_updated',
    description: `connected postgres://app:${CONNECTION_PASSWORD}@db.internal:5432/prod`,
    actor: { id: 'user_canary', name: `Basic ${BASIC}` },
    target: { type: 'integration', name: `https://hooks.example.com/in?access_token=${QUERY_TOKEN}&v=2` },
    context: {
      user_agent: `fetch /cb?token=${QUERY_TOKEN}`,
      team_name: `redis://:${CONNECTION_PASSWORD}@cache`,
    },
    metadata: {
      [KEY_TOKEN]: 'a token used as a key',
      nested: { [KEY_JWT]: { scope: 'read' } },
      pwd: SHORT_KEY_PASSWORD,
      db: { pass: SHORT_KEY_PASSWORD, url: `mysql://root:${CONNECTION_PASSWORD}@db/x` },
      key_file: PEM,
      header: `Authorization: Basic ${BASIC}`,
    },
    changes: { deploy_key: { old: null, new: PEM }, [`Bearer ${BEARER}`]: { old: 'a', new: 'b' } },
  },
];

describe('secrets never leak', () => {
  const home = tempHome();
  const outDir = join(home.dir, 'out');
  let server: RunningServer;
  let ownerToken: string;
  let env: NodeJS.ProcessEnv;
  let eventIds: string[] = [];
  const outputs: { what: string; text: string }[] = [];

  const cli = async (
    what: string,
    args: string[],
    extra: NodeJS.ProcessEnv = {},
    input?: string,
  ): Promise<InProcessResult> => {
    const result = await runInProcess(args, { env: { ...env, ...extra }, input });
    outputs.push(
      { what: `${what} stdout`, text: result.stdout },
      { what: `${what} stderr`, text: result.stderr },
    );
    return result;
  };
  const expectClean = (what: string, text: string, secrets = [...CANARIES, ownerToken]) => {
    for (const secret of secrets)
      expect(text.includes(secret), `${what} holds ${secret.slice(0, 12)}…`).toBe(false);
  };

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    // Checkpoints every 50 ms: the backup waits for one that covers the day it writes.
    server = await startServer({
      dbFile: home.dbFile,
      host: '127.0.0.1',
      port: 0,
      demo: false,
      checkpointIntervalMs: 50,
    });
    ownerToken = server.bootstrap?.token as string;
    env = { AUDIT_CONFIG_DIR: home.configDir, AUDIT_SERVER: server.url, AUDIT_ORG: 'default' };
    const response = await fetch(`${server.url}/api/v1/organizations/default/audit-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: EVENTS }),
    });
    expect(response.status).toBe(201);
    const body = await response.text();
    outputs.push({ what: 'ingest answer', text: body });
    eventIds = JSON.parse(body).data.map((event: { id: string }) => event.id);
    // --with-token reads the token from stdin: it never appears in argv.
    const login = await cli(
      'login',
      ['login', '--with-token', '--server', server.url, '--org', 'default'],
      {},
      `${ownerToken}\n`,
    );
    if (login.code !== 0) throw new Error(login.stderr);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home.dir, { recursive: true, force: true });
  });

  it('logs in from stdin into a 0600 config file', async () => {
    const configFiles = readdirSync(home.configDir).map((name) => join(home.configDir, name));
    expect(configFiles.length).toBeGreaterThan(0);
    for (const file of configFiles) {
      if (statSync(file).isFile()) expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
  });

  it('redacts every canary from the API answers', async () => {
    const get = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${server.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      });
      const text = await response.text();
      outputs.push({ what: path, text });
      return text;
    };
    const base = '/api/v1/organizations/default';
    const list = await get(`${base}/audit-logs?per_page=1000&detailed=true`);
    expect(list).toContain('[REDACTED]');
    await get(`${base}/audit-logs/${eventIds[1]}`);
    await get(`${base}/audit-logs?q=${encodeURIComponent(PASSWORD)}`);
    await get(`${base}/gdpr/exports`, {
      method: 'POST',
      body: JSON.stringify({ user: 'canary@example.com' }),
    });
    await get('/api/v1/me');
    for (const { what, text } of outputs) expectClean(what, text, CANARIES);
  });

  it('keeps them out of every CLI view, export and backup, and the export files are 0600', async () => {
    await cli('logs json', ['logs', '-o', 'json', '--detailed']);
    await cli('logs ndjson', ['logs', '-o', 'ndjson']);
    await cli('logs csv', ['logs', '-o', 'csv']);
    await cli('logs tsv', ['logs']);
    await cli('logs table', ['logs', '-o', 'table']);
    await cli('logs show', ['logs', 'show', eventIds[1] as string]);
    await cli('search', ['search', 'canary']);
    await cli('whoami', ['whoami']);
    await cli('debug', ['--debug', 'logs', '--limit', '5']);
    // The crontab line runs with the profile's token, never with the token on its command line.
    await cli('schedule', ['backup', 'schedule', '--print', '--dir', outDir]);
    const today = new Date().toISOString().slice(0, 10);
    const files: string[] = [];
    for (const format of ['json', 'csv', 'ndjson']) {
      const file = join(outDir, `export.${format}`);
      const result = await cli(`export ${format}`, [
        'export',
        '--utc',
        '--from',
        today,
        '--to',
        today,
        '--format',
        format,
        '-o',
        file,
      ]);
      expect(result.code, result.stderr).toBe(0);
      files.push(file);
    }
    const gz = join(outDir, 'export.ndjson.gz');
    expect((await cli('export gz', ['export', '--utc', '--from', today, '--to', today, '-o', gz])).code).toBe(
      0,
    );
    const backup = await cli('backup', [
      'backup',
      'run',
      '--dir',
      outDir,
      '--date',
      today,
      '--format',
      'csv',
    ]);
    expect(backup.code, backup.stderr).toBe(0);
    const gdpr = join(outDir, 'gdpr.json');
    expect(
      (await cli('gdpr export', ['gdpr', 'export', '--user', 'canary@example.com', '--output', gdpr])).code,
    ).toBe(0);
    files.push(
      gdpr,
      ...readdirSync(outDir)
        .filter((name) => name.startsWith('audit-logs-'))
        .map((name) => join(outDir, name)),
    );

    for (const file of files) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text.length, file).toBeGreaterThan(0);
      expectClean(file, text);
    }
    expect(statSync(gz).mode & 0o777).toBe(0o600);
    expectClean(gz, gunzipSync(readFileSync(gz)).toString('utf8'));
    for (const { what, text } of outputs) expectClean(what, text);
    // The debug trace shows the request, with the token masked.
    const debug = outputs.find((output) => output.what === 'debug stderr')?.text ?? '';
    expect(debug).toMatch(/authorization/i);
  });

  it('never echoes a token in an error message', async () => {
    const admin = adminOf(createStores(openDatabase(home.dbFile)));
    const { token: revoked } = await admin.createToken(
      'default',
      server.bootstrap?.ownerEmail as string,
      'read',
      'x',
    );
    await admin.revokeToken('default', revoked.slice(0, 12));
    const attempts: InProcessResult[] = [
      await cli('revoked', ['logs'], { AUDIT_TOKEN: revoked }),
      await cli('mistyped', ['logs'], { AUDIT_TOKEN: `${revoked.slice(0, -1)}x` }),
      await cli('--token flag', ['logs', `--token=${revoked}`]),
      await cli('--token flag, separate', ['logs', '--token', revoked]),
      await cli('token as an argument', ['logs', 'show', revoked]),
      await cli('token in a filter', ['logs', '--actor', revoked, '--since', 'x']),
    ];
    for (const attempt of attempts) {
      expect(attempt.code).not.toBe(0);
      expect(attempt.stderr.trim().split('\n')).toHaveLength(1);
      expectClean(`error ${attempt.stderr}`, attempt.stderr + attempt.stdout, [revoked, revoked.slice(12)]);
    }
  });

  it('keeps no secret in the database files, and only hashes of tokens', async () => {
    // Push the WAL into the main file too, then look at every byte of both.
    const files = [home.dbFile, `${home.dbFile}-wal`].filter(existsSync);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
      const bytes = readFileSync(file);
      for (const secret of [...CANARIES, ownerToken, ownerToken.slice(4, 30)]) {
        expect(bytes.includes(Buffer.from(secret)), `${file} holds ${secret.slice(0, 12)}…`).toBe(false);
      }
    }
    const db = new Database(home.dbFile, { readonly: true });
    try {
      const hash = createHash('sha256').update(ownerToken).digest('hex');
      const rows = db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
      const cells = rows
        .flatMap((row) => Object.values(row))
        .map((cell) => (Buffer.isBuffer(cell) ? cell.toString('hex') : String(cell)));
      expect(cells.some((cell) => cell.includes(hash))).toBe(true);
      expect(cells.some((cell) => cell.includes(ownerToken.slice(12)))).toBe(false);
    } finally {
      db.close();
    }
  });
});
