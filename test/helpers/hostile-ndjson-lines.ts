/**
 * NDJSON lines of events built token by token, for the twins that read `audit export`'s lines
 * from their bytes: the exporter's layout with hostile text in its fields, bent the ways
 * JSON.parse normalizes or refuses (escapes of every kind, \u forms, lone surrogates as escapes,
 * raw control and invalid UTF-8 bytes, white space, unsorted, repeated, numeric and __proto__
 * keys, floats, -0, 16-digit integers, arrays, deep nesting, wrong types, missing, extra and
 * reordered members, cut lines, a byte order mark).
 */
import fc from 'fast-check';

/** A piece of a line: text (written as UTF-8) or raw bytes (invalid UTF-8 among them). */
type Piece = string | readonly number[];
type Member = [string, Piece[]];

/** Choices: the ordinary ones with their weights, then the hostile ones with weight `hostile`. */
function pick<T>(
  hostile: number,
  ordinary: [number, fc.Arbitrary<T>][],
  bad: fc.Arbitrary<T>[],
): fc.Arbitrary<T> {
  return fc.oneof(
    ...ordinary.map(([weight, arbitrary]) => ({ weight, arbitrary })),
    ...(hostile > 0 ? bad.map((arbitrary) => ({ weight: hostile, arbitrary })) : []),
  );
}

/**
 * A line whose every choice is hostile with weight `hostility` against ordinary choices of
 * weight 10 to 60 (0: none; 1: a few lines bent in one place; 30: most bent somewhere).
 */
