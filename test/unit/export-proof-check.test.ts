import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { openExportProof, parseExportProof } from '../../src/domain/merkle/export-proof.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { commitmentOf, leafBytes, leafFields } from '../../src/domain/merkle/leaf.js';
import { parseVerifierKey } from '../../src/domain/signed-note.js';
import { readProofOf, verifyExportFile } from '../../src/export/proof/verify-file.js';
import { writeExportProof } from '../../src/export/proof/write-proof.js';
import { createEventWriter, type StreamFormat } from '../../src/format/event-writer.js';
import { logEvent, type MemoryLog, memoryLog } from '../helpers/range-proof-fixture.js';

// A log of 40 events; the export holds the 'tunnel' events of positions 5–30 (in file order),
// so the proof carries other leaves (the security events) between its rows.
const EVENTS: AuditEvent[] = Array.from({ length: 40 }, (_, n) =>
  logEvent(n, new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString()),
);
const EXPORTED = EVENTS.map((_, n) => n).filter((n) => n >= 5 && n <= 30 && n % 4 !== 0);
const FILTERS = { from: '2024-01-01T00:05:00.000Z', to: '2024-01-01T00:30:00.000Z', category: ['tunnel'] };

let dir: string;
let log: MemoryLog;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proof-check-'));
  log = memoryLog(EVENTS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function exportFile(name: string, format: StreamFormat, positions = EXPORTED): Promise<string> {
  const path = join(dir, name);
  const chunks: string[] = [];
  const out = new (await import('node:stream')).PassThrough();
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const writer = createEventWriter(format, out, { zone: 'UTC' });
  await writer.writeMany({ events: positions.map((p) => EVENTS[p] as AuditEvent) });
  await writer.end();
  const text = chunks.join('');
  writeFileSync(path, name.endsWith('.gz') ? gzipSync(text) : text);
  await writeExportProof({
    file: path,
    content: format === 'tsv' ? 'csv' : format,
    filters: FILTERS,
    key: log.verifierKey,
    answer: log.proofOf(positions),
  });
  return path;
}

/**
 * The check with the proof read whole, and again with it opened as `audit verify FILE` opens it
 * (entries read as the rows come): the two must say the same, however the files were altered.
 */
async function verify(path: string, key = log.verifierKey) {
  const check = async (open: typeof parseExportProof) => {
    try {
      const { proof, proofFile } = await readProofOf(path, open);
      return await verifyExportFile(path, proof, proofFile, parseVerifierKey(key));
    } catch (error) {
      return error as Error;
    }
  };
  const whole = await check(parseExportProof);
  const lazily = await check(openExportProof);
  const { proof: _, ...said } = whole instanceof Error ? { proof: 0, error: whole } : whole;
  const { proof: __, ...saidLazily } = lazily instanceof Error ? { proof: 0, error: lazily } : lazily;
  expect(saidLazily).toEqual(said);
  if (whole instanceof Error) throw whole;
  return whole;
}

const edit = (path: string, change: (lines: string[]) => string[]) =>
  writeFileSync(path, change(readFileSync(path, 'utf8').split('\n')).join('\n'));

describe('the offline check of an export against its proof', () => {
  it.each([
    ['ndjson', 'a.ndjson'],
    ['json', 'a.json'],
    ['csv', 'a.csv'],
    ['ndjson', 'a.ndjson.gz'],
    ['csv', 'a.csv.gz'],
  ] as const)(
    'an untouched %s export (%s) is proved: every row, the root, the signature',
    async (format, name) => {
      const result = await verify(await exportFile(name, format));
      expect(result.problems).toEqual([]);
      expect(result.events).toBe(EXPORTED.length);
      expect(result.span).toEqual({ first: 5, last: 30 });
      expect(result.checkpoint?.size).toBe(40);
    },
  );

  it('an event whose actor email was edited in the file names its line and event', async () => {
    const path = await exportFile('changed.ndjson', 'ndjson');
    edit(path, (lines) =>
      lines.map((line, i) => (i === 6 ? line.replace('@evil.example', '@good.example') : line)),
    );
    const result = await verify(path);
    expect(result.problems).toEqual([
      `line 7: event ${EVENTS[EXPORTED[6] as number]?.id} (position ${EXPORTED[6]}) was changed`,
    ]);
  });

  it.each([
    ['ndjson', 'overflow.ndjson'],
    ['json', 'overflow.json'],
  ] as const)(
    'a %s line edited to hold a number JSON cannot hold (1e999, read as Infinity) is named, not thrown (threat: a forged file crashes the check)',
    async (format, name) => {
      const path = await exportFile(name, format);
      edit(path, (lines) =>
        lines.map((line) => {
          if (!line.includes(`"${EVENTS[EXPORTED[2] as number]?.id}"`)) return line;
          const tail = line.endsWith(',') ? ',' : '';
          const event = JSON.parse(tail ? line.slice(0, -1) : line) as Record<string, unknown>;
          return `${JSON.stringify({ ...event, metadata: { n: '@@' } }).replace('"@@"', '1e999')}${tail}`;
        }),
      );
      const line =
        readFileSync(path, 'utf8')
          .split('\n')
          .findIndex((text) => text.includes('1e999')) + 1;
      const result = await verify(path);
      const position = EXPORTED[2] as number;
      expect(result.problems).toEqual([
        `line ${line} holds a number JSON cannot hold (expected event ${EVENTS[position]?.id} at position ${position})`,
      ]);
    },
  );

  it('a CSV cell whose formula guard was removed (a formula re-armed) is a change', async () => {
    const path = await exportFile('formula.csv', 'csv');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace("'=cmd()", '=cmd()'));
    const result = await verify(path);
    expect(result.problems[0]).toMatch(
      /^line \d+: event "01HZZ\d+" has a actor_name cell whose formula guard was removed$/,
    );
  });

  it('a removed line is named: the event expected there and the one found', async () => {
    const path = await exportFile('removed.ndjson', 'ndjson');
    edit(path, (lines) => lines.filter((_, i) => i !== 3));
    const result = await verify(path);
    const [missing, next] = [EVENTS[EXPORTED[3] as number], EVENTS[EXPORTED[4] as number]];
    expect(result.problems[0]).toBe(
      `line 4: expected event ${missing?.id} (position ${EXPORTED[3]}), found "${next?.id}" — a line was removed, added or reordered`,
    );
  });

  it('two swapped lines are named', async () => {
    const path = await exportFile('swapped.json', 'json');
    edit(path, (lines) => {
      const copy = [...lines];
      [copy[2], copy[3]] = [copy[3] as string, copy[2] as string];
      return copy;
    });
    const result = await verify(path);
    expect(result.problems[0]).toMatch(
      /^line 3: expected event 01HZZ\d+ \(position \d+\), found "01HZZ\d+" — a line was removed, added or reordered$/,
    );
  });

  it('a file cut off after 10 events says so, and which event comes next', async () => {
    const path = await exportFile('cut.ndjson', 'ndjson');
    edit(path, (lines) => lines.slice(0, 10));
    const result = await verify(path);
    expect(result.problems).toContain(
      `the file ends after 10 of ${EXPORTED.length} events — it was cut off (the next is event ${EVENTS[EXPORTED[10] as number]?.id} at position ${EXPORTED[10]})`,
    );
  });

  it('a gzipped export cut off mid-stream is reported, not thrown', async () => {
    const path = await exportFile('cut.ndjson.gz', 'ndjson');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 40));
    const result = await verify(path);
    expect(result.problems.join('\n')).toMatch(/cut off/);
  });

  it('the exporter refuses a server proof that leaves out an event of the range', async () => {
    const gone = EXPORTED[5] as number;
    await expect(
      exportFile(
        'short.ndjson',
        'ndjson',
        EXPORTED.filter((p) => p !== gone),
      ),
    ).rejects.toThrow(
      `event ${EVENTS[gone]?.id} (position ${gone}, ${EVENTS[gone]?.timestamp}, tunnel) is in the log within the export's range but missing from the file`,
    );
  });

  it('an event of the range deleted from the file and from the proof entries is still missing', async () => {
    // The forger drops the row and turns its entry into an "other" leaf: the root still adds up,
    // but the leaf is a tunnel event inside the export's time range.
    const gone = EXPORTED[5] as number;
    const path = await exportFile('dropped.ndjson', 'ndjson');
    edit(path, (lines) => lines.filter((_, i) => i !== 5));
    const proofPath = `${path}.proof.json`;
    const proof = JSON.parse(readFileSync(proofPath, 'utf8'));
    const [[, salt]] = proof.entries.splice(5, 1);
    const event = EVENTS[gone] as AuditEvent;
    const commitment = commitmentOf(Buffer.from(salt, 'base64'), leafFields(event)).toString('base64');
    proof.others.push([gone, event.id, event.timestamp, event.category, commitment]);
    writeFileSync(proofPath, JSON.stringify(proof));
    const result = await verify(path);
    expect(result.problems).toEqual([
      `event ${EVENTS[gone]?.id} (position ${gone}, ${EVENTS[gone]?.timestamp}, tunnel) is in the log within the export's range but missing from the file`,
    ]);
  });

  it('a checkpoint checked with another key fails, naming that key', async () => {
    const path = await exportFile('wrongkey.ndjson', 'ndjson');
    const result = await verify(path, memoryLog(EVENTS.slice(0, 2), 'impostor').verifierKey);
    expect(result.problems[0]).toMatch(/^the checkpoint's signature does not verify with key impostor/);
  });

  it('an edited row whose proof hint was forged to match is still caught by the root', async () => {
    const path = await exportFile('forged.ndjson', 'ndjson');
    const edited = { ...(EVENTS[EXPORTED[2] as number] as AuditEvent), action: 'user.logout' };
    edit(path, (lines) => lines.map((line, i) => (i === 2 ? JSON.stringify(edited) : line)));
    const proofPath = `${path}.proof.json`;
    const proof = JSON.parse(readFileSync(proofPath, 'utf8'));
    const salt = Buffer.from(proof.entries[2][1], 'base64');
    const leaf = leafHash(leafBytes(edited, commitmentOf(salt, leafFields(edited))));
    proof.entries[2][3] = leaf.subarray(0, 12).toString('base64');
    writeFileSync(proofPath, JSON.stringify(proof));
    const result = await verify(path);
    expect(result.problems).toEqual([
      "the file's events and the proof do not add up to the checkpoint's root (size 40) — the file or its proof was altered",
    ]);
  });

  it('a proof read line by line is the proof JSON.parse reads, however its text is laid out', async () => {
    const path = await exportFile('layout.ndjson', 'ndjson');
    const proofPath = `${path}.proof.json`;
    const written = readFileSync(proofPath, 'utf8');
    const { proof } = await readProofOf(path);
    expect(proof.count).toBe(EXPORTED.length);
    const document = JSON.parse(written);
    const layouts = [
      JSON.stringify(document, null, 2),
      // One entry split over two lines: still one JSON document.
      written.replace(/\n(\[\d+,)/, '\n$1\n'),
    ];
    for (const text of layouts) {
      writeFileSync(proofPath, text);
      expect((await readProofOf(path)).proof).toEqual(proof);
    }
    // "entries" named again after the list: JSON takes the later, empty one, and so does the reader.
    writeFileSync(proofPath, written.replace(/\}\n$/, ',"entries":[]}\n'));
    expect((await readProofOf(path)).proof.count).toBe(0);
  });

  it('a line appended after the last event is named', async () => {
    const path = await exportFile('added.ndjson', 'ndjson');
    const lines = readFileSync(path, 'utf8');
    writeFileSync(path, `${lines}${JSON.stringify(EVENTS[31])}\n`);
    const result = await verify(path);
    expect(result.problems).toEqual([
      `line ${EXPORTED.length + 1}: an event after the ${EXPORTED.length} the proof covers — a line was added`,
    ]);
  });
});

