import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import {
  BIN,
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';

const HOUR = 3_600_000;
const alice = { id: 'user_alice', name: 'Alice Chen', email: 'alice@example.com', type: 'user' as const };
const bob = { id: 'user_bob', name: 'Bob Stone', email: 'bob@example.com', type: 'user' as const };
const eng = { team_id: 'team_eng', team_name: 'Engineering' };
const ops = { team_id: 'team_ops', team_name: 'Operations' };
const staging = { type: 'tunnel', id: 'tunnel_1', name: 'api-staging.example.net' };

/** The known events, by name; ones without a timestamp happen "now". */
const KNOWN: Record<string, EventInput> = {
  loginAlice: { action: 'user.login', actor: alice, context: { ip_address: '203.0.113.10', ...eng } },
  loginFailedBob: {
    action: 'user.login_failed',
    actor: bob,
    context: { ip_address: '198.51.100.77', ...ops },
    metadata: { reason: 'bad password' },
  },
  tunnelCreated: { action: 'tunnel.created', actor: alice, target: staging, context: eng },
  tunnelDeletedAlice: {
    action: 'tunnel.deleted',
    actor: alice,
    target: staging,
    context: eng,
    description: 'Alice Chen deleted tunnel api-staging',
  },
  tunnelDeletedBob: {
    action: 'tunnel.deleted',
    actor: bob,
    target: { type: 'tunnel', id: 'tunnel_2', name: 'web-prod.example.net' },
    context: ops,
  },
  paymentFailed: {
    action: 'billing.payment_failed',
    actor: { type: 'system', name: 'Billing' },
    metadata: { reason: 'card declined' },
  },
  twoFactorDisabled: {
    action: 'security.two_factor_disabled',
    actor: bob,
    context: { ip_address: '198.51.100.77', ...ops },
  },
  pageView: { action: 'access.page_viewed', actor: alice, context: eng },
  oldLogin: { action: 'user.login', actor: alice, timestamp: new Date(Date.now() - 3 * HOUR).toISOString() },
  oldTunnelDeleted: {
    action: 'tunnel.deleted',
    actor: alice,
    target: staging,
    timestamp: new Date(Date.now() - 3 * HOUR).toISOString(),
  },
  // Around the 2024 DST change in New York (March 10: 23 hours, EST -5 → EDT -4).
  mar09at0430: { action: 'review.commented', timestamp: '2024-03-09T04:30:00.000Z' },
  mar09at0530: { action: 'review.commented', timestamp: '2024-03-09T05:30:00.000Z' },
  mar11at0330: { action: 'review.commented', timestamp: '2024-03-11T03:30:00.000Z' },
  mar11at0430: { action: 'review.commented', timestamp: '2024-03-11T04:30:00.000Z' },
};

const BULK_COMPLETED = 1200;
const BULK_REQUESTED = 900;
const bulk = (action: string, count: number, start: string): EventInput[] =>
  Array.from({ length: count }, (_, n) => ({
    action,
    timestamp: new Date(Date.parse(start) + n * 1000).toISOString(),
    metadata: { n },
  }));

describe('audit logs and audit search against a live server', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  let token: string;
  const id: Record<string, string> = {};
  let completedIds: string[];
  let total: number;
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json.
  let proxy: ContractProxy;
  const throughProxy = () => ({ ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token });

  const cliIds = async (args: string[]) => {
    const result = await runCli([...args, '-o', 'json'], { env: throughProxy() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as AuditEvent[]).map((event) => event.id);
  };
  const apiIds = async (query: string) =>
    (await fetchAllEvents(server.url, token, query)).map((event) => event.id);

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], {
      ...env,
      // The first checkpoint is signed at once, the next a minute later: its record (shown with
      // --detailed) would land between the API's read and the CLI's of the same query.
      AUDIT_CHECKPOINT_INTERVAL_MS: String(HOUR),
    });
    token = server.token as string;
    const names = Object.keys(KNOWN);
    const stored = await ingestEvents(server.url, token, Object.values(KNOWN));
    names.forEach((name, index) => {
      id[name] = (stored[index] as { id: string }).id;
    });
    completedIds = (
      await ingestEvents(server.url, token, bulk('review.completed', BULK_COMPLETED, '2023-06-01T00:00:00Z'))
    ).map((event) => event.id);
    await ingestEvents(server.url, token, bulk('review.requested', BULK_REQUESTED, '2023-05-01T00:00:00Z'));
    // The one checkpoint record of this file's run is in the log before any test reads it.
    const signed = async () => {
      const response = await fetch(`${server.url}/api/v1/organizations/default/audit-logs/tree`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { data: { checkpoint: unknown } }).data.checkpoint != null;
    };
    for (let wait = 0; !(await signed()); wait++) {
      if (wait === 200) throw new Error('no checkpoint was signed in 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    total = (await apiIds('detailed=true')).length;
    proxy = await startContractProxy(server.url);
  });
  afterAll(async () => {
    // Both, whatever beforeAll got to: a server left running outlives the file and its temp dir.
    await Promise.all([proxy?.close(), server?.stop()]);
  });

  // Each: the CLI's flags, the API query they mean, known events that must and must not be in it.
  const cases: [string[], string, string[], string[]][] = [
    [
      ['--category', 'auth,security'],
      'category=auth,security',
      ['loginAlice', 'twoFactorDisabled'],
      ['tunnelCreated'],
    ],
    [
      ['--category', 'auth', '--category', 'billing'],
      'category=auth,billing',
      ['loginAlice', 'paymentFailed'],
      ['twoFactorDisabled'],
    ],
    [['--action', 'tunnel.*'], 'action=tunnel.*', ['tunnelCreated', 'tunnelDeletedBob'], ['loginAlice']],
    [
      ['--action', 'user.login', '--action', 'tunnel.deleted'],
      'action=user.login,tunnel.deleted',
      ['loginAlice', 'tunnelDeletedBob'],
      ['tunnelCreated'],
    ],
    [
      ['--actor', 'bob@example.com'],
      'actor=bob@example.com',
      ['loginFailedBob', 'tunnelDeletedBob'],
      ['loginAlice'],
    ],
    [['--actor', 'Alice Chen'], 'actor=Alice+Chen', ['loginAlice', 'oldLogin'], ['loginFailedBob']],
    [
      ['--target', 'api-staging.example.net'],
      'target=api-staging.example.net',
      ['tunnelCreated', 'tunnelDeletedAlice'],
      ['tunnelDeletedBob'],
    ],
    [
      ['--resource', 'Operations'],
      'resource=Operations',
      ['tunnelDeletedBob', 'loginFailedBob'],
      ['tunnelCreated'],
    ],
    [['--ip', '198.51.100.77'], 'ip=198.51.100.77', ['loginFailedBob', 'twoFactorDisabled'], ['loginAlice']],
    [
      ['--team', 'team_eng'],
      'team_id=team_eng',
      ['loginAlice', 'tunnelCreated'],
      ['tunnelDeletedBob', 'pageView'],
    ],
    [['--since', '1h'], 'since=1h', ['loginAlice', 'paymentFailed'], ['oldLogin', 'pageView']],
    [['-q', 'declined'], 'q=declined', ['paymentFailed'], ['loginFailedBob']],
    [['--search', 'staging'], 'q=staging', ['tunnelCreated'], ['tunnelDeletedBob']],
    [['--detailed', '--since', '1h'], 'detailed=true&since=1h', ['pageView', 'loginAlice'], ['oldLogin']],
    [
      ['--category', 'tunnel', '--actor', 'alice@example.com', '--since', '1h'],
      'category=tunnel&actor=alice@example.com&since=1h',
      ['tunnelCreated', 'tunnelDeletedAlice'],
      ['tunnelDeletedBob', 'oldTunnelDeleted'],
    ],
  ];

  it.each(cases)('audit logs %j --all equals the API with %s', async (flags, query, included, excluded) => {
    const expected = await apiIds(query);
    expect(expected).toEqual(expect.arrayContaining(included.map((name) => id[name])));
    for (const name of excluded) expect(expected).not.toContain(id[name]);
    expect(expected.length).toBeLessThan(total);
    expect(await cliIds(['logs', ...flags, '--all'])).toEqual(expected);
  });

  it('reads whole days in UTC with --utc', async () => {
    const expected = await apiIds('from=2024-03-09T00:00:00.000Z&to=2024-03-10T23:59:59.999Z');
    expect(expected).toEqual([id.mar09at0530, id.mar09at0430]);
    expect(await cliIds(['logs', '--utc', '--from', '2024-03-09', '--to', '2024-03-10', '--all'])).toEqual(
      expected,
    );
  });

  it('reads whole days in the --tz zone, the 23-hour DST day included', async () => {
    // Midnight EST (-5) on the 9th to the last millisecond of the 10th in EDT (-4).
    const expected = await apiIds('from=2024-03-09T05:00:00.000Z&to=2024-03-11T03:59:59.999Z');
    expect(expected).toEqual([id.mar11at0330, id.mar09at0530]);
    const flags = ['--tz', 'America/New_York', '--from', '2024-03-09', '--to', '2024-03-10', '--all'];
    expect(await cliIds(['logs', ...flags])).toEqual(expected);
  });

  it('shows times in the display zone: --tz, else TZ, and --utc', async () => {
    const times = async (args: string[], extra: Record<string, string> = {}) => {
      const result = await runCli(['logs', '--action', 'review.commented', ...args], {
        env: { ...env, ...extra },
      });
      expect(result.code).toBe(0);
      return result.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t')[0]);
    };
    // EDT, EDT, EST, EST: the offset of each instant, not of today.
    const newYork = [
      '2024-03-11 00:30:00',
      '2024-03-10 23:30:00',
      '2024-03-09 00:30:00',
      '2024-03-08 23:30:00',
    ];
    expect(await times(['--tz', 'America/New_York'])).toEqual(newYork);
    expect(await times([], { TZ: 'America/New_York' })).toEqual(newYork);
    expect(await times(['--utc'], { TZ: 'America/New_York' })).toEqual([
      '2024-03-11 04:30:00',
      '2024-03-11 03:30:00',
      '2024-03-09 05:30:00',
      '2024-03-09 04:30:00',
    ]);
  });

  it('exits 0 with nothing on stdout when nothing matches (JSON: an empty array)', async () => {
    const none = await runCli(['logs', '--action', 'nothing.here'], { env });
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'No events found.\n' });
    const json = await runCli(['logs', '--action', 'nothing.here', '-o', 'json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('shows the newest 50 by default and exactly --limit N', async () => {
    const newest = await fetch(`${server.url}/api/v1/organizations/default/audit-logs?per_page=50`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const expected = ((await newest.json()) as { data: AuditEvent[] }).data.map((event) => event.id);
    expect(await cliIds(['logs'])).toEqual(expected);
    expect(await cliIds(['logs', '--limit', '3'])).toEqual(expected.slice(0, 3));
  });

  it('follows every page with --all: all 1200 matching events, newest first, no duplicates', async () => {
    const ids = await cliIds(['logs', '--action', 'review.completed', '--all']);
    expect(ids).toHaveLength(BULK_COMPLETED);
    expect(new Set(ids).size).toBe(BULK_COMPLETED);
    expect(ids).toEqual([...completedIds].reverse());
    expect(ids).toEqual(await apiIds('action=review.completed'));
  });

  it('search: words and key:value qualifiers become the same query as the API', async () => {
    const expected = await apiIds('q=deleted&actor=alice@example.com&since=1h');
    expect(expected).toContain(id.tunnelDeletedAlice);
    expect(expected).not.toContain(id.tunnelDeletedBob);
    expect(expected).not.toContain(id.oldTunnelDeleted);
    expect(expected).not.toContain(id.tunnelCreated);
    const ids = await cliIds(['search', 'deleted', 'actor:alice@example.com', '--since', '1h', '--all']);
    expect(ids).toEqual(expected);

    const unknown = await runCli(['search', 'category:nope'], { env: throughProxy() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('nope');
  });

  it('ends quietly with 0 when the reader of its output goes away', async () => {
    const child = spawn(process.execPath, [BIN, 'logs', '--all'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let firstLine = '';
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        firstLine += chunk;
        if (firstLine.includes('\n')) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    const closedAt = Date.now();
    expect(firstLine.split('\n')[0]).toMatch(
      /^TIME \([^)]+\)\tCATEGORY\tACTION\tACTOR\tTARGET\tIP\tDESCRIPTION$/,
    );
    expect(await exited).toBe(0);
    expect(Date.now() - closedAt).toBeLessThan(5_000);
    expect(stderr).toBe('');
  });

  it('ends quietly with 0 in a shell pipeline into head -1', async () => {
    const statusFile = join(home.dir, 'status');
    const shell = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', '{ "$NODE" "$BIN" logs --all; echo $? > "$STATUS"; } | head -1'], {
        env: { ...env, NODE: process.execPath, BIN, STATUS: statusFile },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(shell.code).toBe(0);
    expect(shell.stdout).toMatch(/^TIME \([^)]+\)\tCATEGORY\tACTION\tACTOR\tTARGET\tIP\tDESCRIPTION\n$/);
    expect(shell.stderr).toBe('');
    expect(readFileSync(statusFile, 'utf8').trim()).toBe('0');
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(proxy.checked()).toBeGreaterThan(10);
    expect(proxy.violations).toEqual([]);
  });
});
