import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';
import { MAX_DELIVERIES_PAGE_SIZE } from '../../src/domain/request-limits.js';

/** Runs the whole CLI in-process with captured streams: no network, no config is touched for these. */
async function runInProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const context: CliContext = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { AUDIT_CONFIG_DIR: '/nonexistent/audit-test', ...env },
    now: () => Date.parse('2024-06-01T12:00:00Z'),
    interrupted: new Promise(() => {}),
    signal: new AbortController().signal,
  };
  const code = await run(args, context);
  return { code, stdout: out, stderr: err };
}

describe('argument parsing, in-process', () => {
  it.each([
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['logs', '--frobnicate'], "unknown option '--frobnicate'"],
    [['lgos'], "unknown command 'lgos'"],
    [['logs', '--limit', 'many'], '--limit expects a whole number'],
    [['logs', '--limit', '0'], '--limit must be between 1 and'],
    [['logs', '--category', 'nope'], '"nope" is not a category'],
    [['logs', '--from', 'last tuesday'], '--from'],
    [['logs', '--since', 'forever'], '--since'],
    [['logs', '--since', '1d', '--from', '2024-01-01'], 'since'],
    [['logs', '--tz', 'Mars/Olympus'], 'Mars/Olympus'],
    [['logs', '-o', 'yaml'], '--output must be one of'],
    [['tail', '-n', '-5'], '-n expects a whole number'],
    [['server', 'start', '--port', '70000'], '--port must be between 0 and 65535'],
    [['server', 'org', 'set-plan', 'gold'], "audit: command-argument value 'gold' is invalid"],
    [['search'], "missing required argument 'text'"],
  ])('%j exits 2 with one line naming the problem', async (args, message) => {
    const result = await runInProcess(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('webhooks deliveries --limit above what the server serves is refused before any request, naming the maximum', async () => {
    // A server that cannot be reached: a request would end in a network error, not exit 2.
    const result = await runInProcess(['webhooks', 'deliveries', 'whk_3f9a1c2b7d4e', '--limit', '600'], {
      AUDIT_SERVER: 'http://127.0.0.1:9',
      AUDIT_TOKEN: 'aud_test',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`audit: --limit must be between 1 and ${MAX_DELIVERIES_PAGE_SIZE}, got 600\n`);
    expect(result.stdout).toBe('');
  });

  it('suggests the command that was probably meant', async () => {
    const result = await runInProcess(['lgos']);
    expect(result.stderr).toContain('(Did you mean logs?)');
  });

  it('prints help with examples and exit 0, and the version', async () => {
    const help = await runInProcess(['logs', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--category <category>');
    expect(help.stdout).toMatch(/Examples:\n/);
    const version = await runInProcess(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 4 before any request when no token is configured or the token is mistyped', async () => {
    const none = await runInProcess(['logs'], { AUDIT_CONFIG_DIR: '/tmp/audit-test-empty-config' });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('not logged in');
    const mistyped = await runInProcess(['logs'], { AUDIT_TOKEN: `adt_${'a'.repeat(46)}` });
    expect(mistyped.code).toBe(4);
    expect(mistyped.stderr).toContain('checksum');
    expect(mistyped.stderr).not.toContain('a'.repeat(46));
  });
});
