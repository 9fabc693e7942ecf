import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLineWriter } from '../../src/cli/output/event-line.js';
import { pagerCommand, shouldPage, startPager } from '../../src/cli/output/pager.js';
import { guardClosedPipe, isClosedPipeError } from '../../src/cli/output/pipe.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { isSecurityRelevant } from '../../src/domain/security-relevant.js';
import { tempDir } from '../helpers/temp-dir.js';

const code = (value: string) => Object.assign(new Error(value), { code: value });

describe('isClosedPipeError', () => {
  it('recognises a reader that went away, and nothing else', () => {
    expect(isClosedPipeError(code('EPIPE'))).toBe(true);
    expect(isClosedPipeError(code('ERR_STREAM_DESTROYED'))).toBe(true);
    expect(isClosedPipeError(code('ENOSPC'))).toBe(false);
    expect(isClosedPipeError(new Error('EPIPE'))).toBe(false);
    expect(isClosedPipeError(undefined)).toBe(false);
  });
});

describe('guardClosedPipe', () => {
  it('calls onClosed once for closed-pipe errors and hands other errors on', () => {
    const stream = new EventEmitter();
    let closed = 0;
    const others: Error[] = [];
    const release = guardClosedPipe(
      stream,
      () => closed++,
      (error) => others.push(error),
    );
    stream.emit('error', code('EPIPE'));
    stream.emit('error', code('EPIPE'));
    stream.emit('error', code('ENOSPC'));
    expect(closed).toBe(1);
    expect(others.map((error) => (error as Error & { code: string }).code)).toEqual(['ENOSPC']);
    release();
    expect(stream.listenerCount('error')).toBe(0);
  });

  it('rethrows other errors when nobody takes them', () => {
    const stream = new EventEmitter();
    guardClosedPipe(stream, () => {});
    expect(() => stream.emit('error', code('ENOSPC'))).toThrow('ENOSPC');
  });
});

describe('pager', () => {
  it('takes AUDIT_PAGER, then PAGER, else less -FRX; cat or empty means none', () => {
    expect(pagerCommand({})).toBe('less -FRX');
    expect(pagerCommand({ PAGER: 'more' })).toBe('more');
    expect(pagerCommand({ PAGER: 'more', AUDIT_PAGER: 'most' })).toBe('most');
    expect(pagerCommand({ AUDIT_PAGER: 'cat' })).toBeUndefined();
    expect(pagerCommand({ AUDIT_PAGER: '', PAGER: 'less' })).toBeUndefined();
    expect(pagerCommand({ PAGER: '  ' })).toBeUndefined();
  });

  it('is not started when stdout is not a terminal or the program does not exist', () => {
    expect(startPager({ env: { PATH: process.env.PATH }, stdout: { isTTY: false } })).toBeUndefined();
    expect(startPager({ env: { AUDIT_PAGER: 'cat' }, stdout: { isTTY: true } })).toBeUndefined();
    const missing = { AUDIT_PAGER: 'no-such-pager-here -R', PATH: process.env.PATH };
    expect(startPager({ env: missing, stdout: { isTTY: true } })).toBeUndefined();
  });

  it.skipIf(process.platform === 'win32')('runs a command with arguments through the shell', async () => {
    const file = join(tempDir('pager'), 'paged.txt');
    const env = { AUDIT_PAGER: `sh -c 'cat > "$0"' ${file}`, PATH: process.env.PATH };
    const pager = startPager({ env, stdout: { isTTY: true } });
    expect(pager).toBeDefined();
    pager?.stream.end('line one\nline two\n');
    await pager?.done;
    expect(readFileSync(file, 'utf8')).toBe('line one\nline two\n');
  });

  it('pages only what does not fit on the screen', () => {
    expect(shouldPage(10, 24)).toBe(false);
    expect(shouldPage(24, 24)).toBe(true);
    expect(shouldPage(500, undefined)).toBe(false);
  });
});

const event: AuditEvent = {
  id: 'log_1',
  timestamp: '2024-01-15T14:32:18.123Z',
  category: 'security',
  action: 'user.login_failed',
  description: 'Failed sign-in\x1b[2J',
  actor: { id: 'user_1', name: null, email: 'bob@example.com', type: 'user' },
  target: null,
  context: null,
  changes: null,
  metadata: { reason: 'bad password' },
};

