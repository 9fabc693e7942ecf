/**
 * Text as identifiers are searched in: NFKC (full-width and other compatibility forms become
 * their plain letters), lower case, without invisible characters, each run of spaces one space.
 * Every folded code unit remembers which part of the original text it came from, so a match
 * replaces only those original characters and leaves the rest of the string as it was.
 */
export interface FoldedText {
  text: string;
  /** Where in the original text the characters that folded code units start..end-1 came from. */
  original(start: number, end: number): [start: number, end: number];
}

// Characters that render as nothing (zero-width spaces and joiners, soft hyphens, BOMs, ...).
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const MARK = /\p{M}/u;
const SPACE = /^[\s\p{Z}]+$/u;
const PERCENT = 37;
const PLUS = 43;
const ESCAPE_LENGTH = 3;
// Below this code unit no character is a combining mark.
const COMBINING_FROM = 0x300;

/** The text as written; `decoded` also reads %XX escapes and `+` as the characters they stand for. */
export function foldText(original: string, decoded = false): FoldedText {
  // Pieces of folded text, in parallel arrays: where each starts in the folded text, the
  // original characters it came from, and how many original code units each folded one stands
  // for (0: the piece as a whole, 1: copied one for one, 3: a run of %XX escapes).
  const starts: number[] = [];
  const froms: number[] = [];
  const tos: number[] = [];
  const strides: number[] = [];
  let text = '';
  let lastIsSpace = false;
  const push = (folded: string, from: number, to: number, stride: number) => {
    starts.push(text.length);
    froms.push(from);
    tos.push(to);
    strides.push(stride);
    text += folded;
    lastIsSpace = false;
  };
  const emitSpace = (from: number, to: number) => {
    if (lastIsSpace) {
      tos[tos.length - 1] = to;
      return;
    }
    push(' ', from, to, 0);
    lastIsSpace = true;
  };
  const emit = (chunk: string, from: number, to: number) => {
    const folded = fold(chunk);
    if (folded === '') return;
    if (folded === ' ' || SPACE.test(folded)) emitSpace(from, to);
    else push(folded, from, to, 0);
  };
  let at = 0;
  while (at < original.length) {
    let end = at;
    while (end < original.length && isPlain(original, end, decoded)) end++;
    if (end > at) {
      // The run's last character may carry combining marks: it is folded with them below.
      if (original.charCodeAt(end) >= COMBINING_FROM) end--;
      if (end > at) {
        push(original.slice(at, end).toLowerCase(), at, end, 1);
        at = end;
        continue;
      }
    }
    if (decoded) {
      const escaped = plainEscapes(original, at);
      if (escaped.length > 0) {
        push(escaped.toLowerCase(), at, at + ESCAPE_LENGTH * escaped.length, ESCAPE_LENGTH);
        at += ESCAPE_LENGTH * escaped.length;
        continue;
      }
      const encoded = decodeEscape(original, at);
      if (encoded) {
        emit(encoded.text, at, encoded.end);
        at = encoded.end;
        continue;
      }
      if (original[at] === '+') {
        emitSpace(at, at + 1);
        at++;
        continue;
      }
    }
    // One character with the combining marks that follow it, so they compose as NFKC would.
    end = at + codePointLength(original, at);
    while (
      end < original.length &&
      original.charCodeAt(end) >= COMBINING_FROM &&
      MARK.test(String.fromCodePoint(original.codePointAt(end) as number))
    )
      end += codePointLength(original, end);
    emit(original.slice(at, end), at, end);
    at = end;
  }
  return {
    text,
    original(start, end) {
      const first = pieceAt(starts, start);
      const last = pieceAt(starts, end - 1);
      const firstStride = strides[first] as number;
      const lastStride = strides[last] as number;
      return [
        (froms[first] as number) + firstStride * (start - (starts[first] as number)),
        lastStride === 0
          ? (tos[last] as number)
          : (froms[last] as number) + lastStride * (end - (starts[last] as number)),
      ];
    },
  };
}

/** How a searched-for identifier is folded: exactly as the text it is searched in. */
export function foldNeedle(identifier: string): string {
  return foldText(identifier).text.trim();
}

function pieceAt(starts: number[], folded: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] as number) <= folded) low = middle;
    else high = middle - 1;
  }
  return low;
}

function fold(chunk: string): string {
  if (chunk.length === 1 && chunk.charCodeAt(0) < 0x80) return chunk.toLowerCase();
  return chunk.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}

function codePointLength(text: string, at: number): number {
  return (text.codePointAt(at) as number) > 0xffff ? 2 : 1;
}

/** A %XX escape, or the %XX%XX... of one UTF-8 encoded character, at `at`. */
function decodeEscape(text: string, at: number): { text: string; end: number } | undefined {
  if (text.charCodeAt(at) !== PERCENT) return undefined;
  const lead = hexDigit(text.charCodeAt(at + 1)) * 16 + hexDigit(text.charCodeAt(at + 2));
  if (Number.isNaN(lead)) return undefined;
  if (lead < 0x80) return { text: String.fromCharCode(lead), end: at + 3 };
  const bytes = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (bytes === 0) return undefined;
  const end = at + 3 * bytes;
  try {
    return { text: decodeURIComponent(text.slice(at, end)), end };
  } catch {
    return undefined;
  }
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : Number.NaN;
}

/** Printable ASCII but the space; in decoded text neither + nor a % that starts an escape. */
function isPlain(text: string, at: number, decoded: boolean): boolean {
  const code = text.charCodeAt(at);
  if (!(code > 32 && code < 127)) return false;
  if (!decoded) return true;
  if (code === PERCENT)
    return Number.isNaN(hexDigit(text.charCodeAt(at + 1)) * 16 + hexDigit(text.charCodeAt(at + 2)));
  return code !== PLUS;
}

/** The printable ASCII characters (but the space) that a run of %XX escapes at `at` stands for. */
function plainEscapes(text: string, at: number): string {
  let plain = '';
  for (let i = at; text.charCodeAt(i) === PERCENT; i += ESCAPE_LENGTH) {
    const code = hexDigit(text.charCodeAt(i + 1)) * 16 + hexDigit(text.charCodeAt(i + 2));
    if (!(code > 32 && code < 127)) break;
    plain += String.fromCharCode(code);
  }
  return plain;
}
