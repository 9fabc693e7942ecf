import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkInServerLayout } from '../../src/client/export-lines.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { batchOfRows, type EventBatch, type RowEncoder, sliceBatch } from '../../src/domain/event-batch.js';
import { type ExportRow, eventToExportRow } from '../../src/domain/export-stream.js';
import { openOutputFiles } from '../../src/export/range/output-files.js';
import { createEventWriter, type StreamFormat } from '../../src/format/event-writer.js';

const event = (n: number, timestamp: string): AuditEvent => ({
  id: `log_${n}`,
  timestamp,
  category: 'auth',
  action: 'user.login',
  description: n % 2 ? '=SUM(A1:A2), "quoted"' : null,
  actor: { id: `user_${n}`, name: 'Ann', email: 'ann@example.com', type: 'user' },
  target: null,
  context: { ip_address: '203.0.113.7', user_agent: null, team_id: null, team_name: null },
  changes: n % 2 ? { role: { old: 'member', new: 'admin' } } : null,
  metadata: { n },
});

const EVENTS = [
  event(1, '2026-01-31T23:59:59.999Z'),
  event(2, '2026-02-01T00:00:00.000Z'),
  event(3, '2026-02-15T12:00:00.000Z'),
];
const ROWS: ExportRow[] = EVENTS.map(eventToExportRow);

/** A batch of rows whose events must never be read: reading them throws. */
function rowsOnly(rows: readonly ExportRow[]): EventBatch {
  return {
    rows,
    get events(): readonly AuditEvent[] {
      throw new Error('the events of a batch of rows were decoded');
    },
  };
}

/** A chunk of `rows` as the stream's reader keeps it (bytes, parsed a run at a time), whose rows whole and events must never be read. */
function runsOnly(rows: readonly ExportRow[]): EventBatch {
  const chunk = chunkInServerLayout(
    Buffer.from(`{"cursor":"c","rows":[${rows.map((row) => JSON.stringify(row)).join(',')}]}`),
  );
  return {
    rowRuns: () => chunk?.rowRuns?.() ?? [],
    get rows(): readonly ExportRow[] {
      throw new Error('the rows were parsed whole');
    },
    get events(): readonly AuditEvent[] {
      throw new Error('the events were decoded');
    },
  };
}

async function written(format: StreamFormat, batch: EventBatch): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const writer = createEventWriter(format, out, { zone: 'UTC' });
  await writer.writeMany(batch);
  await writer.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('a batch of export rows', () => {
  it('decodes its events only when they are read, once', () => {
    const batch = batchOfRows(ROWS);
    expect(batch.rows).toBe(ROWS);
    const first = batch.events;
    expect(first).toEqual(EVENTS);
    expect(batch.events).toBe(first);
  });

  it('is written as CSV from its rows without decoding an event, the same bytes as from the events', async () => {
    const fromRows = await written('csv', rowsOnly(ROWS));
    expect(fromRows).toBe(await written('csv', { events: EVENTS }));
    expect(fromRows.split('\n')).toHaveLength(EVENTS.length + 2);
  });

  it('is written as CSV a run at a time from a chunk kept as bytes, reading neither its rows whole nor its events', async () => {
    expect(await written('csv', runsOnly(ROWS))).toBe(await written('csv', { events: EVENTS }));
  });

  it('is written as the text its rows were encoded into as they arrived, parsing them no more, the same bytes', async () => {
    const line = (rows: readonly ExportRow[]) =>
      Buffer.from(`{"cursor":"c","rows":[${rows.map((row) => JSON.stringify(row)).join(',')}]}`);
    const encodedOnly = (rows: readonly ExportRow[], encodeRows: RowEncoder): EventBatch => {
      const chunk = chunkInServerLayout(line(rows), encodeRows);
      return {
        count: chunk?.count,
        encoded: chunk?.encoded,
        rowRuns() {
          throw new Error('the rows were parsed again');
        },
        get events(): readonly AuditEvent[] {
          throw new Error('the events were decoded');
        },
      };
    };
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
    const writer = createEventWriter('csv', out, { zone: 'UTC' });
    const { encodeRows } = writer;
    if (!encodeRows) throw new Error('a CSV writer encodes rows');
    await writer.writeMany(encodedOnly(ROWS.slice(0, 1), encodeRows));
    await writer.writeMany(encodedOnly(ROWS.slice(1), encodeRows));
    await writer.end();
    expect(Buffer.concat(chunks).toString('utf8')).toBe(await written('csv', { events: EVENTS }));
    expect(writer.count).toBe(ROWS.length);
  });

  it('is not taken as the text another writer encoded (other --columns): its rows are written again', async () => {
    const other = createEventWriter('csv', new Writable({ write: (_c, _e, done) => done() }), {
      zone: 'UTC',
      csvColumns: ['id'],
    });
    const chunk = chunkInServerLayout(
      Buffer.from(`{"cursor":"c","rows":[${ROWS.map((row) => JSON.stringify(row)).join(',')}]}`),
      other.encodeRows,
    );
    expect(chunk?.encoded?.pieces.join('')).toBe(ROWS.map((row) => `${row[0]}\n`).join(''));
    expect(await written('csv', chunk as EventBatch)).toBe(await written('csv', { events: EVENTS }));
  });

  it('is decoded for a format that writes events (NDJSON), the same bytes as from the events', async () => {
    await expect(written('ndjson', rowsOnly(ROWS))).rejects.toThrow('were decoded');
    expect(await written('ndjson', batchOfRows(ROWS))).toBe(await written('ndjson', { events: EVENTS }));
  });

  it('slices into batches of rows, and events into events', () => {
    const rows = sliceBatch(batchOfRows(ROWS), 1, 3);
    expect(rows.rows).toEqual(ROWS.slice(1, 3));
    expect(rows.events).toEqual(EVENTS.slice(1, 3));
    const events = sliceBatch({ events: EVENTS }, 0, 2);
    expect(events.rows).toBeUndefined();
    expect(events.events).toEqual(EVENTS.slice(0, 2));
  });
});

describe('an export split by month from a batch of rows', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds each period from the rows, decodes nothing, and writes what the events would', async () => {
    const filesOf = async (name: string, batch: EventBatch) => {
      dir ??= mkdtempSync(join(tmpdir(), 'audit-batch-'));
      mkdirSync(join(dir, name));
      const out = await openOutputFiles({
        output: join(dir, name, 'audit.csv'),
        format: 'csv',
        split: 'month',
        zone: 'UTC',
        resume: undefined,
        sink: {
          format: 'csv',
          gzip: false,
          zone: 'UTC',
          report: { title: 'Audit log', organization: 'default', period: 'all', filters: {} },
        },
        outputNamedByUser: true,
      });
      await out.write(batch);
      await out.finish();
      const folder = join(dir, name);
      return readdirSync(folder)
        .sort()
        .map((file) => [file, readFileSync(join(folder, file), 'utf8')]);
    };
    const fromRows = await filesOf('rows', rowsOnly(ROWS));
    expect(fromRows.map(([file]) => file)).toEqual(['audit-2026-01.csv', 'audit-2026-02.csv']);
    expect(fromRows).toEqual(await filesOf('events', { events: EVENTS }));
    // A chunk kept as bytes is split a run at a time, its rows never parsed whole.
    expect(await filesOf('runs', runsOnly(ROWS))).toEqual(fromRows);
  });
});
