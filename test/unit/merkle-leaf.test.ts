import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { restoreFormulaCell } from '../../src/domain/formula-cells.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import {
  commitmentOf,
  eventLeafHash,
  type LeafHeader,
  leafBytes,
  leafFields,
  leafText,
  SALT_BYTES,
  writeLeaf,
} from '../../src/domain/merkle/leaf.js';
import { CSV_COLUMNS, csvCells } from '../../src/format/columns.js';
import { hostileString } from '../reliability/hostile.js';

const EVENT: AuditEvent = {
  id: 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E',
  timestamp: '2026-12-06T07:00:00.000Z',
  category: 'auth',
  action: 'user.login',
  description: '=HYPERLINK("x") signed in',
  actor: { id: 'user_abc123', name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
  target: null,
  context: { ip_address: '203.0.113.42', user_agent: 'Mozilla/5.0', team_id: null, team_name: null },
  changes: { role: { old: 'member', new: 'admin' } },
  metadata: { z: 1, a: [true, null] },
};

describe('an event as a Merkle leaf', () => {
  it('commits to the same 18 fields an export writes, in the CSV order, so a CSV export can be checked too', () => {
    const fromCsv = csvCells(EVENT).map(restoreFormulaCell);
    const fields = leafFields(EVENT);
    expect(fields).toHaveLength(CSV_COLUMNS.length);
    // The CSV writes changes and metadata as they came; the leaf in canonical key order.
    const canonicalIndex = [CSV_COLUMNS.indexOf('changes'), CSV_COLUMNS.indexOf('metadata')];
    fields.forEach((field, index) => {
      if (canonicalIndex.includes(index))
        expect(JSON.parse(field)).toEqual(JSON.parse(fromCsv[index] as string));
      else expect(field).toBe(fromCsv[index]);
    });
    expect(fields[CSV_COLUMNS.indexOf('metadata')]).toBe('{"a":[true,null],"z":1}');
  });

  it('the same content and salt give the same leaf whatever the key order; a changed field or another salt gives another', () => {
    const salt = randomBytes(SALT_BYTES);
    const leaf = eventLeafHash(EVENT, salt);
    expect(eventLeafHash(structuredClone(EVENT), salt).equals(leaf)).toBe(true);
    expect(eventLeafHash({ ...EVENT, metadata: { a: [true, null], z: 1 } }, salt).equals(leaf)).toBe(true);
    expect(eventLeafHash({ ...EVENT, action: 'user.logout' }, salt).equals(leaf)).toBe(false);
    expect(
      eventLeafHash(
        {
          ...EVENT,
          context: { ...(EVENT.context as NonNullable<AuditEvent['context']>), ip_address: '203.0.113.43' },
        },
        salt,
      ).equals(leaf),
    ).toBe(false);
    expect(eventLeafHash(EVENT, randomBytes(SALT_BYTES)).equals(leaf)).toBe(false);
  });

  it('holds no personal data in the clear: the leaf bytes show the id, time and category, and a commitment', () => {
    const bytes = leafBytes(EVENT, commitmentOf(randomBytes(SALT_BYTES), leafFields(EVENT))).toString('utf8');
    expect(Object.keys(JSON.parse(bytes))).toEqual(['category', 'commitment', 'id', 'timestamp', 'v']);
    for (const personal of ['alice', 'Alice', '203.0.113.42', 'Mozilla', 'admin'])
      expect(bytes).not.toContain(personal);
  });

  it('writes the canonical JSON of {v, id, timestamp, category, commitment}, hostile text in the header too', () => {
    const canonical = (header: LeafHeader, commitment: Buffer) =>
      canonicalJson({ v: 1, ...header, commitment: commitment.toString('base64') });
    const commitment = randomBytes(32);
    const hostile = ['', '"}', '\\"', '\u2028', '\u0000\u001f', '</script>', '\ud83d\ude02', 'é', '"v":2'];
    for (const text of hostile) {
      const header = { id: text, timestamp: `${text}Z`, category: `a${text}` };
      expect(leafBytes(header, commitment).toString('utf8')).toBe(canonical(header, commitment));
    }
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string(),
        fc.string({ unit: 'grapheme-composite' }),
        (id, timestamp, category) => {
          const header = { id, timestamp, category };
          expect(leafBytes(header, commitment).toString('utf8')).toBe(canonical(header, commitment));
        },
      ),
      { numRuns: 300, seed: 9162 },
    );
    const lone = { id: 'x\ud800', timestamp: '\udc00', category: '' };
    expect(leafBytes(lone, commitment).toString('utf8')).toBe(canonical(lone, commitment));
    // A header that is not all text (a hand-made file row) still gets its canonical JSON.
    const partial = { id: 'log_1', category: 'auth' } as unknown as LeafHeader;
    expect(leafBytes(partial, commitment).toString('utf8')).toBe(canonical(partial, commitment));
  });
});

describe('the leaf text written out for speed', () => {
  it('is the canonical JSON of {v, id, timestamp, category, commitment}, for awkward text too', () => {
    for (const [id, timestamp, category] of [
      ['log_1', '2026-01-01T00:00:00.000Z', 'auth'],
      ['a"b\\c', '\u2028', '\u{1F600}é\u0000'],
      ['', '', ''],
      ['x\ud800', '\udc00y', '\\ud800'],
    ] as const) {
      const commitment = randomBytes(32).toString('base64');
      expect(leafText({ id, timestamp, category }, commitment)).toBe(
        canonicalJson({ v: 1, id, timestamp, category, commitment }),
      );
    }
  });
});

describe('the leaf written into a buffer (every new leaf of the tree)', () => {
  it('writes the commitment (HMAC of the canonical fields) and the leaf hash the general functions give, hostile text too', () => {
    const reference = (header: LeafHeader, fields: string[], salt: Uint8Array) => {
      const commitment = createHmac('sha256', salt).update(canonicalJson(fields)).digest();
      return Buffer.concat([commitment, leafHash(leafBytes(header, commitment))]);
    };
    const written = (header: LeafHeader, fields: string[], salt: Uint8Array) => {
      const out = Buffer.alloc(70, 0xff);
      writeLeaf(header, fields, salt, out, 3);
      expect(out.subarray(0, 3)).toEqual(Buffer.alloc(3, 0xff));
      expect(out.subarray(67)).toEqual(Buffer.alloc(3, 0xff));
      return out.subarray(3, 67);
    };
    fc.assert(
      fc.property(
        hostileString,
        hostileString,
        hostileString,
        fc.array(hostileString, { minLength: 18, maxLength: 18 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (id, timestamp, category, fields, salt) => {
          const header = { id, timestamp, category };
          expect(written(header, fields, salt)).toEqual(reference(header, fields, salt));
        },
      ),
      { numRuns: 500, seed: 6962 },
    );
    const salt = randomBytes(SALT_BYTES);
    expect(written(EVENT, leafFields(EVENT), salt)).toEqual(reference(EVENT, leafFields(EVENT), salt));
    expect(written(EVENT, leafFields(EVENT), salt).subarray(32)).toEqual(eventLeafHash(EVENT, salt));
    // A header that is not all text (a hand-made file row) takes the general path.
    const partial = { id: 'log_1', category: 'auth' } as unknown as LeafHeader;
    expect(written(partial, [], salt)).toEqual(reference(partial, [], salt));
  });
});
