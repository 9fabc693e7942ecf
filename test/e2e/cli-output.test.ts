import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import {
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';

// The TIME header names the zone times are shown in (the machine's, here).
const TSV_HEADER = /^TIME \([^)]+\)\tCATEGORY\tACTION\tACTOR\tTARGET\tIP\tDESCRIPTION$/;
const CSV_HEADER =
  'id,timestamp,category,action,description,actor_id,actor_name,actor_email,actor_type,target_type,target_id,target_name,ip_address,user_agent,team_id,team_name,changes,metadata';
const LONG_DESCRIPTION = `${'A long description that no terminal width would hold. '.repeat(6)}END`;
// Clear the screen, home the cursor, set the window title, carriage return, RTL override, 8-bit CSI.
const EVIL = 'Mallory\x1b[2J\x1b[H-\x1b]0;pwned\x07-x\ry-\u202eevil-\x9b31mred';
// C0 controls but tab and newline, DEL, C1 controls, bidi overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// A colour or style (SGR) sequence: ESC [ digits and semicolons m.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const SGR = /\u001b\[[0-9;]*m/;
const sgrCount = (text: string) => text.split(new RegExp(SGR, 'g')).length - 1;

const alice = { id: 'user_alice', name: 'Alice Chen', email: 'alice@example.com', type: 'user' as const };
const EVENTS: Record<string, EventInput> = {
  formula: {
    action: 'settings.formula_test',
    actor: { name: '=HYPERLINK("http://evil")', email: 'mallory@example.com', type: 'user' },
    description: '+1+1',
  },
  long: { action: 'settings.long_test', actor: alice, description: LONG_DESCRIPTION },
  roleChange: {
    action: 'team.member_role_changed',
    actor: alice,
    target: { type: 'user', id: 'user_bob', name: 'Bob Stone' },
    context: { ip_address: '203.0.113.42', team_id: 'team_eng', team_name: 'Engineering' },
    changes: { role: { old: 'member', new: 'admin' } },
  },
  evil: {
    action: 'settings.evil_test',
    description: EVIL,
    actor: { name: EVIL, email: 'mallory@example.com', type: 'user' },
    target: { type: 'tunnel', id: 'tunnel_evil', name: EVIL },
    context: { ip_address: '198.51.100.66', user_agent: EVIL },
    changes: { role: { old: EVIL, new: 'admin' } },
    metadata: { note: EVIL, nested: { deeper: EVIL } },
  },
  login: { action: 'user.login', actor: alice, context: { ip_address: '203.0.113.42' } },
};

/** RFC 4180 rows, enough for what csv-stringify writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Nothing that steers a terminal; with `colours`, only our own SGR sequences (ESC [ digits/; m). */
function expectTerminalSafe(text: string, colours = false) {
  if (colours) {
    expect(sgrCount(text)).toBeGreaterThan(0);
    // Every ESC begins one of our SGR sequences.
    expect(text.split('\x1b').length - 1).toBe(sgrCount(text));
  }
  const rest = colours ? text.replace(new RegExp(SGR, 'g'), '') : text;
  expect(rest).not.toMatch(UNSAFE);
  for (const raw of ['\x1b', '\r', '\x9b', '\u202e', '\x07']) expect(rest).not.toContain(raw);
}