function linesOf(format: string | undefined, isTTY: boolean, color = false): string {
  let text = '';
  const out = Object.assign(new EventEmitter(), {
    isTTY,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  }) as unknown as NodeJS.WritableStream;
  const writer = createLineWriter(format, out, { zone: 'UTC', color });
  writer.write({ event });
  writer.write({ event: { ...event, id: 'log_2' } });
  writer.flush();
  return text;
}

describe('createLineWriter (tail)', () => {
  it('prints one JSON event a line for json and ndjson', () => {
    for (const format of ['json', 'ndjson']) {
      const ids = linesOf(format, false)
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).id);
      expect(ids).toEqual(['log_1', 'log_2']);
    }
  });

  it('prints aligned lines under one header on a terminal, tab-separated ones elsewhere', () => {
    const aligned = linesOf(undefined, true).split('\n');
    expect(aligned[0]).toMatch(/^TIME \(UTC\)\s+CATEGORY\s+ACTION/);
    expect(aligned[1]).toMatch(/^2024-01-15 14:32:18\s+security\s+user\.login_failed\s+bob@example\.com/);
    expect(aligned.join('\n')).not.toContain('\x1b');
    expect(linesOf(undefined, false).split('\n')[0]).toBe(
      'TIME (UTC)\tCATEGORY\tACTION\tACTOR\tTARGET\tIP\tDESCRIPTION',
    );
    expect(linesOf('csv', false).split('\n')[0]).toMatch(/^id,timestamp,category,action,/);
  });

  it('sends the lines of one turn of the event loop in one write, after the turn', async () => {
    const chunks: string[] = [];
    const out = Object.assign(new EventEmitter(), {
      write: (chunk: string) => chunks.push(chunk) > 0,
    }) as unknown as NodeJS.WritableStream;
    const writer = createLineWriter('ndjson', out, { zone: 'UTC', color: false });
    for (let index = 0; index < 1000; index++) writer.write({ event: { ...event, id: `log_${index}` } });
    expect(chunks).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(1);
    expect((chunks[0] as string).trimEnd().split('\n')).toHaveLength(1000);
    writer.write({ event: { ...event, id: 'log_late' } });
    writer.flush();
    expect(chunks).toHaveLength(2);
    expect(JSON.parse(chunks[1] as string).id).toBe('log_late');
  });

  it('passes on the JSON a stream delivered when it is one safe object line, and re-serializes it otherwise', () => {
    const chunks: string[] = [];
    const out = Object.assign(new EventEmitter(), {
      write: (chunk: string) => chunks.push(chunk) > 0,
    }) as unknown as NodeJS.WritableStream;
    const writer = createLineWriter('ndjson', out, { zone: 'UTC', color: false });
    const received = JSON.stringify(event);
    const hostile = { ...event, description: 'pay \u202eexe.txt' };
    writer.write({ event, text: `${received.slice(0, -1)} }` });
    // Twice each: a stateful (global) pattern would let every second one through.
    writer.write({ event: hostile, text: JSON.stringify(hostile) });
    writer.write({ event: hostile, text: JSON.stringify(hostile) });
    writer.write({ event, text: JSON.stringify(event, null, 2) });
    writer.write({ event, text: JSON.stringify(event, null, 2) });
    // Not shaped like an object: a stray value or a trailing comma is never printed as it came.
    writer.write({ event, text: `[${received}]` });
    writer.write({ event, text: `${received},` });
    writer.flush();
    const lines = (chunks.join('') as string).trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe(`${received.slice(0, -1)} }`);
    for (const line of lines.slice(1, 3)) {
      expect(line).not.toContain('\u202e');
      expect(line).toContain('\\u202e');
      expect(JSON.parse(line)).toEqual(hostile);
    }
    expect(lines.slice(3)).toEqual([received, received, received, received]);
  });

  it('colours a security-relevant event when colour is on', () => {
    expect(linesOf(undefined, true, true)).toContain('\x1b[');
  });
});

describe('isSecurityRelevant', () => {
  it.each([
    ['user.login_failed', true],
    ['security.api_auth_failed', true],
    ['team.member_role_changed', true],
    ['security.api_token_created', true],
    ['security.two_factor_disabled', true],
    ['organization.owner_transferred', true],
    ['security.account_locked', true],
    ['security.unusual_login_location', true],
    ['gdpr.user_erased', true],
    ['security.api_token_revoked', true],
    ['user.login', false],
    ['tunnel.deleted', false],
    ['security.two_factor_enabled', false],
  ])('%s → %s', (action, expected) => {
    expect(isSecurityRelevant({ action })).toBe(expected);
  });
});
