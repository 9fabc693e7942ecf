import { mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importFailure } from '../../src/cli/import-report.js';
import { AuditApiError } from '../../src/client/errors.js';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { restoreFormulaCell } from '../../src/domain/formula-cells.js';
import { normalizeEvent } from '../../src/domain/normalize.js';
import { newEventId } from '../../src/domain/ulid.js';
import { createEventWriter, type StreamFormat as EventFormat } from '../../src/format/event-writer.js';
import { MalformedInputError, readLines } from '../../src/import/lines.js';
import { type ImportRecord, type ReaderOptions, readRecords } from '../../src/import/readers.js';
import { ImportStoppedError, importRecords } from '../../src/import/run.js';
import {
  chooseFormat,
  type ImportFormat,
  ImportSourceError,
  openImportSource,
  sniffFormat,
} from '../../src/import/source.js';
import { tempDir } from '../helpers/temp-dir.js';

const RECEIVED = Date.parse('2024-06-01T00:00:00Z');
const normalize = (input: EventInput, id = 'log_unused') =>
  normalizeEvent(input, { receivedAt: RECEIVED, newId: () => id });

/** Events as the server stores them, with what CSV must survive: formulas, quotes, newlines, unicode. */
function sampleEvents(): AuditEvent[] {
  const inputs: EventInput[] = [
    {
      id: newEventId(),
      action: 'user.login',
      timestamp: '2024-01-02T03:04:05.678Z',
      actor: { id: 'user_evil', name: '=cmd()', email: '@evil.example', type: 'user' },
      context: {
        ip_address: '203.0.113.7',
        user_agent: '\tTabbed agent',
        team_id: 'team_1',
        team_name: '+Eng',
      },
      metadata: { note: 'tab\there, comma, "quote"' },
    },
    {
      id: newEventId(),
      action: 'tunnel.deleted',
      timestamp: '2024-01-02T03:04:06.000Z',
      description: 'line one, "quoted"\nline two — ünïcödé',
      actor: { id: 'tok_ci', name: '-ci-bot', type: 'api_token' },
      target: { type: 'tunnel', id: 'tunnel_1', name: '-api.example.net' },
      changes: { role: { old: 'member', new: 'admin' } },
    },
    { id: newEventId(), action: 'billing.payment_failed', timestamp: '2024-01-03T00:00:00.000Z' },
    {
      id: newEventId(),
      action: 'team.member_role_changed',
      timestamp: '2024-01-04T00:00:00.000Z',
      description: "'quoted already and \rcarriage return",
      target: { name: "'quote first, not neutralized" },
    },
  ];
  return inputs.map((input) => normalize(input, input.id));
}

async function exported(format: EventFormat, events: AuditEvent[]): Promise<string> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (chunk: Buffer) => parts.push(chunk));
  const writer = createEventWriter(format, out, { zone: 'UTC' });
  for (const event of events) await writer.write(event);
  await writer.end();
  return Buffer.concat(parts).toString('utf8');
}

/** Content as a stream of small chunks, so that lines and characters are cut across chunks. */
function chunked(content: string | Buffer, size = 7): AsyncIterable<Buffer> {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return Readable.from(pieces);
}

async function read(format: ImportFormat, content: string | Buffer, options?: ReaderOptions) {
  const records: ImportRecord[] = [];
  for await (const record of readRecords(format, chunked(content), options)) records.push(record);
  return records;
}

async function failure(format: ImportFormat, content: string, options?: ReaderOptions) {
  const records: ImportRecord[] = [];
  try {
    for await (const record of readRecords(format, chunked(content), options)) records.push(record);
  } catch (error) {
    return { error: error as MalformedInputError, records };
  }
  throw new Error('expected the reader to fail');
}

const EVENT = (n: number) => JSON.stringify({ id: newEventId(), action: 'user.login', metadata: { n } });

