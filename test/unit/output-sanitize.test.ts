import { describe, expect, it } from 'vitest';
import { isPrintableJsonText, sanitizeForDisplay, stringifyJsonSafely } from '../../src/format/sanitize.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI_OR_INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/u;

const INJECTIONS: [name: string, input: string, expected: string][] = [
  ['CSI colour', '\x1b[31mred\x1b[0m text', 'red text'],
  ['CSI with many parameters', '\x1b[1;38;5;196mloud\x1b[m', 'loud'],
  ['clear screen and cursor home', '\x1b[2J\x1b[Hwiped', 'wiped'],
  ['cursor movement', 'up\x1b[5Aleft\x1b[10D', 'upleft'],
  ['private mode (hide cursor)', '\x1b[?25lhidden', 'hidden'],
  ['OSC 8 hyperlink (ST)', '\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\', 'click me'],
  ['OSC 8 hyperlink (BEL)', '\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07', 'click'],
  ['OSC title set', '\x1b]0;pwned\x07after', 'after'],
  ['OSC 52 clipboard write', '\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07ok', 'ok'],
  ['unterminated OSC', 'before\x1b]0;pwned', 'before'],
  ['DCS string', '\x1bPq#0;2;0;0;0\x1b\\sixel', 'sixel'],
  ['two-character ESC (reset terminal)', 'a\x1bcb', 'ab'],
  ['charset designation', '\x1b(0lqk\x1b(B', 'lqk'],
  ['lone ESC at the end', 'tail\x1b', 'tail'],
  ['unterminated CSI', 'cut\x1b[31', 'cut'],
  ['C1 CSI', '\x9b31mred\x9b0m', 'red'],
  ['C1 OSC', '\x9d0;title\x9cvisible', 'visible'],
  ['lone C1 characters', 'a\x85b\x8dc\x9ad', 'abcd'],
  ['carriage return overwrite', 'innocent\rmalicious', 'innocentmalicious'],
  ['CRLF', 'line one\r\nline two', 'line one line two'],
  ['backspace overwrite', 'admin\b\b\b\b\buser', 'adminuser'],
  ['NUL, BEL, DEL', 'a\x00b\x07c\x7fd', 'abcd'],
  ['tab and newline', 'a\tb\nc', 'a b c'],
  ['bidi override (Trojan Source)', 'invoice_\u202egpj.exe\u202c', 'invoice_gpj.exe'],
  ['bidi isolates and marks', '\u2066a\u2067b\u2068c\u2069\u200e\u200f\u061c', 'abc'],
  ['zero-width characters', 'ad\u200bm\u200ci\u200dn\ufeff', 'admin'],
  ['line and paragraph separators', 'one\u2028two\u2029three', 'onetwothree'],
  ['Hangul fillers that render as blanks', 'ad\u3164m\u115fi\uffa0n', 'admin'],
  ['tag characters (hidden ASCII)', 'ok\u{E0001}\u{E0069}\u{E0067}\u{E006E}\u{E007F}', 'ok'],
  ['Mongolian vowel separator', 'ad\u180emin', 'admin'],
  ['interlinear annotation controls', 'ad\ufff9m\ufffai\ufffbn', 'admin'],
  ['soft hyphen and word joiners', 'ad\u00adm\u2060i\u2061n', 'admin'],
  ['variation selectors hiding text', 'ad\ufe0fm\u{E0100}in', 'admin'],
];

describe('sanitizeForDisplay', () => {
  it.each(INJECTIONS)('removes %s', (_name, input, expected) => {
    const output = sanitizeForDisplay(input);
    expect(output).toBe(expected);
    expect(output).not.toMatch(CONTROL);
    expect(output).not.toMatch(BIDI_OR_INVISIBLE);
  });

  it('leaves no fragment of an escape sequence behind', () => {
    const output = sanitizeForDisplay('\x1b[31mA\x1b[0m\x1b]0;t\x07\x1b[2J');
    expect(output).toBe('A');
    expect(output).not.toContain('[31m');
  });

  it('keeps ordinary Unicode: accents, CJK, emoji', () => {
    const text = 'Zoë Müller, café, 東京, 한국어, Привет, مرحبا, 🚀👍🏽';
    expect(sanitizeForDisplay(text)).toBe(text);
  });

  it('keeps plain ASCII untouched', () => {
    const text = 'Alice Chen deleted tunnel api-staging (203.0.113.42) [ok] ~/x_y=1;2';
    expect(sanitizeForDisplay(text)).toBe(text);
  });

  it('leaves nothing dangerous in random mixes of attack characters and text', () => {
    const pieces = [
      '\x1b',
      '[',
      ']',
      '\x07',
      '\\',
      '\r',
      '\n',
      '\x9b',
      '\x9c',
      '\u202e',
      '\u200d',
      '31m',
      'ok',
      ';',
      'P',
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 500; round += 1) {
      let input = '';
      for (let i = 0; i < 12; i += 1) input += pieces[next() % pieces.length];
      const output = sanitizeForDisplay(input);
      expect(output).not.toMatch(CONTROL);
      expect(output).not.toMatch(BIDI_OR_INVISIBLE);
    }
  });
});

describe('stringifyJsonSafely', () => {
  it('parses back to the same value while holding no raw control or bidi character', () => {
    const value = {
      text: '\x1b[31mred\x1b]0;t\x07\x9b2J\u202eevil\u2028\x7f',
      nested: [{ note: 'é 東京 🚀' }],
    };
    const json = stringifyJsonSafely(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(CONTROL);
    expect(json).not.toMatch(BIDI_OR_INVISIBLE);
    expect(json).toContain('é 東京 🚀');
  });

  it('escapes invisible characters outside the BMP as surrogate pairs that parse back', () => {
    const value = { name: 'ad\u{E0041}\u3164min\u180e\ufff9' };
    const json = stringifyJsonSafely(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(json).not.toMatch(BIDI_OR_INVISIBLE);
    expect(json).toContain('\\udb40\\udc41');
    expect(json).toContain('\\u3164');
  });
});

describe('isPrintableJsonText', () => {
  it('refuses JSON text that holds a raw invisible character', () => {
    for (const hidden of ['\u3164', '\u{E0041}', '\u180e', '\ufffb', '\u200b']) {
      expect(isPrintableJsonText(`{"name":"ad${hidden}min"}`)).toBe(false);
    }
    expect(isPrintableJsonText('{"name":"Zoë 東京 🚀👍🏽"}')).toBe(true);
  });
});

describe('sanitizing speed', () => {
  it('cleans 10 MB of ordinary text in well under a second', () => {
    const text = 'Alice Chen deleted tunnel api-staging, café 東京 🚀 '.repeat(200_000);
    const started = performance.now();
    expect(sanitizeForDisplay(text)).toBe(text);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
