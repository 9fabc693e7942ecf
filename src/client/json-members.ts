/**
 * A JSON object read from its bytes as they arrive, member by member, with the elements of one
 * array member handed out one at a time: a document like `{"data":[…a million events…],
 * "summary":{…}}` is read holding one element, never the whole. The bytes are split where
 * values end (strings skipped, brackets counted; structural characters are ASCII, never part of
 * a UTF-8 sequence) and each piece is parsed by JSON.parse, which says whether it is valid.
 */
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
} from '../format/json-byte-codes.js';

export type MemberPart =
  /** A member other than the split array, parsed. */
  | { key: string; value: unknown }
  /** The split array's `[`… */
  | { open: string }
  /** …each of its elements, parsed… */
  | { element: unknown }
  /** …and its `]`. */
  | { close: string };

/** The bytes are not a JSON object (or one value is larger than allowed). */
export class JsonMembersError extends Error {
  override readonly name = 'JsonMembersError';
}

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
const isOpen = (byte: number) => byte === OPEN_ARRAY || byte === OPEN_OBJECT;
const isClose = (byte: number) => byte === CLOSE_ARRAY || byte === CLOSE_OBJECT;

/**
 * Where the reader stands between values: `first`/`key`/`next` in the object (before its first
 * member, after a comma, after a member), then `colon` and `value`; `first-element`/`element`/
 * `next-element` likewise in the split array.
 */
type Expecting =
  | 'root'
  | 'first'
  | 'key'
  | 'next'
  | 'colon'
  | 'value'
  | 'first-element'
  | 'element'
  | 'next-element'
  | 'done';

/**
 * The members of the object `bytes` hold, in order; the member named `split`, when an array,
 * comes as open, its elements and close. A key, a member or an element that goes on over more
 * than `maxValueBytes` of earlier pieces is an error rather than a memory leak.
 */
export async function* readJsonMembers(
  bytes: AsyncIterable<Buffer>,
  split: string,
  maxValueBytes: number,
): AsyncGenerator<MemberPart> {
  let expecting: Expecting = 'root';
  let key = '';
  // The value being read: whether it is a key, its bytes so far, where the scan stands in it.
  let capturing = false;
  let isKey = false;
  let pieces: Buffer[] = [];
  let size = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;

  const begin = (first: number, asKey: boolean) => {
    capturing = true;
    isKey = asKey;
    depth = isOpen(first) ? 1 : 0;
    inString = first === QUOTE;
    escaped = false;
    scalar = !isOpen(first) && first !== QUOTE;
  };
  const parse = (last: Buffer): unknown => {
    pieces.push(last);
    const text = Buffer.concat(pieces).toString('utf8');
    pieces = [];
    size = 0;
    capturing = false;
    try {
      return JSON.parse(text);
    } catch {
      throw new JsonMembersError('a value is not JSON');
    }
  };
  /** What a value that ended is: a key, a member's value or an element of the split array. */
  const ended = (value: unknown): MemberPart | undefined => {
    if (isKey) {
      key = value as string;
      expecting = 'colon';
      return undefined;
    }
    if (expecting === 'element' || expecting === 'first-element') {
      expecting = 'next-element';
      return { element: value };
    }
    expecting = 'next';
    return { key, value };
  };

  for await (const chunk of bytes) {
    let start = 0;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (capturing) {
        let end = -1;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (depth === 0) end = index + 1;
          }
        } else if (scalar) {
          // A number, true, false or null ends at what follows it, which is read again below.
          if (isSpace(byte) || byte === COMMA || isClose(byte)) end = index--;
        } else if (byte === QUOTE) inString = true;
        else if (isOpen(byte)) depth++;
        else if (isClose(byte) && --depth === 0) end = index + 1;
        if (end === -1) continue;
        const part = ended(parse(chunk.subarray(start, end)));
        if (part) yield part;
        continue;
      }
      if (isSpace(byte)) continue;
      const unexpected = () =>
        new JsonMembersError(`unexpected ${JSON.stringify(String.fromCharCode(byte))}`);
      switch (expecting as Expecting) {
        case 'root':
          if (byte !== OPEN_OBJECT) throw new JsonMembersError('it is not a JSON object');
          expecting = 'first';
          break;
        case 'first':
        case 'key':
          if (byte === CLOSE_OBJECT && expecting === 'first') expecting = 'done';
          else if (byte === QUOTE) begin(byte, true);
          else throw unexpected();
          break;
        case 'next':
          if (byte === COMMA) expecting = 'key';
          else if (byte === CLOSE_OBJECT) expecting = 'done';
          else throw unexpected();
          break;
        case 'colon':
          if (byte !== COLON) throw unexpected();
          expecting = 'value';
          break;
        case 'value':
          if (key === split && byte === OPEN_ARRAY) {
            expecting = 'first-element';
            yield { open: key };
          } else if (byte === COMMA || byte === COLON || isClose(byte)) throw unexpected();
          else begin(byte, false);
          break;
        case 'first-element':
        case 'element':
          if (byte === CLOSE_ARRAY && expecting === 'first-element') {
            expecting = 'next';
            yield { close: key };
          } else if (byte === COMMA || byte === COLON || isClose(byte)) throw unexpected();
          else begin(byte, false);
          break;
        case 'next-element':
          if (byte === COMMA) expecting = 'element';
          else if (byte === CLOSE_ARRAY) {
            expecting = 'next';
            yield { close: key };
          } else throw unexpected();
          break;
        case 'done':
          throw new JsonMembersError('something follows the object');
      }
      if (capturing) start = index;
    }
    if (capturing) {
      const rest = chunk.subarray(start);
      size += rest.length;
      if (size > maxValueBytes) throw new JsonMembersError(`a value is larger than ${maxValueBytes} bytes`);
      pieces.push(rest);
    }
  }
  if (expecting !== 'done') throw new JsonMembersError('the object ends before its closing brace');
}
