/**
 * Free-text search terms. The same tokenizer serves the SQLite FTS5 query (unicode61 with
 * diacritics removed) and the in-memory matcher that live followers use, so a search finds the
 * same events in a list and in a stream.
 */

/** What FTS5's unicode61 keeps in words: letters, digits, private use, and symbols such as emoji. */
export const FTS_TOKEN_CATEGORIES = 'L* N* Co So';
// unicode61 knows Unicode 6.1 and keeps any later code point (newer emoji, skin tones) in words.
const NON_TOKEN = /[^\p{L}\p{N}\p{Co}\p{So}\p{Cn}\p{Emoji_Modifier}]+/u;
const COMBINING_MARKS = /\p{M}/gu;

export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .split(NON_TOKEN)
    .filter((token) => token.length > 0);
}

/**
 * Each whitespace-separated word becomes a phrase of its tokens whose last token is a prefix:
 * `alice@exa` finds alice@example.com and `203.0.113` finds 203.0.113.42. Words are ANDed.
 * User text never reaches FTS5 syntax, so no input can make the query itself fail.
 */
export function searchPhrases(text: string): string[][] {
  return text
    .split(/\s+/)
    .map(tokenize)
    .filter((phrase) => phrase.length > 0);
}

/** The FTS5 query; no phrase (only punctuation was given) is an empty phrase, which matches nothing. */
export function toFtsQuery(phrases: string[][]): string {
  if (phrases.length === 0) return '""';
  return phrases.map((phrase) => `"${phrase.join(' ')}"*`).join(' AND ');
}

/** True when every phrase occurs (last token as prefix) within one of the fields; no phrase matches nothing. */
export function textMatches(phrases: string[][], fields: readonly (string | null | undefined)[]): boolean {
  if (phrases.length === 0) return false;
  const fieldTokens = fields.filter((field): field is string => Boolean(field)).map(tokenize);
  return phrases.every((phrase) => fieldTokens.some((tokens) => containsPhrase(tokens, phrase)));
}

function containsPhrase(tokens: string[], phrase: string[]): boolean {
  const last = phrase.length - 1;
  for (let start = 0; start + phrase.length <= tokens.length; start++) {
    let matched = true;
    for (let i = 0; i <= last && matched; i++) {
      const token = tokens[start + i] as string;
      const wanted = phrase[i] as string;
      matched = i === last ? token.startsWith(wanted) : token === wanted;
    }
    if (matched) return true;
  }
  return false;
}
