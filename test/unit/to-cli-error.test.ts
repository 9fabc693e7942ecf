import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT, UsageError } from '../../src/cli/errors.js';
import { LOGIN_HINT, toCliError } from '../../src/cli/to-cli-error.js';
import {
  AuditApiError,
  AuditNetworkError,
  AuditResponseError,
  AuditTimeoutError,
  AuditTlsError,
  networkError,
} from '../../src/client/errors.js';
import { InterruptedError } from '../../src/domain/interrupted.js';
import { OutputFileError } from '../../src/export/output-error.js';
import { stopCause } from '../../src/export/range/stop-cause.js';
import { UnsafeOutputError } from '../../src/export/safe-partial.js';
import { ImportSourceError } from '../../src/import/source.js';

const URL_OF_CALL = 'https://audit.example.com/api/v1/me';
const api = (status: number) => new AuditApiError({ status, method: 'GET', url: URL_OF_CALL });

describe('toCliError: the one map from errors to the exit codes of the SPEC', () => {
  it.each([
    [401, EXIT.auth],
    [403, EXIT.auth],
    [400, EXIT.usage],
    [413, EXIT.usage],
    [415, EXIT.usage],
    [404, EXIT.failure],
    [409, EXIT.failure],
    [500, EXIT.failure],
    [503, EXIT.failure],
  ])('an API answer %i exits %i', (status, exitCode) => {
    expect(toCliError(api(status))?.exitCode).toBe(exitCode);
  });

  it('a 401 says what to do; a 403 does not send the user to log in again', () => {
    expect(toCliError(api(401))?.message).toBe(`401 Unauthorized (GET /api/v1/me)${LOGIN_HINT}`);
    expect(toCliError(api(403))?.message).toBe('403 Forbidden (GET /api/v1/me)');
  });

  it.each([
    [
      'a timeout',
      new AuditTimeoutError({ code: 'UND_ERR_HEADERS_TIMEOUT', method: 'GET', url: URL_OF_CALL }),
    ],
    [
      'an answer that is not JSON',
      new AuditResponseError({
        kind: 'not-json',
        status: 200,
        contentType: 'text/html',
        method: 'GET',
        url: URL_OF_CALL,
      }),
    ],
    ['an output path refused as unsafe', new UnsafeOutputError('refusing to write x.partial')],
  ])('%s exits 1 with its own message', (_name, error) => {
    expect(toCliError(error)).toMatchObject({ exitCode: EXIT.failure, message: error.message });
  });

  it('a server that cannot be reached exits 1 with what to check: the local server, the address, the host name', () => {
    const refused = (url: string, code = 'ECONNREFUSED') =>
      toCliError(new AuditNetworkError({ code, method: 'GET', url }));
    expect(refused('http://127.0.0.1:7787/api/v1/me')).toMatchObject({
      exitCode: EXIT.failure,
      message: 'cannot reach http://127.0.0.1:7787: connection refused — is `audit server start` running?',
    });
    expect(refused(URL_OF_CALL)?.message).toBe(
      'cannot reach https://audit.example.com: connection refused — check the server address and the network (VPN, firewall, proxy)',
    );
    expect(refused(URL_OF_CALL, 'ENOTFOUND')?.message).toBe(
      'cannot reach https://audit.example.com: host not found — check the host name in the server address',
    );
  });

  it('a TLS failure exits 1 with its own one-line advice, not OpenSSL text', () => {
    const tls = networkError({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', method: 'GET', url: URL_OF_CALL });
    expect(tls).toBeInstanceOf(AuditTlsError);
    expect(toCliError(tls)).toMatchObject({
      exitCode: EXIT.failure,
      message:
        'cannot connect to https://audit.example.com over TLS — the server seems to speak plain HTTP; use http://audit.example.com',
    });
  });

  it('an output file the user named badly is theirs to fix (2); a full disk is not (1)', () => {
    expect(toCliError(new OutputFileError('/x/y.csv', 'missing-directory'))?.exitCode).toBe(EXIT.usage);
    expect(toCliError(new OutputFileError('/x/y.csv', 'is-a-directory'))?.exitCode).toBe(EXIT.usage);
    expect(toCliError(new OutputFileError('/x/y.csv', 'no-space'))?.exitCode).toBe(EXIT.failure);
  });

  it('an unreadable import file is the user’s to fix (2); Ctrl-C is 130', () => {
    expect(toCliError(new ImportSourceError('cannot read x.json: no such file'))?.exitCode).toBe(EXIT.usage);
    expect(toCliError(new InterruptedError('SIGINT'))?.exitCode).toBe(EXIT.interrupted);
  });

  it('a failure whose cause chain holds the Ctrl-C interruption (an aborted request, wrapped) is 130, not a failure', () => {
    const aborted = new Error('the request was aborted', { cause: new InterruptedError('SIGINT') });
    expect(toCliError(new Error('export failed', { cause: aborted }))?.exitCode).toBe(EXIT.interrupted);
    expect(stopCause(aborted, undefined)).toEqual({ cause: 'signal', reason: 'interrupted' });
  });

  it('adds the command’s context around the message and keeps the original as the cause', () => {
    const original = api(401);
    const mapped = toCliError(original, {
      prefix: 'backup of 2023-05-10 failed: ',
      suffix: '; nothing was written.',
    });
    expect(mapped?.message).toBe(
      `backup of 2023-05-10 failed: 401 Unauthorized (GET /api/v1/me)${LOGIN_HINT}; nothing was written.`,
    );
    expect(mapped?.cause).toBe(original);
  });

  it('a CliError is already translated; an unknown error (a bug) is not disguised as a known one', () => {
    const usage = new UsageError('--limit must be a number');
    expect(toCliError(usage, { prefix: 'ignored: ' })).toBe(usage);
    expect(toCliError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeUndefined();
    expect(toCliError('a string')).toBeUndefined();
  });
});

describe('error classes', () => {
  const SRC = fileURLToPath(new URL('../../src', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  const classes = files(SRC).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/class (\w+) extends (\w+)/g)]
      .filter(([, , base]) => /Error$/.test(base as string))
      .map(([, name]) => ({ file: file.slice(SRC.length + 1), name: name as string, text }));
  });

  it('finds the error classes of every layer', () => {
    expect(classes.length).toBeGreaterThan(20);
  });

  it.each(classes.map((entry) => [entry.name, entry.file, entry.text] as const))(
    '%s (%s) sets its own name, so a message and a log line say which error it is',
    (name, _file, text) => {
      expect(text).toMatch(new RegExp(`readonly name(: string)? = '${name}'`));
    },
  );

  it('our own error classes are told apart with instanceof, never by matching error.name', () => {
    const ours = new Set(classes.map((entry) => entry.name));
    const byName = files(SRC).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\.name === '(\w+)'/g)]
        .filter(([, name]) => ours.has(name as string))
        .map(([match]) => `${file.slice(SRC.length + 1)}: ${match}`),
    );
    expect(byName).toEqual([]);
  });

  it('a CliError keeps its exit code and cause', () => {
    const cause = new Error('disk full');
    const error = new CliError('backup failed: disk full', EXIT.failure, { cause });
    expect(error).toMatchObject({ name: 'CliError', exitCode: 1, cause });
  });
});
