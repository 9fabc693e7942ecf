import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExportProofDocument,
  formatExportProof,
  openExportProof,
  parseExportProof,
  readExportProof,
} from '../../src/domain/merkle/export-proof.js';
import { NotLaidOutError } from '../../src/domain/merkle/proof-entries.js';

// A proof's entry lines are read from bytes without JSON.parse (proof-entry-line.ts) when they
// are in the plain form; every other line goes through JSON.parse and the general checks. The
// twin must read exactly what JSON.parse of the whole document reads, and refuse with the same
// message what it refuses: a proof edited by hand is evidence, not something to read kindly.

const TREE_SIZE = 1000;

function document(entries: unknown[]): ExportProofDocument {
  return {
    format: 'audit-log-proof',
    version: 1,
    file: 'a.ndjson',
    content: 'ndjson',
    filters: {},
    checkpoint: 'example.com/log\n1000\nroot\n',
    tree_size: TREE_SIZE,
    entries: entries as ExportProofDocument['entries'],
    others: [],
    nodes: [],
  };
}

const base64 = (bytes: number) => randomBytes(bytes).toString('base64');
const entry = (position: number, id = `01HZZ${position}`) => [position, base64(32), id, base64(12)];

/** The proof with its second entry line replaced by `line`: read by the reader, and by JSON.parse whole. */
function bothReads(line: string): [unknown, unknown] {
  const text = formatExportProof(document([entry(1), entry(2), entry(3)])).replace(
    /\n\[2,[^\n]*\n/,
    `\n${line.replace(/\$/g, '$$$$')},\n`,
  );
  const outcome = (read: () => unknown) => {
    try {
      return { proof: read() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const general = outcome(() => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`not JSON (${(error as Error).message})`);
    }
    return readExportProof(parsed);
  });
  const fast = outcome(() => parseExportProof(Buffer.from(text)));
  // Opened as `audit verify FILE` opens it, its entries read afterwards: the same proof, or the same refusal.
  const lazily = outcome(() => {
    const proof = openExportProof(Buffer.from(text));
    // The positions are read first, alone (a check lays out the span with them): as the entries say.
    const positions = Float64Array.from(proof.positions);
    try {
      proof.readEntries?.(proof.count);
      expect(positions).toEqual(proof.positions);
    } catch (error) {
      if (error instanceof NotLaidOutError && proof.readWhole) return proof.readWhole();
      throw error;
    }
    const { readEntries: _, readWhole: __, ...read } = proof;
    return { ...read, salts: Buffer.from(read.salts) };
  });
  expect(lazily).toEqual(fast);
  return [fast, general];
}

const hostileIds = [
  '',
  'log_01HZZ',
  'a"b',
  'a\\b',
  'tab\there',
  'new\nline',
  '\u0000',
  '\u007f',
  'é',
  '\u2028',
  '\ud800',
  '😀',
  '=/+',
  '"],[9,"',
];

describe('proof entry lines read from bytes (the twin of JSON.parse and the shape checks)', () => {
  it('tampering: every plain line reads as JSON.parse reads it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: TREE_SIZE + 5 }),
        fc.constantFrom(...hostileIds),
        (position, id) => {
          const [fast, general] = bothReads(JSON.stringify(entry(position, id)));
          expect(fast).toEqual(general);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tampering: a line edited byte by byte is read, or refused, as JSON.parse of the whole file says', () => {
    const edits = [
      ' ',
      '0',
      '1',
      '-',
      '"',
      '\\',
      ',',
      ']',
      '[',
      'A',
      '=',
      '/',
      '*',
      'é',
      'null',
      '1e2',
      '\u0000',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.constantFrom(...edits),
        fc.constantFrom(...hostileIds.slice(0, 4)),
        (at, kind, text, id) => {
          const line = JSON.stringify(entry(7, id));
          const where = at % (line.length + 1);
          const edited =
            kind === 'insert'
              ? line.slice(0, where) + text + line.slice(where)
              : kind === 'delete'
                ? line.slice(0, where) + line.slice(where + 1)
                : line.slice(0, where) + text + line.slice(where + 1);
          const [fast, general] = bothReads(edited);
          expect(fast).toEqual(general);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('an erased entry, a position past the tree and a non-canonical salt read as the general path does', () => {
    const salt = base64(32);
    const lastBitsSet = `${salt.slice(0, 42)}${'ABCDEFGHIJKLMNOP'.includes(salt[42] as string) ? 'B' : 'Z'}=`;
    const lines = [
      JSON.stringify([5, null, 'log_1', base64(12), base64(32)]),
      JSON.stringify([TREE_SIZE, salt, 'log_1', base64(12)]),
      JSON.stringify([Number.MAX_SAFE_INTEGER + 1, salt, 'log_1', base64(12)]),
      JSON.stringify([5, lastBitsSet, 'log_1', base64(12)]),
      JSON.stringify([5, salt, 'log_1', base64(12), 'extra']),
      `[05,"${salt}","log_1","${base64(12)}"]`,
    ];
    const outcomes = lines.map((line) => {
      const [fast, general] = bothReads(line);
      expect(fast).toEqual(general);
      return fast as { error?: string };
    });
    // What the cases are about: the erased entry and the non-canonical salt are read; the rest refused.
    expect(outcomes.map((outcome) => outcome.error === undefined)).toEqual([
      true,
      false,
      false,
      true,
      false,
      false,
    ]);
  });
});
