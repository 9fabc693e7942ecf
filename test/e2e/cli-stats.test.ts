import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { StatsGroup, StatsResult } from '../../src/domain/stats.js';
import {
  BIN,
  cliEnv,
  expectOneErrorLine,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import { runInTerminal } from '../helpers/pty.js';

const DAY = 86_400_000;
const NOW = Date.now();
// Noon UTC a few days ago, so an event's day does not depend on when the test runs.
const noonDaysAgo = (days: number, minutes = 0) =>
  new Date(Math.floor(NOW / DAY) * DAY - days * DAY + 12 * 3_600_000 + minutes * 60_000).toISOString();
const dayOf = (iso: string) => iso.slice(0, 10);

const bob = { id: 'user_bob', email: 'bob@example.com', type: 'user' as const };
const failed = (days: number, n: number): EventInput[] =>
  Array.from({ length: n }, (_, minute) => ({
    action: 'user.login_failed',
    actor: bob,
    timestamp: noonDaysAgo(days, minute),
    context: { ip_address: '198.51.100.77' },
  }));
// Twelve IPs signing in 12, 11, … 1 times: --top 10 keeps ten and sums two as (other).
const logins: EventInput[] = Array.from({ length: 12 }, (_, ip) =>
  Array.from({ length: 12 - ip }, (_, n) => ({
    action: 'user.login',
    actor: { id: `user_${ip}`, email: `user${ip}@example.com`, type: 'user' as const },
    timestamp: noonDaysAgo(1, n),
    context: { ip_address: `203.0.113.${ip + 1}` },
  })),
).flat();
const EVENTS: EventInput[] = [
  ...failed(2, 3),
  ...failed(5, 5),
  ...logins,
  { action: 'tunnel.created', actor: bob, timestamp: noonDaysAgo(3), target: { type: 'tunnel', id: 't1' } },
  // Attacker-chosen text in a key: a spreadsheet formula and a terminal escape.
  {
    action: 'tunnel.deleted',
    actor: { id: 'x', email: '=HYPERLINK("http://evil","x")', type: 'user' },
    timestamp: noonDaysAgo(3),
  },
  { action: 'tunnel.deleted', actor: { id: 'y', email: 'evil\u001b]0;pwned\u0007name', type: 'user' } },
  { action: 'user.login', actor: bob, timestamp: noonDaysAgo(60) },
];

const withoutNoColor = ({ NO_COLOR: _, ...env }: NodeJS.ProcessEnv) => env;

describe('audit stats against a live server', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  let token: string;
  let proxy: ContractProxy;
  const cliEnvFor = (extra: Record<string, string> = {}) => ({
    ...env,
    AUDIT_SERVER: proxy.url,
    AUDIT_TOKEN: token,
    ...extra,
  });
  const stats = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['stats', '--utc', ...args], { env: cliEnvFor(extra) });
  const api = async (query: string): Promise<StatsResult> => {
    const response = await fetch(`${server.url}/api/v1/organizations/default/audit-logs/stats?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: StatsResult }).data;
  };
  const json = async (args: string[]) => {
    const result = await stats([...args, '-o', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as StatsResult;
  };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], env);
    token = server.token as string;
    await ingestEvents(server.url, token, EVENTS);
    proxy = await startContractProxy(server.url);
  });
  afterAll(async () => {
    expect(proxy.violations).toEqual([]);
    await proxy.close();
    await server.stop();
  });

  it('--by category: the last 30 days by default, the same groups as the API, largest first', async () => {
    const data = await json(['--by', 'category']);
    const expected = await api('group_by=category&since=30d&top=10&tz=UTC');
    expect(data.group_by).toEqual(['category']);
    expect(data.time_zone).toBe('UTC');
    expect(data.groups).toEqual(expected.groups);
    expect(data.groups.map((group) => [group.category, group.count])).toEqual([
      ['auth', 86],
      ['tunnel', 3],
      // The server's first start: the owner and their token.
      ['security', 1],
      ['team', 1],
    ]);
    expect(data.total).toBe(91);
  });

  it('--by day --category auth --action user.login_failed: every day of the range, empty days 0', async () => {
    const data = await json(['--by', 'day', '--category', 'auth', '--action', 'user.login_failed']);
    expect(data.groups.length).toBeGreaterThanOrEqual(30);
    const counts = new Map(data.groups.map((group) => [group.day, group.count]));
    expect(counts.get(dayOf(noonDaysAgo(2)))).toBe(3);
    expect(counts.get(dayOf(noonDaysAgo(5)))).toBe(5);
    expect(counts.get(dayOf(noonDaysAgo(3)))).toBe(0);
    expect(data.total).toBe(8);
    const days = data.groups.map((group) => group.day as string);
    expect([...days].sort()).toEqual(days);
  });

  it('--by ip,action --top 10: ten pairs, the rest summed as other', async () => {
    const data = await json(['--by', 'ip,action', '--top', '10', '--category', 'auth']);
    expect(data.top).toBe(10);
    const named = data.groups.filter((group) => !group.other);
    expect(named).toHaveLength(10);
    expect(named[0]).toEqual({ ip: '203.0.113.1', action: 'user.login', count: 12 });
    const other = data.groups.at(-1) as StatsGroup;
    expect(other).toMatchObject({ other: true, ip: null, action: null });
    expect(data.groups.reduce((sum, group) => sum + group.count, 0)).toBe(data.total);
  });

  it('piped, prints TSV: the dimensions, count and percent', async () => {
    const result = await stats(['--by', 'category']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      'category\tcount\tpercent\nauth\t86\t94.5\ntunnel\t3\t3.3\nsecurity\t1\t1.1\nteam\t1\t1.1\n',
    );
  });

  it('-o ndjson: one group per line', async () => {
    const result = await stats(['--by', 'category', '-o', 'ndjson']);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { category: 'auth', count: 86 },
      { category: 'tunnel', count: 3 },
      { category: 'security', count: 1 },
      { category: 'team', count: 1 },
    ]);
  });

  it('-o csv defuses a formula an attacker put in an actor (CSV injection)', async () => {
    const result = await stats(['--by', 'actor', '--category', 'tunnel', '-o', 'csv']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('actor,count,percent');
    expect(lines).toContain(`"'=HYPERLINK(""http://evil"",""x"")",1,33.3`);
    expect(lines).toContain('bob@example.com,1,33.3');
  });

  it('-o chart in a pipe draws the chart without colour (NO_COLOR) to COLUMNS=40, no escape codes from a key (terminal injection)', async () => {
    const result = await stats(['--by', 'actor', '--category', 'tunnel', '-o', 'chart'], { COLUMNS: '40' });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Events by actor · category tunnel');
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u0007');
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(40);
    expect(lines).toContain('3 events');
    expect(result.stdout).toContain('evilname');
  });

  it('stops quietly when the reader of the pipe goes away (audit stats | head -1)', async () => {
    const command = `"${process.execPath}" "${BIN}" stats --utc --by hour --since 365d | head -1; echo "exit \${PIPESTATUS[0]}"`;
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile('bash', ['-c', command], { env: cliEnvFor() }, (error, stdout, stderr) =>
        error ? reject(error) : resolve({ stdout, stderr }),
      );
    });
    expect(result.stdout).toBe('hour\tcount\tpercent\nexit 0\n');
    expect(result.stderr).toBe('');
  });

  it('a bad --by is a usage error: exit 2, one line, no request', async () => {
    const result = await runCli(['stats', '--by', 'country'], {
      env: { ...env, AUDIT_SERVER: 'http://127.0.0.1:9', AUDIT_TOKEN: token },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^audit: --by: "country" is not a dimension; choose one or two of category/,
    );
    expectOneErrorLine(result);
  });

  it('on a terminal 80 columns wide: the title, colour bars by category, counts and percentages', async () => {
    const run = runInTerminal(['stats', '--utc', '--by', 'category'], {
      env: withoutNoColor(cliEnvFor({ FORCE_COLOR: '1' })),
      columns: 80,
    });
    const { code, output } = await run.done;
    expect(code).toBe(0);
    expect(output).toContain('Events by category · last 30 days (default)');
    expect(output).toContain('\u001b[34m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing escape codes
    const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    expect(lines.find((line) => line.startsWith('auth'))).toMatch(/^auth {6}█+ {2}86 {3}94\.5%$/);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(80);
  });
});
