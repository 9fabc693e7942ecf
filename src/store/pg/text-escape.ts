/**
 * PostgreSQL's text cannot hold U+0000 (22021), which SQLite and the event schema accept. Plain
 * text columns go through this reversible escape on the way in (values and bound filter values
 * alike) and back on the way out: U+0001 is the escape character, U+0000 → U+0001 '0' and
 * U+0001 → U+0001 '1'. Text without either character, nearly all of it, is left as it is. JSON
 * columns need none: JSON.stringify writes U+0000 as \u0000.
 */
const ESCAPE = '\u0001';

export function escapeText(text: string): string {
  if (!text.includes('\0') && !text.includes(ESCAPE)) return text;
  // The escape character first, so the escapes of U+0000 made next are not escaped again.
  return text.replaceAll(ESCAPE, `${ESCAPE}1`).replaceAll('\0', `${ESCAPE}0`);
}

export function unescapeText(text: string): string {
  let at = text.indexOf(ESCAPE);
  if (at === -1) return text;
  let result = '';
  let from = 0;
  while (at !== -1) {
    result += text.slice(from, at) + (text[at + 1] === '0' ? '\0' : ESCAPE);
    from = at + 2;
    at = text.indexOf(ESCAPE, from);
  }
  return result + text.slice(from);
}

/** escapeText of a value that may be null (a column's value). */
export function escapeNullable(text: string | null): string | null {
  return text === null ? null : escapeText(text);
}
