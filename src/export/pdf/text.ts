/**
 * Text for pdfkit's built-in Helvetica: the standard fonts are WinAnsi-encoded, so any other
 * character would come out as garbage. Everything drawn goes through `pdfText` first: terminal
 * controls and invisible characters removed, the rest mapped into WinAnsi or replaced by '?'.
 */
import { sanitizeForDisplay } from '../../format/sanitize.js';

// The characters WinAnsiEncoding adds to Latin-1 (0x80–0x9F), as Unicode code points.
const WIN_ANSI_EXTRAS = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018, 0x2019,
  0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

// Close stand-ins for common characters outside WinAnsi (and two inside it that print badly).
const SUBSTITUTES: Record<string, string> = {
  '\u00a0': ' ',
  '\u00ad': '-',
  '\u0131': 'i',
  '\u0110': 'D',
  '\u0111': 'd',
  '\u0141': 'L',
  '\u0142': 'l',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2015': '\u2014',
  '\u201b': "'",
  '\u201f': '"',
  '\u2032': "'",
  '\u2033': '"',
  '\u2044': '/',
  '\u2190': '<-',
  '\u2192': '->',
  '\u2212': '-',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2260': '!=',
};

// Marks left without a base after NFC, variation selectors, emoji skin tones and tag characters:
// dropped, so that one emoji or one foreign letter becomes a single '?'.
const DROPPED = /^(?:\p{M}|\p{Emoji_Modifier}|[\u{e0020}-\u{e007f}])$/u;
const MARKS = /\p{M}/gu;
const SPACES = /[\s\u2000-\u200a\u202f\u205f\u3000]+/g;

function isWinAnsi(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(code);
}

const allWinAnsi = (text: string) => [...text].every((character) => isWinAnsi(character.codePointAt(0) ?? 0));

/** `text` with every character WinAnsi can show kept, look-alikes mapped, the rest '?'. */
export function toWinAnsi(text: string): string {
  let result = '';
  for (const character of text.normalize('NFC')) {
    if (isWinAnsi(character.codePointAt(0) ?? 0)) {
      result += character;
      continue;
    }
    const substitute = SUBSTITUTES[character];
    if (substitute !== undefined) {
      result += substitute;
      continue;
    }
    if (DROPPED.test(character)) continue;
    // Accented and compatibility forms (ą, ǆ, ﬁ, full-width Ａ) keep their base letters.
    const base = character.normalize('NFKD').replace(MARKS, '');
    result += base !== '' && allWinAnsi(base) ? base : '?';
  }
  return result;
}

/** Longer text is cut before it is mapped: no cell shows more than a few hundred characters. */
const MAX_INPUT = 2000;

/** Any value safe to draw: no control or invisible characters, WinAnsi only, spaces collapsed. */
export function pdfText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const clipped = value.length > MAX_INPUT ? `${value.slice(0, MAX_INPUT)}\u2026` : value;
  return toWinAnsi(sanitizeForDisplay(clipped)).replace(SPACES, ' ').trim();
}

export type Measure = (text: string) => number;

const ELLIPSIS = '\u2026';
// Helvetica's narrowest printable glyph is about 0.19 em: a bound on what one line can hold.
const NARROWEST_GLYPH_EM = 0.18;

/** The longest prefix length of `text` (at most `limit`) whose width passes `fits`. */
function longestFitting(text: string, limit: number, fits: (prefix: string) => boolean): number {
  let low = 0;
  let high = Math.min(text.length, limit);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(text.slice(0, middle))) low = middle;
    else high = middle - 1;
  }
  return low;
}

const BREAK_AFTER = new Set(['-', '/', '.', '@', '_', ':', ',', ';']);

/** Splits `text` at the last break opportunity that fits `width`; a word too long is cut. */
function breakLine(text: string, width: number, measure: Measure, limit: number): [string, string] {
  const fitting = Math.max(
    1,
    longestFitting(text, limit, (prefix) => measure(prefix) <= width),
  );
  if (fitting >= text.length) return [text, ''];
  if (text[fitting] === ' ') return [text.slice(0, fitting), text.slice(fitting + 1)];
  for (let index = fitting - 1; index > 0; index--) {
    const character = text[index] ?? '';
    if (character === ' ') return [text.slice(0, index), text.slice(index + 1)];
    if (BREAK_AFTER.has(character)) return [text.slice(0, index + 1), text.slice(index + 1)];
  }
  return [text.slice(0, fitting), text.slice(fitting)];
}

/** `text` cut to fit `width` with an ellipsis at the end. */
export function truncate(text: string, width: number, measure: Measure, limit = text.length): string {
  if (measure(text) <= width) return text;
  const kept = longestFitting(text, limit, (prefix) => measure(prefix.trimEnd() + ELLIPSIS) <= width);
  return text.slice(0, kept).trimEnd() + ELLIPSIS;
}

/**
 * `text` wrapped into at most `maxLines` lines no wider than `width` (at font size `size`), the
 * last one ending in an ellipsis when the text does not fit.
 */
export function fitLines(
  text: string,
  width: number,
  maxLines: number,
  measure: Measure,
  size: number,
): string[] {
  const limit = Math.ceil(width / (size * NARROWEST_GLYPH_EM)) + 1;
  const lines: string[] = [];
  let rest = text.trim();
  while (rest !== '' && lines.length < maxLines) {
    if (lines.length === maxLines - 1) {
      lines.push(truncate(rest, width, measure, limit + 1));
      break;
    }
    const [line, remainder] = breakLine(rest, width, measure, limit);
    lines.push(line.trimEnd());
    rest = remainder.trimStart();
  }
  return lines;
}
