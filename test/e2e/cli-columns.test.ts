import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import {
  cliEnv,
  expectOneErrorLine,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import { runInTerminal } from '../helpers/pty.js';

// OSC 52 asks the terminal to put "payload" on the clipboard; then a screen clear, an RTL override, an 8-bit CSI.
const OSC_52 = '\x1b]52;c;cGF5bG9hZA==\x07';
const HOSTILE = `copy ${OSC_52}me\x1b[2J \u202eevil \x9b31mred`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const STEERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const alice = { id: 'user_alice', name: 'Alice Chen', email: 'alice@example.com', type: 'user' as const };
const EVENTS: EventInput[] = [
  {
    action: 'user.login',
    actor: alice,
    context: {
      ip_address: '203.0.113.42',
      user_agent: 'curl/8.5',
      team_id: 'team_eng',
      team_name: 'Engineering',
    },
    description: 'Alice signed in',
  },
  {
    action: 'tunnel.deleted',
    actor: { id: 'user_bob', email: 'bob@example.com', type: 'user' },
    target: { type: 'tunnel', id: 'tunnel_1', name: 'api-staging' },
    description: '=HYPERLINK("http://evil")',
  },
  { action: 'settings.hostile_test', actor: alice, description: HOSTILE },
];

describe('--columns, --json and --jq', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  let token: string;
  let proxy: ContractProxy;
  let events: AuditEvent[];
  let hostileId: string;
  const via = () => ({ ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token });
  const cli = (args: string[]) => runCli(args, { env: via() });
  // tail follows until stopped: what it printed by its `lines`-th line, and just after.
  const tail = (args: string[], lines: number) =>
    runCli(['tail', ...args], { env: via(), killAfterMs: 20_000, stopAfterLines: lines });
  const ok = async (args: string[]) => {
    const result = await cli(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
    token = server.token as string;
    const stored = await ingestEvents(server.url, token, EVENTS);
    hostileId = (stored[2] as { id: string }).id;
    proxy = await startContractProxy(server.url);
  });
  // An export records an audit.exported event: each test compares with the log as it is now.
  beforeEach(async () => {
    events = await fetchAllEvents<AuditEvent>(server.url, token, '');
  });
  afterAll(async () => {
    await proxy?.close();
    await server.stop();
  });

  describe('an event field carrying terminal escapes, printed through --jq', () => {
    it('an OSC 52 clipboard write in a description does not reach a terminal through logs show --jq .description', async () => {
      const run = runInTerminal(
        ['logs', 'show', hostileId, '--json', 'description', '--jq', '.description'],
        {
          env: via(),
        },
      );
      const { code, output } = await run.done;
      expect(code).toBe(0);
      expect(output).toContain('copy me');
      expect(output).not.toContain('\x1b');
      expect(output).not.toMatch(STEERING);
    });

    it('nor through logs --jq .[].description on a terminal', async () => {
      const run = runInTerminal(['logs', '--all', '--json', 'description', '--jq', '.[].description'], {
        env: via(),
      });
      const { code, output } = await run.done;
      expect(code).toBe(0);
      expect(output).toContain('Alice signed in');
      expect(output).toContain('copy me');
      expect(output).not.toContain('\x1b');
      expect(output).not.toMatch(STEERING);
    });

    it('piped, a raw string is the exact value, as jq -r gives it', async () => {
      const stdout = await ok(['logs', 'show', hostileId, '--json', 'description', '--jq', '.description']);
      expect(stdout).toBe(`${HOSTILE}\n`);
    });

    it('a --json object holding the escape is safe JSON, piped too', async () => {
      const stdout = await ok(['logs', 'show', hostileId, '--json', 'description']);
      expect(stdout).not.toContain('\x1b');
      expect(stdout).not.toMatch(STEERING);
      expect(JSON.parse(stdout)).toEqual({ description: HOSTILE });
    });

    it('nor through tail --jq .description, event by event, on a terminal', async () => {
      const run = runInTerminal(['tail', '-n', '3', '--json', 'description', '--jq', '.description'], {
        env: via(),
        killAfterMs: 30_000,
      });
      await run.waitFor(/copy me/);
      run.type('\x03');
      const { code, output } = await run.done;
      expect(code).toBe(0);
      expect(output).not.toContain('\x1b');
      expect(output).not.toMatch(STEERING);
    });
  });

  describe('--columns', () => {
    it('logs --columns id,time,actor,action,ip: those columns, in that order; the id opens the event in logs show', async () => {
      const stdout = await ok(['logs', '--all', '--columns', 'id,time,actor,action,ip']);
      const [header, ...rows] = stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split('\t'));
      // TIME names the zone its times are in.
      expect(header).toEqual(['ID', expect.stringMatching(/^TIME \(.+\)$/), 'ACTOR', 'ACTION', 'IP']);
      expect(rows.map((row) => row[0])).toEqual(events.map((event) => event.id));
      const login = rows.find((row) => row[3] === 'user.login') as string[];
      expect(login.slice(2)).toEqual(['Alice Chen', 'user.login', '203.0.113.42']);
      const shown = await ok(['logs', 'show', login[0] as string]);
      expect(shown).toContain('Alice signed in');
    });

    it('on a terminal 80 columns wide, logs --columns id,action,ip shows the whole id of every event', async () => {
      const run = runInTerminal(['logs', '--columns', 'id,action,ip'], { env: via(), columns: 80 });
      const { code, output } = await run.done;
      expect(code).toBe(0);
      const lines = output.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID +ACTION +IP$/);
      for (const event of events) expect(output).toContain(event.id);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    });

    it('the new columns: actor_email, target_id, target_type, user_agent, team', async () => {
      const stdout = await ok([
        'search',
        'actor:bob@example.com',
        '--columns',
        'actor_email,target_type,target_id,user_agent,team',
      ]);
      expect(stdout).toBe(
        'ACTOR EMAIL\tTARGET TYPE\tTARGET ID\tUSER AGENT\tTEAM\nbob@example.com\ttunnel\ttunnel_1\t\t\n',
      );
      const alice = await ok(['logs', '--action', 'user.login', '--columns', 'user_agent,team,team_id']);
      expect(alice).toBe('USER AGENT\tTEAM\tTEAM ID\ncurl/8.5\tEngineering\tteam_eng\n');
    });

    it('a table shows the chosen columns, cells made safe', async () => {
      const stdout = await ok(['logs', '--all', '-o', 'table', '--columns', 'id,description']);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID +DESCRIPTION$/);
      expect(lines).toHaveLength(events.length + 1);
      expect(stdout).toContain(hostileId);
      expect(stdout).not.toContain('\x1b');
      expect(stdout).not.toMatch(STEERING);
    });

    it('-o csv --columns: the header follows the columns, time and ip stand for timestamp and ip_address, formulas stay neutralized', async () => {
      const stdout = await ok([
        'logs',
        '--all',
        '-o',
        'csv',
        '--columns',
        'id,time,actor_email,ip,description',
      ]);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('id,timestamp,actor_email,ip_address,description');
      expect(lines).toHaveLength(events.length + 1);
      const bob = events.find((event) => event.action === 'tunnel.deleted') as AuditEvent;
      expect(lines).toContain(`${bob.id},${bob.timestamp},bob@example.com,,"'=HYPERLINK(""http://evil"")"`);
    });

    it('tail --columns, and tail -o csv --columns', async () => {
      const newest = events.slice(0, 2).reverse();
      const tsv = await tail(['-n', '2', '--columns', 'action,id'], 3);
      expect(tsv.stdout).toBe(
        `ACTION\tID\n${newest.map((event) => `${event.action}\t${event.id}\n`).join('')}`,
      );
      const csv = await tail(['-n', '2', '-o', 'csv', '--columns', 'id,ip'], 3);
      expect(csv.stdout).toBe(
        `id,ip_address\n${newest.map((event) => `${event.id},${event.context?.ip_address ?? ''}\n`).join('')}`,
      );
    }, 30_000);

    it('tail --columns on a terminal: aligned columns of their set widths, the whole id', async () => {
      const run = runInTerminal(['tail', '-n', '2', '--columns', 'id,action'], {
        env: via(),
        killAfterMs: 30_000,
      });
      const newest = events[0] as AuditEvent;
      await run.waitFor(new RegExp(newest.id));
      run.type('\x03');
      const { code, output } = await run.done;
      expect(code).toBe(0);
      expect(output).toMatch(/^ID {30}ACTION$/m);
      expect(output).toContain(`${newest.id}${' '.repeat(32 - newest.id.length)}${newest.action}`);
    });

    it('an unknown column is a usage error naming the valid ones, for the table and for CSV', async () => {
      const table = await cli(['logs', '--columns', 'id,actr']);
      expect(table.code).toBe(2);
      expectOneErrorLine(table);
      expect(table.stderr).toContain('"actr"');
      expect(table.stderr).toContain('id, time, category, action, actor');
      const csv = await cli(['logs', '-o', 'csv', '--columns', 'actor']);
      expect(csv.code).toBe(2);
      expectOneErrorLine(csv);
      expect(csv.stderr).toContain('actor_id, actor_name, actor_email, actor_type');
      const exported = await cli(['export', '--since', '7d', '-o', '-', '--columns', 'id,nope']);
      expect(exported.code).toBe(2);
      expectOneErrorLine(exported);
      expect(exported.stderr).toContain('ip_address');
      const json = await cli(['logs', '-o', 'json', '--columns', 'id']);
      expect(json.code).toBe(2);
      expect(json.stderr).toContain('--json FIELDS');
    });

    it('export --columns writes a CSV of those columns; another format refuses them', async () => {
      const exported = await cli(['export', '--since', '7d', '-o', '-', '--columns', 'id,action']);
      expect(exported.code, exported.stderr).toBe(0);
      const lines = exported.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('id,action');
      // Oldest first, as exports are.
      expect(lines.slice(1)).toEqual([...events].reverse().map((event) => `${event.id},${event.action}`));
      const json = await cli(['export', '--since', '7d', '--format', 'json', '-o', '-', '--columns', 'id']);
      expect(json.code).toBe(2);
      expectOneErrorLine(json);
    });
  });

  describe('--json FIELDS and --jq', () => {
    const pick = (event: AuditEvent, fields: (keyof AuditEvent)[]) =>
      Object.fromEntries(fields.map((field) => [field, event[field]]));

    it('logs --json id,timestamp,action,actor: a JSON array of those fields only', async () => {
      const stdout = await ok(['logs', '--all', '--json', 'id,timestamp,action,actor']);
      expect(JSON.parse(stdout)).toEqual(
        events.map((event) => pick(event, ['id', 'timestamp', 'action', 'actor'])),
      );
    });

    it('search --json -o ndjson, tail --json and logs show --json', async () => {
      const search = await ok(['search', 'actor:alice@example.com', '--json', 'id,context', '-o', 'ndjson']);
      const alices = events.filter((event) => event.actor?.email === 'alice@example.com');
      expect(
        search
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual(alices.map((event) => pick(event, ['id', 'context'])));
      const followed = await tail(['-n', '1', '--json', 'action'], 1);
      expect(followed.stdout).toBe(`${JSON.stringify({ action: events[0]?.action })}\n`);
      const show = await ok(['logs', 'show', events[0]?.id as string, '--json', 'id,category']);
      expect(JSON.parse(show)).toEqual(pick(events[0] as AuditEvent, ['id', 'category']));
    }, 30_000);

    it('--json without fields, or with an unknown or nested one, is a usage error listing the fields', async () => {
      for (const args of [['--json'], ['--json', 'id,actor.email'], ['--json', 'who']]) {
        const result = await cli(['logs', ...args]);
        expect(result.code, args.join(' ')).toBe(2);
        expectOneErrorLine(result);
        expect(result.stderr).toContain(
          'id, timestamp, category, action, description, actor, target, context, changes, metadata',
        );
      }
      const csv = await cli(['logs', '--json', 'id', '-o', 'csv']);
      expect(csv.code).toBe(2);
      expect(csv.stderr).toContain('-o csv');
    });

    it('--jq filters the --json output: strings raw, other values JSON', async () => {
      const ids = await ok(['logs', '--all', '--json', 'id', '--jq', '.[].id']);
      expect(ids).toBe(`${events.map((event) => event.id).join('\n')}\n`);
      const count = await ok([
        'logs',
        '--all',
        '--json',
        'actor',
        '--jq',
        '[.[] | select(.actor.email == "alice@example.com")] | length',
      ]);
      expect(count).toBe('2\n');
      const objects = await ok(['logs', '--all', '--json', 'id,action', '--jq', '.[] | {action}']);
      expect(
        objects
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual(events.map((event) => ({ action: event.action })));
    });

    it('--jq without --json, or an expression jq cannot compile, is a usage error on one line', async () => {
      const alone = await cli(['logs', '--jq', '.[].id']);
      expect(alone.code).toBe(2);
      expectOneErrorLine(alone);
      expect(alone.stderr).toContain('--json');
      const broken = await cli(['logs', '--json', 'id', '--jq', '.[ | bad']);
      expect(broken.code).toBe(2);
      expectOneErrorLine(broken);
      expect(broken.stderr).toMatch(/--jq: syntax error/);
      const failing = await cli(['logs', '--json', 'id', '--jq', '.[].id | tonumber']);
      expect(failing.code).toBe(2);
      expectOneErrorLine(failing);
      expect(failing.stderr).toContain('cannot be parsed as a number');
    });
  });
});