describe('import readers round-trip the export formats', () => {
  const events = sampleEvents();

  it.each(['json', 'ndjson', 'csv'] as const)(
    '%s: what the server would store equals the original',
    async (format) => {
      const text = await exported(format, events);
      const records = await read(format, text);
      expect(records.map((record) => normalize(record.event))).toEqual(events);
      expect(records.every((record) => record.event.id !== undefined)).toBe(true);
    },
  );

  it('csv: formula-neutralized cells come back exactly, and only those', async () => {
    const text = await exported('csv', events);
    expect(text).toContain("'=cmd()");
    expect(text).toContain("'@evil.example");
    expect(text).toContain("'-api.example.net");
    const [first, second, , fourth] = (await read('csv', text)).map((record) => record.event);
    expect(first?.actor).toEqual({ id: 'user_evil', name: '=cmd()', email: '@evil.example', type: 'user' });
    expect(first?.context?.user_agent).toBe('\tTabbed agent');
    expect(first?.context?.team_name).toBe('+Eng');
    expect(second?.target?.name).toBe('-api.example.net');
    expect(second?.changes).toEqual({ role: { old: 'member', new: 'admin' } });
    expect(fourth?.description).toBe("'quoted already and \rcarriage return");
    expect(restoreFormulaCell("'=x")).toBe('=x');
    expect(restoreFormulaCell("'\tx")).toBe('\tx');
    expect(restoreFormulaCell("'hello")).toBe("'hello");
    expect(restoreFormulaCell("''=x")).toBe("'=x");
  });

  it("csv: a value that itself began with ' comes back exactly ('=not a formula stays so)", async () => {
    const [event] = sampleEvents();
    for (const name of ["'=not a formula", "'", "''", "''=x", "'plain", '=x', "'\t"]) {
      const odd = { ...event, target: { type: null, id: null, name } } as AuditEvent;
      const [record] = await read('csv', await exported('csv', [odd]));
      expect(record?.event.target?.name).toBe(name);
    }
  });

  it('csv: any event, exported then imported, is the same event', async () => {
    const text = fc.string({
      unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', '\n', '"', ',', 'a', ' ', 'é'),
    });
    const present = fc.option(
      text.filter((value) => value !== ''),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          description: present,
          actor: fc.record({ id: present, name: present, email: present }),
          target: fc.record({ type: present, id: present, name: present }),
          context: fc.record({ user_agent: present, team_id: present, team_name: present }),
          metadata: fc.dictionary(text, text, { maxKeys: 3 }),
        }),
        async (parts) => {
          const input = JSON.parse(
            JSON.stringify({ ...parts, action: 'user.login', timestamp: '2024-01-02T03:04:05.678Z' }),
          );
          const event = normalize(input, newEventId());
          const [record] = await read('csv', await exported('csv', [event]));
          expect(normalize(record?.event as EventInput)).toEqual(event);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an integer past 2^53 instead of sending it one off, naming its line and path', async () => {
    const big = '{"action":"order.paid","metadata":{"order":{"id":9007199254740993}}}';
    const ndjson = await failure('ndjson', `{"action":"user.login"}\n${big}\n`);
    expect(ndjson.records).toHaveLength(1);
    expect(ndjson.error.message).toContain('line 2');
    expect(ndjson.error.message).toContain('metadata.order.id: 9007199254740993 cannot be kept exactly');
    const json = await failure('json', `[${big}]`);
    expect(json.error.message).toContain('[0].metadata.order.id: 9007199254740993');
    const csv = await failure('csv', 'action,metadata\nuser.login,"{""n"":-9007199254740993}"\n');
    expect(csv.error.message).toContain('column "metadata" n: -9007199254740993');
    // The largest exact integer passes as it is.
    const [exact] = await read('ndjson', '{"action":"a.b","metadata":{"n":9007199254740991}}\n');
    expect(exact?.event.metadata).toEqual({ n: 9007199254740991 });
  });

  it('csv: empty cells are absent; a file with only some columns works', async () => {
    const text = 'action,actor_email,metadata\nuser.login,,\nuser.logout,a@example.com,"{""k"":1}"\n';
    expect((await read('csv', text)).map((record) => record.event)).toEqual([
      { action: 'user.login' },
      { action: 'user.logout', actor: { email: 'a@example.com' }, metadata: { k: 1 } },
    ]);
  });

  it('json: the export layout is read line by line, with line numbers', async () => {
    const text = await exported('json', events);
    expect(text.split('\n')[0]).toBe('[');
    const records = await read('json', text);
    expect(records.map((record) => record.where)).toEqual(['line 2', 'line 3', 'line 4', 'line 5']);
    expect(await read('json', await exported('json', []))).toEqual([]);
  });

  it('json: any other array layout is parsed whole, within the size limit', async () => {
    const inputs = events.map((event) => ({ ...event }));
    for (const text of [
      JSON.stringify(inputs, null, 2),
      JSON.stringify(inputs),
      `[\n${JSON.stringify(inputs[0], null, 1)}]`,
    ]) {
      const records = await read('json', text);
      expect(records[0]?.where).toBe('event 1');
      expect(records.map((record) => record.event.id)).toEqual(
        events.slice(0, records.length).map((event) => event.id),
      );
    }
    const { error } = await failure('json', JSON.stringify(inputs, null, 2), { maxWholeJsonBytes: 100 });
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.message).toMatch(/larger than .* MiB; convert it to NDJSON first/);
  });

  it('ndjson: blank lines and CRLF are fine; a byte order mark is skipped', async () => {
    const text = `\uFEFF${EVENT(1)}\r\n\r\n${EVENT(2)}\r\n${EVENT(3)}`;
    const records = await read('ndjson', text);
    expect(records.map((record) => record.where)).toEqual(['line 1', 'line 3', 'line 4']);
    expect(records.map((record) => record.event.metadata)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('splits lines across chunks without breaking multi-byte characters', async () => {
    const text = 'ünïcödé — ✓\nsecond 🎉 line\nthird';
    for (const size of [1, 2, 3, 5]) {
      const lines = [];
      for await (const line of readLines(chunked(text, size), 1000)) lines.push(line.text);
      expect(lines).toEqual(['ünïcödé — ✓', 'second 🎉 line', 'third']);
    }
  });
});

describe('malformed input names the line', () => {
  it.each([
    ['{"action": "user.login"}\n{"action": "user.logout"\n', 'line 2: not an event (invalid JSON'],
    ['{"action": "user.login"}\n\n[1, 2]\n', 'line 3: not an event (an array, not an object)'],
    ['{"action": "user.login"}\n{"actor": {"id": "u"}}\n', 'line 2: not an event (no "action")'],
    ['{"action": 42}\n', 'line 1: not an event ("action" is a number, not a string)'],
  ])('ndjson %j', async (text, message) => {
    const { error } = await failure('ndjson', text);
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('json line layout: a bad line after good ones, and a truncated file', async () => {
    const bad = await failure('json', `[\n${EVENT(1)},\n${EVENT(2)},\n{"action": "x",\n${EVENT(3)}\n]\n`);
    expect(bad.records).toHaveLength(2);
    expect(bad.error.message).toMatch(/^line 4: not an event \(invalid JSON/);
    const truncated = await failure('json', `[\n${EVENT(1)},\n${EVENT(2)},\n`);
    expect(truncated.records).toHaveLength(2);
    expect(truncated.error.message).toMatch(/not closed with "\]" \(truncated file\?\)/);
    const after = await failure('json', `[\n${EVENT(1)}\n]\n${EVENT(2)}\n`);
    expect(after.error.message).toBe('line 4: text after the end of the JSON array');
    const whole = await failure('json', '[{"action": "a.b"}, {"nope": 1}]');
    expect(whole.error.message).toBe('event 2: not an event (no "action")');
    expect((await failure('json', '[{"action": "a.b"},')).error.message).toMatch(/^not valid JSON/);
  });

  it('csv: header without action, bad JSON cell, unclosed quote; lines counted across quoted newlines', async () => {
    expect((await failure('csv', 'id,actor_id\nlog_1,u\n')).error.message).toBe(
      'line 1: the CSV header has no "action" column',
    );
    const text = 'action,description,metadata\nuser.login,"two\nlines",\n\nuser.logout,,{oops\n';
    const bad = await failure('csv', text);
    expect(bad.records.map((record) => record.where)).toEqual(['line 2']);
    expect(bad.error.message).toBe('line 5: not an event (column "metadata" is not valid JSON)');
    expect((await failure('csv', 'action,description\nuser.login,\n,x\n')).error.message).toBe(
      'line 3: not an event (empty "action")',
    );
    const unclosed = await failure('csv', 'action,description\nuser.login,"never closed\n');
    expect(unclosed.error).toBeInstanceOf(MalformedInputError);
    expect(unclosed.error.message).toMatch(/^line \d+: Quote Not Closed/);
  });
});

describe('opening a file: gzip and the format', () => {
  const dir = tempDir('import-unit');
  const ndjson = `${EVENT(1)}\n${EVENT(2)}\n`;
  const readAll = async (file: string, stdin: NodeJS.ReadableStream = Readable.from([])) => {
    const source = await openImportSource(file, stdin);
    const records: ImportRecord[] = [];
    for await (const record of readRecords(source.format, source.chunks)) records.push(record);
    return { source, records };
  };

  // A descriptor left to the garbage collector is a leak, and a deprecation (DEP0137) that
  // `--throw-deprecation` turns into a crash of whatever process holds it next.
  it.runIf(process.platform === 'linux')(
    'closes the file it refuses (a .gz that is not gzip): no descriptor is left open',
    async () => {
      const file = join(dir, 'not-gzip.json.gz');
      writeFileSync(file, ndjson);
      const openOnFile = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === file;
          } catch {
            return false;
          }
        });
      await expect(openImportSource(file, process.stdin)).rejects.toThrow(/not gzip-compressed/);
      // The close is asynchronous: on a loaded machine it can take longer than a fixed pause.
      for (let waited = 0; openOnFile().length > 0 && waited < 5_000; waited += 25)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(openOnFile()).toEqual([]);
    },
  );

  it('reads gzip by name and by its magic bytes, and stdin', async () => {
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(ndjson));
    writeFileSync(join(dir, 'b.data'), gzipSync(await exported('csv', sampleEvents())));
    const named = await readAll(join(dir, 'a.ndjson.gz'));
    expect(named.source).toMatchObject({ format: 'ndjson', gzip: true });
    expect(named.records).toHaveLength(2);
    const sniffed = await readAll(join(dir, 'b.data'));
    expect(sniffed.source).toMatchObject({ format: 'csv', gzip: true });
    expect(sniffed.records).toHaveLength(4);
    const stdin = await readAll('-', Readable.from([gzipSync(ndjson)]));
    expect(stdin.source).toMatchObject({ name: 'standard input', format: 'ndjson', gzip: true });
    expect(stdin.records).toHaveLength(2);
  });

  it('refuses a missing file, a directory, a .gz that is not gzip; reports corrupt gzip', async () => {
    await expect(openImportSource(join(dir, 'missing.json'), process.stdin)).rejects.toThrow(
      new ImportSourceError(`cannot read ${join(dir, 'missing.json')}: no such file`),
    );
    mkdirSync(join(dir, 'folder'));
    await expect(openImportSource(join(dir, 'folder'), process.stdin)).rejects.toThrow(/is a directory/);
    writeFileSync(join(dir, 'plain.json.gz'), ndjson);
    await expect(openImportSource(join(dir, 'plain.json.gz'), process.stdin)).rejects.toThrow(
      /named \.gz but is not gzip-compressed/,
    );
    const big = Buffer.from(Array.from({ length: 2000 }, (_, n) => EVENT(n)).join('\n'));
    writeFileSync(join(dir, 'cut.ndjson.gz'), gzipSync(big).subarray(0, 3000));
    await expect(readAll(join(dir, 'cut.ndjson.gz'))).rejects.toThrow(/gzip data is corrupt or truncated/);
  });

  it('sniffs the first significant byte; the name decides CSV, the content JSON vs NDJSON', () => {
    expect(sniffFormat(Buffer.from(' \n\t[{}]'))).toBe('json');
    expect(sniffFormat(Buffer.from('\uFEFF{"a":1}'))).toBe('ndjson');
    expect(sniffFormat(Buffer.from('id,action\n'))).toBe('csv');
    expect(sniffFormat(Buffer.from(' \n'))).toBeUndefined();
    expect(chooseFormat('x.txt', Buffer.from('{"a":1}'))).toBe('ndjson');
    expect(chooseFormat('x.json', Buffer.from('{"a":1}\n{"a":2}'))).toBe('ndjson');
    expect(chooseFormat('x.ndjson.gz', Buffer.from('[\n'))).toBe('json');
    expect(chooseFormat('x.csv', Buffer.from('{'))).toBe('csv');
    expect(chooseFormat('x.jsonl', Buffer.from(''))).toBe('ndjson');
    expect(chooseFormat('-', Buffer.from('action\nuser.login\n'))).toBe('csv');
  });
});

describe('batches', () => {
  const records = async function* (count: number, badAt?: number): AsyncGenerator<ImportRecord> {
    for (let n = 1; n <= count; n++) {
      if (n === badAt) throw new MalformedInputError(`line ${n}`, 'not an event (no "action")');
      yield {
        where: `line ${n}`,
        event: n % 10 === 0 ? { action: 'a.b' } : { id: `log_${n}`, action: 'a.b' },
      };
    }
  };

  it('sends at most 1000 a call and counts new and already present', async () => {
    const sizes: number[] = [];
    const progress = await importRecords(records(2500), {
      ingest: async (events) => {
        sizes.push(events.length);
        return { created: events.length - 100, duplicates: 100 };
      },
    });
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(progress).toMatchObject({
      read: 2500,
      sent: 2500,
      created: 2200,
      duplicates: 300,
      withoutId: 250,
    });
  });

  it('a malformed record stops before its batch is sent', async () => {
    const sizes: number[] = [];
    const stopped = await importRecords(records(2500, 1501), {
      ingest: async (events) => {
        sizes.push(events.length);
        return { created: events.length, duplicates: 0 };
      },
    }).catch((error: unknown) => error as ImportStoppedError);
    expect(stopped).toBeInstanceOf(ImportStoppedError);
    expect(sizes).toEqual([1000]);
    const error = importFailure(stopped as ImportStoppedError, 'f.ndjson', false);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(
      /^line 1501: not an event \(no "action"\); 1,000 events before it were imported \(1,000 new, 0 already present\)\. /,
    );
    expect(error.message).toContain('The 500 events read after those, in the same batch, were not sent.');
    const dry = await importRecords(records(2500, 1501)).catch(
      (caught: unknown) => caught as ImportStoppedError,
    );
    expect(importFailure(dry as ImportStoppedError, 'f', true).message).toBe(
      'line 1501: not an event (no "action"); 1,500 events before it were read; nothing was sent (--dry-run).',
    );
  });
});

describe('an import the server refuses as too large or of the wrong type', () => {
  const progress = {
    read: 2000,
    sent: 1000,
    created: 1000,
    duplicates: 0,
    withoutId: 0,
    serverRecords: 0,
    batches: 1,
  };
  it.each([
    [413, 'Content Too Large', /raise that limit, or shorten or remove the largest events in the file/],
    [415, 'Unsupported Media Type', /--server/],
  ])(
    'a %i (%s) exits 2 and does not advise running the same command again, which would fail the same way',
    (status, title, advice) => {
      const failure = new AuditApiError({
        status,
        problem: { type: 'about:blank', title, status, detail: '' },
        method: 'POST',
        url: 'http://127.0.0.1/api/v1/events',
      });
      const error = importFailure(
        new ImportStoppedError(failure, progress, undefined, false),
        'f.ndjson',
        false,
      );
      expect(error.exitCode).toBe(2);
      expect(error.message).not.toContain('the same command again');
      expect(error.message).toMatch(advice);
      expect(error.message).toContain('1,000 events were imported before the failure');
    },
  );
});
