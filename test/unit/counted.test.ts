import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counted } from '../../src/format/counted.js';

describe('counted', () => {
  it('groups digits as Intl en-US does, for any number', () => {
    const numbers = new Intl.NumberFormat('en-US');
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.double()),
        (n) => {
          expect(counted(n, 'event')).toBe(`${numbers.format(n)} ${n === 1 ? 'event' : 'events'}`);
        },
      ),
      { numRuns: 2000 },
    );
    expect(counted(-0, 'event')).toBe('-0 events');
    expect(counted(1, 'event')).toBe('1 event');
    expect(counted(3003, 'entry', 'entries')).toBe('3,003 entries');
  });
});