describe('checkpoint records in the span of an export (lists hide them unless detailed)', () => {
  const minute = (n: number) => new Date(Date.UTC(2024, 1, 1) + n * 60_000).toISOString();
  const events: AuditEvent[] = Array.from({ length: 12 }, (_, n) => logEvent(100 + n, minute(n)));
  const record: AuditEvent = {
    id: '01HZZCHECKPOINTRECORD00000',
    timestamp: minute(6),
    category: 'audit',
    action: 'audit.checkpoint_signed',
    description: null,
    actor: { id: 'system', name: 'audit server', email: null, type: 'system' },
    target: null,
    context: null,
    changes: null,
    metadata: { tree_size: 6 },
  };
  events[6] = record;
  const exported = events.map((_, n) => n).filter((n) => n !== 6);
  const filters = { from: minute(0), to: minute(11) };

  async function provedExport(name: string, answer: (log: MemoryLog) => unknown) {
    const recordLog = memoryLog(events);
    const path = join(dir, name);
    const out = new (await import('node:stream')).PassThrough();
    const chunks: string[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const writer = createEventWriter('ndjson', out, { zone: 'UTC' });
    await writer.writeMany({ events: exported.map((p) => events[p] as AuditEvent) });
    await writer.end();
    writeFileSync(path, chunks.join(''));
    await writeExportProof({
      file: path,
      content: 'ndjson',
      filters,
      key: recordLog.verifierKey,
      answer: answer(recordLog),
    });
    const { proof, proofFile } = await readProofOf(path);
    return verifyExportFile(path, proof, proofFile, parseVerifierKey(recordLog.verifierKey));
  }

  it('a checkpoint record the export left out (not detailed) is not an event missing from the file', async () => {
    const result = await provedExport('with-record.ndjson', (recordLog) => recordLog.proofOf(exported));
    expect(result.problems).toEqual([]);
  });

  it('a forger who passes a real event off as a checkpoint record to drop it from the file is caught', async () => {
    // The same check runs when the export writes its proof and when an auditor verifies it.
    const forged = provedExport('forged-record.ndjson', (recordLog) => {
      const answer = recordLog.proofOf(exported) as { others: unknown[][] };
      const other = answer.others.find((o) => o[0] === 6) as unknown[];
      // The record's fields rewritten: they no longer match the leaf's commitment.
      other[6] = (other[6] as string[]).map((field, i) => (i === 4 ? 'edited description' : field));
      return answer;
    });
    await expect(forged).rejects.toThrow(
      /shows event 01HZZCHECKPOINTRECORD00000 as a checkpoint record, but its content does not match its leaf/,
    );
  });

  it("a proof edited to mark a row as erased (to hide an edit of its content) names that row's line", async () => {
    const marked = (recordLog: MemoryLog) => {
      const answer = recordLog.proofOf(exported) as { entries: unknown[][] };
      const entry = answer.entries.find((e) => e[0] === 3) as unknown[];
      const salt = Buffer.from(entry[1] as string, 'base64');
      answer.entries[answer.entries.indexOf(entry)] = [
        3,
        null,
        commitmentOf(salt, leafFields(events[3] as AuditEvent)).toString('base64'),
      ];
      return answer;
    };
    const before = await provedExport('marked.ndjson', marked);
    expect(before.erasedLines).toEqual([4]);
    const path = join(dir, 'marked.ndjson');
    edit(path, (lines) =>
      lines.map((line, i) =>
        i === 3 ? line.replace(/"description":"[^"]*"/, '"description":"forged"') : line,
      ),
    );
    const { proof, proofFile } = await readProofOf(path);
    const after = await verifyExportFile(path, proof, proofFile, parseVerifierKey(proof.key ?? ''));
    // The content of a row the proof calls erased cannot be proved: the check says which line it is.
    expect(after.erasedLines).toEqual([4]);
  });
});
