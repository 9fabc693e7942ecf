import { describe, expect, it } from 'vitest';
import { createReconnectStatus } from '../../src/cli/output/reconnect-status.js';
import { AuditNetworkError } from '../../src/client/errors.js';

const AT = Date.parse('2026-03-01T10:42:13Z');

/** stderr as a terminal `columns` wide (or a file), recording what is written. */
function stderrOf(terminal: boolean, columns = 80) {
  const written: string[] = [];
  return {
    written,
    stream: Object.assign(
      {
        write(chunk: string) {
          written.push(chunk);
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      { isTTY: terminal, columns },
    ),
  };
}

const statusFor = (stderr: ReturnType<typeof stderrOf>, server = 'http://127.0.0.1:7787') =>
  createReconnectStatus({
    stderr: stderr.stream,
    server,
    zone: 'UTC',
    now: () => AT,
    maxFailures: Number.POSITIVE_INFINITY,
  });

describe('the reconnect status on stderr', () => {
  it('on a terminal: one row redrawn in place, never wider than the terminal, wide characters counted twice', () => {
    const widthOf = (text: string) =>
      [...text].reduce((sum, character) => sum + (/[\u3000-\u9fff]/.test(character) ? 2 : 1), 0);
    for (const columns of [40, 120]) {
      const stderr = stderrOf(true, columns);
      const status = statusFor(stderr);
      status.failed({ failure: 5, delayMs: 8000, reason: `503 ${'忙しい'.repeat(20)}` });
      status.end();
      expect(stderr.written).toHaveLength(2);
      const [redraw, cleared] = stderr.written as [string, string];
      expect(redraw.startsWith('\r\u001b[2Kdisconnected from http://127.0.0.1:77')).toBe(true);
      const shown = redraw.slice('\r\u001b[2K'.length);
      expect(shown.endsWith('…')).toBe(true);
      expect(widthOf(shown)).toBeLessThan(columns);
      expect(widthOf(shown)).toBeGreaterThan(columns - 3);
      expect(cleared).toBe('\r\u001b[2K');
    }
    const stderr = stderrOf(true, 120);
    statusFor(stderr).failed({ failure: 5, delayMs: 8000, reason: '503 busy' });
    expect(stderr.written[0]).toBe(
      '\r\u001b[2Kdisconnected from http://127.0.0.1:7787 — retrying in 8 s (attempt 5, since 10:42:13): 503 busy',
    );
  });

  it('never lets a hostile reason or server address move the cursor or write the clipboard', () => {
    for (const terminal of [true, false]) {
      const stderr = stderrOf(terminal, 200);
      const status = statusFor(stderr, 'http://user:secret@127.0.0.1:7787/?token=x');
      status.failed({ failure: 1, delayMs: 500, reason: '503 \u001b]52;c;aGk=\u0007busy\u202e\u001b[2A' });
      status.end();
      const text = stderr.written.join('').replaceAll('\r\u001b[2K', '');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the hostile characters are the point.
      expect(text).not.toMatch(/[\u001b\u0007\u202e]|52;c;|secret|token=/);
      expect(text).toContain('503');
    }
  });

  it('in a file: one line when cut off and one when back, whatever the number of attempts', () => {
    const stderr = stderrOf(false);
    const status = statusFor(stderr);
    for (let failure = 1; failure <= 25; failure++)
      status.failed({
        failure,
        delayMs: 30_000,
        reason: 'cannot reach http://127.0.0.1:7787: connection refused',
      });
    status.reconnected({ first: false, gap: undefined });
    status.failed({ failure: 1, delayMs: 500, reason: 'the server closed the stream' });
    status.reconnected({ first: false, gap: 'position-unknown' });
    status.end();
    expect(stderr.written.join('').split('\n')).toEqual([
      'audit: disconnected from http://127.0.0.1:7787 (cannot reach http://127.0.0.1:7787: connection refused); retrying until Ctrl-C',
      'audit: reconnected to http://127.0.0.1:7787 after 0 s — no events missed',
      'audit: disconnected from http://127.0.0.1:7787 (the server closed the stream); retrying until Ctrl-C',
      "audit: warning: reconnected to http://127.0.0.1:7787 after 0 s, but events may be missing: the server did not recognise where this tail left off (another database at this address?); following from the log's end",
      '',
    ]);
  });

  it('tail started while the server is down: says it cannot reach it and whether the server runs, not "disconnected"', () => {
    const refused = new AuditNetworkError({
      code: 'ECONNREFUSED',
      method: 'GET',
      url: 'http://127.0.0.1:7787/x',
    });
    const file = stderrOf(false);
    statusFor(file).failed({
      failure: 1,
      delayMs: 500,
      reason: refused.message,
      first: true,
      error: refused,
    });
    expect(file.written.join('')).toBe(
      'audit: cannot reach http://127.0.0.1:7787: connection refused — is `audit server start` running? — retrying until Ctrl-C\n',
    );
    const terminal = stderrOf(true, 200);
    const status = statusFor(terminal);
    status.failed({ failure: 2, delayMs: 2000, reason: refused.message, first: true, error: refused });
    status.end();
    expect(terminal.written.join('')).toMatch(
      /cannot reach .*is `audit server start` running\? — retrying in 2 s/,
    );
    expect(terminal.written.join('')).not.toMatch(/disconnected/);
    // Once it had worked, a refused connection is a disconnection again.
    const later = stderrOf(false);
    statusFor(later).failed({
      failure: 1,
      delayMs: 500,
      reason: refused.message,
      first: false,
      error: refused,
    });
    expect(later.written.join('')).toMatch(
      /^audit: disconnected from http:\/\/127\.0\.0\.1:7787 \(cannot reach/,
    );
  });
});
