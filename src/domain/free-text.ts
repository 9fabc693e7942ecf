import type { AuditEvent } from './event.js';

/**
 * Free-text search terms. The same tokenizer makes the query, fills SQLite's FTS5 index and
 * PostgreSQL's tsvector (searchedFields, below) and serves the in-memory matcher that live followers
 * use, so a search finds the same events in a list and in a stream, on either engine.
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

/**
 * What free-text search reads of an event, the same for every reader: SQLite's index, the
 * PostgreSQL tsvector and the live followers' matcher. Six fields and the metadata's values; a
 * phrase matches within one of them.
 */
export function searchedFields(event: AuditEvent): (string | null | undefined)[] {
  return [
    event.actor?.name,
    event.actor?.email,
    event.action,
    event.target?.name,
    event.context?.ip_address,
    event.description,
    metadataSearchText(event.metadata),
  ];
}

/**
 * The metadata's values as one field: every string, number and boolean, depth first in the
 * order the event holds them, as the API shows them (`true`, `42`, `1e+21`), joined by spaces;
 * keys and nulls are not searched.
 */
export function metadataSearchText(metadata: unknown): string | undefined {
  if (metadata === null || metadata === undefined) return undefined;
  const values: string[] = [];
  const walk = (node: unknown): void => {
    if (node === null || node === undefined) return;
    if (typeof node === 'object') for (const child of Object.values(node)) walk(child);
    else values.push(String(node));
  };
  walk(metadata);
  return values.join(' ');
}

/**
 * A field as SQLite's full-text index is given it: its tokens (free-text.ts) joined by spaces.
 * The index's own tokenizer (unicode61, no diacritic folding) then splits exactly there, so
 * the index holds the tokens the query is made of: folded as NFKD with marks removed (й → и,
 * ﬁ → fi), which unicode61 alone does not do for every script.
 */
export function indexedText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  // ASCII is split and lowercased by unicode61 exactly as by tokenize(): letters and digits
  // are words, everything else (no ASCII character is a symbol of category So) separates them.
  if (!NON_ASCII.test(text)) return text;
  return tokenize(text).join(' ');
}

const NON_ASCII = /[\u0080-\uffff]/;

/** The fields of an event as the full-text index is given them (searchedFields, indexedText). */
export function indexedFields(event: AuditEvent): (string | null)[] {
  return searchedFields(event).map(indexedText);
}