describe('audit logs output formats, terminal safety and audit logs show', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  // Piped, with nothing asking for or against colour: what a script sees.
  const plainEnv = Object.fromEntries(
    Object.entries(env).filter(([key]) => key !== 'NO_COLOR' && key !== 'FORCE_COLOR'),
  );
  const colourEnv = { ...plainEnv, FORCE_COLOR: '1' };
  let server: SpawnedServer;
  let token: string;
  const id: Record<string, string> = {};
  // The CLI talks to the server through a proxy that holds every answer to /openapi.json.
  let proxy: ContractProxy;
  const via = (environment: NodeJS.ProcessEnv) => ({
    ...environment,
    AUDIT_SERVER: proxy.url,
    AUDIT_TOKEN: token,
  });

  const apiEvents = (query = '') => fetchAllEvents<AuditEvent>(server.url, token, query);
  const cli = async (args: string[], environment: NodeJS.ProcessEnv = env) => {
    const result = await runCli(args, { env: via(environment) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], env);
    token = server.token as string;
    const stored = await ingestEvents(server.url, token, Object.values(EVENTS));
    Object.keys(EVENTS).forEach((name, index) => {
      id[name] = (stored[index] as { id: string }).id;
    });
    proxy = await startContractProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server.stop();
  });

  it('-o json is one JSON array equal to the API data', async () => {
    const stdout = await cli(['logs', '--all', '-o', 'json']);
    const expected = await apiEvents();
    expect(expected.length).toBeGreaterThanOrEqual(Object.keys(EVENTS).length);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('-o ndjson is one event per line, equal to the API data', async () => {
    const stdout = await cli(['logs', '--all', '-o', 'ndjson']);
    expect(stdout.endsWith('\n')).toBe(true);
    const lines = stdout.slice(0, -1).split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(await apiEvents());
  });

  it('-o csv has the export columns and neutralizes formula cells', async () => {
    const stdout = await cli(['logs', '--all', '-o', 'csv']);
    expect(stdout.split('\n')[0]).toBe(CSV_HEADER);
    const [header, ...rows] = parseCsv(stdout);
    expect(rows).toHaveLength((await apiEvents()).length);
    const column = (name: string) => (header as string[]).indexOf(name);
    const formula = rows.find((row) => row[column('id')] === id.formula) as string[];
    expect(formula[column('actor_name')]).toBe(`'=HYPERLINK("http://evil")`);
    expect(formula[column('description')]).toBe(`'+1+1`);
    expect(formula[column('actor_email')]).toBe('mallory@example.com');
    const roleChange = rows.find((row) => row[column('id')] === id.roleChange) as string[];
    expect(JSON.parse(roleChange[column('changes')] as string)).toEqual({
      role: { old: 'member', new: 'admin' },
    });
    expect(roleChange[column('team_name')]).toBe('Engineering');
  });

  it('piped without -o: tab-separated with a header, untruncated, no colour', async () => {
    const stdout = await cli(['logs', '--all'], plainEnv);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(TSV_HEADER);
    expect(lines).toHaveLength((await apiEvents()).length + 1);
    for (const line of lines) expect(line.split('\t')).toHaveLength(7);
    const long = lines.find((line) => line.includes('settings.long_test')) as string;
    expect(long.split('\t')[6]).toBe(LONG_DESCRIPTION);
    expect(stdout).not.toContain('\x1b');
  });

  it('-o table renders a table when piped, without ANSI under NO_COLOR or --no-color', async () => {
    const stdout = await cli(['logs', '--all', '-o', 'table'], env);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \([^)]+\) +CATEGORY +ACTION +ACTOR +TARGET +IP +DESCRIPTION$/);
    expect(lines).toHaveLength((await apiEvents()).length + 1);
    expect(stdout).not.toContain('\t');
    expect(stdout).not.toContain('\x1b');
    expect(lines.find((line) => line.includes('team.member_role_changed'))).toMatch(
      /team\.member_role_changed +Alice Chen +Bob Stone +203\.0\.113\.42 /,
    );
    // Colour when asked for (FORCE_COLOR), unless --no-color or NO_COLOR says no.
    expect(await cli(['logs', '--all', '-o', 'table'], colourEnv)).toMatch(SGR);
    expect(await cli(['logs', '--all', '-o', 'table', '--no-color'], colourEnv)).not.toContain('\x1b');
    expect(await cli(['logs', '--all', '-o', 'table'], { ...colourEnv, NO_COLOR: '1' })).not.toContain(
      '\x1b',
    );
  });

  it('-o yaml is a usage error', async () => {
    const result = await runCli(['logs', '-o', 'yaml'], { env: via(env) });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('yaml');
    expect(result.stdout).toBe('');
  });

  it('strips escape sequences, carriage returns and bidi controls from every list view', async () => {
    const filter = ['logs', '--action', 'settings.evil_test'];
    const tsv = await cli(filter, plainEnv);
    expect(tsv.split('\n')[1]).toContain('\tsettings.evil_test\tMallory');
    expect(tsv.trimEnd().split('\n')).toHaveLength(2);
    expect(tsv.split('\n')[1]?.split('\t')).toHaveLength(7);
    expectTerminalSafe(tsv);

    const table = await cli([...filter, '-o', 'table'], env);
    expect(table).toContain('settings.evil_test');
    expect(table.trimEnd().split('\n')).toHaveLength(2);
    expectTerminalSafe(table);

    const coloured = await cli([...filter, '-o', 'table'], colourEnv);
    expect(coloured).toContain('settings.evil_test');
    expectTerminalSafe(coloured, true);
  });

  it('strips them from audit logs show too, with and without colour', async () => {
    for (const [environment, colours] of [
      [plainEnv, false],
      [colourEnv, true],
    ] as const) {
      const stdout = await cli(['logs', 'show', id.evil as string], environment);
      expect(stdout).toContain(id.evil);
      expect(stdout).toMatch(/Changes:/);
      expect(stdout).toMatch(/Metadata:/);
      expectTerminalSafe(stdout, colours);
    }
  });

  it('keeps the data exactly in -o json and -o ndjson', async () => {
    const filter = ['logs', '--action', 'settings.evil_test'];
    for (const format of ['json', 'ndjson']) {
      const stdout = await cli([...filter, '-o', format], plainEnv);
      const parsed = format === 'json' ? JSON.parse(stdout)[0] : JSON.parse(stdout.trim());
      expect(parsed.actor.name).toBe(EVIL);
      expect(parsed.target.name).toBe(EVIL);
      expect(parsed.description).toBe(EVIL);
      expect(parsed.context.user_agent).toBe(EVIL);
      expect(parsed.metadata).toEqual({ note: EVIL, nested: { deeper: EVIL } });
      expect(parsed.changes.role.old).toBe(EVIL);
      // Escaped, not raw: the JSON text itself is safe to print.
      expect(stdout).not.toMatch(UNSAFE);
    }
  });

  it('audit logs show: labelled fields and changes as old → new', async () => {
    const stdout = await cli(['logs', 'show', id.roleChange as string, '--utc']);
    const [event] = (await apiEvents(`action=team.member_role_changed`)).filter(
      (e) => e.id === id.roleChange,
    );
    expect(stdout).toMatch(new RegExp(`^ID: +${id.roleChange}$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^Time: +.*\\(${(event as AuditEvent).timestamp}\\)$`, 'm'));
    expect(stdout).toMatch(/^Category: +team$/m);
    expect(stdout).toMatch(/^Action: +team\.member_role_changed$/m);
    expect(stdout).toMatch(/^Actor: +Alice Chen <alice@example\.com> \(user_alice, user\)$/m);
    expect(stdout).toMatch(/^Target: +user Bob Stone \(user_bob\)$/m);
    expect(stdout).toMatch(/^IP: +203\.0\.113\.42$/m);
    expect(stdout).toMatch(/^Team: +Engineering \(team_eng\)$/m);
    expect(stdout).toMatch(/^Changes:\n {2}role: member → admin$/m);
  });

  it('audit logs show -o json prints the event; an unknown id exits 1 with one line', async () => {
    const stdout = await cli(['logs', 'show', id.roleChange as string, '-o', 'json']);
    const response = await fetch(`${server.url}/api/v1/organizations/default/audit-logs/${id.roleChange}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(JSON.parse(stdout)).toEqual(((await response.json()) as { data: AuditEvent }).data);

    const unknown = await runCli(['logs', 'show', 'log_01J00000000000000000000000'], { env: via(env) });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('log_01J00000000000000000000000');
    expect(unknown.stdout).toBe('');
  });

  it("answers the CLI only as the server's /openapi.json says (status, media type, headers, body)", () => {
    expect(proxy.checked()).toBeGreaterThan(10);
    expect(proxy.violations).toEqual([]);
  });
});