export function ndjsonLine(hostility: number): fc.Arbitrary<Buffer> {
  const H = hostility;
  const stringToken = pick<Piece>(
    H,
    [
      [60, fc.constantFrom('abc', 'Alice Chen', 'api-1.example.net', ' ', '0', '{}', ':,[]', '\u007f')],
      [20, fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).filter((s) => !/["\\]/.test(s))],
      [10, fc.constantFrom('\\"', '\\\\', '\\b', '\\f', '\\n', '\\r', '\\t', 'é', '𝄞', '\u2028', '\ufeff')],
    ],
    [
      fc.constantFrom('\\/', '\\u0041', '\\u00e9', '\\u001f', '\\u0022', '\\u005c', '\\u2028', '\\x', '\\'),
      fc.constantFrom('\\ud800', '\\udc00', '\\ud83d\\ude00', '\\udfff\\ud800'),
      fc.constantFrom<Piece>(
        '\u0000',
        '\u001f',
        '\t',
        '\n',
        [0xff],
        [0xc3],
        [0xed, 0xa0, 0x80],
        [0xc0, 0xaf],
      ),
    ],
  );
  const stringText = fc.array(stringToken, { maxLength: 5 }).map((parts): Piece[] => ['"', ...parts, '"']);
  const headerText = pick<Piece[]>(
    H,
    [
      [
        30,
        fc
          .constantFrom('"01HZZ000001"', '"2024-01-01T00:00:00.000Z"', '"security"', '"a b~!"', '""')
          .map((t) => [t]),
      ],
    ],
    [stringText, fc.constant(['null']), fc.constant(['5'])],
  );
  const numberText = pick(
    H,
    [[30, fc.constantFrom('0', '5', '-7', '123456789012345', '-123456789012345')]],
    [
      fc.constantFrom(
        '-0',
        '05',
        '1.5',
        '1e2',
        '1E+2',
        '-0.0',
        '1234567890123456',
        '9007199254740993',
        '1e999',
        '-',
        '.5',
      ),
    ],
  );
  const literalText = pick(
    H,
    [[30, fc.constantFrom('true', 'false', 'null')]],
    [fc.constantFrom('nul', 'True')],
  );
  const keyText = pick<Piece[]>(
    H,
    [
      [
        30,
        fc
          .constantFrom('a', 'b', 'A', 'a0', 'aa', 'n', 'old', 'new', 'role', 'region', '', 'a b', '~')
          .map((k) => [`"${k}"`]),
      ],
    ],
    [
      fc
        .constantFrom('1', '10', '2', '__proto__', 'constructor', 'é', 'a\\"b', 'a\\u0062')
        .map((k) => [`"${k}"`]),
      stringText,
    ],
  );
  const gap = pick(H, [[60, fc.constant('')]], [fc.constantFrom(' ', '\t', '\r\n')]);
  const deep = (open: string, close: string) =>
    fc
      .integer({ min: 14, max: 18 })
      .map((depth): Piece[] => [`${open.repeat(depth)}1${close.repeat(depth)}`]);

  const { value: jsonValue } = fc.letrec<{ value: Piece[]; object: Piece[]; array: Piece[] }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 25, arbitrary: stringText },
      { weight: 15, arbitrary: numberText.map((n) => [n]) },
      { weight: 10, arbitrary: literalText.map((l) => [l]) },
      { weight: 10, arbitrary: tie('object') },
      { weight: 5, arbitrary: tie('array') },
      { weight: 1, arbitrary: deep('{"a":', '}') },
      { weight: 1, arbitrary: deep('[', ']') },
    ),
    object: fc
      .tuple(fc.array(fc.tuple(keyText, gap, tie('value')), { maxLength: 4 }), gap)
      .map(([members, space]) => [
        '{',
        ...joined(
          members.map(([key, g, value]) => [...key, g, ':', g, ...value]),
          space,
        ),
        '}',
      ]),
    array: fc.array(tie('value'), { maxLength: 3 }).map((items) => ['[', ...joined(items, ''), ']']),
  }));
  const textValue = pick<Piece[]>(
    H,
    [
      [40, stringText],
      [10, fc.constant(['null'])],
    ],
    [jsonValue],
  );
  const objectValue = pick<Piece[]>(
    H,
    [
      [30, jsonValue.filter((v) => v[0] === '{')],
      [10, fc.constant(['null'])],
    ],
    [jsonValue],
  );

  /** `members` with one dropped, repeated, added or two swapped, or white space between them. */
  const bent = (members: Member[]): fc.Arbitrary<Piece[]> => {
    const n = members.length;
    return fc.oneof(
      fc.nat(n - 1).map((i) => object(members.filter((_, j) => j !== i))),
      fc.nat(n - 1).map((i) => object([...members, members[i] as Member])),
      fc
        .tuple(keyText, jsonValue)
        .map(([key, value]) => object([...members, [key.join('').slice(1, -1), value]])),
      fc.tuple(fc.nat(n - 1), fc.nat(n - 1)).map(([i, j]) => {
        const swapped = [...members];
        [swapped[i], swapped[j]] = [swapped[j] as Member, swapped[i] as Member];
        return object(swapped);
      }),
      fc.constant(object(members, ' ')),
    );
  };
  const part = (keys: string[]) => {
    const values = fc
      .tuple(...keys.map(() => textValue))
      .map((vs) => keys.map((key, i): Member => [key, vs[i] as Piece[]]));
    return pick<Piece[]>(
      H,
      [
        [40, values.map((members) => object(members))],
        [10, fc.constant(['null'])],
      ],
      [values.chain(bent)],
    );
  };
  const event = fc
    .record({
      id: headerText,
      timestamp: headerText,
      category: headerText,
      action: textValue,
      description: textValue,
      actor: part(['id', 'name', 'email', 'type']),
      target: part(['type', 'id', 'name']),
      context: part(['ip_address', 'user_agent', 'team_id', 'team_name']),
      changes: objectValue,
      metadata: objectValue,
    })
    .map((fields) => Object.entries(fields) as Member[]);
  const damage = pick<'bend' | { cut: number } | { tail: string } | { head: string } | null>(
    H,
    [[60, fc.constant(null)]],
    [
      fc.constant<'bend'>('bend'),
      fc.record({ cut: fc.nat() }),
      fc.record({ tail: fc.constantFrom(' ', '\r', ',', '}', 'x', '\t') }),
      fc.record({ head: fc.constantFrom(' ', '\ufeff', '[') }),
    ],
  );
  return fc.tuple(event, damage).chain(([members, harm]) =>
    (harm === 'bend' ? bent(members) : fc.constant(object(members))).map((pieces) => {
      let bytes = bytesOf(pieces);
      if (harm !== null && harm !== 'bend') {
        if ('cut' in harm) bytes = bytes.subarray(0, harm.cut % bytes.length);
        if ('tail' in harm) bytes = Buffer.concat([bytes, Buffer.from(harm.tail)]);
        if ('head' in harm) bytes = Buffer.concat([Buffer.from(harm.head), bytes]);
      }
      return bytes;
    }),
  );
}

/** Ordinary lines (hostile text within what the exporter writes), lines bent here and there, lines hostile throughout. */
export const hostileLine: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 2, arbitrary: ndjsonLine(0) },
  { weight: 1, arbitrary: ndjsonLine(1) },
  { weight: 1, arbitrary: ndjsonLine(30) },
);

function joined(parts: Piece[][], space: string): Piece[] {
  return parts.flatMap((part, i) => (i === 0 ? part : [',', space, ...part]));
}

function object(members: Member[], space = ''): Piece[] {
  return [
    '{',
    ...joined(
      members.map(([key, value]) => [`"${key}"`, ':', ...value]),
      space,
    ),
    '}',
  ];
}

export function bytesOf(pieces: readonly Piece[]): Buffer {
  return Buffer.concat(
    pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece))),
  );
}
