import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { exportRows, type FileRow } from '../../src/export/proof/export-rows.js';
import { textLines } from '../../src/export/proof/file-lines.js';
import { pooledNdjsonRows } from '../../src/export/proof/ndjson-pool.js';
import { rowLeafHash } from '../../src/export/proof/row-leaf.js';
import { logEvent } from '../helpers/range-proof-fixture.js';

// The build's worker (npm test builds first): the pool runs it as `audit verify FILE` does.
const WORKER = new URL('../../dist/export/proof/ndjson-worker.js', import.meta.url);

/** A file's rows as a check sees them: line, problem, id/time/category, and the leaf hash of entry i. */
async function seen(rows: AsyncIterable<FileRow[]>, salts: Buffer, count: number) {
  const out: unknown[] = [];
  let i = 0;
  for await (const batch of rows)
    for (const row of batch) {
      const index = i++;
      const header = row.fields?.slice(0, 3);
      let hash: string | null | undefined;
      if (row.hashed) {
        expect(row.hashed.index).toBe(index);
        hash = index < count ? (row.hashed.hash?.toString('hex') ?? null) : undefined;
      } else if (row.fields && index < count) {
        try {
          hash = rowLeafHash(row.fields, salts.subarray(index * 32, index * 32 + 32)).toString('hex');
        } catch {
          hash = null;
        }
      }
      out.push({ line: row.line, problem: row.problem, frame: row.frame, header, hash });
    }
  return out;
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const NASTY = ['', '"\\', '\u0000\u001f', '\u202e', '😀 ü', '\u2028', 'a\r\nb'];

function event(n: number): AuditEvent {
  const text = NASTY[n % NASTY.length] as string;
  const base = logEvent(n, new Date(Date.UTC(2024, 0, 1) + n).toISOString());
  return { ...base, description: text, metadata: { [text]: n, z: [text, null, 1e-7] } };
}

describe('the worker pool of audit verify FILE (NDJSON)', () => {
  it('gives every row exactly what the serial reader and hash give, across runs, blank lines and bad lines', async () => {
    const lines: string[] = [];
    for (let n = 0; n < 1500; n++) {
      lines.push(JSON.stringify(event(n)));
      // Blank lines shift the guessed entries of every later run; bad lines are rows all the same.
      if (n % 97 === 5) lines.push('');
      if (n % 211 === 7) lines.push('   ');
      // White space JSON does not know: not blank, a row that is not an event (blank-line.ts).
      if (n % 149 === 9) lines.push('\u00a0');
      if (n === 800) lines.push('\ufeff');
      if (n % 307 === 11) lines.push('{"id": "cut off');
      if (n % 401 === 13) lines.push('[1, 2]');
      if (n === 500) lines.push(JSON.stringify({ ...event(n), action: 'x.\ud800' }));
      if (n === 600) lines.push('{"id":"\\ud800","timestamp":"x","category":"y"}');
      // Longer than the pieces a worker decodes at a time.
      if (n === 700) lines.push(JSON.stringify({ ...event(n), description: 'ü'.repeat(100_000) }));
    }
    const text = `\uFEFF${lines.join('\n')}`;
    const count = 1400; // fewer entries than rows: the last rows are beyond the proof
    const salts = randomBytes(count * 32);
    for (const tail of ['', '\n', '\n\n']) {
      const bytes = Buffer.concat([Buffer.from(text + tail), Buffer.from([0xff, 0x0a, 0x7b, 0xc3])]);
      const serial = await seen(exportRows('ndjson', textLines(pieces(bytes, 5000))), salts, count);
      // hereEvery: one run in so many hashed on this thread (1: all of them; 0: none).
      for (const [runBytes, workers, hereEvery] of [
        [1, 2, 0],
        [3000, 2, 0],
        [1 << 20, 2, 0],
        [1, 1, 2],
        [3000, 1, 4],
        [3000, 2, 3],
        [3000, 1, 1],
      ] as const) {
        const pooled = pooledNdjsonRows(pieces(bytes, 5000), salts, count, workers, {
          runBytes,
          workerFile: WORKER,
          hereEvery,
        });
        expect(
          await seen(pooled, salts, count),
          `runs of ${runBytes} bytes, ${workers} workers, one run in ${hereEvery} here, tail ${JSON.stringify(tail)}`,
        ).toEqual(serial);
      }
    }
  });
});
