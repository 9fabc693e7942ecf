/**
 * JSON numbers a JavaScript number cannot hold. JSON.parse would turn an order id of
 * 9007199254740993 into 9007199254740992 without a word, and 1e400 into Infinity (stored as
 * null), so a body with such a number is refused, naming where it is. Only integers past 2^53
 * can lose digits; a number written with a fraction or exponent is a double by nature.
 */
export interface InexactNumber {
  /** Where the number is, as the ingest errors name fields: `events[2].metadata.order_id`. */
  path: string;
  literal: string;
}

const MAX_PATH_LENGTH = 200;
const MAX_LITERAL_LENGTH = 40;
const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
// Any number past 2^53 has at least 16 digits or an exponent; most bodies have neither.
const MAYBE_LARGE = /[0-9]{16}|[0-9][eE][+-]?[0-9]/;

type Frame = { kind: 'object'; key: string | undefined } | { kind: 'array'; index: number };

/** The first number of a JSON text (already known to parse) that JSON.parse would change. */
export function findInexactNumber(text: string): InexactNumber | undefined {
  if (!MAYBE_LARGE.test(text)) return undefined;
  const stack: Frame[] = [];
  let position = 0;
  let expectingKey = false;
  while (position < text.length) {
    const char = text[position] as string;
    if (char === ' ' || char === '\n' || char === '\r' || char === '\t' || char === ':') {
      position++;
      continue;
    }
    const top = stack.at(-1);
    if (char === '"') {
      STRING.lastIndex = position;
      const literal = STRING.exec(text)?.[0] ?? '""';
      if (expectingKey && top?.kind === 'object') top.key = JSON.parse(literal) as string;
      position += literal.length;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = position;
      const literal = NUMBER.exec(text)?.[0] ?? char;
      if (!isExact(literal)) return { path: pathOf(stack), literal: literal.slice(0, MAX_LITERAL_LENGTH) };
      position += literal.length;
    } else {
      if (char === '{') stack.push({ kind: 'object', key: undefined });
      else if (char === '[') stack.push({ kind: 'array', index: 0 });
      else if (char === '}' || char === ']') stack.pop();
      else if (char === ',' && top?.kind === 'array') top.index++;
      position++;
    }
    // After `{` or `,` inside an object, the next string is a key.
    expectingKey = stack.at(-1)?.kind === 'object' && (char === '{' || char === ',');
  }
  return undefined;
}

/**
 * True when JSON.parse keeps what the literal says: an integer written in digits keeps every
 * digit, and no number becomes Infinity. A fraction or an exponent asks for a floating-point
 * number, and gets the nearest double, as 0.1 does.
 */
export function isExact(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER || /[.eE]/.test(literal)) return true;
  return BigInt(literal) === BigInt(value);
}

function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (frame.kind === 'array') path += `[${frame.index}]`;
    else if (frame.key !== undefined) {
      path += /^[A-Za-z_][A-Za-z0-9_]*$/.test(frame.key)
        ? `${path === '' ? '' : '.'}${frame.key}`
        : `[${JSON.stringify(frame.key)}]`;
    }
  }
  return path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}…` : path || 'body';
}

/** Why the number is refused, and what to send instead. */
export function inexactNumberMessage(found: InexactNumber): string {
  return `${found.literal} cannot be kept exactly (integers past 2^53, 9007199254740991, lose digits); send it as a string`;
}
