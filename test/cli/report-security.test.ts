import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { EXIT } from '../../src/cli/errors.js';
import { run } from '../../src/cli/main.js';
import type { SecurityReview } from '../../src/client/types.js';
import { generateToken } from '../../src/domain/token.js';
import { startFixedAnswerServer } from '../helpers/fixed-answer-server.js';
import { EMPTY_REVIEW, EVERY_SEVERITY, INFO_ONLY } from '../helpers/review-answer-fixture.js';
import { tempDir } from '../helpers/temp-dir.js';

/** `audit report security` in-process against a server that answers `review` to every request. */
describe('audit report security (against a fixed review)', () => {
  let review: SecurityReview = EVERY_SEVERITY;
  let server: Awaited<ReturnType<typeof startFixedAnswerServer>>;
  const dir = tempDir('report');
  const token = generateToken();

  beforeAll(async () => {
    server = await startFixedAnswerServer(() => ({
      type: 'application/json',
      body: JSON.stringify({ data: review }),
    }));
  });
  afterAll(async () => {
    await server.close();
  });

  async function report(args: string[], options: { terminal?: boolean; env?: Record<string, string> } = {}) {
    const stdout = Object.assign(new PassThrough(), { isTTY: options.terminal === true, columns: 80 });
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
      env: {
        AUDIT_CONFIG_DIR: join(dir, 'config'),
        AUDIT_SERVER: server.url,
        AUDIT_TOKEN: token,
        AUDIT_ORG: 'default',
        ...options.env,
      },
      now: Date.now,
      interrupted: new Promise(() => {}),
      signal: new AbortController().signal,
    };
    const code = await run(['report', 'security', ...args], context);
    return { code, stdout: out, stderr: err };
  }

  it('prints the findings, most severe first, and exits 0 without --fail-on', async () => {
    review = EVERY_SEVERITY;
    const result = await report(['--since', '7d'], { terminal: true, env: { NO_COLOR: '1' } });
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^Security review · /);
    expect(result.stdout).toContain('\nHIGH    Possible brute force that succeeded');
    expect(result.stdout).not.toContain('\u001b');
  });

  it('colours the labels on a terminal unless NO_COLOR is set', async () => {
    review = EVERY_SEVERITY;
    const result = await report([], { terminal: true, env: { FORCE_COLOR: '1' } });
    expect(result.stdout).toContain('\u001b[31m\u001b[1mHIGH');
  });

  it('--fail-on high exits 3 after printing the report, naming how many findings', async () => {
    review = EVERY_SEVERITY;
    const result = await report(['--fail-on', 'high']);
    expect(result.code).toBe(EXIT.findings);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('HIGH    Possible brute force');
    expect(result.stderr).toBe('audit: 1 finding at or above high (--fail-on high)\n');
    expect((await report(['--fail-on', 'medium'])).stderr).toContain('2 findings at or above medium');
  });

  it('--fail-on exits 0 when nothing is at or above it: info findings, or none', async () => {
    review = INFO_ONLY;
    expect((await report(['--fail-on', 'low'])).code).toBe(EXIT.ok);
    review = EMPTY_REVIEW;
    const empty = await report(['--fail-on', 'low']);
    expect(empty.code).toBe(EXIT.ok);
    expect(empty.stdout).toContain('No findings');
  });

  it('-o json prints the data of the answer', async () => {
    review = EVERY_SEVERITY;
    const result = await report(['-o', 'json']);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toEqual(EVERY_SEVERITY);
  });

  it('--format md --file writes the Markdown report with mode 0600 and nothing on stdout', async () => {
    review = EVERY_SEVERITY;
    const file = join(dir, 'review.md');
    const result = await report(['--format', 'md', '--file', file]);
    expect(result.code, result.stderr).toBe(EXIT.ok);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`Wrote the security review to ${file}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Security review\n/);
  });

  it('--format pdf to a terminal is a usage error that suggests --file; piped or to a file it is a PDF', async () => {
    const refused = await report(['--format', 'pdf'], { terminal: true });
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('--file review.pdf');
    const piped = await report(['--format', 'pdf']);
    expect(piped.code, piped.stderr).toBe(EXIT.ok);
    expect(piped.stdout.startsWith('%PDF-')).toBe(true);
    const file = join(dir, 'review.pdf');
    const written = await report(['--format', 'pdf', '--file', file], { terminal: true });
    expect(written.code, written.stderr).toBe(EXIT.ok);
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each([
    [['-o', 'csv'], '--output for report security must be json'],
    [['-o', 'json', '--format', 'md'], 'two formats'],
    [['--since', '7d', '--from', '2026-01-01'], '--since and --from cannot be used together'],
    [['--fail-on', 'info'], "argument 'info' is invalid"],
    [['--format', 'html'], "argument 'html' is invalid"],
    [['--from', '2026-02-01', '--to', '2026-01-01'], ''],
  ])('%j is a usage error', async (args, message) => {
    const result = await report(args);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain(message);
  });
});
