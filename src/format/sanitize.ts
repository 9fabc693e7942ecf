/**
 * Audit data is attacker-controlled: a description or a user agent must not be able to move the
 * cursor, rewrite the screen, set the window title, plant a hyperlink or reorder what is shown.
 */

// Whole escape sequences, so no fragment such as `[31m` survives. An unterminated string
// sequence (OSC, DCS, …) runs to the end of the text, as it would in a terminal.
const ESCAPE_SEQUENCE = new RegExp(
  [
    '\\u001b\\[[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?', // CSI
    '\\u009b[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?', // 8-bit CSI
    '(?:\\u001b\\]|\\u009d)[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?', // OSC
    '(?:\\u001b[PX^_]|[\\u0090\\u0098\\u009e\\u009f])[^\\u001b\\u009c]*(?:\\u001b\\\\|\\u009c)?', // DCS, SOS, PM, APC
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?', // two-character sequences and a lone ESC
  ].join('|'),
  'g',
);

const TAB_OR_NEWLINE = /[\t\n]/g;

// C0 controls, DEL and C1 controls, once tab and newline have become spaces.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Bidi controls (Trojan Source) and every character that hides, joins or breaks text without
 * showing: format characters (Cf: tags U+E0000–E007F, U+180E, U+FFF9–FFFB, zero-widths) and the
 * default-ignorables that render as nothing or a blank (U+3164, variation selectors), by Unicode
 * property so that a character missing from a hand-kept list cannot slip through; plus the line
 * and paragraph separators, which move the cursor. Written as alternatives, not one class: V8
 * runs that twice as fast on non-ASCII text.
 */
const INVISIBLE = '\\p{Cf}|\\p{Default_Ignorable_Code_Point}|[\\u2028\\u2029]';
const INVISIBLE_FORMAT_CHARACTER = new RegExp(INVISIBLE, 'gu');

/**
 * `text` with everything that could steer a terminal removed; ordinary Unicode is kept. Total:
 * a server's value that is not a string after all (a missing field) shows as empty.
 */
export function sanitizeForDisplay(text: string): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(TAB_OR_NEWLINE, ' ')
    .replace(CONTROL_CHARACTER, '')
    .replace(INVISIBLE_FORMAT_CHARACTER, '');
}

/** Sanitized text of an optional server value; `fallback` when it is absent or not a string. */
export function displayValue(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? sanitizeForDisplay(value) : fallback;
}

// JSON.stringify escapes only U+0000–U+001F; these would still reach a terminal raw.
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f]|${INVISIBLE}`, 'gu');

/**
 * Whether JSON text as a server sent it can be printed as it is: one line, and no raw control,
 * bidi or invisible character (in JSON text those can only sit inside strings).
 */
export function isPrintableJsonText(text: string): boolean {
  return !text.includes('\n') && !text.includes('\r') && !UNSAFE_IN_JSON_TEXT.test(text);
}
// Not global: `test` on a global expression starts where the previous match ended.
const UNSAFE_IN_JSON_TEXT = new RegExp(UNSAFE_IN_JSON.source, 'u');

/**
 * Compact JSON that parses back to exactly `value` yet holds no raw control, bidi or invisible
 * character: those appear as `\uXXXX` escapes (only ever inside strings, so this is lossless).
 */
export function stringifyJsonSafely(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, escapeCodeUnits);
}

/** `\uXXXX` per UTF-16 code unit: a character beyond U+FFFF becomes its surrogate pair. */
function escapeCodeUnits(character: string): string {
  let escaped = '';
  for (let index = 0; index < character.length; index++) {
    escaped += `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`;
  }
  return escaped;
}
