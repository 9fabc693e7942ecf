import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonMembersError, type MemberPart, readJsonMembers } from '../../src/client/json-members.js';

const tricky = fc.string({
  unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', ':', '\n', ' ', 'é', '😀', 'a', '1'),
  maxLength: 8,
});
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    tricky,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(tricky, tie('value'), { maxKeys: 3 }),
  ),
})).value;

async function* pieces(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
}

/** The object the parts describe, put back together. */
async function rebuild(parts: AsyncIterable<MemberPart>): Promise<Record<string, unknown>> {
  const object: Record<string, unknown> = {};
  let array: unknown[] | undefined;
  for await (const part of parts) {
    if ('open' in part) array = [];
    else if ('element' in part) array?.push(part.element);
    else if ('close' in part) {
      object[part.close] = array;
      array = undefined;
    } else object[part.key] = part.value;
  }
  return object;
}

const cutsOf = (length: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 6 })
    .map((cuts) => cuts.sort((a, b) => a - b));

describe('a JSON object read member by member as its bytes arrive', () => {
  it('gives back any object, compact or indented, cut anywhere, the split array element by element', async () => {
    const document = fc.record({
      data: fc.array(json, { maxLength: 5 }),
      summary: json,
      other: fc.option(json),
    });
    await fc.assert(
      fc.asyncProperty(document, fc.boolean(), fc.nat(), async (value, indent, seed) => {
        const bytes = Buffer.from(JSON.stringify(value, null, indent ? 2 : undefined));
        const cuts = fc.sample(cutsOf(bytes.length), { numRuns: 1, seed })[0] as number[];
        expect(await rebuild(readJsonMembers(pieces(bytes, cuts), 'data', 1 << 20))).toEqual(
          JSON.parse(bytes.toString()),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('hands out the elements one at a time, each as soon as its bytes are in', async () => {
    const bytes = Buffer.from('{"data":[{"a":1},"x",[2],3 , null],"summary":{"count":5}}');
    const parts: MemberPart[] = [];
    for await (const part of readJsonMembers(pieces(bytes, [...bytes.keys()]), 'data', 100)) parts.push(part);
    expect(parts).toEqual([
      { open: 'data' },
      { element: { a: 1 } },
      { element: 'x' },
      { element: [2] },
      { element: 3 },
      { element: null },
      { close: 'data' },
      { key: 'summary', value: { count: 5 } },
    ]);
  });

  it('refuses what is not one JSON object, and a value larger than the cap', async () => {
    const refused = async (text: string, cuts: number[] = []) => {
      const read = rebuild(readJsonMembers(pieces(Buffer.from(text), cuts), 'data', 1000));
      await expect(read).rejects.toBeInstanceOf(JsonMembersError);
    };
    for (const text of [
      '',
      '<html></html>',
      '[1,2]',
      '{"data":[1,2]',
      '{"data":[1,,2]}',
      '{"data":[1,2],}',
      '{"data" [1]}',
      '{"data":[1]} {}',
      '{"a":tru}',
      '{"a":"unterminated}',
      '{,"a":1}',
    ])
      await refused(text);
    // A server that never ends a value, arriving in packets: refused once 1,000 bytes of it are held.
    await refused(`{"data":["${'x'.repeat(2000)}"]}`, [500, 1000, 1500]);
  });
});
