import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliEnv,
  closedPort,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Events whose leaves a real server made at ingest, from the events in hand, with text chosen to
 * differ from what SQLite stores or what an export writes: `audit verify --full` and `audit verify
 * FILE` of every export format must recompute the same leaves.
 */
const FROM = '2024-05-01T00:00:00.000Z';
const TO = '2024-05-01T23:59:59.999Z';
const at = (minute: number) => new Date(Date.parse(FROM) + minute * 60_000).toISOString();
const HOSTILE = [
  {
    action: 'user.login',
    timestamp: at(1),
    description: 'lone \ud800 high, \udc00 low, pair \ud83d\ude00, NUL \u0000, \u2028\u2029 \u202e',
    actor: { id: 'x\udfff', name: '=cmd|" /C calc"!A0', email: '\ud83d@example.com' },
    target: { type: '+1', id: '-1', name: '@SUM(A1)' },
    context: { ip_address: '\u0000', user_agent: '\r\n,"', team_id: '\t', team_name: '\ufeff\uffff' },
    metadata: { '\ud800': '\udc00', n: -0, e: 5e-324, big: 123456789012345, list: ['\u0000', '\ud83d'] },
    changes: { role: { old: '\ud800', new: '=1+1' } },
  },
  {
    action: 'a.b',
    timestamp: at(2),
    description: 'x\u{1F600}'.repeat(660),
    metadata: { k: '\u20ac'.repeat(20_000) },
  },
  {
    action: 'a.c',
    timestamp: '2024-05-01T05:30:00.123456+05:30',
    metadata: { '10': 1, '2': 2, a: { b: [] } },
  },
];

describe('leaves made at ingest from hostile events verify online and offline', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const dir = tempDir('verify-ingest-sealed');
  let server: SpawnedServer;
  let token: string;
  let keyFile: string;
  const online = () => ({ ...env, AUDIT_SERVER: server.url, AUDIT_TOKEN: token, AUDIT_ORG: 'default' });

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], { ...env, AUDIT_CHECKPOINT_INTERVAL_MS: '50' });
    token = server.token as string;
    const stored = await ingestEvents(server.url, token, HOSTILE);
    expect(stored).toHaveLength(HOSTILE.length);
    // A later event, so that a checkpoint covers the hostile ones whatever the signing schedule.
    await ingestEvents(server.url, token, [{ action: 'user.login' }]);
    for (;;) {
      const tree = (await (
        await fetch(`${server.url}/api/v1/organizations/default/audit-logs/tree`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as {
        data: { sealed_size: number; checkpoint: { size: number } | null; key: { verifier_key: string } };
      };
      keyFile = join(dir, 'server.key');
      writeFileSync(keyFile, `${tree.data.key.verifier_key}\n`);
      if (
        (tree.data.checkpoint?.size ?? 0) >= tree.data.sealed_size - 1 &&
        tree.data.sealed_size > HOSTILE.length
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('threat: text SQLite or an export writes otherwise — audit verify --full recomputes every leaf', async () => {
    const result = await runCli(['verify', '--full'], { env: online() });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  }, 120_000);

  it.each(['h.ndjson', 'h.json', 'h.csv', 'h.csv.gz'])(
    'threat: text SQLite or an export writes otherwise — a %s export verifies offline',
    async (name) => {
      const path = join(dir, name);
      const exported = await runCli(['export', '--from', FROM, '--to', TO, '--utc', '-o', path, '--proof'], {
        env: online(),
      });
      expect(exported.code, exported.stderr).toBe(0);
      const offline = cliEnv(join(home.dir, 'offline-config'), {
        AUDIT_SERVER: `http://127.0.0.1:${await closedPort()}`,
      });
      const result = await runCli(['verify', path, '--key', keyFile], { env: offline });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/3 events proved complete and unmodified/);
    },
    120_000,
  );
});
