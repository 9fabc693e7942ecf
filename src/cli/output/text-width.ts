/**
 * How many terminal columns text takes: East Asian wide and fullwidth characters and emoji take
 * two, everything else one (the text shown is already free of control characters). Tables, tail
 * lines and the reconnect status line are fitted to the terminal by this measure, so a Japanese
 * name or an emoji in an event does not push its line onto a second row.
 */

// East Asian wide and fullwidth characters, and emoji: two columns each.
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f000}-\u{1faff}\u{20000}-\u{3fffd}]/u;
// Nothing below U+1100 is wide: most text is measured by its length alone.
const MAY_BE_WIDE = /[\u1100-\uffff]/;

/** The columns one character takes. */
export function characterWidth(character: string): 1 | 2 {
  return WIDE.test(character) ? 2 : 1;
}

/** The columns `text` takes on a terminal. */
export function textWidth(text: string): number {
  if (!MAY_BE_WIDE.test(text)) return text.length;
  let width = 0;
  for (const character of text) width += characterWidth(character);
  return width;
}

/** `text` cut to at most `width` columns, its last one `…` (`width` is at least 1). */
export function cutToWidth(text: string, width: number): string {
  if (!MAY_BE_WIDE.test(text)) return `${text.slice(0, Math.max(0, width - 1))}…`;
  let used = 0;
  let cut = '';
  for (const character of text) {
    const next = characterWidth(character);
    if (used + next > width - 1) break;
    cut += character;
    used += next;
  }
  return `${cut}…`;
}
