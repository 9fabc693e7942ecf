/**
 * PostgreSQL's text holds neither U+0000 (22021) nor a lone surrogate (the driver sends UTF-8, in
 * which one becomes U+FFFD, so ids that differ only there would collide), and SQLite and the
 * event schema accept both. Plain text columns go through this reversible escape on the way in
 * (values and bound filter values alike) and back on the way out: U+0001 is the escape
 * character, U+0000 → U+0001 '0', U+0001 → U+0001 '1', and a lone surrogate → U+0001 'u' and
 * its four lowercase hex digits. Text without any of them, nearly all of it, is left as it is.
 * JSON columns need none: JSON.stringify writes U+0000 as \u0000 and a lone surrogate as \udXXX.
 */
const ESCAPE = '\u0001';
const SURROGATE = /[\ud800-\udfff]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeText(text: string): string {
  const special = text.includes('\0') || text.includes(ESCAPE);
  const surrogates = SURROGATE.test(text);
  if (!special && !surrogates) return text;
  // The escape character first, so the escapes made next are not escaped again.
  let escaped = special ? text.replaceAll(ESCAPE, `${ESCAPE}1`).replaceAll('\0', `${ESCAPE}0`) : text;
  if (surrogates) {
    escaped = escaped.replace(LONE_SURROGATE, (unit) => `${ESCAPE}u${unit.charCodeAt(0).toString(16)}`);
  }
  return escaped;
}

export function unescapeText(text: string): string {
  let at = text.indexOf(ESCAPE);
  if (at === -1) return text;
  let result = '';
  let from = 0;
  while (at !== -1) {
    const kind = text[at + 1];
    if (kind === 'u') {
      result += text.slice(from, at) + String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16));
      from = at + 6;
    } else {
      result += text.slice(from, at) + (kind === '0' ? '\0' : ESCAPE);
      from = at + 2;
    }
    at = text.indexOf(ESCAPE, from);
  }
  return result + text.slice(from);
}

/** escapeText of a value that may be null (a column's value). */
export function escapeNullable(text: string | null): string | null {
  return text === null ? null : escapeText(text);
}
