import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInexactNumber, isExact } from '../../src/domain/inexact-numbers.js';

describe('numbers JSON.parse would change', () => {
  it('finds 2^53 + 1 and names its path, however the body is laid out', () => {
    const body =
      '{ "events" : [ {"action":"a.b"}, { "metadata" : { "a.b": 1, "order" : { "id" : 9007199254740993 } } } ] }';
    expect(findInexactNumber(body)).toEqual({
      path: 'events[1].metadata.order.id',
      literal: '9007199254740993',
    });
    expect(findInexactNumber('{"metadata":{"ids":[1, 2, -9007199254740993]}}')?.path).toBe('metadata.ids[2]');
    expect(findInexactNumber('{"metadata":{"a b":{"c":1e400}}}')?.path).toBe('metadata["a b"].c');
    expect(findInexactNumber('12345678901234567890')?.path).toBe('body');
  });

  it('leaves exact numbers alone, and digits inside strings', () => {
    const exact =
      '{"a":9007199254740991,"b":-9007199254740991,"c":9007199254740992,"d":1e20,"e":0.1,"f":"9007199254740993","g":1.5e300}';
    expect(findInexactNumber(exact)).toBeUndefined();
    expect(findInexactNumber('{"k\\"9007199254740993":"\\\\", "n": 18014398509481984}')).toBeUndefined();
  });

  it('refuses an integer in digits that loses a digit, and a number past the largest double', () => {
    expect(isExact('9007199254740993')).toBe(false);
    expect(isExact('-9007199254740993')).toBe(false);
    expect(isExact('9007199254740992')).toBe(true);
    expect(isExact('1e400')).toBe(false);
    expect(isExact('-1e400')).toBe(false);
    // A fraction or an exponent is a floating-point number: the nearest double, as 0.1 gets.
    expect(isExact('6.02214076e23')).toBe(true);
    expect(isExact('1E+2')).toBe(true);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (value) => {
        expect(isExact(value.toString())).toBe(BigInt(Number(value)) === value);
      }),
    );
  });
});
