/**
 * The questions `audit export` and `audit login` ask, answered by typing in a real terminal: a
 * wrong answer is refused where it is typed, with the reason, and asked again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';
import { startEventPagesServer } from '../helpers/event-pages-server.js';
import { runInTerminal } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp-dir.js';

const ENTER = '\r';
const DOWN = '\x1b[B';
/** Readline's "delete to the start of the line": a refused answer stays there to be edited. */
const CLEAR_LINE = '\x15';
const CTRL_C = '\x03';
const CTRL_T = '\x14';

describe('audit export questions in a terminal', () => {
  const home = tempHome();
  let server: Awaited<ReturnType<typeof startEventPagesServer>>;

  beforeAll(async () => {
    server = await startEventPagesServer({ pages: 1, perPage: 5 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses a "To" before "From" as it is typed, says why, and asks "To" again', async () => {
    const file = join(tempDir('asked'), 'asked.csv');
    const env = cliEnv(home.configDir, { AUDIT_SERVER: server.url, AUDIT_TOKEN: generateToken() });
    const terminal = runInTerminal(['export', '--utc', '--format', 'csv', '-o', file], {
      env,
      columns: 160,
      killAfterMs: 60_000,
    });
    await terminal.waitFor(/Range/);
    terminal.type(`${DOWN}${DOWN}${DOWN}${ENTER}`);
    await terminal.waitFor(/From \(/);
    terminal.type(`2024-03-10${ENTER}`);
    await terminal.waitFor(/To, inclusive/);
    terminal.type(`2024-03-01${ENTER}`);
    await terminal.waitFor(
      /2024-03-01 23:59:59 UTC is before From \(2024-03-10 00:00:00 UTC\); give a later date or time/,
    );
    // Still at "To": nothing was fetched, nothing else was asked.
    expect(server.requests).toHaveLength(0);
    terminal.type(`${CLEAR_LINE}2024-03-31${ENTER}`);
    const { code, output } = await terminal.done;
    expect(code).toBe(0);
    expect(output).toMatch(/Exported 5 events \(1 page\) to .*asked\.csv/);
    const list = server.requests.find((url) => url.pathname.endsWith('/audit-logs'));
    expect(list?.searchParams.get('from')).toBe('2024-03-10T00:00:00.000Z');
    expect(list?.searchParams.get('to')).toBe('2024-03-31T23:59:59.999Z');
    expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^id,timestamp,/);
  });
});

describe('audit login questions in a terminal', () => {
  let server: SpawnedServer;
  let token: string;

  beforeAll(async () => {
    const home = tempHome();
    server = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    token = server.token as string;
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** `audit login` in a terminal, answered up to the token question. */
  const loginUntilToken = async () => {
    const { configDir } = tempHome();
    const terminal = runInTerminal(['login'], {
      env: cliEnv(configDir),
      columns: 160,
      killAfterMs: 60_000,
    });
    await terminal.waitFor(/Server URL/);
    terminal.type(`${server.url}${ENTER}`);
    await terminal.waitFor(/Organization/);
    terminal.type(ENTER);
    await terminal.waitFor(/API token/);
    return { terminal, configFile: join(configDir, 'config.json') };
  };

  it('asks again for a mistyped token, with the reason, and never shows what was typed', async () => {
    const { terminal, configFile } = await loginUntilToken();
    const mistyped = `${token.slice(0, -2)}${token.endsWith('x') ? 'yy' : 'xx'}`;
    terminal.type(`${mistyped}${ENTER}`);
    await terminal.waitFor(
      /checksum does not match: it looks mistyped or truncated; paste it again \(try 2 of 3\)/,
    );
    terminal.type(`${CLEAR_LINE}${token.slice(0, 20)}${ENTER}`);
    await terminal.waitFor(/is 50 characters long; this one has 20; paste it again \(try 3 of 3\)/);
    // Ctrl-T is inquirer's "show the password" key: it must not show the token (here it is
    // readline's transpose, twice: the token as typed).
    terminal.type(`${CLEAR_LINE}${token}${CTRL_T}${CTRL_T}${ENTER}`);
    const { code, output } = await terminal.done;
    expect(code).toBe(0);
    expect(output).toMatch(/Logged in to .* saved as profile "default"/);
    // Masked: neither the token nor the mistyped one reached the screen.
    const secret = token.slice(4, 40);
    expect(output).not.toContain(secret);
    expect(output).not.toContain(secret.slice(0, 12));
    expect(output).toContain('*'.repeat(token.length));
    expect(readFileSync(configFile, 'utf8')).toContain(token);
  });

  it('refuses the token after the last try with the reason (exit 4), saving nothing', async () => {
    const { terminal, configFile } = await loginUntilToken();
    for (let attempt = 1; attempt <= 3; attempt++) {
      terminal.type(`${CLEAR_LINE}adt_short${ENTER}`);
      if (attempt < 3) await terminal.waitFor(new RegExp(`try ${attempt + 1} of 3`));
    }
    const { code, output } = await terminal.done;
    expect(code).toBe(4);
    expect(output).toMatch(
      /audit: that token is not valid: an audit API token is 50 characters long; this one has 9\n/,
    );
    expect(existsSync(configFile)).toBe(false);
  });

  it('Ctrl-C at the token question exits 130 and saves nothing', async () => {
    const { terminal, configFile } = await loginUntilToken();
    terminal.type(`${token.slice(0, 10)}`);
    terminal.type(CTRL_C);
    const { code, output } = await terminal.done;
    expect(code).toBe(130);
    expect(output).toMatch(/audit: login cancelled; nothing was saved\n/);
    expect(existsSync(configFile)).toBe(false);
  });
});
